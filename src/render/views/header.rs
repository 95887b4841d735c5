//! The top of an official document (agency, number, date line) and its
//! signature block.

use serde::Serialize;

use crate::format::date_line;
use crate::issued::SignOff;
use crate::settings::{DocumentSettings, DocumentStyle};
use crate::text::upper;

/// Where a draft leaves its number blank: non-breaking spaces, which Typst
/// does not collapse.
pub(super) const BLANK: &str = "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}";

/// The header block of an official document (Nghị định 30/2020 or
/// Hướng dẫn 36-HD/VPTW).
#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    pub style: DocumentStyle,
    pub parent: String,
    pub agency: String,
    /// "Số:      /QĐ-HVCTQG" (draft: the number is left blank).
    pub number: String,
    /// The number without "Số": "      /QĐ-HVCTQG", for "Kèm theo Quyết định số …".
    pub number_bare: String,
    pub date_line: String,
    pub draft: bool,
}

impl HeaderView {
    /// A decision's header: its number and date once signed, else blank.
    pub fn for_decision(settings: &DocumentSettings, sign_off: Option<&SignOff>) -> Self {
        let draft = HeaderView::new(settings, "QĐ");
        let Some(sign_off) = sign_off else {
            return draft;
        };
        let number_bare = sign_off.document_number().to_string();
        HeaderView {
            number: match settings.style {
                DocumentStyle::State => format!("Số: {number_bare}"),
                DocumentStyle::Party => format!("Số {number_bare}"),
            },
            number_bare,
            date_line: date_line(&settings.agency.place, sign_off.date),
            draft: false,
            ..draft
        }
    }

    pub fn new(settings: &DocumentSettings, document_code: &str) -> Self {
        let abbreviation = &settings.agency.abbreviation;
        let number_bare = match settings.style {
            DocumentStyle::State => format!("{BLANK}/{document_code}-{abbreviation}"),
            DocumentStyle::Party => format!("{BLANK}-{document_code}/{abbreviation}"),
        };
        let number = match settings.style {
            DocumentStyle::State => format!("Số:{number_bare}"),
            DocumentStyle::Party => format!("Số{number_bare}"),
        };
        HeaderView {
            style: settings.style,
            parent: upper(&settings.agency.parent),
            agency: upper(&settings.agency.name),
            number,
            number_bare,
            date_line: date_line(&settings.agency.place, settings.decision_date),
            draft: true,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignerView {
    pub prefix: String,
    pub title: String,
    pub name: String,
    /// The signature and seal images' paths on a signed document's
    /// electronic copy, else "".
    pub signature: String,
    pub seal: String,
}

impl SignerView {
    pub fn new(settings: &DocumentSettings) -> Self {
        SignerView {
            prefix: upper(&settings.signer.prefix),
            title: upper(&settings.signer.title),
            name: settings.signer.name.clone(),
            signature: String::new(),
            seal: String::new(),
        }
    }

    /// With the signature and seal images when the document is signed.
    pub fn signed(settings: &DocumentSettings, signed: bool) -> Self {
        let mut view = SignerView::new(settings);
        if signed {
            view.signature = settings.signature.clone();
            view.seal = settings.seal.clone();
        }
        view
    }
}

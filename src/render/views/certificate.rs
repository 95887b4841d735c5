//! Certificates: full designs and overlays on pre-printed blanks (field
//! positions), recipients' lines and the verification QR code.

use std::collections::BTreeMap;

use serde::Serialize;

use super::header::BLANK;
use super::*;
use crate::aggregate::{Grant, GrantList};
use crate::format::{date_line, date_words};
use crate::issued::SignOff;
use crate::model::Sex;
use crate::settings::{CertificateMode, DocumentSettings, DocumentStyle, PageSize};
use crate::text::upper;

/// One certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// "Ông", "Bà", or "" for a collective.
    pub salutation: String,
    pub name: String,
    pub detail: String,
    /// The full achievement sentence: "Đã có thành tích …".
    pub achievement: String,
    pub decision_line: String,
    /// Số sổ vàng: "2026-05-012" once signed, else the place in the list.
    pub register_number: String,
    /// "Mã xác thực: 2026-05-012 · 3f9a0c21b7" once signed, else empty.
    pub verification: String,
    /// The QR code of the verification, as SVG markup; empty for a draft.
    pub qr: String,
    /// Whether detail and achievement are long enough that they may not fit
    /// their box at full size: the template then measures and shrinks them
    /// (a layout per size tried, so only for these).
    pub fit_text: bool,
    /// Whether the name's line may be too wide at full size: the template
    /// then measures it and shrinks it to fit (a layout per size tried, so
    /// only where needed; the renderer clears it for names that fit).
    pub fit_name: bool,
}

/// Characters of detail and achievement that always fit the full design's
/// box at 16 pt (about five lines of a box that holds eight).
const FITS_UNMEASURED: usize = 400;

/// Where one overlay field goes, in millimetres, the printer offset
/// already added; `height` is 0 for a single line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldView {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub size: f64,
    pub align: String,
}

/// The overlay fields of an A4-landscape blank when tdkt.toml names none:
/// (name, x, y, width, height, size, align).
const DEFAULT_FIELDS: &[(&str, f64, f64, f64, f64, f64, &str)] = &[
    ("name", 148.5, 100.0, 220.0, 0.0, 26.0, "center"),
    ("detail", 148.5, 112.0, 220.0, 0.0, 15.0, "center"),
    ("achievement", 148.5, 122.0, 220.0, 22.0, 16.0, "center"),
    ("date_line", 213.0, 150.0, 120.0, 0.0, 14.0, "center"),
    ("signer_prefix", 213.0, 157.0, 120.0, 0.0, 14.0, "center"),
    ("signer_title", 213.0, 163.0, 120.0, 0.0, 14.0, "center"),
    ("signer_name", 213.0, 190.0, 120.0, 0.0, 14.0, "center"),
    ("decision", 24.0, 186.0, 130.0, 0.0, 12.5, "left"),
    ("register", 24.0, 193.0, 130.0, 0.0, 12.5, "left"),
];

/// The overlay fields: tdkt.toml's, over the defaults, offset added.
pub fn overlay_fields(settings: &DocumentSettings) -> BTreeMap<String, FieldView> {
    let certificates = &settings.certificates;
    let [dx, dy] = certificates.offset.unwrap_or([0.0, 0.0]);
    let mut fields: BTreeMap<String, FieldView> = DEFAULT_FIELDS
        .iter()
        .map(|(name, x, y, width, height, size, align)| {
            let field = FieldView {
                x: *x,
                y: *y,
                width: *width,
                height: *height,
                size: *size,
                align: align.to_string(),
            };
            (name.to_string(), field)
        })
        .collect();
    for (name, configured) in &certificates.fields {
        let default = fields.get(name).cloned();
        fields.insert(
            name.clone(),
            FieldView {
                x: configured.x,
                y: configured.y,
                width: configured.width,
                height: configured.height.unwrap_or(0.0),
                size: configured
                    .size
                    .or(default.as_ref().map(|d| d.size))
                    .unwrap_or(14.0),
                // A configured x is a left edge unless the field says otherwise.
                align: configured
                    .align
                    .clone()
                    .unwrap_or_else(|| "left".to_string()),
            },
        );
    }
    for field in fields.values_mut() {
        field.x += dx;
        field.y += dy;
    }
    fields
}

/// A batch of certificates of one honour, one per page.
#[derive(Debug, Clone, Serialize)]
pub struct CertificatesView {
    /// "full" or "overlay".
    pub mode: CertificateMode,
    /// The page in millimetres.
    pub width: f64,
    pub height: f64,
    /// The emblem image's path for the full design, or "".
    pub emblem: String,
    /// Overlay fields by name (overlay mode).
    pub fields: BTreeMap<String, FieldView>,
    /// A calibration sheet: grid and field boxes under the first item.
    pub calibration: bool,
    pub style: DocumentStyle,
    pub draft: bool,
    pub authority: String,
    pub verb: String,
    pub heading: String,
    pub date_line: String,
    pub signer: SignerView,
    pub items: Vec<CertificateView>,
}

/// "Ông", "Bà", or "" for a collective.
pub fn salutation(grant: &Grant) -> &'static str {
    match grant.sex {
        Some(Sex::Male) => "Ông",
        Some(Sex::Female) => "Bà",
        None => "",
    }
}

/// The name line of a certificate: "Bà Nguyễn Thị Lan".
pub fn name_line(grant: &Grant) -> String {
    format!("{} {}", salutation(grant), grant.name)
        .trim()
        .to_string()
}

pub fn certificate_view(
    grant: &Grant,
    sign_off: Option<&SignOff>,
    settings: &DocumentSettings,
) -> CertificateView {
    let salutation = salutation(grant);
    let achievement = match grant.achievement.as_deref().map(str::trim) {
        Some(text) if crate::text::fold(text).starts_with("da co thanh tich") => text.to_string(),
        Some(text) if !text.is_empty() => format!("Đã có thành tích {text}"),
        _ => "Đã có thành tích xuất sắc trong thực hiện nhiệm vụ".to_string(),
    };
    let code = settings.decision_code();
    let decision_line = match sign_off {
        Some(s) => format!(
            "Quyết định số {}, {}",
            s.document_number(),
            date_words(s.date)
        ),
        None => {
            let blank = match settings.style {
                DocumentStyle::State => format!("{BLANK}/{code}"),
                DocumentStyle::Party => format!("{BLANK}-{code}"),
            };
            format!(
                "Quyết định số{blank}, {}",
                date_words(settings.decision_date)
            )
        }
    };
    let (verification, qr) = match (&grant.register_number, &grant.verification) {
        (Some(number), Some(hash)) => (
            format!("Mã xác thực: {number} · {hash}"),
            qr_svg(&match &settings.verify_url {
                Some(url) => format!("{url}/verify/{number}"),
                None => format!("TDKT {number} {hash}"),
            }),
        ),
        _ => (String::new(), String::new()),
    };
    let detail = detail_of(grant);
    let fit_text = detail.chars().count() + achievement.chars().count() > FITS_UNMEASURED;
    CertificateView {
        salutation: salutation.to_string(),
        name: grant.name.clone(),
        detail,
        achievement,
        decision_line,
        register_number: grant
            .register_number
            .clone()
            .unwrap_or_else(|| grant.ordinal.to_string()),
        verification,
        qr,
        fit_text,
        fit_name: true,
    }
}

/// A QR code as SVG markup, for the certificate's corner.
fn qr_svg(payload: &str) -> String {
    match qrcode::QrCode::new(payload.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .quiet_zone(false)
            .min_dimensions(120, 120)
            .build(),
        // A payload this short always fits a QR code.
        Err(_) => String::new(),
    }
}

pub fn certificates_view(
    list: &GrantList,
    grants: &[Grant],
    settings: &DocumentSettings,
) -> CertificatesView {
    let certificate = list
        .certificate
        .clone()
        .unwrap_or(crate::regulation::Certificate {
            heading: upper(&list.name),
            verb: "TẶNG".to_string(),
        });
    let date = list
        .sign_off
        .as_ref()
        .map_or(settings.decision_date, |s| s.date);
    let certificates = &settings.certificates;
    let size = certificates
        .sizes
        .get(&list.code)
        .copied()
        .unwrap_or(PageSize {
            width: certificates.width.unwrap_or(297.0),
            height: certificates.height.unwrap_or(210.0),
        });
    let mode = certificates.mode.unwrap_or_default();
    CertificatesView {
        mode,
        width: size.width,
        height: size.height,
        emblem: settings.emblem.clone(),
        fields: match mode {
            CertificateMode::Overlay => overlay_fields(settings),
            CertificateMode::Full => BTreeMap::new(),
        },
        calibration: false,
        style: settings.style,
        draft: list.sign_off.is_none(),
        authority: upper(&settings.signer.authority),
        verb: certificate.verb,
        heading: certificate.heading,
        date_line: date_line(&settings.agency.place, date),
        signer: SignerView::signed(settings, list.sign_off.is_some()),
        items: grants
            .iter()
            .map(|g| certificate_view(g, list.sign_off.as_ref(), settings))
            .collect(),
    }
}

//! The data each template sees: view structs made for templates, not the
//! domain types. Every string here is plain text; the templates' autoescape
//! makes it safe for Typst.
//!
//! TEMPLATES.md documents these fields for agencies that write their own
//! templates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::aggregate::{Aggregate, Grant, GrantList, Tally};
use crate::format::{date_line, date_words};
use crate::issued::SignOff;
use crate::model::Sex;
use crate::regulation::{HonourKind, Regulation};
use crate::settings::{CertificateMode, DocumentSettings, DocumentStyle, PageSize};
use crate::text::upper;
use crate::validate::QuotaResult;

/// Where a draft leaves its number blank: non-breaking spaces, which Typst
/// does not collapse.
const BLANK: &str = "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}";

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

/// One line of an attached list.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// The row's place in its list, headings counted (see [`PartView`]).
    pub mark: usize,
    pub stt: u32,
    pub name: String,
    /// "Phó Viện trưởng, Viện Triết học".
    pub detail: String,
    /// Text enough to fill half a page: the row may split across pages
    /// (rows are otherwise kept whole on one page).
    pub long: bool,
    pub birth: String,
    pub bonus: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// The heading's place in its list (see [`PartView`]).
    pub mark: usize,
    pub heading: String,
    pub rows: Vec<RowView>,
}

/// Which piece of its attached list a source lays out. A list longer than
/// a piece is laid out piece by piece, each ending at a page's end, so the
/// memory a document needs is that of a piece, not of the whole list; a
/// row's `mark` tells on which page it landed.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PartView {
    /// Holds the decision itself and the list's title.
    pub first: bool,
    /// Holds the list's total.
    pub last: bool,
    /// The number of its first page.
    pub first_page: usize,
}

impl PartView {
    /// The whole document in one piece.
    pub const WHOLE: PartView = PartView {
        first: true,
        last: true,
        first_page: 1,
    };
}

/// A decision (Quyết định) with its attached list.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub header: HeaderView,
    pub year: i32,
    pub honour_code: String,
    pub honour_name: String,
    /// "title" or "award".
    pub honour_kind: &'static str,
    pub authority: String,
    /// The authority as tdkt.toml writes it (not in capitals), for captions.
    pub authority_text: String,
    /// Each ends with ";" but the last, which ends with ".".
    pub legal_bases: Vec<String>,
    pub proposer: String,
    pub collectives: usize,
    pub individuals: usize,
    /// "3 tập thể và 12 cá nhân".
    pub whom: String,
    /// Who the list names: "Tập thể, cá nhân", "Cá nhân" or "Tập thể".
    pub subjects: &'static str,
    pub total_bonus: u64,
    pub total_bonus_words: String,
    pub base_salary: Option<u64>,
    /// The decree the bonus article cites, in force on the decision's date:
    /// "Nghị định số 152/2025/NĐ-CP".
    pub bonus_decree: String,
    pub signer: SignerView,
    pub recipients: Vec<String>,
    pub archive: String,
    pub agency_name: String,
    pub decision_date_words: String,
    pub sections: Vec<SectionView>,
    pub part: PartView,
    /// For a decision amending a signed one.
    pub correction: Option<CorrectionView>,
}

/// One decision granting several honours (`decisions = "combined"`): the
/// decision's frame, as any decision's, and an article per honour with its
/// attached list (each the view that honour's own decision would have).
#[derive(Debug, Clone, Serialize)]
pub struct CombinedDecisionView {
    #[serde(flatten)]
    pub frame: DecisionView,
    /// One per title or award, in the regulation's order.
    pub articles: Vec<DecisionView>,
}

/// What a correction decision amends (sửa đổi, bổ sung).
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    /// "01/QĐ-HVCTQG".
    pub document_number: String,
    /// "ngày 15 tháng 01 năm 2026".
    pub date_words: String,
    /// Those whose grant it revokes.
    pub removed: Vec<String>,
}

/// A submission (Tờ trình) to the level that decides.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub header: HeaderView,
    pub year: i32,
    pub honour_code: String,
    pub honour_name: String,
    pub decider: String,
    pub agency_name: String,
    pub collectives: usize,
    pub individuals: usize,
    /// "3 tập thể và 12 cá nhân".
    pub whom: String,
    pub signer: SignerView,
    pub recipients: Vec<String>,
    pub archive: String,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    pub code: String,
    pub name: String,
    /// One tally per column of `ReportView::honours`.
    pub cells: Vec<Tally>,
    pub total: Tally,
    pub bonus: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HonourColumn {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListSummary {
    pub code: String,
    pub name: String,
    pub count: usize,
    pub bonus: u64,
    pub decided_by_agency: bool,
}

/// The summary report (Báo cáo tổng hợp).
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub header: HeaderView,
    pub year: i32,
    pub agency_name: String,
    pub honours: Vec<HonourColumn>,
    pub units: Vec<TallyRow>,
    /// How many units sent a workbook (a row of `units` may be a unit whose
    /// workbook is gone while a signed decision still pays it).
    pub units_received: usize,
    pub totals: Vec<Tally>,
    pub grand_total: Tally,
    pub quotas: Vec<QuotaResult>,
    pub lists: Vec<ListSummary>,
    pub total_bonus: u64,
    pub total_bonus_words: String,
    pub signer: SignerView,
}

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

pub fn legal_basis_lines(
    regulation: &Regulation,
    date: NaiveDate,
    extra: &[String],
) -> Vec<String> {
    let mut lines: Vec<String> = regulation
        .legal_bases_on(date)
        .into_iter()
        .map(str::to_string)
        .collect();
    lines.extend(extra.iter().cloned());
    let count = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let line = line.trim_end_matches(['.', ';']).to_string();
            if i + 1 == count {
                format!("{line}.")
            } else {
                format!("{line};")
            }
        })
        .collect()
}

/// "Phó Viện trưởng, Phòng Nghiên cứu X, Viện Triết học".
pub fn detail_of(grant: &Grant) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(position) = grant.position.as_deref() {
        parts.push(position);
    } else if let Some(job) = grant.job_title.as_deref() {
        parts.push(job);
    }
    if let Some(sub) = grant.sub_unit.as_deref()
        && sub != grant.unit_name
    {
        parts.push(sub);
    }
    if grant.name != grant.unit_name {
        parts.push(&grant.unit_name);
    }
    parts.join(", ")
}

/// Characters of a list row's name and detail that fill about half a page
/// of its columns (some 23 and 31 characters a line at 13 pt).
const LONG_ROW_NAME: usize = 400;
const LONG_ROW_DETAIL: usize = 600;

fn is_long_row(name: &str, detail: &str) -> bool {
    name.chars().count() > LONG_ROW_NAME || detail.chars().count() > LONG_ROW_DETAIL
}

pub fn sections(list: &GrantList, with_birth: bool) -> Vec<SectionView> {
    // Rows and headings are marked in the order they are printed.
    let marks = std::cell::Cell::new(0);
    let mark = || marks.replace(marks.get() + 1);
    let row = |g: &Grant| RowView {
        mark: mark(),
        stt: g.ordinal,
        name: g.name.clone(),
        long: is_long_row(&g.name, &detail_of(g)),
        detail: detail_of(g),
        birth: if with_birth {
            g.birth.map(|b| b.display_vi()).unwrap_or_default()
        } else {
            String::new()
        },
        bonus: g.bonus,
    };
    let mut out = Vec::new();
    let both = !list.collectives.is_empty() && !list.individuals.is_empty();
    if !list.collectives.is_empty() {
        let heading = if both { "I. TẬP THỂ" } else { "" };
        out.push(SectionView {
            mark: if both { mark() } else { 0 },
            heading: heading.into(),
            rows: list.collectives.iter().map(row).collect(),
        });
    }
    if !list.individuals.is_empty() {
        let heading = if both { "II. CÁ NHÂN" } else { "" };
        out.push(SectionView {
            mark: if both { mark() } else { 0 },
            heading: heading.into(),
            rows: list.individuals.iter().map(row).collect(),
        });
    }
    out
}

pub fn decision_view(
    list: &GrantList,
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> DecisionView {
    let date = list
        .sign_off
        .as_ref()
        .map_or(settings.decision_date, |s| s.date);
    DecisionView {
        header: HeaderView::for_decision(settings, list.sign_off.as_ref()),
        year: aggregate.year,
        honour_code: list.code.clone(),
        honour_name: list.name.clone(),
        honour_kind: kind_name(list.kind),
        authority: upper(&settings.signer.authority),
        authority_text: settings.signer.authority.clone(),
        legal_bases: legal_basis_lines(regulation, date, &[]),
        proposer: settings.proposer.clone(),
        collectives: list.collectives.len(),
        individuals: list.individuals.len(),
        whom: whom(list),
        subjects: subjects(list),
        total_bonus: list.total_bonus,
        total_bonus_words: crate::format::money_words(list.total_bonus),
        base_salary: regulation.base_salary_on(date),
        bonus_decree: regulation
            .bonus_decree_on(date)
            .unwrap_or("các quy định hiện hành về thi đua, khen thưởng")
            .to_string(),
        signer: SignerView::signed(settings, list.sign_off.is_some()),
        recipients: settings.recipients.clone(),
        archive: settings.archive.clone(),
        agency_name: settings.agency.name.clone(),
        decision_date_words: date_words(date),
        sections: sections(list, false),
        part: PartView::WHOLE,
        correction: list.correction.as_ref().map(|c| CorrectionView {
            document_number: c.document_number.clone(),
            date_words: date_words(c.date),
            removed: c.removed.clone(),
        }),
    }
}

pub fn combined_decision_view(
    list: &GrantList,
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> CombinedDecisionView {
    CombinedDecisionView {
        frame: decision_view(list, aggregate, regulation, settings),
        articles: list
            .parts
            .iter()
            .filter(|part| part.count() > 0)
            .map(|part| decision_view(part, aggregate, regulation, settings))
            .collect(),
    }
}

pub fn submission_view(
    list: &GrantList,
    aggregate: &Aggregate,
    settings: &DocumentSettings,
) -> SubmissionView {
    SubmissionView {
        header: HeaderView::new(settings, "TTr"),
        year: aggregate.year,
        honour_code: list.code.clone(),
        honour_name: list.name.clone(),
        decider: list
            .decider
            .clone()
            .unwrap_or_else(|| "cấp có thẩm quyền".to_string()),
        agency_name: settings.agency.name.clone(),
        collectives: list.collectives.len(),
        individuals: list.individuals.len(),
        whom: whom(list),
        signer: SignerView::new(settings),
        recipients: settings.recipients.clone(),
        archive: settings.archive.clone(),
        sections: sections(list, true),
    }
}

pub fn report_view(
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> ReportView {
    let honours: Vec<HonourColumn> = aggregate
        .totals
        .iter()
        .map(|(code, _)| HonourColumn {
            code: code.clone(),
            name: regulation
                .honour(code)
                .map(|h| h.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let units = aggregate
        .units
        .iter()
        .map(|u| TallyRow {
            code: u.code.clone(),
            name: u.name.clone(),
            cells: honours
                .iter()
                .map(|h| {
                    u.tallies
                        .iter()
                        .find(|(c, _)| *c == h.code)
                        .map(|(_, t)| *t)
                        .unwrap_or_default()
                })
                .collect(),
            total: u.total,
            bonus: u.bonus,
        })
        .collect();
    let lists = GrantList::per_honour(&aggregate.decisions)
        .into_iter()
        .chain(&aggregate.submissions)
        .map(|l| ListSummary {
            code: l.code.clone(),
            name: l.name.clone(),
            count: l.count(),
            bonus: l.total_bonus,
            decided_by_agency: l.decided_by == crate::regulation::Decider::Agency,
        })
        .collect();
    let totals: Vec<Tally> = aggregate.totals.iter().map(|(_, t)| *t).collect();
    ReportView {
        header: HeaderView::new(settings, "BC"),
        year: aggregate.year,
        agency_name: settings.agency.name.clone(),
        honours,
        units,
        units_received: aggregate
            .units
            .iter()
            .filter(|u| !u.file.is_empty())
            .count(),
        grand_total: totals.iter().copied().fold(Tally::default(), Tally::merge),
        totals,
        quotas: aggregate.quotas.clone(),
        lists,
        total_bonus: aggregate.total_bonus,
        total_bonus_words: crate::format::money_words(aggregate.total_bonus),
        signer: SignerView::new(settings),
    }
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

fn subjects(list: &GrantList) -> &'static str {
    match (list.collectives.is_empty(), list.individuals.is_empty()) {
        (false, false) => "Tập thể, cá nhân",
        (false, true) => "Tập thể",
        _ => "Cá nhân",
    }
}

/// "3 tập thể và 12 cá nhân", "12 cá nhân".
fn whom(list: &GrantList) -> String {
    let mut parts = Vec::new();
    if !list.collectives.is_empty() {
        parts.push(format!("{} tập thể", list.collectives.len()));
    }
    if !list.individuals.is_empty() {
        parts.push(format!("{} cá nhân", list.individuals.len()));
    }
    parts.join(" và ")
}

fn kind_name(kind: HonourKind) -> &'static str {
    match kind {
        HonourKind::Title => "title",
        HonourKind::Award => "award",
    }
}

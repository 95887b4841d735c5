//! Flags and `tdkt.toml` become one validated [`Settings`] before any work.
//!
//! Stages never read flags or files themselves: they receive the parts of
//! `Settings` they need. A flag wins over the file, and the file over the
//! defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::regulation::Regulation;
use crate::units::UnitList;

pub const CAMPAIGN_FILE: &str = "tdkt.toml";

/// `tdkt.toml`, as a clerk writes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    #[serde(default)]
    pub campaign: CampaignSection,
    #[serde(default)]
    pub agency: Agency,
    #[serde(default)]
    pub signer: Signer,
    #[serde(default)]
    pub certificates: CertificateSection,
    #[serde(default)]
    pub units: Vec<crate::units::Unit>,
    /// `[limits]`: what one workbook may cost to read.
    #[serde(default)]
    pub limits: crate::ingest::Limits,
    /// `[serve]`: the web application.
    #[serde(default)]
    pub serve: ServeSection,
}

/// `[serve]`: what `tdkt serve` accepts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    /// The largest upload, in MiB (20 by default).
    pub upload_mib: Option<u64>,
}

/// `[certificates]`: how certificates are printed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSection {
    /// "full" (the whole design) or "overlay" (only the variable fields,
    /// for pre-printed blanks).
    pub mode: Option<CertificateMode>,
    /// The page in millimetres; A4 landscape (297 × 210) by default.
    pub width: Option<f64>,
    pub height: Option<f64>,
    /// Page sizes for some honours: `"BK-BỘ" = { width = 400, height = 300 }`.
    #[serde(default)]
    pub sizes: BTreeMap<String, PageSize>,
    /// An image file (PNG, JPEG or SVG) for the emblem of the full design.
    pub emblem: Option<PathBuf>,
    /// The printer's offset (x, y) in millimetres, added to every field.
    pub offset: Option<[f64; 2]>,
    /// Overlay fields by name, in millimetres from the blank's top-left
    /// corner: x is the left edge (or the centre, with align = "center"),
    /// y the baseline the text sits on.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldBox>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateMode {
    #[default]
    Full,
    Overlay,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageSize {
    pub width: f64,
    pub height: f64,
}

/// Where one overlay field goes.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldBox {
    pub x: f64,
    pub y: f64,
    /// The width the text must fit; it shrinks to fit, never overflows.
    pub width: f64,
    /// For a text of several lines (the achievement): the box's height.
    pub height: Option<f64>,
    /// The font size in points.
    pub size: Option<f64>,
    /// "left" (default) or "center".
    pub align: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSection {
    /// The evaluation year (năm xét).
    pub year: Option<i32>,
    /// Where the units' workbooks are, relative to the campaign folder.
    pub inbox: Option<PathBuf>,
    pub output: Option<PathBuf>,
    /// A regulation file; the built-in national rules when absent.
    pub regulation: Option<PathBuf>,
    /// A unit list (.csv or .xlsx with code, name, aliases).
    pub units_file: Option<PathBuf>,
    /// The date the decisions will bear; fixes PDF dates and bonus amounts.
    pub decision_date: Option<toml::value::Datetime>,
    pub style: Option<DocumentStyle>,
    /// "Theo đề nghị của …".
    pub proposer: Option<String>,
    /// Recipients listed under "Nơi nhận:" before "Lưu: VT, …".
    pub recipients: Option<Vec<String>>,
    /// The office that keeps the file copy: "Lưu: VT, TĐKT."
    pub archive: Option<String>,
    /// The campaign's name in the register (default: the folder's name).
    pub name: Option<String>,
    /// The register file, relative to the campaign folder; campaigns that
    /// share one continue one sequence of numbers.
    pub register: Option<PathBuf>,
    /// "decision" (2026-05-012) or "yearly" (2026-0123).
    pub register_numbers: Option<crate::register::Numbering>,
    /// "per-honour" (a decision per title or award, the default) or
    /// "combined" (one decision, an article per title or award).
    pub decisions: Option<DecisionLayout>,
    /// Units the competent level declared outstanding this year (codes):
    /// their HTXSNV quota is the larger share of the regulation.
    #[serde(default)]
    pub outstanding_units: Vec<String>,
    /// The agency's tdkt server as people reach it ("https://tdkt.example.gov.vn"):
    /// a certificate's QR code is then a link to `/verify/<number>` there.
    pub verify_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionLayout {
    #[default]
    PerHonour,
    Combined,
}

/// State documents (Nghị định 30/2020) or Party documents (Hướng dẫn 36).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentStyle {
    #[default]
    State,
    Party,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// The parent body printed above the issuing body, if any.
    #[serde(default)]
    pub parent: String,
    pub name: String,
    /// For document numbers: "05/QĐ-HVCTQG".
    pub abbreviation: String,
    /// The place name of the date line: "Hà Nội".
    pub place: String,
}

impl Default for Agency {
    fn default() -> Self {
        Agency {
            parent: String::new(),
            name: "Cơ quan (chưa khai báo trong tdkt.toml)".to_string(),
            abbreviation: "CQ".to_string(),
            place: "Hà Nội".to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Who decides, in the decision's authority line: "GIÁM ĐỐC HỌC VIỆN …".
    pub authority: String,
    /// "KT. GIÁM ĐỐC" when a deputy signs on the head's behalf; empty when
    /// the head signs.
    #[serde(default)]
    pub prefix: String,
    /// The signer's own title: "PHÓ GIÁM ĐỐC".
    pub title: String,
    pub name: String,
    /// A PNG of the signature, printed on signed decisions (electronic copies).
    #[serde(default)]
    pub signature: Option<PathBuf>,
    /// A PNG of the seal, over the signature's left third.
    #[serde(default)]
    pub seal: Option<PathBuf>,
}

impl Default for Signer {
    fn default() -> Self {
        Signer {
            authority: "THỦ TRƯỞNG CƠ QUAN".to_string(),
            prefix: String::new(),
            title: "THỦ TRƯỞNG".to_string(),
            name: "(chưa khai báo)".to_string(),
            signature: None,
            seal: None,
        }
    }
}

/// What the command line says; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub input: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub year: Option<i32>,
    pub units: Option<PathBuf>,
    pub regulation: Option<PathBuf>,
    /// Where workbooks are read: the binary reads each in a reader process
    /// of its own; library callers read in-process.
    pub isolation: crate::ingest::Isolation,
}

/// The document settings render needs.
#[derive(Debug, Clone)]
pub struct DocumentSettings {
    pub agency: Agency,
    pub signer: Signer,
    pub style: DocumentStyle,
    pub decision_date: NaiveDate,
    pub proposer: String,
    pub recipients: Vec<String>,
    pub archive: String,
    pub certificates: CertificateSection,
    pub decisions: DecisionLayout,
    /// Virtual paths documents use for the campaign's images: the emblem,
    /// the signature, the seal ("" when not given).
    pub emblem: String,
    pub signature: String,
    pub seal: String,
    /// The server certificates' QR codes link to (`[campaign] verify_url`),
    /// without a trailing slash.
    pub verify_url: Option<String>,
}

/// The virtual paths of the campaign's images inside documents.
pub const EMBLEM_FILE: &str = "anh/quoc-huy";
pub const SIGNATURE_FILE: &str = "anh/chu-ky";
pub const SEAL_FILE: &str = "anh/con-dau";

impl DocumentSettings {
    /// The decisions' document code: "QĐ-HVCTQG" (state), "QĐ/HVCTQG" (Party).
    pub fn decision_code(&self) -> String {
        let abbreviation = &self.agency.abbreviation;
        match self.style {
            DocumentStyle::State => format!("QĐ-{abbreviation}"),
            DocumentStyle::Party => format!("QĐ/{abbreviation}"),
        }
    }
}

/// Where the register is and what this campaign is called in it.
#[derive(Debug, Clone)]
pub struct RegisterSettings {
    pub path: PathBuf,
    pub campaign: String,
    pub numbering: crate::register::Numbering,
    /// Whether `build` keeps the register: in a campaign folder, or where
    /// one was already made.
    pub kept_by_build: bool,
}

/// Everything a run needs, resolved and checked once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub campaign_dir: Option<PathBuf>,
    pub inbox: PathBuf,
    pub output: PathBuf,
    /// The year to check workbooks against; `None` lets the workbooks say.
    pub year: Option<i32>,
    pub regulation: Regulation,
    pub units: Option<UnitList>,
    /// A campaign's `templates/` folder, whose files override the built-in ones.
    pub templates_dir: Option<PathBuf>,
    /// A campaign's `fonts/` folder, added to the built-in fonts.
    pub fonts_dir: Option<PathBuf>,
    pub documents: DocumentSettings,
    pub register: RegisterSettings,
    /// The images documents use, read once: (virtual path, bytes).
    pub images: Vec<(String, Vec<u8>)>,
    /// Unit codes declared outstanding this year.
    pub outstanding_units: Vec<String>,
    /// How workbooks are read: the limits of `[limits]`, and where.
    pub reader: crate::ingest::Reader,
    /// Whether `tdkt.toml` fixed the decision date; if not, it follows the
    /// campaign's year once that is known.
    pub decision_date_given: bool,
    /// The largest upload `tdkt serve` takes, in bytes.
    pub upload_limit: usize,
}

/// Decisions of year Y are usually signed in January of Y + 1.
fn usual_decision_date(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 1, 15).unwrap_or(NaiveDate::MIN)
}

impl Settings {
    /// The settings for the campaign year the workbooks stated (when no
    /// `--year` or `[campaign] year` did): a decision date not fixed in
    /// tdkt.toml is then 15 January of the next year, so a 2024 campaign
    /// gets 2024's salaries and legal bases.
    pub fn for_year(&self, year: i32) -> std::borrow::Cow<'_, Settings> {
        let usual = usual_decision_date(year);
        if self.decision_date_given || self.documents.decision_date == usual {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut settings = self.clone();
        settings.documents.decision_date = usual;
        std::borrow::Cow::Owned(settings)
    }

    pub fn resolve(flags: &Flags) -> Result<Settings> {
        let input = flags.input.clone().unwrap_or_else(|| PathBuf::from("."));
        let campaign_dir = input.join(CAMPAIGN_FILE).is_file().then(|| input.clone());
        let file = match &campaign_dir {
            Some(dir) => read_campaign_file(&dir.join(CAMPAIGN_FILE))?,
            None => CampaignFile::default(),
        };
        let base = campaign_dir.clone().unwrap_or_else(|| input.clone());
        let inbox = match (&campaign_dir, &file.campaign.inbox) {
            (Some(dir), Some(inbox)) => dir.join(inbox),
            (Some(dir), None) => dir.join("inbox"),
            (None, _) => input.clone(),
        };
        let output = match (&flags.out, &file.campaign.output) {
            (Some(out), _) => out.clone(),
            (None, Some(out)) => base.join(out),
            (None, None) if campaign_dir.is_some() => base.join("output"),
            (None, None) => input.join("tdkt-ket-qua"),
        };

        let regulation = match (&flags.regulation, &file.campaign.regulation) {
            (Some(path), _) => Regulation::load(path)?,
            (None, Some(path)) => Regulation::load_in(&base, path)?,
            (None, None) => Regulation::default_national()?,
        };

        let reader = crate::ingest::Reader {
            limits: file.limits,
            isolation: flags.isolation.clone(),
            cache: None,
        };
        let units = resolve_units(flags, &file, campaign_dir.as_deref(), &reader)?;
        let year = flags.year.or(file.campaign.year);
        if let Some(y) = year
            && !(1990..=2100).contains(&y)
        {
            bail!("Năm xét {y} không hợp lệ");
        }

        let decision_date = match &file.campaign.decision_date {
            Some(d) => {
                let date = d.date.context("decision_date cần dạng YYYY-MM-DD")?;
                NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
                    .context("decision_date không phải ngày hợp lệ")?
            }
            // Until the workbooks say the year (`for_year`), a stand-in.
            None => usual_decision_date(year.unwrap_or(2025)),
        };
        let decision_date_given = file.campaign.decision_date.is_some();
        let archive = file
            .campaign
            .archive
            .clone()
            .unwrap_or_else(|| "VT, TĐKT".to_string());
        let mut images = Vec::new();
        let mut image = |virtual_path: &str, file: &Option<PathBuf>| -> Result<String> {
            let Some(file) = file else {
                return Ok(String::new());
            };
            let path = base.join(file);
            let bytes = std::fs::read(&path)
                .with_context(|| format!("Không đọc được ảnh {}", path.display()))?;
            // The extension tells typst the format.
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("png")
                .to_ascii_lowercase();
            let name = format!("{virtual_path}.{extension}");
            images.push((name.clone(), bytes));
            Ok(name)
        };
        let emblem = image(EMBLEM_FILE, &file.certificates.emblem)?;
        let signature = image(SIGNATURE_FILE, &file.signer.signature)?;
        let seal = image(SEAL_FILE, &file.signer.seal)?;
        let documents = DocumentSettings {
            agency: file.agency.clone(),
            signer: file.signer.clone(),
            style: file.campaign.style.unwrap_or_default(),
            decision_date,
            proposer: file
                .campaign
                .proposer
                .clone()
                .unwrap_or_else(|| "Thường trực Hội đồng Thi đua - Khen thưởng".to_string()),
            recipients: file
                .campaign
                .recipients
                .clone()
                .unwrap_or_else(|| vec!["Như Điều 3".to_string()]),
            archive,
            certificates: file.certificates.clone(),
            decisions: file.campaign.decisions.unwrap_or_default(),
            emblem,
            signature,
            seal,
            verify_url: file
                .campaign
                .verify_url
                .as_deref()
                .map(|url| url.trim().trim_end_matches('/').to_string())
                .filter(|url| !url.is_empty()),
        };

        let register_path = base.join(
            file.campaign
                .register
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::register::FILE_NAME)),
        );
        let register = RegisterSettings {
            kept_by_build: campaign_dir.is_some() || register_path.is_file(),
            campaign: file.campaign.name.clone().unwrap_or_else(|| {
                std::fs::canonicalize(&base)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "tdkt".to_string())
            }),
            path: register_path,
            numbering: file.campaign.register_numbers.unwrap_or_default(),
        };
        let dir_if = |name: &str| {
            campaign_dir
                .as_ref()
                .map(|d| d.join(name))
                .filter(|p| p.is_dir())
        };
        Ok(Settings {
            templates_dir: dir_if("templates"),
            fonts_dir: dir_if("fonts"),
            campaign_dir,
            inbox,
            output,
            year,
            regulation,
            units,
            documents,
            register,
            images,
            outstanding_units: file.campaign.outstanding_units.clone(),
            decision_date_given,
            reader,
            upload_limit: usize::try_from(file.serve.upload_mib.unwrap_or(20))
                .unwrap_or(usize::MAX / (1 << 20))
                .saturating_mul(1 << 20),
        })
    }
}

fn read_campaign_file(path: &Path) -> Result<CampaignFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Không đọc được {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} sai: {e}", path.display()))
}

fn resolve_units(
    flags: &Flags,
    file: &CampaignFile,
    campaign_dir: Option<&Path>,
    reader: &crate::ingest::Reader,
) -> Result<Option<UnitList>> {
    if let Some(path) = &flags.units {
        return UnitList::load(path, reader).map(Some);
    }
    if let (Some(dir), Some(path)) = (campaign_dir, &file.campaign.units_file) {
        return UnitList::load(&dir.join(path), reader).map(Some);
    }
    if !file.units.is_empty() {
        return Ok(Some(UnitList::new(file.units.clone())));
    }
    if let Some(dir) = campaign_dir {
        for name in ["units.csv", "units.xlsx"] {
            let path = dir.join(name);
            if path.is_file() {
                return UnitList::load(&path, reader).map(Some);
            }
        }
    }
    Ok(None)
}

//! The regulation as data: titles, awards, their criteria, bonus rates and the
//! legal bases that decisions cite.
//!
//! A regulation file is TOML that a clerk can read and edit. It is parsed
//! strictly (`deny_unknown_fields`) and then checked for meaning: every
//! condition is compiled once, and a condition that cannot compile, or names
//! a variable or function tdkt does not know, is reported with the file's
//! line and column before any workbook is read.

mod condition;
mod eval;
pub mod fields;

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

pub use condition::{Condition, ConditionError};
pub use eval::{Facts, History, Outcome, RuleResult};
/// The record fields a condition's variable or function reads.
pub use fields::read_by as fields_read;

/// The regulation tdkt ships: the national rules in force since 1 Jul 2025.
pub const DEFAULT_TOML: &str = include_str!("../../regulations/quy-dinh-2025.toml");
pub const DEFAULT_FILE_NAME: &str = "quy-dinh-2025.toml";

/// The seed academy's Quy chế: the national rules plus its norms and its
/// own movements' titles, as an example of an agency file.
pub const AGENCY_EXAMPLE_TOML: &str = include_str!("../../regulations/hvctqg-2025.toml");
pub const AGENCY_EXAMPLE_FILE_NAME: &str = "hvctqg-2025.toml";

/// The regulation files built into tdkt, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    (DEFAULT_FILE_NAME, DEFAULT_TOML),
    (AGENCY_EXAMPLE_FILE_NAME, AGENCY_EXAMPLE_TOML),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegulation {
    name: String,
    valid_from: Option<toml::value::Datetime>,
    settings: Settings,
    #[serde(default)]
    base_salary: Vec<RawBaseSalary>,
    #[serde(default)]
    legal_basis: Vec<RawLegalBasis>,
    #[serde(default)]
    norm: Vec<Norm>,
    #[serde(default)]
    rating_group: Vec<RatingGroup>,
    #[serde(default)]
    column: Vec<toml::Spanned<ExtraColumn>>,
    #[serde(default)]
    honour: Vec<toml::Spanned<RawHonour>>,
}

/// The agency's yearly norms for one job title (Quy chế: giờ chuẩn, NCKH).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Norm {
    pub job_title: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Teaching hours (giờ chuẩn) a year.
    pub teaching_hours: Option<f64>,
    /// Research points (điểm NCKH) a year.
    pub research_points: Option<f64>,
}

/// A group of similar duties: the HTXSNV cap applies within it too
/// (Quy định 366: "trong từng nhóm có chức trách, nhiệm vụ tương đồng").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingGroup {
    /// "giảng viên".
    pub name: String,
    /// The job titles in it, as units write them (any case and accents).
    pub job_titles: Vec<String>,
}

impl RatingGroup {
    pub fn has(&self, job_title: &str) -> bool {
        let key = job_title_key(job_title);
        self.job_titles.iter().any(|t| job_title_key(t) == key)
    }
}

/// A column the regulation adds to the form, such as a toolkit score per
/// criterion: ingest reads it by its label, conditions use it by its id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraColumn {
    /// The variable conditions use: "diem_ky_cuong".
    pub id: String,
    pub subject: Subject,
    /// The header label of the form: "Kỷ cương".
    pub label: String,
    /// Other header labels units write for it.
    #[serde(default)]
    pub spellings: Vec<String>,
    #[serde(default)]
    pub kind: ColumnKind,
    /// Inclusive bounds of a number; a value outside is an input error.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The label and spellings folded, made on first use.
    #[serde(skip)]
    folded: FoldedSpellings,
}

impl ExtraColumn {
    /// Whether `folded` (a header label, folded) names this column.
    pub fn is_named(&self, folded: &str) -> bool {
        self.folded
            .0
            .get_or_init(|| {
                std::iter::once(&self.label)
                    .chain(&self.spellings)
                    .map(|spelling| crate::text::fold(spelling))
                    .collect()
            })
            .iter()
            .any(|spelling| spelling == folded)
    }
}

/// A cache beside the data: equal whatever it holds.
#[derive(Debug, Clone, Default)]
struct FoldedSpellings(std::sync::OnceLock<Vec<String>>);

impl PartialEq for FoldedSpellings {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    #[default]
    Number,
    Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub min_months_worked: f64,
    #[serde(default)]
    pub hold_phrases: Vec<String>,
    pub rating_quota_share: f64,
    /// The share for a unit the competent level declares outstanding
    /// (tdkt.toml: `outstanding_units`); `rating_quota_share` when absent.
    pub rating_quota_share_outstanding: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseSalary {
    from: toml::value::Datetime,
    amount: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLegalBasis {
    text: String,
    from: Option<toml::value::Datetime>,
    until: Option<toml::value::Datetime>,
    /// When this basis is the decree bonuses are paid under, how the
    /// bonus article cites it: "Nghị định số 152/2025/NĐ-CP".
    bonus: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHonour {
    code: String,
    kind: HonourKind,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    decided_by: Decider,
    decider: Option<String>,
    includes: Option<String>,
    certificate: Option<Certificate>,
    individual: Option<RawCriteria>,
    collective: Option<RawCriteria>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriteria {
    coefficient: f64,
    hold_reason: Option<String>,
    quota: Option<Quota>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: toml::Spanned<String>,
    /// The rule is checked only where this holds ("has_teaching_norm").
    applies: Option<toml::Spanned<String>>,
    when: toml::Spanned<String>,
    message: toml::Spanned<String>,
}

/// A title (danh hiệu thi đua) or an award (hình thức khen thưởng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HonourKind {
    Title,
    Award,
}

/// Who grants it: the agency's head (a decision and certificates follow) or a
/// higher level (a submission, Tờ trình, follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decider {
    Agency,
    Higher,
}

/// What a certificate of this honour prints.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The form's name in red capitals: "BẰNG KHEN".
    pub heading: String,
    /// The line above it: "TẶNG" or "TẶNG DANH HIỆU".
    pub verb: String,
}

/// A cap the agency sets on an honour: at most share × base proposals,
/// rounded down.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub share: f64,
    /// `"headcount"` (the unit's staff), `"proposals"` (the unit's rows),
    /// or an honour code: the unit's proposals of that honour or one that
    /// includes it (`"LĐTT"` counts CSTĐCS proposals too).
    pub of: QuotaBase,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum QuotaBase {
    Headcount,
    Proposals,
    Honour(String),
}

impl From<String> for QuotaBase {
    fn from(text: String) -> Self {
        match text.as_str() {
            "headcount" => QuotaBase::Headcount,
            "proposals" => QuotaBase::Proposals,
            _ => QuotaBase::Honour(text),
        }
    }
}

/// Whether a record is a person or a collective.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Individual,
    Collective,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// When present, the rule is judged only where this holds.
    pub applies: Option<Condition>,
    pub when: Condition,
    /// The message, with `{expression}` placeholders compiled.
    pub message: Vec<MessagePart>,
}

impl Rule {
    /// The variables and functions its conditions read.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.applies
            .iter()
            .chain(std::iter::once(&self.when))
            .flat_map(Condition::names)
    }
}

#[derive(Debug, Clone)]
pub enum MessagePart {
    Text(String),
    Value(Condition),
}

#[derive(Debug, Clone)]
pub struct Criteria {
    pub coefficient: f64,
    pub hold_reason: Option<String>,
    pub quota: Option<Quota>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Honour {
    pub code: String,
    pub kind: HonourKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub decided_by: Decider,
    pub decider: Option<String>,
    pub includes: Option<String>,
    pub certificate: Option<Certificate>,
    pub individual: Option<Criteria>,
    pub collective: Option<Criteria>,
}

impl Honour {
    pub fn criteria(&self, subject: Subject) -> Option<&Criteria> {
        match subject {
            Subject::Individual => self.individual.as_ref(),
            Subject::Collective => self.collective.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegalBasis {
    pub text: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// The citation of the bonus article, when bonuses are paid under it.
    pub bonus: Option<String>,
}

/// A validated regulation, ready for the `validate` stage.
#[derive(Debug, Clone)]
pub struct Regulation {
    pub name: String,
    pub valid_from: Option<NaiveDate>,
    pub settings: Settings,
    /// (from, amount), oldest first.
    pub base_salary: Vec<(NaiveDate, u64)>,
    pub legal_bases: Vec<LegalBasis>,
    pub norms: Vec<Norm>,
    pub rating_groups: Vec<RatingGroup>,
    pub columns: Vec<ExtraColumn>,
    pub honours: Vec<Honour>,
    /// Every spelling of every code (folded, spaces removed) → the code.
    spellings: std::collections::HashMap<String, String>,
}

impl Regulation {
    pub fn default_national() -> Result<Self> {
        Self::parse(DEFAULT_TOML, DEFAULT_FILE_NAME)
    }

    /// Reads a regulation file; a bare built-in name ("hvctqg-2025.toml")
    /// that is not a file on disk means the built-in copy.
    /// The file `tdkt.toml` names, relative to the campaign folder `base`;
    /// a bare built-in name the folder does not hold is the built-in file.
    pub fn load_in(base: &Path, written: &Path) -> Result<Self> {
        let path = base.join(written);
        if !path.exists() && written.components().count() == 1 {
            let builtin = BUILTIN
                .iter()
                .find(|(name, _)| written.file_name().is_some_and(|f| f == *name));
            if let Some((name, text)) = builtin {
                return Self::parse(text, name);
            }
        }
        Self::load(&path)
    }

    /// A bare file name that is not on disk but names a built-in file
    /// (`quy-dinh-2025.toml`) is that file; any other path must exist.
    pub fn load(path: &Path) -> Result<Self> {
        let bare = path.parent().is_none_or(|p| p.as_os_str().is_empty());
        let builtin = BUILTIN
            .iter()
            .find(|(name, _)| path.file_name().is_some_and(|f| f == *name));
        if let Some((name, text)) = builtin
            && bare
            && !path.exists()
        {
            return Self::parse(text, name);
        }
        if !path.exists() {
            anyhow::bail!(
                "Không có tệp quy định {}: hãy kiểm tra đường dẫn (--regulation hoặc regulation trong \
                 tdkt.toml); tdkt không tự dùng quy định mặc định thay cho tệp đã chỉ",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("Không đọc được tệp quy định {}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a regulation file. `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let raw: RawRegulation = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("Tệp quy định {origin} sai cú pháp: {e}"))?;
        let locate = Locator { text, origin };

        let columns = check_columns(&raw.column, &locate)?;
        let mut honours = Vec::new();
        let mut codes = BTreeSet::new();
        for spanned in &raw.honour {
            let span = spanned.span();
            let h = spanned.get_ref();
            if !codes.insert(h.code.clone()) {
                bail!("{}: mã '{}' khai báo hai lần", locate.at(span), h.code);
            }
            if h.individual.is_none() && h.collective.is_none() {
                bail!(
                    "{}: '{}' cần ít nhất một mục [honour.individual] hoặc [honour.collective]",
                    locate.at(span),
                    h.code
                );
            }
            let criteria = |raw: &Option<RawCriteria>, subject| -> Result<Option<Criteria>> {
                raw.as_ref()
                    .map(|c| compile_criteria(c, subject, &columns, &locate))
                    .transpose()
            };
            honours.push(Honour {
                code: h.code.clone(),
                kind: h.kind,
                name: h.name.clone(),
                aliases: h.aliases.clone(),
                decided_by: h.decided_by,
                decider: h.decider.clone(),
                includes: h.includes.clone(),
                certificate: h.certificate.clone(),
                individual: criteria(&h.individual, Subject::Individual)?,
                collective: criteria(&h.collective, Subject::Collective)?,
            });
        }
        for (spanned, honour) in raw.honour.iter().zip(&honours) {
            let quota_bases = [&honour.individual, &honour.collective]
                .into_iter()
                .flatten()
                .filter_map(|c| match c.quota.as_ref().map(|q| &q.of) {
                    Some(QuotaBase::Honour(code)) => Some(code),
                    _ => None,
                });
            for code in quota_bases {
                if !codes.contains(code) {
                    bail!(
                        "{}: hạn mức của '{}' tính theo '{code}' nhưng quy định không có mã này\n  gợi ý: of = \"headcount\", \"proposals\" hoặc một mã như \"LĐTT\"",
                        locate.at(spanned.span()),
                        honour.code
                    );
                }
            }
            if let Some(included) = &honour.includes
                && !codes.contains(included)
            {
                bail!(
                    "{}: '{}' bao gồm '{}' nhưng quy định không có mã này",
                    locate.at(spanned.span()),
                    honour.code,
                    included
                );
            }
        }

        let mut base_salary = raw
            .base_salary
            .iter()
            .map(|b| Ok((toml_date(&b.from, origin)?, b.amount)))
            .collect::<Result<Vec<_>>>()?;
        base_salary.sort();
        let legal_bases = raw
            .legal_basis
            .iter()
            .map(|l| {
                Ok(LegalBasis {
                    text: l.text.clone(),
                    from: l.from.as_ref().map(|d| toml_date(d, origin)).transpose()?,
                    until: l.until.as_ref().map(|d| toml_date(d, origin)).transpose()?,
                    bonus: l.bonus.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let spellings = honours
            .iter()
            .flat_map(|h| {
                let all = std::iter::once(&h.code)
                    .chain(std::iter::once(&h.name))
                    .chain(&h.aliases);
                all.map(|spelling| (spelling_key(spelling), h.code.clone()))
            })
            .collect();
        Ok(Regulation {
            spellings,
            name: raw.name,
            valid_from: raw
                .valid_from
                .as_ref()
                .map(|d| toml_date(d, origin))
                .transpose()?,
            settings: raw.settings,
            base_salary,
            legal_bases,
            norms: raw.norm,
            rating_groups: raw.rating_group,
            columns,
            honours,
        })
    }

    /// The code a cell's text means: its code, name or an alias, in any
    /// case, with or without diacritics and spaces.
    pub fn code_for(&self, text: &str) -> Option<&str> {
        // Most cells hold the code itself: no folding needed.
        if let Some(honour) = self.honours.iter().find(|h| h.code == text) {
            return Some(&honour.code);
        }
        self.spellings.get(&spelling_key(text)).map(String::as_str)
    }

    /// The rule with this id among the criteria for `subject`.
    pub fn rule(&self, id: &str, subject: Subject) -> Option<&Rule> {
        self.honours
            .iter()
            .filter_map(|h| h.criteria(subject))
            .flat_map(|c| &c.rules)
            .find(|r| r.id == id)
    }

    pub fn honour(&self, code: &str) -> Option<&Honour> {
        self.honours.iter().find(|h| h.code == code)
    }

    /// The codes an honour stands for: itself and, through `includes`, the
    /// lower ones (a CSTĐCS year is also an LĐTT year).
    pub fn implied_codes(&self, code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut next = Some(code.to_string());
        while let Some(code) = next {
            if out.contains(&code) {
                break;
            }
            next = self.honour(&code).and_then(|h| h.includes.clone());
            out.push(code);
        }
        out
    }

    /// The norms of a job title ("Giảng viên chính"), matched by its name
    /// or an alias in any case and spelling, ignoring "(hạng II)" notes.
    pub fn norm_for(&self, job_title: &str) -> Option<&Norm> {
        let key = job_title_key(job_title);
        self.norms.iter().find(|n| {
            std::iter::once(&n.job_title)
                .chain(&n.aliases)
                .any(|name| job_title_key(name) == key)
        })
    }

    /// The extra columns of one kind of list.
    pub fn columns_for(&self, subject: Subject) -> impl Iterator<Item = &ExtraColumn> {
        self.columns.iter().filter(move |c| c.subject == subject)
    }

    /// The base salary in force on `date`.
    pub fn base_salary_on(&self, date: NaiveDate) -> Option<u64> {
        self.base_salary
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .map(|(_, amount)| *amount)
    }

    /// coefficient × base salary on `date`, rounded up to the next 10,000 đồng.
    pub fn bonus(&self, coefficient: f64, date: NaiveDate) -> Option<u64> {
        let base = self.base_salary_on(date)?;
        let raw = (coefficient * base as f64).round() as u64;
        Some(raw.div_ceil(10_000) * 10_000)
    }

    /// The legal bases in force on `date`, in file order.
    pub fn legal_bases_on(&self, date: NaiveDate) -> Vec<&str> {
        self.bases_in_force(date).map(|l| l.text.as_str()).collect()
    }

    /// The decree bonuses are paid under on `date`, as the bonus article
    /// cites it (the last basis in force that says `bonus = "…"`).
    pub fn bonus_decree_on(&self, date: NaiveDate) -> Option<&str> {
        self.bases_in_force(date)
            .filter_map(|l| l.bonus.as_deref())
            .next_back()
    }

    fn bases_in_force(&self, date: NaiveDate) -> impl DoubleEndedIterator<Item = &LegalBasis> {
        self.legal_bases
            .iter()
            .filter(move |l| l.from.is_none_or(|from| from <= date))
            .filter(move |l| l.until.is_none_or(|until| date <= until))
    }
}

fn spelling_key(text: &str) -> String {
    crate::text::fold(text).replace(' ', "")
}

fn job_title_key(text: &str) -> String {
    let without_note = text.split('(').next().unwrap_or(text);
    crate::text::fold(without_note)
}

/// Column ids must be plain names that no built-in variable already uses.
fn check_columns(
    raw: &[toml::Spanned<ExtraColumn>],
    locate: &Locator<'_>,
) -> Result<Vec<ExtraColumn>> {
    let mut seen = BTreeSet::new();
    for spanned in raw {
        let column = spanned.get_ref();
        let id = column.id.as_str();
        let plain = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain {
            bail!(
                "{}: mã cột '{id}' cần viết thường, không dấu, nối bằng '_' (ví dụ diem_ky_cuong)",
                locate.at(spanned.span())
            );
        }
        if eval::is_builtin_variable(id, column.subject) || !seen.insert((column.subject, id)) {
            bail!(
                "{}: mã cột '{id}' đã được dùng; hãy đặt tên khác",
                locate.at(spanned.span())
            );
        }
    }
    Ok(raw.iter().map(|c| c.get_ref().clone()).collect())
}

fn compile_criteria(
    raw: &RawCriteria,
    subject: Subject,
    columns: &[ExtraColumn],
    locate: &Locator<'_>,
) -> Result<Criteria> {
    let own_columns: Vec<(&str, bool)> = columns
        .iter()
        .filter(|c| c.subject == subject)
        .map(|c| (c.id.as_str(), c.kind == ColumnKind::Number))
        .collect();
    let extra: Vec<&str> = own_columns.iter().map(|(id, _)| *id).collect();
    let variables = |name: &str| eval::variable_type(name, subject, &own_columns);
    let compile = |condition: &toml::Spanned<String>, id: &str| -> Result<Condition> {
        let refuse = |e: ConditionError| {
            let hint = match e.kind {
                condition::ErrorKind::UnknownName => {
                    // The name is the quoted one of the message ("không có biến 'x'").
                    let unknown = e.message.split('\'').nth(1).unwrap_or("");
                    eval::known_identifiers_hint(subject, &extra, unknown)
                }
                condition::ErrorKind::Syntax => "so sánh như rating_rank >= 3, kết hợp bằng && \
                                                 (và) và || (hoặc), chữ trong dấu nháy kép"
                    .to_string(),
                condition::ErrorKind::Type => "so sánh số với số (rating_rank >= 3), chữ với chữ \
                                               (rating == \"HTXSNV\"); điều kiện phải cho đúng/sai"
                    .to_string(),
            };
            anyhow::anyhow!(
                "{}: điều kiện của tiêu chuẩn '{id}': {}\n  {}\n  gợi ý: {hint}",
                locate.inside(condition.span(), e.at),
                e.message,
                pointer(condition.get_ref(), e.at),
            )
        };
        let parsed = Condition::parse(condition.get_ref()).map_err(refuse)?;
        parsed.check_yes_no(&variables).map_err(refuse)?;
        Ok(parsed)
    };
    let mut rules = Vec::new();
    for rule in &raw.rules {
        let id = rule.id.get_ref();
        let when = compile(&rule.when, id)?;
        let applies = rule
            .applies
            .as_ref()
            .map(|condition| compile(condition, id))
            .transpose()?;
        let message = compile_message(rule.message.get_ref(), &variables).map_err(|e| {
            anyhow::anyhow!(
                "{}: câu thông báo của '{}' không hợp lệ: {e}",
                locate.at(rule.message.span()),
                rule.id.get_ref()
            )
        })?;
        rules.push(Rule {
            id: id.clone(),
            applies,
            when,
            message,
        });
    }
    Ok(Criteria {
        coefficient: raw.coefficient,
        hold_reason: raw.hold_reason.clone(),
        quota: raw.quota.clone(),
        rules,
    })
}

/// Splits "Có {n} năm" into text and compiled `{expression}` parts.
fn compile_message(
    template: &str,
    variables: &dyn Fn(&str) -> Option<condition::Type>,
) -> Result<Vec<MessagePart>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(MessagePart::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').context("thiếu dấu '}'")?;
        let text = &after[..close];
        let expression = Condition::parse(text)
            .and_then(|e| e.check(variables).map(|_| e))
            .map_err(|e| anyhow::anyhow!("'{{{text}}}': {e}"))?;
        parts.push(MessagePart::Value(expression));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(MessagePart::Text(rest.to_string()));
    }
    Ok(parts)
}

/// Names places in a regulation file as "file:line:column".
struct Locator<'t> {
    text: &'t str,
    origin: &'t str,
}

impl Locator<'_> {
    /// Where a TOML value starts.
    fn at(&self, span: std::ops::Range<usize>) -> String {
        self.place(span.start)
    }

    /// Where the character `offset` bytes into a TOML string's value is,
    /// counting the quotes and escapes written before it.
    fn inside(&self, span: std::ops::Range<usize>, offset: usize) -> String {
        let raw = self.text.get(span.clone()).unwrap_or("");
        self.place(span.start + raw_offset(raw, offset))
    }

    fn place(&self, offset: usize) -> String {
        let (line, col) = line_col(self.text, offset);
        format!("{}:{line}:{col}", self.origin)
    }
}

/// The byte offset in a TOML string literal as written (`raw`, quotes
/// included) of the byte `offset` of its value.
fn raw_offset(raw: &str, offset: usize) -> usize {
    let (quotes, escapes) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else {
        (1, raw.starts_with('"'))
    };
    let mut start = quotes.min(raw.len());
    if quotes == 3 {
        // A newline right after the opening quotes is not part of the value.
        start += ["\r\n", "\n"]
            .iter()
            .find(|newline| raw[start..].starts_with(**newline))
            .map_or(0, |newline| newline.len());
    }
    let mut decoded = 0;
    let mut chars = raw[start..].char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if decoded >= offset {
            return start + i;
        }
        chars.next();
        if !(escapes && c == '\\') {
            decoded += c.len_utf8();
            continue;
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, digits| {
            let code: String = (0..digits)
                .filter_map(|_| chars.next().map(|(_, c)| c))
                .collect();
            char_len(&code)
        };
        match chars.next() {
            Some((_, 'x')) => decoded += hex(&mut chars, 2),
            Some((_, 'u')) => decoded += hex(&mut chars, 4),
            Some((_, 'U')) => decoded += hex(&mut chars, 8),
            // A line-ending backslash swallows the whitespace after it.
            Some((_, c)) if c.is_whitespace() => {
                while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
            }
            Some(_) => decoded += 1,
            None => break,
        }
    }
    raw.len()
}

/// How many bytes the character with this hexadecimal code takes in UTF-8.
fn char_len(hex: &str) -> usize {
    u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .map_or(1, char::len_utf8)
}

/// The condition with a caret under the character at `offset`, for a clerk
/// to see where the mistake is.
fn pointer(condition: &str, offset: usize) -> String {
    let offset = offset.min(condition.len());
    let before = condition[..offset].chars().count();
    format!("{condition}\n  {}^", " ".repeat(before))
}

fn toml_date(value: &toml::value::Datetime, origin: &str) -> Result<NaiveDate> {
    let date = value
        .date
        .with_context(|| format!("{origin}: '{value}' cần là một ngày (YYYY-MM-DD)"))?;
    NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
        .with_context(|| format!("{origin}: '{value}' không phải ngày hợp lệ"))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_regulation_loads() {
        let reg = Regulation::default_national().unwrap();
        for code in [
            "LĐTT", "CSTĐCS", "TTLĐTT", "TTLĐXS", "GK", "BK-BỘ", "BK-TTG", "HCLĐ3",
        ] {
            assert!(reg.honour(code).is_some(), "{code} missing");
        }
        assert_eq!(reg.implied_codes("CSTĐCS"), ["CSTĐCS", "LĐTT"]);
    }

    #[test]
    fn bonus_rounds_up_to_ten_thousand() {
        let reg = Regulation::default_national().unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // 0.3 × 1,490,000 = 447,000 → 450,000 (domain.md's example).
        assert_eq!(reg.bonus(0.3, d(2020, 1, 1)), Some(450_000));
        // 1.5 × 2,340,000 = 3,510,000 exactly.
        assert_eq!(reg.bonus(1.5, d(2026, 1, 15)), Some(3_510_000));
        assert_eq!(reg.bonus(0.3, d(2026, 1, 15)), Some(710_000));
        assert_eq!(reg.bonus(1.0, d(2019, 1, 1)), None);
    }

    #[test]
    fn legal_bases_follow_the_decision_date() {
        let reg = Regulation::default_national().unwrap();
        let before = reg
            .legal_bases_on(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
            .join("\n");
        let after = reg
            .legal_bases_on(NaiveDate::from_ymd_opt(2026, 1, 15).unwrap())
            .join("\n");
        assert!(before.contains("98/2023") && !before.contains("152/2025"));
        assert!(after.contains("152/2025") && !after.contains("98/2023"));
        let decree = |y, m, d| reg.bonus_decree_on(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(decree(2025, 3, 1), Some("Nghị định số 98/2023/NĐ-CP"));
        assert_eq!(decree(2026, 1, 15), Some("Nghị định số 152/2025/NĐ-CP"));
    }

    #[test]
    fn a_bad_condition_names_line_and_column() {
        let bad = DEFAULT_TOML.replace("rating_rank >= 3\", message = \"Xếp loại năm {year} là {rating}: cần Hoàn thành tốt nhiệm vụ (HTTNV)", "ratng_rank >= 3\", message = \"Xếp loại năm {year} là {rating}: cần Hoàn thành tốt nhiệm vụ (HTTNV)");
        let err = Regulation::parse(&bad, "q.toml").unwrap_err().to_string();
        assert!(err.contains("q.toml:"), "{err}");
        assert!(err.contains("ratng_rank"), "{err}");
        assert!(err.contains("gợi ý: có phải 'rating_rank'?"), "{err}");
    }

    /// A regulation file is input: conditions of any text, written with TOML
    /// escapes, load or are refused with a place inside the file, never a
    /// panic.
    #[test]
    fn any_condition_text_loads_or_is_refused_with_its_place() {
        const PIECES: [&str; 16] = [
            "rating_rank",
            ">=",
            "3",
            "&&",
            "(",
            ")",
            "\\\"",
            "\\u00e9",
            "\\x41",
            "\\\\",
            "known(",
            "≥",
            " ",
            "!",
            "title_streak(\\\"LĐTT\\\")",
            "\\n",
        ];
        let mut next = crate::testing::seeded(0x5eed_70a1);
        let starts: Vec<usize> = DEFAULT_TOML
            .match_indices("when = \"")
            .map(|(at, m)| at + m.len())
            .collect();
        for _ in 0..300 {
            let start = starts[next(starts.len())];
            let end = start + DEFAULT_TOML[start..].find("\", message").unwrap();
            let text: String = (0..1 + next(10))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            let edited = format!("{}{text}{}", &DEFAULT_TOML[..start], &DEFAULT_TOML[end..]);
            if let Err(e) = Regulation::parse(&edited, "q.toml") {
                let e = e.to_string();
                assert!(e.starts_with("q.toml:") || e.contains("q.toml"), "{e}");
            }
        }
    }

    #[test]
    fn the_agency_example_is_built_in_and_finds_norms_by_job_title() {
        let reg = Regulation::load(Path::new(AGENCY_EXAMPLE_FILE_NAME)).unwrap();
        let hours = |title: &str| reg.norm_for(title).and_then(|n| n.teaching_hours);
        assert_eq!(hours("Giảng viên"), Some(270.0));
        assert_eq!(hours("GIẢNG VIÊN CHÍNH (hạng II)"), Some(290.0));
        assert_eq!(hours("GVCC"), Some(310.0));
        assert_eq!(hours("Chuyên viên"), None);
        assert_eq!(
            reg.columns_for(Subject::Individual).count(),
            3 + 4,
            "votes, then toolkit"
        );
        assert_eq!(reg.code_for("Cán bộ Trường Đảng mẫu mực"), Some("CBTĐMM"));
    }

    #[test]
    fn a_column_id_that_shadows_a_variable_is_refused_with_its_line() {
        let bad = AGENCY_EXAMPLE_TOML.replace("id = \"ky_cuong\"", "id = \"rating\"");
        let err = Regulation::parse(&bad, "hv.toml").unwrap_err().to_string();
        assert!(
            err.starts_with("hv.toml:") && err.contains("'rating'"),
            "{err}"
        );
        let bad = AGENCY_EXAMPLE_TOML.replace("id = \"ky_cuong\"", "id = \"Kỷ cương\"");
        let err = Regulation::parse(&bad, "hv.toml").unwrap_err().to_string();
        assert!(err.contains("viết thường"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let bad = DEFAULT_TOML.replace(
            "min_months_worked = 6",
            "min_months_worked = 6\nmin_month = 3",
        );
        assert!(Regulation::parse(&bad, "q.toml").is_err());
    }
}

//! The plain records that cross from `map` into `validate` and beyond.
//!
//! These are the objects of `tdkt inspect --json` (contracts.md); their field
//! names and JSON shapes are a contract and must stay stable.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A person's or collective's yearly rating (xếp loại chất lượng). The scale
/// is national and fixed, so it is a type; titles and awards are not (the
/// regulation file owns them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    Khtnv,
    Htnv,
    Httnv,
    Htxsnv,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Htxsnv, Rating::Httnv, Rating::Htnv, Rating::Khtnv];

    pub fn code(self) -> &'static str {
        match self {
            Rating::Htxsnv => "HTXSNV",
            Rating::Httnv => "HTTNV",
            Rating::Htnv => "HTNV",
            Rating::Khtnv => "KHTNV",
        }
    }

    pub fn full_name(self) -> &'static str {
        match self {
            Rating::Htxsnv => "Hoàn thành xuất sắc nhiệm vụ",
            Rating::Httnv => "Hoàn thành tốt nhiệm vụ",
            Rating::Htnv => "Hoàn thành nhiệm vụ",
            Rating::Khtnv => "Không hoàn thành nhiệm vụ",
        }
    }

    /// 4 for HTXSNV down to 1 for KHTNV: what rules compare.
    pub fn rank(self) -> i64 {
        self as i64 + 1
    }

    pub fn from_code(code: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Rating {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Rating::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rating {code:?}")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Sex {
    #[serde(rename = "Nam")]
    Male,
    #[serde(rename = "Nữ")]
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }
}

/// A date of birth, or only its year when that is all the form says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Birth {
    Date(chrono::NaiveDate),
    Year(i32),
}

impl Birth {
    pub fn year(self) -> i32 {
        match self {
            Birth::Date(d) => chrono::Datelike::year(&d),
            Birth::Year(y) => y,
        }
    }

    /// Reads back what [`Birth::display_vi`] printed.
    pub fn parse_vi(text: &str) -> Option<Birth> {
        match chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y") {
            Ok(date) => Some(Birth::Date(date)),
            Err(_) => text.parse().ok().map(Birth::Year),
        }
    }

    /// `dd/mm/yyyy` (or the year alone), as Vietnamese lists print it.
    pub fn display_vi(self) -> String {
        match self {
            Birth::Date(d) => d.format("%d/%m/%Y").to_string(),
            Birth::Year(y) => y.to_string(),
        }
    }
}

impl Serialize for Birth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Birth::Date(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
            Birth::Year(y) => s.serialize_str(&format!("{y:04}")),
        }
    }
}

/// What `Serialize` wrote: "1979-03-05" or "1979".
impl<'de> Deserialize<'de> for Birth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Birth::Date)
            .or_else(|_| text.parse().map(Birth::Year))
            .map_err(|_| serde::de::Error::custom(format!("not a birth date {text:?}")))
    }
}

/// Where a record came from, so every message can name its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub sheet: String,
    /// 1-based, as Excel shows it.
    pub row: u32,
}

/// An award already received, as "BK-BỘ (2019)" in "Khen thưởng đã nhận".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorAward {
    pub award: String,
    pub year: Option<i32>,
}

/// One row of the `Cá nhân` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Individual {
    pub full_name: String,
    pub birth: Option<Birth>,
    pub sex: Option<Sex>,
    pub job_title: Option<String>,
    pub position: Option<String>,
    pub sub_unit: Option<String>,
    pub rating: Option<Rating>,
    #[serde(serialize_with = "years_as_strings")]
    pub rating_history: BTreeMap<i32, Rating>,
    /// Titles of earlier years; a year with a rating but no entry here had no
    /// title, a year in neither map is unknown.
    #[serde(serialize_with = "years_as_strings")]
    pub title_history: BTreeMap<i32, String>,
    pub prior_awards: Vec<PriorAward>,
    #[serde(serialize_with = "plain_number")]
    pub teaching_hours: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub research_points: Option<f64>,
    pub initiative: Option<String>,
    #[serde(serialize_with = "plain_number")]
    pub months_worked: Option<f64>,
    pub discipline: Option<String>,
    pub proposed_title: Option<String>,
    pub proposed_award: Option<String>,
    pub achievement: Option<String>,
    pub remark: Option<String>,
    /// The regulation's own columns (a toolkit score per criterion …), by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, ExtraValue>,
    pub source: Source,
}

/// The value of a column the regulation file adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExtraValue {
    #[serde(serialize_with = "plain_f64")]
    Number(f64),
    Text(String),
}

/// One row of the `Tập thể` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collective {
    pub name: String,
    pub members: Option<u32>,
    pub members_htnv_or_better: Option<u32>,
    pub members_ldtt: Option<u32>,
    pub members_cstdcs: Option<u32>,
    pub members_disciplined: Option<u32>,
    pub rating: Option<Rating>,
    #[serde(serialize_with = "years_as_strings")]
    pub rating_history: BTreeMap<i32, Rating>,
    #[serde(serialize_with = "years_as_strings")]
    pub title_history: BTreeMap<i32, String>,
    pub proposed_title: Option<String>,
    pub proposed_award: Option<String>,
    pub achievement: Option<String>,
    pub remark: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, ExtraValue>,
    pub source: Source,
}

/// A unit of the campaign, as the unit list names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// Everything read from one unit's workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub file: String,
    pub unit: Option<UnitRef>,
    pub year: Option<i32>,
    pub headcount: Option<u32>,
    pub individuals: Vec<Individual>,
    pub collectives: Vec<Collective>,
    /// Rows that are not records, and why (for `tdkt inspect`).
    #[serde(skip)]
    pub skipped: Vec<SkippedRow>,
    /// Where each field's column is, per sheet, for messages that name a
    /// cell: field key ("rating", "title_history", an extra column's id)
    /// with its column letters and label.
    #[serde(skip)]
    pub columns: BTreeMap<String, Vec<FieldColumn>>,
    /// The header row of each sheet's list (1-based), per sheet.
    #[serde(skip)]
    pub header_rows: BTreeMap<String, u32>,
    /// Declared outstanding by the competent level this year (tdkt.toml):
    /// its rating quota is the larger share.
    #[serde(skip)]
    pub outstanding: bool,
}

/// One column of a sheet's list and the field it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldColumn {
    pub key: String,
    /// "G".
    pub letters: String,
    /// "Xếp loại năm 2025".
    pub label: String,
}

/// A row of a list that did not become a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub sheet: String,
    /// 1-based.
    pub row: u32,
    /// Vietnamese, for people.
    pub reason: String,
}

impl Submission {
    /// The unit code verdicts and quotas are grouped under: the unit list's
    /// code, else the file name.
    pub fn unit_code(&self) -> String {
        match &self.unit {
            Some(unit) => unit.code.clone(),
            None => self.file.clone(),
        }
    }

    pub fn unit_name(&self) -> String {
        match &self.unit {
            Some(unit) => unit.name.clone(),
            None => self.file.clone(),
        }
    }
}

/// A campaign's submissions with their records: held in memory, or read
/// back from disk one submission at a time (a build sets a large campaign's
/// records aside while it makes its lists and documents).
pub trait SubmissionRecords: Sync {
    /// How many submissions.
    fn count(&self) -> usize;
    /// The `index`th submission as its unit wrote it, with its records.
    fn written(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>>;
    /// The same as the rules judged it, with the history the register adds.
    fn judged(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>>;
    /// People and collectives proposed, in all submissions.
    fn proposals(&self) -> (usize, usize);
}

/// Records held in memory.
#[derive(Clone, Copy)]
pub struct InMemory<'a> {
    pub written: &'a [Submission],
    /// One per submission in `written`'s order; the same slice when the
    /// register added nothing.
    pub judged: &'a [Submission],
}

impl SubmissionRecords for InMemory<'_> {
    fn count(&self) -> usize {
        self.written.len()
    }

    fn written(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>> {
        self.written
            .get(index)
            .map(Cow::Borrowed)
            .ok_or_else(|| anyhow::anyhow!("không có hồ sơ thứ {index}"))
    }

    fn judged(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>> {
        match self.judged.get(index) {
            Some(judged) => Ok(Cow::Borrowed(judged)),
            None => self.written(index),
        }
    }

    fn proposals(&self) -> (usize, usize) {
        let people = self.written.iter().map(|s| s.individuals.len()).sum();
        let collectives = self.written.iter().map(|s| s.collectives.len()).sum();
        (people, collectives)
    }
}

impl<T: SubmissionRecords + ?Sized> SubmissionRecords for Box<T> {
    fn count(&self) -> usize {
        (**self).count()
    }

    fn written(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>> {
        (**self).written(index)
    }

    fn judged(&self, index: usize) -> anyhow::Result<Cow<'_, Submission>> {
        (**self).judged(index)
    }

    fn proposals(&self) -> (usize, usize) {
        (**self).proposals()
    }
}

/// Every submission as written, with its records, serialized as a JSON
/// array one submission at a time (what `"workbooks"` holds).
pub struct WrittenWorkbooks<R>(pub R);

impl<R: SubmissionRecords> Serialize for WrittenWorkbooks<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.0.count()))?;
        for index in 0..self.0.count() {
            let submission = self.0.written(index).map_err(S::Error::custom)?;
            seq.serialize_element(&*submission)?;
        }
        seq.end()
    }
}

fn years_as_strings<S: Serializer, V: Serialize>(
    map: &BTreeMap<i32, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut out = s.serialize_map(Some(map.len()))?;
    // Newest year first, as the form lists them.
    for (year, value) in map.iter().rev() {
        out.serialize_entry(&year.to_string(), value)?;
    }
    out.end()
}

/// Whole numbers print as integers (12, not 12.0), others as they are.
fn plain_number<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        None => s.serialize_none(),
        Some(v) => plain_f64(v, s),
    }
}

fn plain_f64<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        s.serialize_i64(*value as i64)
    } else {
        s.serialize_f64(*value)
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;

    #[test]
    fn a_birth_reads_back_as_it_was_written_whatever_its_year() {
        let dates = [
            (1, 1, 1),
            (999, 12, 31),
            (1979, 3, 5),
            (9999, 12, 31),
            (99_999, 2, 3),
            (-5, 6, 7),
        ];
        let births = dates
            .iter()
            .filter_map(|&(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d))
            .map(Birth::Date)
            .chain([-3, 0, 7, 1979, 123_456].map(Birth::Year));
        for birth in births {
            let json = serde_json::to_string(&birth).unwrap();
            let back: Birth = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, birth, "{json}");
        }
        for rating in Rating::ALL {
            let json = serde_json::to_string(&rating).unwrap();
            assert_eq!(serde_json::from_str::<Rating>(&json).unwrap(), rating);
        }
    }
}

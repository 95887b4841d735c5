//! Reading one cell as one field's value.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::fields::{Field, Header, YearRef};
use crate::diagnostic::Diagnostic;
use crate::ingest::{Cell, RawSheet};
use crate::model::{Birth, Collective, ExtraValue, Individual, PriorAward, Rating, Sex, Source};
use crate::regulation::{ColumnKind, ExtraColumn, HonourKind, Regulation};
use crate::text::{cell_name, clean, fold};

/// Reads the rows of one sheet; knows where it is, for messages.
pub struct Reader<'a> {
    pub file: &'a str,
    pub sheet: &'a str,
    pub regulation: &'a Regulation,
    pub year: i32,
}

/// One row being read: its cells by field, and the problems found.
struct Row<'r, 'a> {
    reader: &'r Reader<'a>,
    sheet: &'r RawSheet,
    row: usize,
    header: &'r Header,
    diagnostics: &'r mut Vec<Diagnostic>,
}

impl Row<'_, '_> {
    fn cell(&self, field: Field) -> Option<(&Cell, usize)> {
        let col = self.header.column(field)?;
        let cell = self.sheet.cell(self.row, col);
        (!cell.is_empty()).then_some((cell, col))
    }

    fn report(&mut self, error: bool, code: &str, col: usize, message: String) {
        let place = Some(cell_name(self.row as u32, col as u32));
        let diagnostic = if error {
            Diagnostic::error(code, self.reader.file, message)
        } else {
            Diagnostic::warning(code, self.reader.file, message)
        };
        self.diagnostics
            .push(diagnostic.at(self.reader.sheet, place));
    }

    fn text(&mut self, field: Field) -> Option<String> {
        let (cell, col) = self.cell(field)?;
        match cell {
            Cell::Error(e) => {
                let e = e.clone();
                self.report(
                    true,
                    "ingest.error-cell",
                    col,
                    format!("Ô có lỗi công thức {e}"),
                );
                None
            }
            other => Some(clean(&other.as_text())).filter(|t| !t.is_empty()),
        }
    }

    /// Text where "Không", "-" or "0" mean nothing.
    fn optional_text(&mut self, field: Field) -> Option<String> {
        self.text(field)
            .filter(|t| !matches!(fold(t).as_str(), "khong" | "" | "0" | "x khong" | "chua"))
    }

    fn number(&mut self, field: Field, min: f64, max: f64) -> Option<f64> {
        let (cell, col) = self.cell(field)?;
        let value = match cell {
            Cell::Number(n) => Some(*n),
            Cell::Text(t) => parse_number_vi(t),
            Cell::Bool(_) | Cell::Date(_) | Cell::Empty => None,
            Cell::Error(e) => {
                let e = e.clone();
                self.report(
                    true,
                    "ingest.error-cell",
                    col,
                    format!("Ô có lỗi công thức {e}"),
                );
                return None;
            }
        };
        let shown = cell.as_text();
        match value {
            Some(v) if (min..=max).contains(&v) => Some(v),
            Some(v) => {
                let label = field.describe(self.reader.year, &self.reader.regulation.columns);
                self.report(
                    true,
                    "ingest.out-of-range",
                    col,
                    format!(
                        "{label} '{}' nằm ngoài khoảng {min}–{max}",
                        crate::format::number_vi(v)
                    ),
                );
                None
            }
            None => {
                let label = field.describe(self.reader.year, &self.reader.regulation.columns);
                self.report(
                    true,
                    "ingest.bad-number",
                    col,
                    format!("{label} '{shown}' không phải là số"),
                );
                None
            }
        }
    }

    /// The regulation's own columns that this header has, by id.
    fn extra(&mut self) -> BTreeMap<String, ExtraValue> {
        let columns = &self.reader.regulation.columns;
        let fields: Vec<(Field, &ExtraColumn)> = self
            .header
            .columns
            .iter()
            .filter_map(|(_, field)| match field {
                Field::Extra(i) => columns.get(usize::from(*i)).map(|c| (*field, c)),
                _ => None,
            })
            .collect();
        let mut values = BTreeMap::new();
        for (field, column) in fields {
            let value = match column.kind {
                ColumnKind::Number => self
                    .number(
                        field,
                        column.min.unwrap_or(f64::MIN),
                        column.max.unwrap_or(f64::MAX),
                    )
                    .map(ExtraValue::Number),
                ColumnKind::Text => self.text(field).map(ExtraValue::Text),
            };
            if let Some(value) = value {
                values.insert(column.id.clone(), value);
            }
        }
        values
    }

    fn count(&mut self, field: Field) -> Option<u32> {
        self.number(field, 0.0, 1_000_000.0)
            .map(|n| n.round() as u32)
    }

    /// The date of birth, and the sex when the form writes the date under
    /// a "Nam" or "Nữ" column.
    fn birth_and_sex(&mut self) -> (Option<Birth>, Option<Sex>) {
        if self.cell(Field::Birth).is_some() {
            return (self.birth(Field::Birth), self.sex());
        }
        for (field, sex) in [
            (Field::BirthIfMale, Sex::Male),
            (Field::BirthIfFemale, Sex::Female),
        ] {
            if self.cell(field).is_some() {
                return (self.birth(field), Some(sex));
            }
        }
        (None, self.sex())
    }

    fn birth(&mut self, field: Field) -> Option<Birth> {
        let (cell, col) = self.cell(field)?;
        let shown = cell.as_text();
        match birth_in(cell) {
            Some(birth) if (1900..=self.reader.year).contains(&birth.year()) => Some(birth),
            _ => {
                self.report(
                    true,
                    "ingest.bad-date",
                    col,
                    format!("Ngày sinh '{shown}' không phải là ngày hợp lệ"),
                );
                None
            }
        }
    }

    fn sex(&mut self) -> Option<Sex> {
        let text = self.text(Field::Sex)?;
        match fold(&text).as_str() {
            "nam" | "m" | "male" => Some(Sex::Male),
            "nu" | "f" | "female" => Some(Sex::Female),
            _ => {
                let col = self.header.column(Field::Sex).unwrap_or(0);
                self.report(
                    true,
                    "ingest.bad-code",
                    col,
                    format!("Giới tính '{text}' không hợp lệ: dùng 'Nam' hoặc 'Nữ'"),
                );
                None
            }
        }
    }

    fn rating(&mut self, field: Field) -> Option<Rating> {
        let text = self.text(field)?;
        match parse_rating(&text) {
            Some(r) => Some(r),
            None => {
                let col = self.header.column(field).unwrap_or(0);
                let label = field.describe(self.reader.year, &self.reader.regulation.columns);
                self.report(
                    true,
                    "ingest.bad-code",
                    col,
                    format!("{label} '{text}' không hợp lệ; giá trị được chấp nhận: HTXSNV, HTTNV, HTNV, KHTNV (hoặc tên đầy đủ)"),
                );
                None
            }
        }
    }

    fn honour(&mut self, field: Field) -> Option<String> {
        let text = self.optional_text(field)?;
        match honour_code(self.reader.regulation, &text) {
            Some(code) => Some(code),
            None => {
                let col = self.header.column(field).unwrap_or(0);
                let label = field.describe(self.reader.year, &self.reader.regulation.columns);
                // The kind the column asks for: titles, awards, or either.
                let wanted = |kind: HonourKind| match field {
                    Field::ProposedTitle => kind == HonourKind::Title,
                    Field::ProposedAward => kind == HonourKind::Award,
                    _ => true,
                };
                let accepted: Vec<&str> = self
                    .reader
                    .regulation
                    .honours
                    .iter()
                    .filter(|h| wanted(h.kind))
                    .map(|h| h.code.as_str())
                    .collect();
                self.report(
                    true,
                    "ingest.bad-code",
                    col,
                    format!(
                        "{label} '{text}' không có trong quy định; giá trị được chấp nhận: {}",
                        accepted.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// The proposed title and award: from their own columns, or from one
    /// column that names either (the regulation says which it is).
    fn proposals(&mut self) -> (Option<String>, Option<String>) {
        let mut title = self.honour(Field::ProposedTitle);
        let mut award = self.honour(Field::ProposedAward);
        if let Some(code) = self.honour(Field::ProposedHonour) {
            match self.reader.regulation.honour(&code).map(|h| h.kind) {
                Some(HonourKind::Title) if title.is_none() => title = Some(code),
                Some(HonourKind::Award) if award.is_none() => award = Some(code),
                _ => {}
            }
        }
        (title, award)
    }

    /// Ratings and titles of earlier years, by absolute year.
    fn history(&mut self) -> (BTreeMap<i32, Rating>, BTreeMap<i32, String>) {
        let year = self.reader.year;
        let mut ratings = BTreeMap::new();
        let mut titles = BTreeMap::new();
        let columns = self.header.columns.clone();
        for (_, field) in columns {
            match field {
                Field::Rating(YearRef::Back(k)) if k > 0 => {
                    if let Some(r) = self.rating(field) {
                        ratings.insert(year - k, r);
                    }
                }
                Field::Title(YearRef::Back(k)) if k > 0 => {
                    if let Some(t) = self.honour(field) {
                        titles.insert(year - k, t);
                    }
                }
                _ => {}
            }
        }
        (ratings, titles)
    }

    fn prior_awards(&mut self) -> Vec<PriorAward> {
        let Some(text) = self.optional_text(Field::PriorAwards) else {
            return Vec::new();
        };
        let col = self.header.column(Field::PriorAwards).unwrap_or(0);
        let mut awards = Vec::new();
        for part in text
            .split([';', '\n', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, year) = split_award_year(part);
            match honour_code(self.reader.regulation, name) {
                Some(award) => awards.push(PriorAward { award, year }),
                None => self.report(
                    false,
                    "ingest.unknown-award",
                    col,
                    format!("Không nhận ra hình thức khen thưởng '{part}' (viết như 'BK-BỘ (2019)'): bỏ qua"),
                ),
            }
        }
        awards
    }
}

impl Reader<'_> {
    pub fn individual(
        &self,
        sheet: &RawSheet,
        row: usize,
        header: &Header,
        source: Source,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Individual {
        let mut r = Row {
            reader: self,
            sheet,
            row,
            header,
            diagnostics,
        };
        let (rating_history, title_history) = r.history();
        let (birth, sex) = r.birth_and_sex();
        let (proposed_title, proposed_award) = r.proposals();
        let individual = Individual {
            full_name: r
                .text(Field::FullName)
                .map(|n| capitalise_name(&n))
                .unwrap_or_default(),
            birth,
            sex,
            job_title: r.text(Field::JobTitle),
            position: r.optional_text(Field::Position),
            sub_unit: r.text(Field::SubUnit),
            rating: r.rating(Field::Rating(YearRef::Back(0))),
            rating_history,
            title_history,
            prior_awards: r.prior_awards(),
            teaching_hours: r.number(Field::TeachingHours, 0.0, 5000.0),
            research_points: r.number(Field::ResearchPoints, 0.0, 1000.0),
            initiative: r.optional_text(Field::Initiative),
            months_worked: r.number(Field::MonthsWorked, 0.0, 12.0),
            discipline: r.optional_text(Field::Discipline),
            proposed_title,
            proposed_award,
            achievement: r.text(Field::Achievement),
            remark: r.text(Field::Remark),
            extra: r.extra(),
            source,
        };
        if individual.rating.is_none() && !r.diagnostics.iter().any(|d| d.is_error()) {
            let col = header.column(Field::Rating(YearRef::Back(0))).unwrap_or(0);
            r.report(
                false,
                "ingest.missing-value",
                col,
                format!("{}: thiếu xếp loại năm {}", individual.full_name, self.year),
            );
        }
        let has_errors = r.diagnostics.iter().any(|d| d.is_error());
        if individual.proposed_title.is_none() && individual.proposed_award.is_none() && !has_errors
        {
            let col = header.column(Field::ProposedTitle).unwrap_or(0);
            r.report(
                false,
                "ingest.no-proposal",
                col,
                format!(
                    "{}: không đề nghị danh hiệu hay hình thức khen thưởng nào",
                    individual.full_name
                ),
            );
        }
        individual
    }

    pub fn collective(
        &self,
        sheet: &RawSheet,
        row: usize,
        header: &Header,
        source: Source,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Collective {
        let mut r = Row {
            reader: self,
            sheet,
            row,
            header,
            diagnostics,
        };
        let (rating_history, title_history) = r.history();
        let (proposed_title, proposed_award) = r.proposals();
        Collective {
            // A collective section under an individuals' header keeps its
            // names in the name column.
            name: r
                .text(Field::CollectiveName)
                .or_else(|| r.text(Field::FullName))
                .unwrap_or_default(),
            members: r.count(Field::Members),
            members_htnv_or_better: r.count(Field::MembersHtnvOrBetter),
            members_ldtt: r.count(Field::MembersLdtt),
            members_cstdcs: r.count(Field::MembersCstdcs),
            members_disciplined: r.count(Field::MembersDisciplined),
            rating: r.rating(Field::Rating(YearRef::Back(0))),
            rating_history,
            title_history,
            proposed_title,
            proposed_award,
            achievement: r.text(Field::Achievement),
            remark: r.text(Field::Remark),
            extra: r.extra(),
            source,
        }
    }
}

/// A whole number from a number cell or text ("2025", "42").
pub fn whole_number(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 => Some(*n as i64),
        Cell::Text(t) => parse_number_vi(t)
            .filter(|n| n.fract() == 0.0)
            .map(|n| n as i64),
        _ => None,
    }
}

/// "312,5", "1.250,5", "1,250.5", "42".
pub fn parse_number_vi(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return None;
    }
    let commas = t.matches(',').count();
    let dots = t.matches('.').count();
    let normalised = match (commas, dots) {
        (0, 0) => t,
        // "1.250,5": dots group thousands, the comma is the decimal mark.
        (1, _) if t.rfind(',') > t.rfind('.') => t.replace('.', "").replace(',', "."),
        // "1,250.5"
        (_, 1) if t.rfind('.') > t.rfind(',') && commas > 0 => t.replace(',', ""),
        // "1.250.000": several dots are thousands.
        (0, d) if d > 1 => t.replace('.', ""),
        // "1.250" alone is ambiguous; Vietnamese writing makes it 1250 when
        // exactly three digits follow the dot.
        (0, 1) => {
            let after = t.rsplit('.').next().unwrap_or("");
            if after.len() == 3 {
                t.replace('.', "")
            } else {
                t
            }
        }
        _ => return None,
    };
    normalised.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A date of birth as a cell holds it: a date, a year, an Excel serial
/// number or text (the one reading for workbooks and `tdkt import`).
pub fn birth_in(cell: &Cell) -> Option<Birth> {
    match cell {
        Cell::Date(d) => Some(Birth::Date(d.date())),
        Cell::Number(n) if (1900.0..=2100.0).contains(n) && n.fract() == 0.0 => {
            Some(Birth::Year(*n as i32))
        }
        Cell::Number(n) => excel_serial_date(*n).map(Birth::Date),
        Cell::Text(t) => parse_birth(t),
        _ => None,
    }
}

/// Dates typed as text: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, or a year.
pub fn parse_birth(text: &str) -> Option<Birth> {
    let t = text.trim();
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse().ok().map(Birth::Year);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (day, month, year) = if a.len() == 4 {
        (*c, *b, *a)
    } else {
        (*a, *b, *c)
    };
    let day: u32 = day.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    let mut year: i32 = year.parse().ok()?;
    if year < 100 {
        // Two-digit years in a birth date: 45 → 1945, 05 → 2005.
        year += if year > 30 { 1900 } else { 2000 };
    }
    NaiveDate::from_ymd_opt(year, month, day).map(Birth::Date)
}

/// An Excel serial number (1900 system) as a date.
fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..=80_000.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if serial < 60.0 { serial + 1.0 } else { serial };
    epoch
        .checked_add_signed(chrono::Duration::days(days as i64))
        .filter(|d| d.year() > 1900)
}

pub fn parse_rating(text: &str) -> Option<Rating> {
    static SPELLINGS: std::sync::LazyLock<Vec<(String, Rating)>> = std::sync::LazyLock::new(|| {
        Rating::ALL
            .into_iter()
            .flat_map(|r| {
                [
                    (fold(r.code()).replace(' ', ""), r),
                    (fold(r.full_name()).replace(' ', ""), r),
                ]
            })
            .collect()
    });
    if let Some(rating) = Rating::from_code(text) {
        return Some(rating);
    }
    let folded = fold(text).replace(' ', "");
    SPELLINGS
        .iter()
        .find(|(spelling, _)| *spelling == folded)
        .map(|(_, r)| *r)
}

/// The regulation's code for a title or award, from its code, name or alias.
pub fn honour_code(regulation: &Regulation, text: &str) -> Option<String> {
    regulation.code_for(text).map(str::to_string)
}

/// "BK-BỘ (2019)" → ("BK-BỘ", Some(2019)); "GK năm 2018" → ("GK", Some(2018)).
fn split_award_year(part: &str) -> (&str, Option<i32>) {
    let digits: String = part
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let year: Option<i32> = digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .ok()
        .filter(|y| (1945..=2100).contains(y));
    let name = match year {
        Some(_) => {
            let cut = part
                .find(['(', '['])
                .or_else(|| part.find(|c: char| c.is_ascii_digit()))
                .unwrap_or(part.len());
            let name = part[..cut].trim().trim_end_matches(['-', ':']);
            let name = name
                .strip_suffix(" năm")
                .or_else(|| name.strip_suffix(" Năm"))
                .unwrap_or(name);
            name.trim()
        }
        None => part,
    };
    (name, year)
}

/// Names are capitalised syllable by syllable: "nguyễn thị lan",
/// "NGUYỄN THỊ LAN" and "Nguyễn thị ánh" (a toned capital lost with a
/// legacy font) all become "Nguyễn Thị Lan", "Nguyễn Thị Ánh".
pub fn capitalise_name(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    first.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_vietnamese_separators() {
        assert_eq!(parse_number_vi("312,5"), Some(312.5));
        assert_eq!(parse_number_vi("1.250,5"), Some(1250.5));
        assert_eq!(parse_number_vi("1,250.5"), Some(1250.5));
        assert_eq!(parse_number_vi("1.250"), Some(1250.0));
        assert_eq!(parse_number_vi("2.340.000"), Some(2_340_000.0));
        assert_eq!(parse_number_vi("1.5"), Some(1.5));
        assert_eq!(parse_number_vi("abc"), None);
    }

    #[test]
    fn birth_dates_typed_as_text() {
        let date = |y, m, d| Some(Birth::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(parse_birth("05/03/1979"), date(1979, 3, 5));
        assert_eq!(parse_birth("5/3/79"), date(1979, 3, 5));
        assert_eq!(parse_birth("05-03-1979"), date(1979, 3, 5));
        assert_eq!(parse_birth("05.03.1979"), date(1979, 3, 5));
        assert_eq!(parse_birth("1979"), Some(Birth::Year(1979)));
        assert_eq!(parse_birth("31/02/1980"), None);
    }

    #[test]
    fn ratings_in_any_spelling() {
        assert_eq!(parse_rating("HTXSNV"), Some(Rating::Htxsnv));
        assert_eq!(parse_rating("Hoàn thành tốt nhiệm vụ"), Some(Rating::Httnv));
        assert_eq!(parse_rating("hoan thanh nhiem vu."), Some(Rating::Htnv));
        assert_eq!(parse_rating(" khtnv "), Some(Rating::Khtnv));
        assert_eq!(parse_rating("Giỏi"), None);
    }

    #[test]
    fn honour_codes_from_the_regulation() {
        let reg = Regulation::default_national().unwrap();
        assert_eq!(
            honour_code(&reg, "Lao động tiên tiến").as_deref(),
            Some("LĐTT")
        );
        assert_eq!(honour_code(&reg, "ldtt").as_deref(), Some("LĐTT"));
        assert_eq!(honour_code(&reg, "BK-BỘ").as_deref(), Some("BK-BỘ"));
        assert_eq!(
            honour_code(&reg, "Bằng khen của Thủ tướng Chính phủ").as_deref(),
            Some("BK-TTG")
        );
        assert_eq!(honour_code(&reg, "Giấy khen.").as_deref(), Some("GK"));
        assert_eq!(honour_code(&reg, "Huy chương vàng"), None);
    }

    #[test]
    fn prior_awards_with_years() {
        assert_eq!(split_award_year("BK-BỘ (2019)"), ("BK-BỘ", Some(2019)));
        assert_eq!(split_award_year("GK năm 2018"), ("GK", Some(2018)));
        assert_eq!(split_award_year("BK-TTG"), ("BK-TTG", None));
    }

    #[test]
    fn names_are_capitalised_by_syllable() {
        assert_eq!(capitalise_name("NGUYỄN THỊ LAN"), "Nguyễn Thị Lan");
        assert_eq!(capitalise_name("Nguyễn Thị Lan"), "Nguyễn Thị Lan");
        assert_eq!(capitalise_name("Nguyễn thị ánh"), "Nguyễn Thị Ánh");
    }
}

//! Which column is which field: header labels and their spellings.
//!
//! Labels are compared folded (no case, diacritics or punctuation), so the
//! tables below list each spelling once, in plain ASCII.

use crate::ingest::{Cell, RawSheet};
use crate::regulation::{self, ExtraColumn, Subject};
use crate::text::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    Individuals,
    Collectives,
}

/// A year named by a header: "năm N", "năm N-1", "năm 2020", "năm trước".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YearRef {
    /// N − k.
    Back(i32),
    Absolute(i32),
}

impl YearRef {
    pub fn resolve(self, year: i32) -> i32 {
        match self {
            YearRef::Back(k) => year - k,
            YearRef::Absolute(y) => y,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RowNumber,
    FullName,
    Birth,
    /// "Ngày sinh" over "Nam" | "Nữ": the date under the person's sex.
    BirthIfMale,
    BirthIfFemale,
    Sex,
    Position,
    JobTitle,
    SubUnit,
    Rating(YearRef),
    Title(YearRef),
    PriorAwards,
    TeachingHours,
    ResearchPoints,
    Initiative,
    MonthsWorked,
    Discipline,
    ProposedTitle,
    ProposedAward,
    Achievement,
    Remark,
    CollectiveName,
    Members,
    MembersHtnvOrBetter,
    MembersLdtt,
    MembersCstdcs,
    MembersDisciplined,
    /// Whom each row proposes: "Cá nhân" / "Tập thể" (CANHAN / TAPTHE in
    /// lists exported by the provincial TĐKT web systems).
    SubjectKind,
    /// One column for the proposed title or award, whichever the row names
    /// ("Danh hiệu thi đua/Hình thức khen thưởng").
    ProposedHonour,
    /// A column the regulation adds: its index in `Regulation::columns`.
    Extra(u16),
}

impl Field {
    /// The canonical label, for `inspect` and messages; `extra` are the
    /// regulation's own columns.
    pub fn describe(self, year: i32, extra: &[ExtraColumn]) -> String {
        let label = match self {
            Field::Extra(i) => {
                return extra
                    .get(usize::from(i))
                    .map_or_else(|| "Cột bổ sung".into(), |c| c.label.clone());
            }
            Field::Rating(y) => return format!("Xếp loại năm {}", y.resolve(year)),
            Field::Title(y) => return format!("Danh hiệu năm {}", y.resolve(year)),
            Field::RowNumber => "STT",
            Field::BirthIfMale => "Ngày sinh (Nam)",
            Field::BirthIfFemale => "Ngày sinh (Nữ)",
            Field::SubjectKind => "Phân loại khen thưởng (cá nhân / tập thể)",
            Field::ProposedHonour => "Danh hiệu thi đua / Hình thức khen thưởng đề nghị",
            Field::CollectiveName => {
                regulation::fields::label("name", Some(Subject::Collective)).unwrap_or_default()
            }
            // Every other column fills one field of the form's table.
            field => field
                .key(extra)
                .and_then(|key| regulation::fields::label(&key, None))
                .unwrap_or_default(),
        };
        label.to_string()
    }
}

impl Field {
    /// The key of the record field this column fills, as conditions'
    /// variables are traced back to columns: "rating", "title_history", or
    /// an extra column's id.
    pub fn key(self, extra: &[ExtraColumn]) -> Option<String> {
        let key = match self {
            Field::RowNumber | Field::SubjectKind => return None,
            Field::FullName | Field::CollectiveName => "name",
            Field::Birth | Field::BirthIfMale | Field::BirthIfFemale => "birth",
            Field::Sex => "sex",
            Field::Position => "position",
            Field::JobTitle => "job_title",
            Field::SubUnit => "sub_unit",
            Field::Rating(YearRef::Back(0)) => "rating",
            Field::Rating(_) => "rating_history",
            Field::Title(_) => "title_history",
            Field::PriorAwards => "prior_awards",
            Field::TeachingHours => "teaching_hours",
            Field::ResearchPoints => "research_points",
            Field::Initiative => "initiative",
            Field::MonthsWorked => "months_worked",
            Field::Discipline => "discipline",
            Field::ProposedTitle | Field::ProposedHonour => "proposed_title",
            Field::ProposedAward => "proposed_award",
            Field::Achievement => "achievement",
            Field::Remark => "remark",
            Field::Members => "members",
            Field::MembersHtnvOrBetter => "members_htnv_or_better",
            Field::MembersLdtt => "members_ldtt",
            Field::MembersCstdcs => "members_cstdcs",
            Field::MembersDisciplined => "members_disciplined",
            Field::Extra(i) => return extra.get(usize::from(i)).map(|c| c.id.clone()),
        };
        Some(key.to_string())
    }
}

/// Exact folded spellings of the fields whose labels carry no year.
const LABELS: &[(&str, Field)] = &[
    ("stt", Field::RowNumber),
    ("tt", Field::RowNumber),
    ("so tt", Field::RowNumber),
    ("so thu tu", Field::RowNumber),
    ("ho va ten", Field::FullName),
    ("ho ten", Field::FullName),
    ("ho va ten ca nhan", Field::FullName),
    ("ngay sinh", Field::Birth),
    ("ngay thang nam sinh", Field::Birth),
    ("nam sinh", Field::Birth),
    ("gioi tinh", Field::Sex),
    ("nam nu", Field::Sex),
    ("chuc vu", Field::Position),
    ("chuc vu don vi cong tac", Field::Position),
    ("chuc danh", Field::JobTitle),
    ("ngach", Field::JobTitle),
    ("chuc danh nghe nghiep", Field::JobTitle),
    ("ngach chuc danh", Field::JobTitle),
    ("don vi cong tac", Field::SubUnit),
    ("bo phan", Field::SubUnit),
    ("phong khoa", Field::SubUnit),
    ("khen thuong da nhan", Field::PriorAwards),
    ("hinh thuc khen thuong da nhan", Field::PriorAwards),
    ("qua trinh khen thuong", Field::PriorAwards),
    ("gio giang thuc hien", Field::TeachingHours),
    ("so gio giang", Field::TeachingHours),
    ("gio chuan thuc hien", Field::TeachingHours),
    ("gio giang", Field::TeachingHours),
    ("diem nckh", Field::ResearchPoints),
    ("cong trinh khoa hoc", Field::ResearchPoints),
    ("so cong trinh", Field::ResearchPoints),
    ("dinh muc nckh thuc hien", Field::ResearchPoints),
    ("sang kien", Field::Initiative),
    ("sang kien de tai", Field::Initiative),
    ("de tai khoa hoc", Field::Initiative),
    ("so thang cong tac", Field::MonthsWorked),
    ("thoi gian cong tac trong nam thang", Field::MonthsWorked),
    ("thoi gian cong tac trong nam", Field::MonthsWorked),
    ("ky luat", Field::Discipline),
    ("bi ky luat", Field::Discipline),
    ("danh hieu de nghi", Field::ProposedTitle),
    ("danh hieu thi dua", Field::ProposedTitle),
    ("danh hieu thi dua de nghi", Field::ProposedTitle),
    ("hinh thuc khen thuong de nghi", Field::ProposedAward),
    ("hinh thuc khen thuong", Field::ProposedAward),
    ("khen thuong", Field::ProposedAward),
    ("khen thuong de nghi", Field::ProposedAward),
    ("tom tat thanh tich", Field::Achievement),
    ("thanh tich", Field::Achievement),
    ("ly do khen", Field::Achievement),
    ("ghi chu", Field::Remark),
    ("phan loai khen thuong", Field::SubjectKind),
    (
        "danh hieu thi dua hinh thuc khen thuong",
        Field::ProposedHonour,
    ),
    (
        "danh hieu thi dua hinh thuc khen thuong de nghi",
        Field::ProposedHonour,
    ),
    ("danh hieu hinh thuc khen thuong", Field::ProposedHonour),
    (
        "hinh thuc khen thuong danh hieu thi dua",
        Field::ProposedHonour,
    ),
    ("ma phan loai khen thuong", Field::SubjectKind),
    ("doi tuong khen thuong", Field::SubjectKind),
    ("ca nhan tap the", Field::SubjectKind),
    ("tap the ca nhan", Field::SubjectKind),
    ("ten tap the", Field::CollectiveName),
    ("tap the", Field::CollectiveName),
    ("ten don vi", Field::CollectiveName),
    ("so thanh vien", Field::Members),
    ("tong so nguoi", Field::Members),
    ("quan so", Field::Members),
    ("so hoan thanh nhiem vu tro len", Field::MembersHtnvOrBetter),
    ("so htnv tro len", Field::MembersHtnvOrBetter),
    ("so dat ldtt", Field::MembersLdtt),
    ("so dat cstdcs", Field::MembersCstdcs),
    ("so bi ky luat", Field::MembersDisciplined),
    ("ket qua danh gia", Field::Rating(YearRef::Back(0))),
    (
        "muc do hoan thanh nhiem vu",
        Field::Rating(YearRef::Back(0)),
    ),
    ("ket qua xep loai tap the", Field::Rating(YearRef::Back(0))),
    ("xep loai", Field::Rating(YearRef::Back(0))),
    (
        "danh hieu thi dua nam truoc",
        Field::Title(YearRef::Back(1)),
    ),
    ("danh hieu nam truoc", Field::Title(YearRef::Back(1))),
    ("xep loai nam truoc", Field::Rating(YearRef::Back(1))),
];

/// The field a header label names, if any.
pub fn classify(label: &str) -> Option<Field> {
    let folded = fold(label);
    if folded.is_empty() {
        return None;
    }
    if let Some((_, field)) = LABELS.iter().find(|(l, _)| *l == folded) {
        return Some(*field);
    }
    if let Some(rest) = folded.strip_prefix("xep loai ")
        && let Some(year) = year_ref(rest)
    {
        return Some(Field::Rating(year));
    }
    if let Some(rest) = folded
        .strip_prefix("danh hieu thi dua ")
        .or_else(|| folded.strip_prefix("danh hieu "))
        && let Some(year) = year_ref(rest)
    {
        return Some(Field::Title(year));
    }
    by_keywords(&folded)
}

/// The field a header label names, the regulation's own columns first.
fn classify_in(label: &str, extra: &[ExtraColumn]) -> Option<Field> {
    extra_column(label, extra).or_else(|| classify(label))
}

/// A regulation column whose label or spelling the header cell gives,
/// allowing a trailing "(điểm)" or "(5)".
fn extra_column(label: &str, extra: &[ExtraColumn]) -> Option<Field> {
    if extra.is_empty() {
        return None;
    }
    let mut folded = fold(label);
    while let Some((rest, last)) = folded.rsplit_once(' ') {
        if last == "diem" || last.chars().all(|c| c.is_ascii_digit()) {
            folded.truncate(rest.len());
        } else {
            break;
        }
    }
    if folded.is_empty() {
        return None;
    }
    extra
        .iter()
        .position(|column| column.is_named(&folded))
        .map(|i| Field::Extra(i as u16))
}

/// Longer labels real forms use ("Họ và tên cán bộ (2)", "Kết quả đánh
/// giá, xếp loại năm 2025", "Hình thức khen thưởng đề nghị cấp trên"):
/// recognised by the words they contain. Order matters: the first rule
/// that matches wins.
fn by_keywords(folded: &str) -> Option<Field> {
    let has = |words: &str| contains_words(folded, words);
    let counted = folded.starts_with("so ") || folded.starts_with("tong so ");
    // "Tên gọi (Ông/Bà/Chức danh)": how a person is addressed, not a field.
    if folded.starts_with("ten goi") {
        return None;
    }
    let field = if has("stt") || has("so tt") {
        Field::RowNumber
    } else if counted && (has("ldtt") || has("lao dong tien tien")) {
        Field::MembersLdtt
    } else if counted && (has("cstdcs") || has("chien si thi dua")) {
        Field::MembersCstdcs
    } else if counted && has("ky luat") {
        Field::MembersDisciplined
    } else if counted && (has("hoan thanh nhiem vu") || has("htnv")) {
        Field::MembersHtnvOrBetter
    } else if has("so thanh vien") || has("tong so nguoi") || has("quan so") {
        Field::Members
    } else if has("ten tap the") {
        Field::CollectiveName
    } else if has("ho va ten") || has("ho ten") {
        Field::FullName
    } else if has("ngay sinh") || has("nam sinh") {
        Field::Birth
    } else if has("gioi tinh") {
        Field::Sex
    } else if has("khen thuong da") || has("qua trinh khen thuong") || has("da duoc khen") {
        Field::PriorAwards
    } else if has("de nghi") && has("danh hieu") {
        Field::ProposedTitle
    } else if has("de nghi") && (has("hinh thuc") || has("khen thuong")) {
        Field::ProposedAward
    } else if has("xep loai") || has("muc do hoan thanh") || has("ket qua danh gia") {
        Field::Rating(label_year(folded).unwrap_or(YearRef::Back(0)))
    } else if has("danh hieu")
        && let Some(year) = label_year(folded)
    {
        Field::Title(year)
    } else if has("thanh tich") {
        Field::Achievement
    } else if has("sang kien") || has("de tai") {
        Field::Initiative
    } else if has("gio giang") || has("gio chuan") {
        Field::TeachingHours
    } else if has("nckh") || has("nghien cuu khoa hoc") || has("cong trinh khoa hoc") {
        Field::ResearchPoints
    } else if has("thang cong tac") || has("thoi gian cong tac") {
        Field::MonthsWorked
    } else if has("ky luat") {
        Field::Discipline
    } else if has("ghi chu") {
        Field::Remark
    } else if has("chuc vu") {
        Field::Position
    } else if has("chuc danh") || has("ngach") {
        Field::JobTitle
    } else if has("don vi cong tac") || has("phong khoa") || has("bo phan") {
        Field::SubUnit
    } else {
        return None;
    };
    Some(field)
}

/// Whether `words` occur in `folded` as whole words, in order.
/// Whether `words` occur in `folded` as whole words.
fn contains_words(folded: &str, words: &str) -> bool {
    folded.match_indices(words).any(|(at, _)| {
        let end = at + words.len();
        (at == 0 || folded.as_bytes()[at - 1] == b' ')
            && (end == folded.len() || folded.as_bytes()[end] == b' ')
    })
}

/// The year a longer label names: "… năm 2024 (5)", "… năm N-1", "… năm trước".
fn label_year(folded: &str) -> Option<YearRef> {
    let words: Vec<&str> = folded.split(' ').collect();
    if let Some(year) = words
        .iter()
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))
    {
        return Some(YearRef::Absolute(year));
    }
    if let Some(i) = words.iter().position(|w| *w == "n") {
        let back = words
            .get(i + 1)
            .and_then(|w| w.parse::<i32>().ok())
            .filter(|k| (1..=10).contains(k));
        return Some(YearRef::Back(back.unwrap_or(0)));
    }
    contains_words(folded, "nam truoc").then_some(YearRef::Back(1))
}

/// "nam n", "nam n 1", "nam 2020", "2020", "n 2".
fn year_ref(rest: &str) -> Option<YearRef> {
    let rest = rest.strip_prefix("nam ").unwrap_or(rest).trim();
    let words: Vec<&str> = rest.split(' ').collect();
    match words.as_slice() {
        ["n"] => Some(YearRef::Back(0)),
        ["n", k] => k.parse().ok().map(YearRef::Back),
        [y] => y
            .parse()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .map(YearRef::Absolute),
        _ => None,
    }
}

/// A recognised header row.
#[derive(Debug, Clone)]
pub struct Header {
    pub kind: ListKind,
    /// 0-based sheet row of the header.
    pub row: usize,
    pub first_data_row: usize,
    /// (0-based column, field), left to right.
    pub columns: Vec<(usize, Field)>,
}

impl Header {
    /// The header as it reads rows of `kind` when a kind column decides
    /// each row: its one name column is the person's name or the
    /// collective's, whichever the row is.
    pub fn for_rows_of(&self, kind: ListKind) -> Header {
        let (from, to) = match kind {
            ListKind::Individuals => (Field::CollectiveName, Field::FullName),
            ListKind::Collectives => (Field::FullName, Field::CollectiveName),
        };
        let mut header = self.clone();
        if header.column(to).is_none() {
            for (_, field) in &mut header.columns {
                if *field == from {
                    *field = to;
                }
            }
        }
        header.kind = kind;
        header
    }

    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(c, _)| *c)
    }
}

/// How many rows from the top are searched for a header.
const HEADER_SEARCH_ROWS: usize = 40;

/// Finds the header of a list in `sheet`: the row (or pair of rows, for
/// headers built from merged cells) with the most known labels, at least
/// three, holding a name column.
pub fn find_header(sheet: &RawSheet, year: i32, extra: &[ExtraColumn]) -> Option<Header> {
    let mut best: Option<Header> = None;
    for r in 0..sheet.rows.len().min(HEADER_SEARCH_ROWS) {
        if let Some(header) = header_at(sheet, r, year, extra)
            && best
                .as_ref()
                .is_none_or(|b| header.columns.len() > b.columns.len())
        {
            best = Some(header);
        }
    }
    best
}

/// The header starting at row `r`, if that row (or it and the next) holds
/// at least three known labels and a name column: also how a second list
/// further down a sheet ("II. TẬP THỂ" and its own header) is found.
pub fn header_at(sheet: &RawSheet, r: usize, year: i32, extra: &[ExtraColumn]) -> Option<Header> {
    let one_row = (one_row_labels(sheet, r, extra), 1);
    let two_rows = (two_row_labels(sheet, r, extra, &one_row.0), 2);
    // Two rows must explain more columns than the top row alone.
    let (columns, height) = if two_rows.0.len() > one_row.0.len() {
        two_rows
    } else {
        one_row
    };
    let kind = list_kind(&columns)?;
    (columns.len() >= 3).then(|| Header {
        kind,
        row: r,
        first_data_row: r + height,
        columns: dedupe(resolve_years(columns, year)),
    })
}

fn list_kind(columns: &[(usize, Field)]) -> Option<ListKind> {
    let has = |f: Field| columns.iter().any(|(_, g)| *g == f);
    // With a kind column each row says whom it proposes; the list starts
    // as individuals.
    let named = has(Field::FullName) || has(Field::CollectiveName);
    if has(Field::FullName) || (named && has(Field::SubjectKind)) {
        Some(ListKind::Individuals)
    } else if has(Field::CollectiveName) && (has(Field::Members) || columns.len() >= 4) {
        Some(ListKind::Collectives)
    } else {
        None
    }
}

fn label(sheet: &RawSheet, row: usize, col: usize) -> String {
    match sheet.cell(row, col) {
        Cell::Text(t) => t.clone(),
        _ => String::new(),
    }
}

fn one_row_labels(sheet: &RawSheet, r: usize, extra: &[ExtraColumn]) -> Vec<(usize, Field)> {
    let width = sheet.rows.get(r).map_or(0, Vec::len);
    (0..width)
        .filter_map(|c| classify_in(&label(sheet, r, c), extra).map(|f| (c, f)))
        .collect()
}

/// Labels of a header made of two rows: a top label merged across several
/// columns ("Xếp loại") over the labels that split it ("2024" | "2025"),
/// or a label merged down both rows ("Họ và tên").
/// `top` is the top row's own labels (`one_row_labels`).
fn two_row_labels(
    sheet: &RawSheet,
    r: usize,
    extra: &[ExtraColumn],
    top: &[(usize, Field)],
) -> Vec<(usize, Field)> {
    let width = sheet
        .rows
        .get(r)
        .map_or(0, Vec::len)
        .max(sheet.rows.get(r + 1).map_or(0, Vec::len));
    // The top row must hold labels of its own, in several cells (a title
    // row has one).
    let top_cells = sheet.rows.get(r).map_or(0, |row| {
        row.iter()
            .filter(|c| matches!(c, Cell::Text(t) if !t.is_empty()))
            .count()
    });
    if top.is_empty() || top_cells < 2 {
        return Vec::new();
    }
    // A row with numbers or dates is data, not the lower half of a header.
    let bottom_is_data = sheet.rows.get(r + 1).is_some_and(|row| {
        row.iter()
            .any(|c| matches!(c, Cell::Number(_) | Cell::Date(_)))
            || row.iter().filter(|c| !c.is_empty()).count() > 0 && is_numbering_row(row)
    });
    if bottom_is_data {
        return Vec::new();
    }
    // A group label over sub-columns is short ("Xếp loại", "Ngày sinh");
    // a long text above a header is a title ("DANH SÁCH ĐỀ NGHỊ …") and
    // labels nothing below it.
    const GROUP_LABEL_WORDS: usize = 6;
    let mut columns = Vec::new();
    let mut spanning = String::new();
    for c in 0..width {
        let (top, bottom) = (label(sheet, r, c), label(sheet, r + 1, c));
        if !top.is_empty() {
            spanning = if top.split_whitespace().count() <= GROUP_LABEL_WORDS {
                top.clone()
            } else {
                String::new()
            };
        } else if bottom.is_empty() {
            spanning.clear();
        }
        let field = if bottom.is_empty() {
            classify_in(&top, extra)
        } else {
            birth_by_sex(&spanning, &bottom)
                .or_else(|| extra_column(&bottom, extra))
                .or_else(|| {
                    (!spanning.is_empty())
                        .then(|| classify(&format!("{spanning} {bottom}")))
                        .flatten()
                })
                .or_else(|| classify(&bottom))
        };
        columns.extend(field.map(|f| (c, f)));
    }
    columns
}

/// "Ngày sinh" over "Nam" | "Nữ".
fn birth_by_sex(top: &str, bottom: &str) -> Option<Field> {
    if classify(top) != Some(Field::Birth) {
        return None;
    }
    match fold(bottom).as_str() {
        "nam" => Some(Field::BirthIfMale),
        "nu" => Some(Field::BirthIfFemale),
        _ => None,
    }
}

/// A history column for the evaluation year itself ("Xếp loại 2025" in a
/// 2025 campaign) is this year's rating.
fn resolve_years(columns: Vec<(usize, Field)>, year: i32) -> Vec<(usize, Field)> {
    columns
        .into_iter()
        .map(|(c, f)| {
            let f = match f {
                Field::Rating(YearRef::Absolute(y)) if y == year => Field::Rating(YearRef::Back(0)),
                Field::Rating(YearRef::Absolute(y)) => Field::Rating(YearRef::Back(year - y)),
                Field::Title(YearRef::Absolute(y)) => Field::Title(YearRef::Back(year - y)),
                other => other,
            };
            (c, f)
        })
        .collect()
}

/// Keeps the first column of each field.
fn dedupe(columns: Vec<(usize, Field)>) -> Vec<(usize, Field)> {
    let mut out: Vec<(usize, Field)> = Vec::with_capacity(columns.len());
    for (c, f) in columns {
        if !out.iter().any(|(_, g)| *g == f) {
            out.push((c, f));
        }
    }
    out
}

/// The "(1) (2) (3)" row some forms put under the header.
pub fn is_numbering_row(row: &[Cell]) -> bool {
    let texts: Vec<String> = row
        .iter()
        .filter(|c| !c.is_empty())
        .map(Cell::as_text)
        .collect();
    texts.len() >= 3
        && texts.iter().all(|t| {
            let inner = t.trim().trim_start_matches('(').trim_end_matches(')');
            !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '=' || c == '+' || c == '-')
        })
}

/// A unit-level field of the `Thông tin đơn vị` sheet or a title block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitField {
    Name,
    Code,
    Year,
    Headcount,
}

/// Recognises a unit-information label; also returns the value written in
/// the same cell after a colon ("ĐƠN VỊ: VIỆN TRIẾT HỌC").
pub fn unit_field(label: &str) -> Option<(UnitField, Option<String>)> {
    let (head, inline) = match label.split_once(':') {
        Some((head, tail)) if !tail.trim().is_empty() => (head, Some(tail.trim().to_string())),
        Some((head, _)) => (head, None),
        None => (label, None),
    };
    let field = match fold(head).as_str() {
        "ten don vi" | "don vi" | "co quan" | "ten co quan" => UnitField::Name,
        "ma don vi" | "ma dv" => UnitField::Code,
        "nam xet" | "nam" | "nam danh gia" | "nam xet khen thuong" => UnitField::Year,
        "tong so can bo" | "tong so cbccvc" | "quan so" | "so luong can bo" | "tong so cbcc" => {
            UnitField::Headcount
        }
        _ => return None,
    };
    Some((field, inline))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_recognised_in_any_spelling() {
        assert_eq!(classify("HỌ VÀ TÊN"), Some(Field::FullName));
        assert_eq!(classify("Họ tên"), Some(Field::FullName));
        assert_eq!(
            classify("Xếp loại năm N"),
            Some(Field::Rating(YearRef::Back(0)))
        );
        assert_eq!(
            classify("Xếp loại năm N-1"),
            Some(Field::Rating(YearRef::Back(1)))
        );
        assert_eq!(
            classify("Xếp loại 2020"),
            Some(Field::Rating(YearRef::Absolute(2020)))
        );
        assert_eq!(
            classify("Danh hiệu năm 2023"),
            Some(Field::Title(YearRef::Absolute(2023)))
        );
        assert_eq!(
            classify("Danh hiệu thi đua năm trước"),
            Some(Field::Title(YearRef::Back(1)))
        );
        assert_eq!(classify("Danh hiệu đề nghị"), Some(Field::ProposedTitle));
        assert_eq!(
            classify("Hình thức khen thưởng đề nghị"),
            Some(Field::ProposedAward)
        );
        assert_eq!(classify("Quê quán"), None);
        assert_eq!(classify("Họ và tên cán bộ (2)"), Some(Field::FullName));
        assert_eq!(classify("Ngày, tháng, năm sinh"), Some(Field::Birth));
        assert_eq!(
            classify("Kết quả đánh giá, xếp loại năm 2025"),
            Some(Field::Rating(YearRef::Absolute(2025)))
        );
        assert_eq!(
            classify("Xếp loại năm 2024 (5)"),
            Some(Field::Rating(YearRef::Absolute(2024)))
        );
        assert_eq!(
            classify("Danh hiệu thi đua đạt được năm 2023"),
            Some(Field::Title(YearRef::Absolute(2023)))
        );
        assert_eq!(
            classify("Hình thức khen thưởng đề nghị cấp trên"),
            Some(Field::ProposedAward)
        );
        assert_eq!(
            classify("Danh hiệu thi đua đề nghị năm 2025"),
            Some(Field::ProposedTitle)
        );
        assert_eq!(
            classify("Hình thức khen thưởng đã nhận"),
            Some(Field::PriorAwards)
        );
        assert_eq!(classify("Số thành viên đạt LĐTT"), Some(Field::MembersLdtt));
        assert_eq!(
            classify("Tóm tắt thành tích chủ yếu"),
            Some(Field::Achievement)
        );
        assert_eq!(classify("Chức vụ, đơn vị công tác"), Some(Field::Position));
    }

    #[test]
    fn two_row_headers_from_merged_cells() {
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = RawSheet {
            name: "DS".into(),
            rows: vec![
                vec![
                    text("STT"),
                    text("Họ và tên"),
                    text("Ngày sinh"),
                    Cell::Empty,
                    text("Xếp loại"),
                    Cell::Empty,
                    text("Danh hiệu đề nghị"),
                ],
                vec![
                    Cell::Empty,
                    Cell::Empty,
                    text("Nam"),
                    text("Nữ"),
                    text("2024"),
                    text("2025"),
                    Cell::Empty,
                ],
                vec![
                    text("(1)"),
                    text("(2)"),
                    text("(3)"),
                    text("(4)"),
                    text("(5)"),
                    text("(6)"),
                    text("(7)"),
                ],
            ],
        };
        let header = find_header(&sheet, 2025, &[]).unwrap();
        assert_eq!(header.first_data_row, 2);
        assert_eq!(header.column(Field::BirthIfMale), Some(2));
        assert_eq!(header.column(Field::BirthIfFemale), Some(3));
        assert_eq!(header.column(Field::Rating(YearRef::Back(1))), Some(4));
        assert_eq!(header.column(Field::Rating(YearRef::Back(0))), Some(5));
        assert_eq!(header.column(Field::ProposedTitle), Some(6));
    }

    #[test]
    fn long_labels_under_a_short_title_row() {
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = RawSheet {
            name: "DS".into(),
            rows: vec![
                vec![text("DANH SÁCH CÁ NHÂN")],
                vec![
                    text("Số TT"),
                    text("Họ và tên cán bộ"),
                    text("Ngày, tháng, năm sinh"),
                    text("Kết quả đánh giá, xếp loại năm 2025"),
                    text("Danh hiệu thi đua đề nghị"),
                ],
                vec![
                    Cell::Number(1.0),
                    text("Nguyễn Văn A"),
                    text("01/01/1980"),
                    text("HTTNV"),
                    text("LĐTT"),
                ],
            ],
        };
        let header = find_header(&sheet, 2025, &[]).unwrap();
        assert_eq!((header.row, header.first_data_row), (1, 2));
        assert_eq!(header.column(Field::FullName), Some(1));
        assert_eq!(header.column(Field::Birth), Some(2));
        assert_eq!(header.column(Field::Rating(YearRef::Back(0))), Some(3));
        assert_eq!(header.column(Field::ProposedTitle), Some(4));
    }

    #[test]
    fn unit_labels_take_inline_values() {
        assert_eq!(
            unit_field("ĐƠN VỊ: VIỆN TRIẾT HỌC"),
            Some((UnitField::Name, Some("VIỆN TRIẾT HỌC".into())))
        );
        assert_eq!(unit_field("Năm xét"), Some((UnitField::Year, None)));
        assert_eq!(unit_field("Họ và tên"), None);
    }

    #[test]
    fn numbering_rows_are_recognised() {
        let row: Vec<Cell> = ["(1)", "(2)", "(3)", "(4)"]
            .iter()
            .map(|s| Cell::Text(s.to_string()))
            .collect();
        assert!(is_numbering_row(&row));
        let names: Vec<Cell> = ["1", "Nguyễn Văn A", "HTTNV"]
            .iter()
            .map(|s| Cell::Text(s.to_string()))
            .collect();
        assert!(!is_numbering_row(&names));
    }
}

//! Stage 2, map: find the lists in each raw workbook and turn their rows into
//! typed [`Individual`] and [`Collective`] records.
//!
//! Headers are found by their labels, never by position: every row near the
//! top of a sheet is scored by how many of its cells are known labels, and
//! the best row wins. Each cell value is read by a parser for its field; a
//! value that cannot be read is a diagnostic naming the cell, and the row is
//! then left out (an error) or kept (a warning).

mod fields;
mod select;
mod values;

pub use select::{Selection, select};
pub use values::{birth_in, capitalise_name};

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::ingest::{Cell, RawSheet, RawWorkbook};
use crate::model::{Source, Submission, UnitRef};
use crate::regulation::{ExtraColumn, Regulation};
use crate::text::{self, cell_name, fold};
use crate::units::UnitList;

pub use fields::{Field, ListKind, YearRef};
use values::Reader;

/// What mapping needs besides the workbooks.
#[derive(Debug, Clone, Copy)]
pub struct MapContext<'a> {
    pub regulation: &'a Regulation,
    pub units: Option<&'a UnitList>,
    /// The campaign year; workbooks for another year are refused.
    pub year: i32,
}

#[derive(Debug, Default)]
pub struct Mapped {
    pub submissions: Vec<Submission>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One workbook's submission (none when it holds no list) and what map
/// found wrong in it.
pub type MappedWorkbook = (Option<Submission>, Vec<Diagnostic>);

/// The year the campaign is for: the one given, else the one most workbooks
/// state (with a warning saying so).
pub fn decide_year(
    given: Option<i32>,
    workbooks: &[RawWorkbook],
) -> (Option<i32>, Option<Diagnostic>) {
    decide_year_among(given, workbooks.iter().map(workbook_year))
}

/// The year a workbook's title rows name ("năm 2025"), if any.
pub fn workbook_year(workbook: &RawWorkbook) -> Option<i32> {
    unit_info(workbook).year.map(|(y, _)| y)
}

/// [`decide_year`] from each workbook's own year ([`workbook_year`]).
pub fn decide_year_among(
    given: Option<i32>,
    years: impl IntoIterator<Item = Option<i32>>,
) -> (Option<i32>, Option<Diagnostic>) {
    if given.is_some() {
        return (given, None);
    }
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for year in years.into_iter().flatten() {
        *counts.entry(year).or_default() += 1;
    }
    let best = counts
        .iter()
        .max_by_key(|(year, count)| (**count, **year))
        .map(|(y, _)| *y);
    let warning = best.map(|y| {
        Diagnostic::warning(
            "ingest.year-assumed",
            "",
            format!("Không có năm xét (--year hoặc tdkt.toml): dùng năm {y}, năm mà nhiều hồ sơ ghi nhất"),
        )
    });
    (best, warning)
}

/// Maps every workbook (in parallel), keeping the inbox order.
pub fn map_workbooks(workbooks: &[RawWorkbook], context: MapContext<'_>) -> Mapped {
    workbooks
        .par_iter()
        .map(|wb| map_workbook(wb, context))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Workbooks' submissions and diagnostics, in the workbooks' order.
impl FromIterator<MappedWorkbook> for Mapped {
    fn from_iter<I: IntoIterator<Item = MappedWorkbook>>(results: I) -> Self {
        let mut mapped = Mapped::default();
        for (submission, diagnostics) in results {
            mapped.submissions.extend(submission);
            mapped.diagnostics.extend(diagnostics);
        }
        mapped
    }
}

/// Facts about the sending unit, from the `Thông tin đơn vị` sheet or the
/// title rows; each with the cell it came from.
#[derive(Debug, Default, Clone)]
struct UnitInfo {
    name: Option<(String, Place)>,
    code: Option<(String, Place)>,
    year: Option<(i32, Place)>,
    headcount: Option<(i64, Place)>,
}

#[derive(Debug, Clone)]
struct Place {
    sheet: String,
    cell: String,
}

fn unit_info(workbook: &RawWorkbook) -> UnitInfo {
    let mut info = UnitInfo::default();
    for sheet in &workbook.sheets {
        for (r, row) in sheet.rows.iter().enumerate().take(60) {
            let Some((c, label)) = row.iter().enumerate().find(|(_, cell)| !cell.is_empty()) else {
                continue;
            };
            let label_text = label.as_text();
            let Some((field, inline)) = fields::unit_field(&label_text) else {
                continue;
            };
            // The value is the next non-empty cell on the row, or the text
            // after a colon in the label cell itself ("ĐƠN VỊ: VIỆN TRIẾT HỌC").
            let next = row
                .iter()
                .enumerate()
                .skip(c + 1)
                .find(|(_, cell)| !cell.is_empty());
            let (value, col) = match (next, inline) {
                (Some((col, cell)), _) => (cell.clone(), col),
                (None, Some(inline)) => (Cell::Text(inline), c),
                (None, None) => continue,
            };
            let place = Place {
                sheet: sheet.name.clone(),
                cell: cell_name(r as u32, col as u32),
            };
            match field {
                fields::UnitField::Name if info.name.is_none() => {
                    info.name = Some((value.as_text(), place))
                }
                fields::UnitField::Code if info.code.is_none() => {
                    info.code = Some((value.as_text(), place))
                }
                fields::UnitField::Year if info.year.is_none() => {
                    info.year = values::whole_number(&value).map(|y| (y as i32, place))
                }
                fields::UnitField::Headcount if info.headcount.is_none() => {
                    info.headcount = values::whole_number(&value).map(|n| (n, place))
                }
                _ => {}
            }
        }
    }
    if info.year.is_none() {
        info.year = year_in_title_rows(workbook);
    }
    info
}

/// "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025" in the rows above a list.
fn year_in_title_rows(workbook: &RawWorkbook) -> Option<(i32, Place)> {
    for sheet in &workbook.sheets {
        for (r, row) in sheet.rows.iter().enumerate().take(10) {
            for (c, cell) in row.iter().enumerate() {
                let folded = fold(&cell.as_text());
                if !folded.contains("danh sach") && !folded.contains("de nghi") {
                    continue;
                }
                let words: Vec<&str> = folded.split(' ').collect();
                for pair in words.windows(2) {
                    if pair[0] == "nam"
                        && let Ok(year) = pair[1].parse::<i32>()
                        && (1990..=2100).contains(&year)
                    {
                        let place = Place {
                            sheet: sheet.name.clone(),
                            cell: cell_name(r as u32, c as u32),
                        };
                        return Some((year, place));
                    }
                }
            }
        }
    }
    None
}

/// Maps one workbook: its submission, if it has one, and what was wrong.
pub fn map_workbook(workbook: &RawWorkbook, context: MapContext<'_>) -> MappedWorkbook {
    let file = workbook.file.as_str();
    let mut diagnostics = Vec::new();
    let info = unit_info(workbook);

    if let Some((year, place)) = &info.year
        && *year != context.year
    {
        diagnostics.push(
            Diagnostic::error(
                "ingest.wrong-year",
                file,
                format!(
                    "Hồ sơ ghi năm {year}, không phải năm xét {}: tệp không được dùng",
                    context.year
                ),
            )
            .at(&place.sheet, Some(place.cell.clone())),
        );
        return (None, diagnostics);
    }

    if workbook.legacy_cells > 0 {
        diagnostics.push(Diagnostic::warning(
            "ingest.legacy-font",
            file,
            format!(
                "{} ô chữ gõ bằng phông cũ (TCVN3/.VnTime hoặc VNI) đã được chuyển sang Unicode: hãy kiểm tra họ tên",
                workbook.legacy_cells
            ),
        ));
    }
    let unit = identify_unit(workbook, &info, context.units, &mut diagnostics);
    let headcount = info.headcount.as_ref().and_then(|(n, place)| {
        let valid = u32::try_from(*n).ok().filter(|n| *n <= MAX_HEADCOUNT);
        if valid.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    "ingest.bad-number",
                    file,
                    format!(
                        "Tổng số người của đơn vị ghi {n}: phải là số nguyên từ 0 đến {}; \
                         không tính được tỷ lệ khen thưởng theo số này",
                        crate::format::group_thousands(u64::from(MAX_HEADCOUNT))
                    ),
                )
                .at(&place.sheet, Some(place.cell.clone())),
            );
        }
        valid
    });
    let mut submission = Submission {
        file: file.to_string(),
        unit,
        year: Some(context.year),
        headcount,
        individuals: Vec::new(),
        collectives: Vec::new(),
        skipped: Vec::new(),
        columns: Default::default(),
        header_rows: Default::default(),
        outstanding: false,
    };

    let mut found_list = false;
    for sheet in &workbook.sheets {
        let Some(header) = fields::find_header(sheet, context.year, &context.regulation.columns)
        else {
            continue;
        };
        found_list = true;
        let extra = &context.regulation.columns;
        let columns = header
            .columns
            .iter()
            .filter_map(|(c, field)| {
                Some(crate::model::FieldColumn {
                    key: field.key(extra)?,
                    letters: text::column_letters(*c as u32),
                    label: field.describe(context.year, extra),
                })
            })
            .collect();
        submission.columns.insert(sheet.name.clone(), columns);
        submission
            .header_rows
            .insert(sheet.name.clone(), header.row as u32 + 1);
        let reader = Reader {
            file,
            sheet: &sheet.name,
            regulation: context.regulation,
            year: context.year,
        };
        read_list(sheet, &header, &reader, &mut submission, &mut diagnostics);
    }
    if !found_list {
        diagnostics.push(Diagnostic::error(
            "ingest.no-list",
            file,
            "Không tìm thấy danh sách cá nhân hoặc tập thể: cần một dòng tiêu đề có các cột như \
             'Họ và tên', 'Xếp loại', 'Danh hiệu đề nghị' (xem biểu mẫu của tdkt form)",
        ));
    }
    (Some(submission), diagnostics)
}

fn identify_unit(
    workbook: &RawWorkbook,
    info: &UnitInfo,
    units: Option<&UnitList>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<UnitRef> {
    let file = workbook.file.as_str();
    let named = info.name.as_ref().map(|(n, _)| n.as_str());
    let coded = info.code.as_ref().map(|(c, _)| c.as_str());
    let Some(units) = units else {
        let Some(name) = named.or(coded) else {
            diagnostics.push(Diagnostic::warning(
                "ingest.unit-missing",
                file,
                "Hồ sơ không ghi tên đơn vị (trang 'Thông tin đơn vị' hoặc dòng 'Đơn vị: …'): \
                 kết quả được ghi theo tên tệp",
            ));
            return None;
        };
        diagnostics.push(Diagnostic::warning(
            "ingest.unit-unconfirmed",
            file,
            format!("Đơn vị '{name}' chưa được xác nhận vì không có danh sách đơn vị (--units)"),
        ));
        let code = coded
            .map(str::to_string)
            .unwrap_or_else(|| text::slug(name).to_uppercase());
        return Some(UnitRef {
            code,
            name: name.to_string(),
        });
    };
    let found = named
        .and_then(|n| units.find(n))
        .or_else(|| coded.and_then(|c| units.find(c)))
        .or_else(|| named.and_then(|n| units.find_in(n)))
        .or_else(|| unit_in_title_rows(workbook, units))
        .or_else(|| units.find_in(file.rsplit('/').next().unwrap_or(file)));
    match found {
        Some(unit) => Some(UnitRef {
            code: unit.code.clone(),
            name: unit.name.clone(),
        }),
        None => {
            let said = named.or(coded).unwrap_or(file);
            let mut diagnostic = Diagnostic::error(
                "ingest.unknown-unit",
                file,
                format!("Không xác định được đơn vị '{said}' trong danh sách đơn vị của đợt xét"),
            );
            if let Some((_, place)) = &info.name {
                diagnostic = diagnostic.at(&place.sheet, Some(place.cell.clone()));
            }
            diagnostics.push(diagnostic);
            None
        }
    }
}

/// A title-block cell that is exactly a unit's name ("VIỆN TRIẾT HỌC" under
/// the parent body), when no cell says "Đơn vị:".
fn unit_in_title_rows<'u>(
    workbook: &RawWorkbook,
    units: &'u UnitList,
) -> Option<&'u crate::units::Unit> {
    workbook.sheets.iter().find_map(|sheet| {
        sheet
            .rows
            .iter()
            .take(8)
            .flatten()
            .find_map(|cell| match cell {
                Cell::Text(text) if text.split_whitespace().count() <= 12 => units.find(text),
                _ => None,
            })
    })
}

/// The most people a unit's headcount may say.
const MAX_HEADCOUNT: u32 = 1_000_000;

/// Rows that end a list: totals and signature blocks.
fn ends_list_text(text: &str) -> bool {
    // Only these first words can end a list: fold the rest only then
    // ("Nguyễn …" begins most names, "Người lập biểu" a signature).
    let first = text
        .split(|c: char| c.is_whitespace() || c == ':')
        .next()
        .map(fold);
    first.is_some_and(|f| matches!(f.as_str(), "tong" | "cong" | "nguoi" | "thu" | "xac"))
        && ends_list(&fold(text))
}

/// A totals row is its word alone or followed by a count ("Tổng cộng: 3 cá
/// nhân", "Cộng 12"); "Công đoàn …", "Tổng công ty …", "Cộng đồng …" are
/// names. A signature block starts with its role.
fn ends_list(folded: &str) -> bool {
    let totals = ["tong cong", "cong", "tong so", "tong"];
    let total = totals.iter().any(|p| {
        folded == *p
            || folded.strip_prefix(&format!("{p} ")).is_some_and(|rest| {
                rest.split(' ')
                    .next()
                    .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
            })
    });
    let signatures = [
        "nguoi lap bieu",
        "nguoi lap",
        "thu truong don vi",
        "xac nhan",
    ];
    total
        || signatures
            .iter()
            .any(|p| folded == *p || folded.starts_with(&format!("{p} ")))
}

fn skipped(sheet: &RawSheet, row: usize, reason: String) -> crate::model::SkippedRow {
    crate::model::SkippedRow {
        sheet: sheet.name.clone(),
        row: row as u32 + 1,
        reason,
    }
}

/// A row that opens a section of another kind: "I. CÁ NHÂN", "II. TẬP THỂ".
fn section_kind(row: &[Cell]) -> Option<ListKind> {
    // A section row has one or two cells; most rows are data and have more.
    let filled = row.iter().filter(|c| !c.is_empty()).count();
    if filled == 0 || filled > 2 {
        return None;
    }
    let texts: Vec<String> = row
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| fold(&c.as_text()))
        .collect();
    let joined = texts.join(" ");
    let words: Vec<&str> = joined.split(' ').collect();
    // An optional numbering word (I, II, A, 1) and then the section's name.
    let rest = match words.first() {
        Some(w)
            if w.len() <= 4
                && (w.chars().all(|c| "ivxab".contains(c))
                    || w.chars().all(|c| c.is_ascii_digit())) =>
        {
            &words[1..]
        }
        _ => &words[..],
    };
    match rest.join(" ").as_str() {
        "ca nhan" | "danh sach ca nhan" | "khen thuong ca nhan" => Some(ListKind::Individuals),
        "tap the" | "danh sach tap the" | "khen thuong tap the" => Some(ListKind::Collectives),
        _ => None,
    }
}

/// A row naming a sub-unit for the rows below it ("Khoa Triết học"): one
/// text cell, no row number, nothing else.
fn group_label(row: &[Cell], header: &fields::Header) -> Option<String> {
    let filled: Vec<(usize, &Cell)> = row
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let [(col, Cell::Text(text))] = filled.as_slice() else {
        return None;
    };
    let row_number = header.column(Field::RowNumber);
    let in_name_column = [Field::FullName, Field::CollectiveName]
        .iter()
        .any(|f| header.column(*f) == Some(*col));
    // Under a header with row numbers, a name without a number is a group
    // when it reads like one ("Khoa Triết học", "2. Phòng Đào tạo"); a
    // person's or collective's name alone is a row whose other cells are
    // not filled yet, and stays a record. Without row numbers it could be
    // a person, so it stays one.
    let placed = row_number == Some(*col) || (in_name_column && row_number.is_some());
    (placed && names_a_group(text)).then(|| text.clone())
}

/// Words a sub-unit's name begins with, after any numbering: compared with
/// their diacritics, so that "Vũ", "Tô" and "Bàn" (surnames) are not "Vụ",
/// "Tổ" and "Ban" (units).
const GROUP_WORDS: &[&str] = &[
    "khoa",
    "phòng",
    "ban",
    "tổ",
    "bộ môn",
    "trung tâm",
    "văn phòng",
    "viện",
    "phân viện",
    "trường",
    "học viện",
    "đội",
    "chi bộ",
    "đảng bộ",
    "đơn vị",
    "cục",
    "vụ",
    "sở",
    "tạp chí",
    "nhà xuất bản",
    "xí nghiệp",
    "công ty",
    "chi nhánh",
    "trạm",
    "khối",
    "nhóm",
    "lớp",
    "hệ",
    "bộ phận",
    "ký túc xá",
    "thư viện",
    "bệnh viện",
    "chi cục",
    "hội",
    "công đoàn",
    "ủy ban",
    "uỷ ban",
    "quận",
    "huyện",
    "xã",
    "phường",
    "thị trấn",
    "thành phố",
    "tỉnh",
    "lãnh đạo",
    "cán bộ",
    "giảng viên",
    "nghiên cứu viên",
    "công chức",
    "viên chức",
    "người lao động",
    "đảng ủy",
    "đảng uỷ",
    "chi ủy",
    "chi uỷ",
    "đoàn thanh niên",
    "đoàn trường",
    "hội đồng",
];

/// Middle names (folded) that mark a person's name: "Văn", "Thị", "Đức" …
const MIDDLE_NAMES: &[&str] = &[
    "van", "thi", "duc", "huu", "minh", "quang", "thanh", "ngoc", "xuan", "hong", "kim", "anh",
    "cong", "dinh", "quoc", "hoang", "tuan", "manh", "trung", "hai", "thu", "thuy", "bao", "gia",
    "khanh", "phuong", "tien", "viet", "dang", "the", "nhu", "my", "tan", "chi", "hoai", "dieu",
];

/// Vietnamese surnames (folded): a lone text that begins with one, in two to
/// six words, is a person whose other cells are not filled yet.
const SURNAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "doan", "trinh", "truong", "lam", "luong", "luu", "mai",
    "cao", "ha", "ta", "thai", "la", "kieu", "quach", "tang", "trieu", "ton", "au", "hua", "chu",
    "lai", "dao", "van", "khuc", "nong", "lo", "kim", "quan", "ong", "mac", "giang", "tong",
    "thach", "vi", "han", "mach", "tieu", "diep", "lu", "bach", "hong", "tu", "phung", "nghiem",
    "to", "dam", "lac", "luc", "ninh", "khong", "sam", "ma", "cu", "hau", "cam", "kha", "danh",
    "thieu", "ung", "chau", "trang", "dau", "ban", "lieu", "chung", "an", "dong", "phi", "quang",
    "tiet", "yen", "giap", "loc", "khuat", "bien", "hoa", "di", "nhu", "vuong", "thang", "tao",
];

/// Whether a lone text heads a group of rows: it begins (after a numbering
/// such as "1.", "II." or "a)") with a unit word; or else it is not a
/// person's name (a heading such as "Khối cơ quan" or one in capitals).
fn names_a_group(text: &str) -> bool {
    let is_numbering = |w: &str| {
        let f = fold(w);
        !f.is_empty()
            && (f.chars().all(|c| c.is_ascii_digit())
                || (f.len() <= 4 && f.chars().all(|c| "ivx".contains(c)))
                || (w.chars().count() == 1 && w.chars().all(|c| c.is_ascii_alphabetic())))
    };
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '.' | ')' | ':' | ',' | '-'))
        .filter(|w| !w.is_empty())
        .skip_while(|w| is_numbering(w))
        .collect();
    let lower = words.join(" ").to_lowercase();
    let unit = GROUP_WORDS
        .iter()
        .any(|g| lower == *g || lower.starts_with(&format!("{g} ")));
    // A person's name: a surname, then a middle name or only capitalised
    // words ("Đảng ủy Học viện" is not one: "ủy" is neither).
    let capitalised = words
        .iter()
        .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    let middle_name = words
        .get(1)
        .is_some_and(|w| MIDDLE_NAMES.contains(&fold(w).as_str()));
    let person = (2..=6).contains(&words.len())
        && words
            .first()
            .is_some_and(|w| SURNAMES.contains(&fold(w).as_str()))
        && (capitalised || middle_name);
    unit || !person
}

fn read_list(
    sheet: &RawSheet,
    header: &fields::Header,
    reader: &Reader<'_>,
    submission: &mut Submission,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut header = header.clone();
    let name_column = |header: &fields::Header| {
        header
            .column(Field::FullName)
            .or_else(|| header.column(Field::CollectiveName))
    };
    let mut name_col = name_column(&header);
    let mut kind = header.kind;
    let mut group: Option<String> = None;
    // After a totals row or a signature the list has ended: what follows is
    // accounted for as skipped, until a section, a header or a numbered
    // row with a name shows the list goes on (a subtotal, a second list).
    let mut ended = false;
    let mut next = header.first_data_row;
    while next < sheet.rows.len() {
        let r = next;
        next += 1;
        let row = &sheet.rows[r];
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        // A list of the other kind further down brings its own header
        // ("II. TẬP THỂ", then "STT | Tên tập thể | Số thành viên …").
        if may_be_header(row, &header)
            && let Some(below) =
                fields::header_at(sheet, r, reader.year, &reader.regulation.columns)
            && below.row != header.row
        {
            let name = if below.kind == ListKind::Individuals {
                "cá nhân"
            } else {
                "tập thể"
            };
            for skipped_row in r..below.first_data_row {
                submission.skipped.push(skipped(
                    sheet,
                    skipped_row,
                    format!("dòng tiêu đề của danh sách {name} bên dưới"),
                ));
            }
            kind = below.kind;
            group = None;
            name_col = name_column(&below);
            next = below.first_data_row;
            header = below;
            ended = false;
            continue;
        }
        if fields::is_numbering_row(row) {
            submission
                .skipped
                .push(skipped(sheet, r, "dòng đánh số cột (1), (2), (3)…".into()));
            continue;
        }
        let name_cell = name_col.map(|c| sheet.cell(r, c)).unwrap_or(&Cell::Empty);
        let first_text = row
            .iter()
            .find(|c| !c.is_empty())
            .map(Cell::as_text)
            .unwrap_or_default();
        let numbered = header
            .column(Field::RowNumber)
            .is_some_and(|c| matches!(sheet.cell(r, c), Cell::Number(_)));
        if ended {
            let goes_on = section_kind(row).is_some() || (numbered && !name_cell.is_empty());
            if !goes_on {
                submission.skipped.push(skipped(
                    sheet,
                    r,
                    format!("sau cuối danh sách: '{first_text}'"),
                ));
                continue;
            }
            ended = false;
        }
        if !numbered && (ends_list_text(&first_text) || ends_list_text(&name_cell.as_text())) {
            let reason = format!("dòng tổng cộng hoặc chữ ký '{first_text}': hết danh sách");
            submission.skipped.push(skipped(sheet, r, reason));
            ended = true;
            continue;
        }
        if let Some(section) = section_kind(row) {
            kind = section;
            group = None;
            let name = if section == ListKind::Individuals {
                "cá nhân"
            } else {
                "tập thể"
            };
            submission
                .skipped
                .push(skipped(sheet, r, format!("mục mới: danh sách {name}")));
            continue;
        }
        if let Some(label) = group_label(row, &header) {
            submission.skipped.push(skipped(
                sheet,
                r,
                format!("tên nhóm '{label}': ghi vào đơn vị công tác các dòng dưới"),
            ));
            group = Some(label);
            continue;
        }
        if name_cell.is_empty() {
            submission
                .skipped
                .push(skipped(sheet, r, "không có họ tên / tên tập thể".into()));
            diagnostics.extend(nameless_row(
                &submission.file,
                sheet,
                r,
                &header,
                name_col,
                kind,
            ));
            continue;
        }
        let source = Source {
            sheet: sheet.name.clone(),
            row: r as u32 + 1,
        };
        let mut row_diagnostics = Vec::new();
        let usable = |d: &[Diagnostic]| !d.iter().any(Diagnostic::is_error);
        // A kind column decides whom each row proposes.
        let per_row = header
            .column(Field::SubjectKind)
            .map(|c| (c, sheet.cell(r, c)));
        let (kind, header) = match per_row {
            None => (kind, std::borrow::Cow::Borrowed(&header)),
            Some((_, cell)) if cell.is_empty() => {
                (kind, std::borrow::Cow::Owned(header.for_rows_of(kind)))
            }
            Some((c, cell)) => match row_subject(cell) {
                Ok(subject) => (
                    subject,
                    std::borrow::Cow::Owned(header.for_rows_of(subject)),
                ),
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::error("ingest.bad-subject", &submission.file, message)
                            .at(&sheet.name, Some(cell_name(r as u32, c as u32))),
                    );
                    submission.skipped.push(skipped(
                        sheet,
                        r,
                        "đối tượng khen thưởng không xét được".into(),
                    ));
                    continue;
                }
            },
        };
        match kind {
            ListKind::Individuals => {
                let mut record = reader.individual(sheet, r, &header, source, &mut row_diagnostics);
                if record.sub_unit.is_none() {
                    // form-spec: the sub-unit defaults to the group row
                    // above, else to the unit itself.
                    record.sub_unit = group
                        .clone()
                        .or_else(|| submission.unit.as_ref().map(|u| u.name.clone()));
                }
                if usable(&row_diagnostics) {
                    submission.individuals.push(record);
                } else {
                    submission.skipped.push(skipped(
                        sheet,
                        r,
                        "có lỗi (xem các lỗi bên dưới): không dùng".into(),
                    ));
                }
            }
            ListKind::Collectives => {
                let record = reader.collective(sheet, r, &header, source, &mut row_diagnostics);
                if usable(&row_diagnostics) {
                    submission.collectives.push(record);
                } else {
                    submission.skipped.push(skipped(
                        sheet,
                        r,
                        "có lỗi (xem các lỗi bên dưới): không dùng".into(),
                    ));
                }
            }
        }
        diagnostics.extend(row_diagnostics);
    }
}

/// Whom a row proposes, as its kind column says: "Cá nhân" / "CANHAN",
/// "Tập thể" / "TAPTHE"; households and anything else are refused with
/// what to write.
fn row_subject(cell: &Cell) -> Result<ListKind, String> {
    let text = cell.as_text();
    let folded = fold(&text);
    let compact = folded.replace(' ', "");
    let said = |word: &str| compact == word || compact.ends_with(word);
    if said("canhan") || compact == "cn" {
        Ok(ListKind::Individuals)
    } else if said("tapthe") || compact == "tt" {
        Ok(ListKind::Collectives)
    } else if compact.contains("hogiadinh") || compact.contains("giadinh") {
        Err(format!(
            "'{text}': khen thưởng hộ gia đình không có trong quy định của đợt xét này (chỉ cá nhân \
             và tập thể); dòng này không được xét"
        ))
    } else {
        Err(format!(
            "Phân loại khen thưởng '{text}' không rõ: cần 'Cá nhân' (CANHAN) hoặc 'Tập thể' \
             (TAPTHE); dòng này không được xét"
        ))
    }
}

/// Cheap test before scoring a row as a header: no row number where the
/// list numbers its rows, and at least three text cells.
fn may_be_header(row: &[Cell], header: &fields::Header) -> bool {
    let numbered = header
        .column(Field::RowNumber)
        .is_some_and(|c| matches!(row.get(c), Some(Cell::Number(_))));
    !numbered && row.iter().filter(|c| matches!(c, Cell::Text(_))).count() >= 3
}

/// A row without a name that still carries data (a proposal, a date, a
/// rating): an error at the name cell, so that the unit sees it.
fn nameless_row(
    file: &str,
    sheet: &RawSheet,
    r: usize,
    header: &fields::Header,
    name_col: Option<usize>,
    kind: ListKind,
) -> Option<Diagnostic> {
    let row_number = header.column(Field::RowNumber);
    let data: Vec<usize> = sheet.rows[r]
        .iter()
        .enumerate()
        .filter(|(c, cell)| !cell.is_empty() && Some(*c) != row_number)
        .map(|(c, _)| c)
        .collect();
    if data.is_empty() {
        return None;
    }
    let what = if kind == ListKind::Individuals {
        "họ và tên"
    } else {
        "tên tập thể"
    };
    let filled: Vec<String> = data
        .iter()
        .take(4)
        .map(|c| cell_name(r as u32, *c as u32))
        .collect();
    let col = name_col.unwrap_or(data[0]);
    Some(
        Diagnostic::error(
            "ingest.missing-name",
            file,
            format!(
                "Dòng {} có dữ liệu ({}) nhưng không ghi {what}: dòng này không được xét; hãy ghi {what} \
                 hoặc xóa dòng",
                r + 1,
                filled.join(", ")
            ),
        )
        .at(&sheet.name, Some(cell_name(r as u32, col as u32))),
    )
}

/// What `inspect` shows a clerk about how a sheet was read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SheetReading {
    pub sheet: String,
    pub header_row: u32,
    /// The first row of the list below its header (1-based).
    pub first_data_row: u32,
    pub kind: &'static str,
    pub columns: Vec<(String, String)>,
}

/// How each sheet of a workbook was understood (for `tdkt inspect`).
pub fn explain(workbook: &RawWorkbook, year: i32, extra: &[ExtraColumn]) -> Vec<SheetReading> {
    workbook
        .sheets
        .iter()
        .filter_map(|sheet| {
            let header = fields::find_header(sheet, year, extra)?;
            Some(SheetReading {
                sheet: sheet.name.clone(),
                header_row: header.row as u32 + 1,
                first_data_row: header.first_data_row as u32 + 1,
                kind: match header.kind {
                    ListKind::Individuals => "Cá nhân",
                    ListKind::Collectives => "Tập thể",
                },
                columns: header
                    .columns
                    .iter()
                    .map(|(c, f)| (text::column_letters(*c as u32), f.describe(year, extra)))
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ends_list;

    #[test]
    fn group_headings_read_like_sub_units_and_names_do_not() {
        use super::names_a_group;
        for group in [
            "Khoa Triết học",
            "2. Phòng Đào tạo",
            "II. Bộ môn Lịch sử",
            "VĂN PHÒNG VIỆN",
            "Lãnh đạo Viện",
            "Khối cơ quan",
            "Tổ Văn phòng",
            "Đảng ủy Học viện",
            "Đoàn thanh niên",
        ] {
            assert!(names_a_group(group), "{group}");
        }
        for name in [
            "Phạm Thị Mai",
            "Nguyễn Văn Tổ",
            "Lê Văn Khoa",
            "NGUYỄN VĂN HÙNG",
            "Vũ Thị Lan",
            "Tô Văn Phòng",
            "Nguyen Van An",
            "nguyễn thị hoa",
            "Trần Hưng Đạo",
        ] {
            assert!(!names_a_group(name), "{name}");
        }
    }

    #[test]
    fn totals_and_signatures_end_a_list_but_names_do_not() {
        for end in [
            "cong",
            "tong cong",
            "tong cong 3 ca nhan 1 tap the",
            "cong 12",
            "tong so 15 nguoi",
            "nguoi lap bieu",
            "thu truong don vi",
        ] {
            assert!(ends_list(end), "{end}");
        }
        for name in [
            "cong doan co so hoc vien",
            "tong cong ty dien luc",
            "cong dong nguoi viet",
            "tong bien tap tap chi",
        ] {
            assert!(!ends_list(name), "{name}");
        }
    }
}

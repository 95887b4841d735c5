//! `tdkt import`: an earlier year's list of grants, from an Excel file,
//! into the register — for offices that start with tdkt mid-history, so
//! the consecutive-year rules see what was granted before.
//!
//! The file is a table with a header row: name, date of birth, unit,
//! title or award, evaluation year, decision number and date, and
//! optionally the register number. The register book tdkt writes
//! (`so-khen-thuong-<year>.xlsx`) has exactly these columns.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::ingest::{Cell, RawSheet};
use crate::issued::DocumentNumber;
use crate::regulation::Regulation;
use crate::text::{cell_name, clean, fold};

/// One earlier grant, as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedGrant {
    pub name: String,
    pub birth: String,
    pub unit_name: String,
    pub honour: String,
    pub year: i32,
    /// The decision's number and document code: 5 and "QĐ-HVCTQG".
    pub number: u32,
    pub document_code: String,
    pub date: NaiveDate,
    pub register_number: Option<String>,
    /// 1-based row in the file, for messages.
    pub row: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Birth,
    Unit,
    Honour,
    Year,
    Decision,
    Date,
    RegisterNumber,
}

/// Folded header labels and the column each names.
const LABELS: &[(&str, Column)] = &[
    ("ho va ten", Column::Name),
    ("ho ten", Column::Name),
    ("ten tap the", Column::Name),
    ("ho va ten tap the", Column::Name),
    ("ngay sinh", Column::Birth),
    ("nam sinh", Column::Birth),
    ("don vi", Column::Unit),
    ("don vi cong tac", Column::Unit),
    ("danh hieu", Column::Honour),
    ("hinh thuc khen thuong", Column::Honour),
    ("danh hieu hinh thuc khen thuong", Column::Honour),
    ("khen thuong", Column::Honour),
    ("nam", Column::Year),
    ("nam xet", Column::Year),
    ("nam khen thuong", Column::Year),
    ("quyet dinh so", Column::Decision),
    ("so quyet dinh", Column::Decision),
    ("so qd", Column::Decision),
    ("ngay ky", Column::Date),
    ("ngay quyet dinh", Column::Date),
    ("ngay qd", Column::Date),
    ("so so vang", Column::RegisterNumber),
];

const REQUIRED: [Column; 6] = [
    Column::Name,
    Column::Honour,
    Column::Year,
    Column::Decision,
    Column::Date,
    Column::Unit,
];

/// Reads every grant of the file's first sheet with a header; a row that
/// cannot be read is a diagnostic naming its cell, and is left out.
pub fn read_grants(
    path: &Path,
    regulation: &Regulation,
    reader: &crate::ingest::Reader,
) -> Result<(Vec<ImportedGrant>, Vec<Diagnostic>)> {
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let workbook = reader
        .read(path, &file)
        .map_err(|d| anyhow::anyhow!("{}: {}", d.file, d.message))?;
    let Some((sheet, header_row, columns)) = workbook
        .sheets
        .iter()
        .find_map(|sheet| find_header(sheet).map(|(row, columns)| (sheet, row, columns)))
    else {
        bail!(
            "{file}: không tìm thấy dòng tiêu đề có các cột Họ và tên, Đơn vị, Danh hiệu, Năm, \
             Quyết định số, Ngày ký"
        );
    };
    let mut grants = Vec::new();
    let mut diagnostics = Vec::new();
    for r in header_row + 1..sheet.rows.len() {
        let text = |column: Column| -> String {
            columns
                .iter()
                .find(|(_, c)| *c == column)
                .map(|(col, _)| clean(&sheet.cell(r, *col).as_text()))
                .unwrap_or_default()
        };
        if text(Column::Name).is_empty() {
            continue;
        }
        let place = |column: Column| {
            let col = columns
                .iter()
                .find(|(_, c)| *c == column)
                .map_or(0, |(c, _)| *c);
            cell_name(r as u32, col as u32)
        };
        match read_row(&text, sheet, r, &columns, regulation) {
            Ok(grant) => grants.push(grant),
            Err((column, message)) => diagnostics.push(
                Diagnostic::error("import.bad-row", &file, message)
                    .at(&sheet.name, Some(place(column))),
            ),
        }
    }
    Ok((grants, diagnostics))
}

fn find_header(sheet: &RawSheet) -> Option<(usize, Vec<(usize, Column)>)> {
    sheet.rows.iter().take(30).enumerate().find_map(|(r, row)| {
        let columns: Vec<(usize, Column)> = row
            .iter()
            .enumerate()
            .filter_map(|(c, cell)| {
                let label = fold(&cell.as_text());
                LABELS
                    .iter()
                    .find(|(l, _)| *l == label)
                    .map(|(_, column)| (c, *column))
            })
            .collect();
        REQUIRED
            .iter()
            .all(|needed| columns.iter().any(|(_, c)| c == needed))
            .then_some((r, columns))
    })
}

fn read_row(
    text: &dyn Fn(Column) -> String,
    sheet: &RawSheet,
    r: usize,
    columns: &[(usize, Column)],
    regulation: &Regulation,
) -> Result<ImportedGrant, (Column, String)> {
    let honour_text = text(Column::Honour);
    let honour = regulation
        .code_for(&honour_text)
        .ok_or_else(|| {
            (
                Column::Honour,
                format!("'{honour_text}' không có trong quy định"),
            )
        })?
        .to_string();
    let year: i32 = text(Column::Year).parse().map_err(|_| {
        (
            Column::Year,
            format!("Năm '{}' không hợp lệ", text(Column::Year)),
        )
    })?;
    let decision = text(Column::Decision);
    let DocumentNumber {
        number,
        code: document_code,
    } = DocumentNumber::parse(&decision).ok_or_else(|| {
        (
            Column::Decision,
            format!("Số quyết định '{decision}' cần dạng 05/QĐ-HVCTQG"),
        )
    })?;
    let date_col = columns
        .iter()
        .find(|(_, c)| *c == Column::Date)
        .map(|(c, _)| *c)
        .unwrap_or(0);
    let date = match sheet.cell(r, date_col) {
        Cell::Date(d) => Some(d.date()),
        other => NaiveDate::parse_from_str(&clean(&other.as_text()), "%d/%m/%Y").ok(),
    }
    .ok_or_else(|| {
        (
            Column::Date,
            format!("Ngày ký '{}' cần dạng dd/mm/yyyy", text(Column::Date)),
        )
    })?;
    let register_number = Some(text(Column::RegisterNumber)).filter(|t| !t.is_empty());
    // Names and births as a workbook's are read, so that "NGUYỄN VĂN A,
    // 5/3/79" here is "Nguyễn Văn A, 05/03/1979" there.
    let birth_col = columns
        .iter()
        .find(|(_, c)| *c == Column::Birth)
        .map(|(c, _)| *c);
    let birth = match birth_col.map(|c| sheet.cell(r, c)) {
        None => String::new(),
        Some(cell) if cell.is_empty() => String::new(),
        Some(cell) => crate::map::birth_in(cell)
            .map(|b| b.display_vi())
            .ok_or_else(|| {
                (
                    Column::Birth,
                    format!("Ngày sinh '{}' không phải là ngày hợp lệ", cell.as_text()),
                )
            })?,
    };
    Ok(ImportedGrant {
        name: crate::map::capitalise_name(&text(Column::Name)),
        birth,
        unit_name: text(Column::Unit),
        honour,
        year,
        number,
        document_code,
        date,
        register_number,
        row: r as u32 + 1,
    })
}

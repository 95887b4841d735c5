//! The register book (Sổ khen thưởng): every grant of the decisions signed
//! in a year, as an .xlsx for the secretariat and a PDF to print and bind.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use serde::Serialize;

use crate::register::BookEntry;
use crate::regulation::Regulation;
use crate::render::Renderer;
use crate::settings::DocumentSettings;
use crate::text::upper;
use crate::write::Output;

/// One row of the book, as the template sees it.
#[derive(Debug, Serialize)]
struct BookRow<'a> {
    register_number: &'a str,
    name: &'a str,
    birth: &'a str,
    unit_name: &'a str,
    honour_name: String,
    year: i32,
    document_number: &'a str,
    date: String,
}

/// The book of one year (TEMPLATES.md: BookView).
#[derive(Debug, Serialize)]
struct BookView<'a> {
    agency: String,
    agency_name: &'a str,
    year: i32,
    decisions: usize,
    rows: Vec<BookRow<'a>>,
}

const HEADERS: [&str; 8] = [
    "Số sổ vàng",
    "Họ và tên / Tập thể",
    "Ngày sinh",
    "Đơn vị",
    "Danh hiệu, hình thức khen thưởng",
    "Năm xét",
    "Quyết định số",
    "Ngày ký",
];

/// Writes `so-khen-thuong/so-khen-thuong-<year>.xlsx` and `.pdf` for every
/// year with signed decisions; returns how many files.
pub fn write_books(
    entries: &[BookEntry],
    regulation: &Regulation,
    renderer: &Renderer,
    settings: &DocumentSettings,
    output: &Output,
) -> Result<usize> {
    let mut by_year: BTreeMap<i32, Vec<&BookEntry>> = BTreeMap::new();
    for entry in entries {
        by_year.entry(entry.signed_year).or_default().push(entry);
    }
    for (year, entries) in &by_year {
        let rows: Vec<BookRow<'_>> = entries
            .iter()
            .map(|e| BookRow {
                register_number: &e.register_number,
                name: &e.name,
                birth: &e.birth,
                unit_name: &e.unit_name,
                honour_name: regulation
                    .honour(&e.honour)
                    .map_or_else(|| e.honour.clone(), |h| h.name.clone()),
                year: e.year,
                document_number: &e.document_number,
                date: e.date.format("%d/%m/%Y").to_string(),
            })
            .collect();
        let decisions = entries
            .iter()
            .map(|e| e.document_number.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let folder = PathBuf::from("so-khen-thuong");
        output.write(
            &folder.join(format!("so-khen-thuong-{year}.xlsx")),
            &workbook(*year, &rows)?,
        )?;
        let view = BookView {
            agency: upper(&settings.agency.name),
            agency_name: &settings.agency.name,
            year: *year,
            decisions,
            rows,
        };
        renderer.render_document(
            "so-khen-thuong.typ",
            &view,
            &folder.join(format!("so-khen-thuong-{year}.pdf")),
            settings,
            output,
        )?;
    }
    Ok(by_year.len() * 2)
}

fn workbook(year: i32, rows: &[BookRow<'_>]) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 1, 1)?;
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&created)
            .set_title(format!("Sổ khen thưởng năm {year}")),
    );
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDEBF7)
        .set_text_wrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name(format!("Năm {year}"))?;
    let widths = [14.0, 30.0, 12.0, 30.0, 30.0, 8.0, 18.0, 12.0];
    for (col, (label, width)) in HEADERS.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, col as u16, *label, &header)?;
        sheet.set_column_width(col as u16, width)?;
    }
    for (row, r) in (1u32..).zip(rows) {
        let texts = [
            r.register_number,
            r.name,
            r.birth,
            r.unit_name,
            &r.honour_name,
        ];
        for (col, text) in texts.into_iter().enumerate() {
            sheet.write_string(row, col as u16, text)?;
        }
        sheet.write_number(row, 5, f64::from(r.year))?;
        sheet.write_string(row, 6, r.document_number)?;
        sheet.write_string(row, 7, &r.date)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !rows.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)?;
    }
    Ok(workbook.save_to_buffer()?)
}

//! Feedback workbooks.
//!
//! One per unit (`phan-hoi/<unit>.xlsx`): a summary sheet, then the unit's
//! rows as tdkt read them, with every cell a rule found wrong filled in
//! colour and carrying a note that says what is wrong and what would be
//! accepted, a verdict per proposal, and the problems met while reading.
//! One for the secretariat (`ket-qua-xet.xlsx`): every verdict of every unit
//! in one filterable table, the tallies per unit and the quotas.

mod overview;
mod rows;
mod unit;

use std::path::{Path, PathBuf};

use anyhow::Result;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::diagnostic::Diagnostic;
use crate::model::{Submission, SubmissionRecords};
use crate::regulation::Regulation;
use crate::validate::{Status, Validation};
use crate::write::Output;
use overview::overview_workbook;
use rows::Value;
use unit::{PerUnit, unit_workbook};

/// Everything a feedback workbook is made from.
pub struct FeedbackInput<'a> {
    /// The submissions as the units wrote them (their records may be set
    /// aside: `records` has them).
    pub submissions: &'a [Submission],
    /// Each submission's records as written, and as judged with the
    /// history the register added (what differs is shown, marked as the
    /// register's).
    pub records: &'a dyn SubmissionRecords,
    pub validation: &'a Validation,
    pub diagnostics: &'a [Diagnostic],
    pub regulation: &'a Regulation,
    pub year: i32,
}

/// Writes one workbook per submission and the overview; returns how many.
pub fn write_feedback(
    input: &FeedbackInput<'_>,
    output: &Output,
    progress: &dyn crate::progress::Progress,
) -> Result<usize> {
    use rayon::prelude::*;
    let paths = feedback_paths(input.submissions);
    let per_unit = PerUnit::gather(input);
    // One workbook at a time per thread, the overview beside the units'.
    let (overview, units) = rayon::join(
        || -> Result<()> {
            output.write(Path::new("ket-qua-xet.xlsx"), &overview_workbook(input)?)?;
            progress.advance(1);
            Ok(())
        },
        || {
            input
                .submissions
                .par_iter()
                .enumerate()
                .try_for_each(|(index, _)| -> Result<()> {
                    output.write(&paths[index], &unit_workbook(input, &per_unit, index)?)?;
                    progress.advance(1);
                    Ok(())
                })
        },
    );
    overview?;
    units?;
    Ok(input.submissions.len() + 1)
}

/// Each submission's feedback file, `phan-hoi/<unit>.xlsx`: two units whose
/// codes make one file name ("V.TH", "VTH") get "vth.xlsx" and "vth-2.xlsx",
/// in the submissions' order, so no unit's feedback is lost.
fn feedback_paths(submissions: &[Submission]) -> Vec<PathBuf> {
    let mut taken = std::collections::HashSet::new();
    submissions
        .iter()
        .map(|submission| {
            let stem = crate::text::slug(&submission.unit_code());
            let name = (1..)
                .map(|n| match n {
                    1 => format!("{stem}.xlsx"),
                    n => format!("{stem}-{n}.xlsx"),
                })
                .find(|name| taken.insert(name.clone()))
                .unwrap_or_default();
            PathBuf::from("phan-hoi").join(name)
        })
        .collect()
}

/// The feedback workbook of the `index`th submission, as bytes (what
/// `write_feedback` writes as `phan-hoi/<unit>.xlsx`).
pub fn unit_feedback(input: &FeedbackInput<'_>, index: usize) -> Result<Vec<u8>> {
    unit_workbook(input, &PerUnit::gather(input), index)
}

/// The cell formats of a feedback workbook.
struct Formats {
    header: Format,
    wrap: Format,
    by_status: [(Status, Format); 4],
    input_problem: Format,
}

impl Formats {
    fn new() -> Self {
        let fill = |color: u32| {
            Format::new()
                .set_background_color(color)
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
        };
        Formats {
            header: Format::new()
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_background_color(0xDDEBF7)
                .set_text_wrap(),
            wrap: Format::new().set_text_wrap().set_border(FormatBorder::Thin),
            by_status: [
                (Status::Eligible, fill(0xC6EFCE)),
                (Status::NotEligible, fill(0xFFC7CE)),
                (Status::Held, fill(0xFFEB9C)),
                (Status::CannotVerify, fill(0xFFEB9C)),
            ],
            input_problem: fill(0xF8CBAD),
        }
    }

    fn status(&self, status: Status) -> &Format {
        &self
            .by_status
            .iter()
            .find(|(s, _)| *s == status)
            .expect("every status has a format")
            .1
    }
}

fn new_workbook(title: &str) -> Result<Workbook> {
    let mut workbook = Workbook::new();
    // A fixed date: the same input gives the same bytes.
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title(title)
            .set_author("tdkt"),
    );
    Ok(workbook)
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Value::Text(text) => sheet.write_string_with_format(row, col, text, format)?,
        Value::Number(n) => sheet.write_number_with_format(row, col, *n, format)?,
        Value::Empty => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

/// Printed landscape on A4, the header on every page.
fn print_wide(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    // Row 0 always exists here; the call cannot fail.
    let _ = sheet.set_repeat_rows(0, 0);
}

fn problems_sheet(
    sheet: &mut Worksheet,
    problems: &[&Diagnostic],
    formats: &Formats,
    with_file: bool,
) -> Result<(), XlsxError> {
    sheet.set_name("Lỗi khi đọc")?;
    let mut columns = vec![
        ("Mức", 10.0),
        ("Trang", 16.0),
        ("Ô", 8.0),
        ("Mã", 24.0),
        ("Nội dung", 90.0),
    ];
    if with_file {
        columns.insert(0, ("Tệp", 28.0));
    }
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &formats.header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (row, d) in (1..).zip(problems) {
        let mut cells = vec![
            if d.is_error() { "Lỗi" } else { "Cảnh báo" },
            d.sheet.as_deref().unwrap_or(""),
            d.cell.as_deref().unwrap_or(""),
            d.code.as_str(),
            d.message.as_str(),
        ];
        if with_file {
            cells.insert(0, d.file.as_str());
        }
        for (col, text) in cells.into_iter().enumerate() {
            sheet.write_string(row, col as u16, text)?;
        }
    }
    if !problems.is_empty() {
        sheet.autofilter(0, 0, problems.len() as u32, columns.len() as u16 - 1)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

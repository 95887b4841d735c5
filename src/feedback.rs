//! Feedback workbooks: one per unit (`phan-hoi/<unit>.xlsx`), listing every
//! proposal as tdkt read it, its verdict and, for each failed rule, what is
//! wrong, so the unit can correct and resend.

use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook};

use crate::diagnostic::Diagnostic;
use crate::model::Submission;
use crate::text::slug;
use crate::validate::{Status, Validation};
use crate::write::Output;

/// Writes one workbook per submission; returns how many.
pub fn write_feedback(
    submissions: &[Submission],
    validation: &Validation,
    diagnostics: &[Diagnostic],
    output: &Output,
) -> Result<usize> {
    for (index, submission) in submissions.iter().enumerate() {
        let bytes = feedback_workbook(index, submission, validation, diagnostics)?;
        let name = format!("{}.xlsx", slug(&submission.unit_code()));
        output.write(&PathBuf::from("phan-hoi").join(name), &bytes)?;
    }
    Ok(submissions.len())
}

fn feedback_workbook(
    index: usize,
    submission: &Submission,
    validation: &Validation,
    diagnostics: &[Diagnostic],
) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title("Phản hồi kết quả xét"),
    );
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDEBF7)
        .set_text_wrap();
    let bad = Format::new()
        .set_background_color(0xFFC7CE)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let held = Format::new()
        .set_background_color(0xFFEB9C)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let good = Format::new()
        .set_background_color(0xC6EFCE)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);

    let sheet = workbook.add_worksheet();
    sheet.set_name("Kết quả xét")?;
    sheet.write_string(
        0,
        0,
        format!(
            "KẾT QUẢ XÉT HỒ SƠ: {} ({})",
            submission.unit_name(),
            submission.file
        ),
    )?;
    let columns = [
        "Trang",
        "Dòng",
        "Họ và tên / Tập thể",
        "Đề nghị",
        "Kết quả",
        "Lý do",
        "Tiêu chuẩn",
    ];
    let widths = [12.0, 6.0, 28.0, 12.0, 20.0, 70.0, 28.0];
    for (col, (name, width)) in columns.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(2, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, width)?;
    }
    let verdicts = validation
        .verdicts
        .iter()
        .filter(|v| v.record.submission == index);
    for (row, verdict) in (3..).zip(verdicts) {
        let format = match verdict.status {
            Status::Eligible => &good,
            Status::Held | Status::CannotVerify => &held,
            Status::NotEligible => &bad,
        };
        let reasons: Vec<&str> = verdict.failed.iter().map(|f| f.message.as_str()).collect();
        let rules: Vec<&str> = verdict.failed.iter().map(|f| f.rule.as_str()).collect();
        sheet.write_string(row, 0, &verdict.sheet)?;
        sheet.write_number(row, 1, f64::from(verdict.row))?;
        sheet.write_string(row, 2, &verdict.subject)?;
        sheet.write_string(row, 3, &verdict.proposal)?;
        sheet.write_string_with_format(row, 4, verdict.status.label_vi(), format)?;
        sheet.write_string(row, 5, reasons.join("\n"))?;
        sheet.write_string(row, 6, rules.join("\n"))?;
    }

    let problems = workbook.add_worksheet();
    problems.set_name("Lỗi khi đọc")?;
    let columns = ["Mức", "Trang", "Ô", "Nội dung"];
    let widths = [10.0, 14.0, 8.0, 90.0];
    for (col, (name, width)) in columns.iter().zip(widths).enumerate() {
        problems.write_string_with_format(0, col as u16, *name, &header)?;
        problems.set_column_width(col as u16, width)?;
    }
    for (row, d) in (1..).zip(diagnostics.iter().filter(|d| d.file == submission.file)) {
        problems.write_string(row, 0, if d.is_error() { "Lỗi" } else { "Cảnh báo" })?;
        problems.write_string(row, 1, d.sheet.as_deref().unwrap_or(""))?;
        problems.write_string(row, 2, d.cell.as_deref().unwrap_or(""))?;
        problems.write_string(row, 3, &d.message)?;
    }
    Ok(workbook.save_to_buffer()?)
}

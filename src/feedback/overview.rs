//! The secretariat's overview workbook: every verdict of every unit,
//! tallies per unit and honour, quotas and reading problems, filterable.

use anyhow::Result;
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{FeedbackInput, Formats, new_workbook, print_wide, problems_sheet};
use crate::diagnostic::Diagnostic;
use crate::regulation::Subject;
use crate::validate::{Status, Verdict};

/// The secretariat's overview: every verdict, tallies per unit, quotas and
/// every reading problem, each a filterable table.
pub(super) fn overview_workbook(input: &FeedbackInput<'_>) -> Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = new_workbook("Tổng hợp kết quả xét thi đua, khen thưởng")?;
    // A row per verdict (88,000 at a ministry's size) and per problem: the
    // rows go to a temporary file as they are written, not held.
    verdicts_sheet(workbook.add_worksheet_with_low_memory()?, input, &formats)?;
    tallies_sheet(workbook.add_worksheet(), input, &formats)?;
    quotas_sheet(workbook.add_worksheet(), input, &formats)?;
    let problems: Vec<&Diagnostic> = input.diagnostics.iter().collect();
    problems_sheet(
        workbook.add_worksheet_with_low_memory()?,
        &problems,
        &formats,
        true,
    )?;
    Ok(workbook.save_to_buffer()?)
}

fn header_row(
    sheet: &mut Worksheet,
    columns: &[(&str, f64)],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &formats.header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    print_wide(sheet);
    Ok(())
}

fn verdicts_sheet(
    sheet: &mut Worksheet,
    input: &FeedbackInput<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Kết quả xét")?;
    let columns = [
        ("Đơn vị", 10.0),
        ("Tên đơn vị", 28.0),
        ("Tệp", 24.0),
        ("Trang", 12.0),
        ("Dòng", 7.0),
        ("Cá nhân / Tập thể", 10.0),
        ("Họ và tên / Tên tập thể", 28.0),
        ("Đề nghị", 12.0),
        ("Kết quả", 20.0),
        ("Tiêu chuẩn không đạt", 28.0),
        ("Lý do", 80.0),
    ];
    header_row(sheet, &columns, formats)?;
    let verdicts = &input.validation.verdicts;
    for (row, v) in (1u32..).zip(verdicts) {
        let submission = &input.submissions[v.record.submission];
        let kind = match v.record.subject {
            Subject::Individual => "Cá nhân",
            Subject::Collective => "Tập thể",
        };
        let rules: Vec<&str> = v.failed.iter().map(|f| f.rule.as_str()).collect();
        let reasons: Vec<&str> = v.failed.iter().map(|f| f.message.as_str()).collect();
        let texts = [
            v.unit.as_str(),
            &submission.unit_name(),
            v.file.as_str(),
            v.sheet.as_str(),
        ];
        for (col, text) in texts.into_iter().enumerate() {
            sheet.write_string(row, col as u16, text)?;
        }
        sheet.write_number(row, 4, f64::from(v.row))?;
        sheet.write_string(row, 5, kind)?;
        sheet.write_string(row, 6, &v.subject)?;
        sheet.write_string(row, 7, &v.proposal)?;
        sheet.write_string_with_format(row, 8, v.status.label_vi(), formats.status(v.status))?;
        sheet.write_string(row, 9, rules.join("\n"))?;
        sheet.write_string(row, 10, reasons.join("\n"))?;
    }
    sheet.autofilter(0, 0, verdicts.len() as u32, columns.len() as u16 - 1)?;
    Ok(())
}

fn tallies_sheet(
    sheet: &mut Worksheet,
    input: &FeedbackInput<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Theo đơn vị")?;
    let columns = [
        ("Đơn vị", 10.0),
        ("Tên đơn vị", 30.0),
        ("Đề nghị", 12.0),
        ("Số đề nghị", 10.0),
        ("Đủ điều kiện", 10.0),
        ("Không đủ", 10.0),
        ("Tạm hoãn", 10.0),
        ("Chưa xác minh", 10.0),
    ];
    header_row(sheet, &columns, formats)?;
    let mut row = 1u32;
    let verdicts_of = input.validation.by_submission(input.submissions.len());
    for (submission, verdicts) in input.submissions.iter().zip(&verdicts_of) {
        for honour in &input.regulation.honours {
            let of_honour: Vec<&Verdict> = verdicts
                .iter()
                .copied()
                .filter(|v| v.proposal == honour.code)
                .collect();
            if of_honour.is_empty() {
                continue;
            }
            let count = |s: Status| of_honour.iter().filter(|v| v.status == s).count() as f64;
            sheet.write_string(row, 0, submission.unit_code())?;
            sheet.write_string(row, 1, submission.unit_name())?;
            sheet.write_string(row, 2, &honour.code)?;
            sheet.write_number(row, 3, of_honour.len() as f64)?;
            for (col, status) in (4u16..).zip([
                Status::Eligible,
                Status::NotEligible,
                Status::Held,
                Status::CannotVerify,
            ]) {
                sheet.write_number(row, col, count(status))?;
            }
            row += 1;
        }
    }
    if row > 1 {
        sheet.autofilter(0, 0, row - 1, columns.len() as u16 - 1)?;
    }
    Ok(())
}

fn quotas_sheet(
    sheet: &mut Worksheet,
    input: &FeedbackInput<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Hạn mức")?;
    let columns = [
        ("Đơn vị", 10.0),
        ("Hạn mức của", 12.0),
        ("Tối đa", 8.0),
        ("Đề nghị", 8.0),
        ("Kết quả", 16.0),
        ("Cách tính", 50.0),
    ];
    header_row(sheet, &columns, formats)?;
    for (row, q) in (1u32..).zip(&input.validation.quotas) {
        sheet.write_string(row, 0, &q.unit)?;
        sheet.write_string(row, 1, &q.proposal)?;
        sheet.write_number(row, 2, f64::from(q.allowed))?;
        sheet.write_number(row, 3, f64::from(q.proposed))?;
        let (label, status) = if q.ok {
            ("Trong hạn mức", Status::Eligible)
        } else {
            ("Vượt hạn mức", Status::NotEligible)
        };
        sheet.write_string_with_format(row, 4, label, formats.status(status))?;
        sheet.write_string(row, 5, &q.basis)?;
    }
    Ok(())
}

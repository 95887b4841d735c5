//! One unit's feedback workbook: a summary, its rows with every cell a
//! rule found wrong coloured and annotated, and the reading problems.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use rust_xlsxwriter::{Format, Note, Worksheet, XlsxError};

use super::rows::{Column, Record, Value, history_years, list_columns};
use super::{FeedbackInput, Formats, new_workbook, print_wide, problems_sheet, write_value};
use crate::diagnostic::Diagnostic;
use crate::model::Submission;
use crate::regulation::{Regulation, Subject};
use crate::validate::{Status, Verdict};

/// What belongs to each submission: its verdicts and its workbook's
/// problems, gathered in one pass for all units (filtering per unit would
/// read every proposal once per unit).
pub(super) struct PerUnit<'a> {
    verdicts: Vec<Vec<&'a Verdict>>,
    problems: Vec<Vec<&'a Diagnostic>>,
}

impl<'a> PerUnit<'a> {
    pub(super) fn gather(input: &FeedbackInput<'a>) -> Self {
        let verdicts = input.validation.by_submission(input.submissions.len());
        // Several submissions may share a file name only in theory; each
        // gets that file's problems, as the filter did.
        let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
        for diagnostic in input.diagnostics {
            by_file
                .entry(&diagnostic.file)
                .or_default()
                .push(diagnostic);
        }
        let problems = input
            .submissions
            .iter()
            .map(|s| by_file.get(s.file.as_str()).cloned().unwrap_or_default())
            .collect();
        PerUnit { verdicts, problems }
    }
}

pub(super) fn unit_workbook(
    input: &FeedbackInput<'_>,
    per_unit: &PerUnit<'_>,
    index: usize,
) -> Result<Vec<u8>> {
    // Read back from disk when the build set the records aside.
    let written = input.records.written(index)?;
    let submission: &Submission = &written;
    let verdicts = &per_unit.verdicts[index];
    let problems = &per_unit.problems[index];
    let formats = Formats::new();
    let mut workbook = new_workbook("Phản hồi kết quả xét hồ sơ thi đua, khen thưởng")?;

    summary_sheet(
        workbook.add_worksheet(),
        input,
        submission,
        verdicts,
        problems,
        &formats,
    )?;
    let judged = input.records.judged(index)?;
    let judged_submission: &Submission = &judged;
    let lists = [
        (
            "Cá nhân",
            Subject::Individual,
            individuals(submission),
            individuals(judged_submission),
        ),
        (
            "Tập thể",
            Subject::Collective,
            collectives(submission),
            collectives(judged_submission),
        ),
    ];
    for (name, subject, records, judged) in lists {
        if records.is_empty() {
            continue;
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let list = List {
            subject,
            records: &records,
            judged: &judged,
            verdicts,
            problems,
            years: history_years(judged_submission, subject),
        };
        list_sheet(sheet, input, &list, &formats)?;
    }
    problems_sheet(workbook.add_worksheet(), problems, &formats, false)?;
    Ok(workbook.save_to_buffer()?)
}

fn summary_sheet(
    sheet: &mut Worksheet,
    input: &FeedbackInput<'_>,
    submission: &Submission,
    verdicts: &[&Verdict],
    problems: &[&Diagnostic],
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Tóm tắt")?;
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 16)?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        format!("KẾT QUẢ XÉT HỒ SƠ THI ĐUA, KHEN THƯỞNG NĂM {}", input.year),
        &bold,
    )?;
    let facts = [
        ("Đơn vị", submission.unit_name()),
        ("Tệp hồ sơ", submission.file.clone()),
        (
            "Số cá nhân đọc được",
            submission.individuals.len().to_string(),
        ),
        (
            "Số tập thể đọc được",
            submission.collectives.len().to_string(),
        ),
        ("Số lỗi, cảnh báo khi đọc", problems.len().to_string()),
    ];
    for (row, (label, value)) in (2..).zip(facts) {
        sheet.write_string(row, 0, label)?;
        sheet.write_string(row, 1, value)?;
    }
    let mut row = 8;
    sheet.write_string_with_format(row, 0, "Kết quả", &formats.header)?;
    sheet.write_string_with_format(row, 1, "Số đề nghị", &formats.header)?;
    for status in [
        Status::Eligible,
        Status::NotEligible,
        Status::Held,
        Status::CannotVerify,
    ] {
        row += 1;
        let count = verdicts.iter().filter(|v| v.status == status).count();
        sheet.write_string_with_format(row, 0, status.label_vi(), formats.status(status))?;
        sheet.write_number(row, 1, count as f64)?;
    }
    row += 2;
    let quotas = input
        .validation
        .quotas
        .iter()
        .filter(|q| q.unit == submission.unit_code() && !q.ok);
    for quota in quotas {
        sheet.write_string_with_format(
            row,
            0,
            format!(
                "Vượt hạn mức {}: đề nghị {}, tối đa {} ({})",
                quota.proposal, quota.proposed, quota.allowed, quota.basis
            ),
            formats.status(Status::NotEligible),
        )?;
        row += 1;
    }
    row += 1;
    let legend = [
        "Cách đọc: trang Cá nhân và Tập thể là danh sách như tdkt đã đọc được.",
        "Ô tô đỏ: tiêu chuẩn không đạt; ô tô vàng: chưa xác minh được hoặc tạm hoãn;",
        "ô tô cam: lỗi khi đọc hồ sơ. Di chuột vào ô có dấu đỏ ở góc để xem ghi chú.",
        "Trang Lỗi khi đọc nêu ô của tệp gốc cần sửa trước khi gửi lại.",
    ];
    for line in legend {
        sheet.write_string(row, 0, line)?;
        row += 1;
    }
    Ok(())
}

/// One list sheet's content.
struct List<'a> {
    subject: Subject,
    records: &'a [Record<'a>],
    /// The same records as judged, with the register's history.
    judged: &'a [Record<'a>],
    verdicts: &'a [&'a Verdict],
    problems: &'a [&'a Diagnostic],
    years: BTreeSet<i32>,
}

fn individuals(submission: &Submission) -> Vec<Record<'_>> {
    submission
        .individuals
        .iter()
        .map(Record::Individual)
        .collect()
}

fn collectives(submission: &Submission) -> Vec<Record<'_>> {
    submission
        .collectives
        .iter()
        .map(Record::Collective)
        .collect()
}

/// What one cell of the list sheet must say besides its value.
#[derive(Default)]
struct Marks {
    status: Option<Status>,
    notes: Vec<String>,
}

impl Marks {
    fn add(&mut self, status: Status, note: String) {
        // The worse finding colours the cell.
        let rank = |s: Status| match s {
            Status::NotEligible => 3,
            Status::CannotVerify | Status::Held => 2,
            Status::Eligible => 1,
        };
        if self.status.is_none_or(|s| rank(status) > rank(s)) {
            self.status = Some(status);
        }
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

fn list_sheet(
    sheet: &mut Worksheet,
    input: &FeedbackInput<'_>,
    list: &List<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let columns = list_columns(list.subject, &list.years, input.regulation);
    for (col, column) in columns.iter().enumerate() {
        let header = column.header(input.year, input.regulation);
        sheet.write_string_with_format(0, col as u16, header, &formats.header)?;
        sheet.set_column_width(col as u16, column.width())?;
    }
    sheet.set_freeze_panes(1, 2)?;
    print_wide(sheet);
    for (row, (index, &record)) in (1u32..).zip(list.records.iter().enumerate()) {
        let judged = list.judged.get(index).copied();
        let verdicts: Vec<&Verdict> = list
            .verdicts
            .iter()
            .filter(|v| {
                v.sheet == record.sheet()
                    && v.row == record.row()
                    && v.record.subject == list.subject
            })
            .copied()
            .collect();
        let marks = cell_marks(record, &verdicts, list.problems, &columns, input.regulation);
        for (col, column) in columns.iter().enumerate() {
            let mark = marks.get(&col);
            let format = mark
                .and_then(|m| m.status)
                .map_or(&formats.wrap, |s| formats.status(s));
            let value = match column {
                Column::SourceRow => Value::Number(f64::from(record.row())),
                Column::TitleVerdict | Column::AwardVerdict => {
                    verdict_cell(*column, record, &verdicts, input.regulation)
                }
                Column::Reasons => reasons_cell(&verdicts),
                other => record.value_beside(judged, *other, input.regulation),
            };
            let format = match (column, mark) {
                (Column::SourceRow, Some(_)) => &formats.input_problem,
                _ => format,
            };
            write_value(sheet, row, col as u16, &value, format)?;
            if let Some(mark) = mark.filter(|m| !m.notes.is_empty()) {
                let note = Note::new(mark.notes.join("\n"))
                    .set_author("tdkt")
                    .set_width(420)
                    .set_height(40 + 30 * mark.notes.len() as u32);
                sheet.insert_note(row, col as u16, &note)?;
            }
        }
    }
    Ok(())
}

/// The verdict of the row's title or award proposal, for its column.
fn verdict_cell(
    column: Column,
    record: Record<'_>,
    verdicts: &[&Verdict],
    regulation: &Regulation,
) -> Value {
    let proposed = match record.value(
        if column == Column::TitleVerdict {
            Column::ProposedTitle
        } else {
            Column::ProposedAward
        },
        regulation,
    ) {
        Value::Text(code) => code,
        _ => return Value::Empty,
    };
    verdicts
        .iter()
        .find(|v| v.proposal == proposed)
        .map_or(Value::Empty, |v| {
            Value::Text(v.status.label_vi().to_string())
        })
}

/// "CSTĐCS: Xếp loại năm 2025 là HTNV: cần …", one line per failed rule.
fn reasons_cell(verdicts: &[&Verdict]) -> Value {
    let lines: Vec<String> = verdicts
        .iter()
        .flat_map(|v| {
            v.failed
                .iter()
                .map(move |f| format!("{}: {}", v.proposal, f.message))
        })
        .collect();
    Value::from((!lines.is_empty()).then(|| lines.join("\n")))
}

/// The colour and notes of every marked cell of one record.
fn cell_marks(
    record: Record<'_>,
    verdicts: &[&Verdict],
    problems: &[&Diagnostic],
    columns: &[Column],
    regulation: &Regulation,
) -> BTreeMap<usize, Marks> {
    // Keyed by the column's place, since `Column` holds years.
    let mut marks: BTreeMap<usize, Marks> = BTreeMap::new();
    let mut mark = |column: Column, status: Status, note: String| {
        if let Some(at) = columns.iter().position(|c| *c == column) {
            marks.entry(at).or_default().add(status, note);
        }
    };
    for verdict in verdicts {
        let (proposal_column, verdict_column) = proposal_columns(verdict, record, regulation);
        let summary = if verdict.failed.is_empty() {
            format!("{}: {}", verdict.proposal, verdict.status.label_vi())
        } else {
            format!(
                "{}: {}\n{}",
                verdict.proposal,
                verdict.status.label_vi(),
                verdict
                    .failed
                    .iter()
                    .map(|f| format!("• {}", f.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        };
        mark(verdict_column, verdict.status, summary);
        for failed in &verdict.failed {
            let status = if failed.unverifiable {
                Status::CannotVerify
            } else if verdict.status == Status::Held {
                Status::Held
            } else {
                Status::NotEligible
            };
            let note = format!("[{}] {}", failed.rule, failed.message);
            let read = rule_columns(&failed.rule, record_subject(record), columns, regulation);
            if read.is_empty() {
                mark(proposal_column, status, note);
            } else {
                for column in read {
                    mark(column, status, note.clone());
                }
            }
        }
    }
    for problem in problems.iter().filter(|d| {
        d.sheet.as_deref() == Some(record.sheet())
            && d.cell.as_deref().and_then(cell_row) == Some(record.row())
    }) {
        let status = if problem.is_error() {
            Status::NotEligible
        } else {
            Status::Held
        };
        mark(
            Column::SourceRow,
            status,
            format!(
                "Ô {} của hồ sơ: {}",
                problem.cell.as_deref().unwrap_or(""),
                problem.message
            ),
        );
    }
    marks
}

fn record_subject(record: Record<'_>) -> Subject {
    match record {
        Record::Individual(_) => Subject::Individual,
        Record::Collective(_) => Subject::Collective,
    }
}

/// The (proposal, verdict) columns of a verdict: the title's or the award's.
fn proposal_columns(
    verdict: &Verdict,
    record: Record<'_>,
    regulation: &Regulation,
) -> (Column, Column) {
    match record.value(Column::ProposedTitle, regulation) {
        Value::Text(code) if code == verdict.proposal => {
            (Column::ProposedTitle, Column::TitleVerdict)
        }
        _ => (Column::ProposedAward, Column::AwardVerdict),
    }
}

/// The columns a failed rule read: from its condition's names, or, for the
/// rules tdkt adds itself, the columns they are about.
fn rule_columns(
    rule_id: &str,
    subject: Subject,
    columns: &[Column],
    regulation: &Regulation,
) -> Vec<Column> {
    if rule_id.ends_with(".tam-hoan") {
        return vec![Column::Discipline, Column::Remark];
    }
    let Some(rule) = regulation.rule(rule_id, subject) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in rule.names() {
        for column in Column::reading(name, columns, regulation) {
            if !out.contains(&column) {
                out.push(column);
            }
        }
    }
    out
}

/// "C14" → 14.
fn cell_row(cell: &str) -> Option<u32> {
    cell.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()
}

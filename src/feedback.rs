//! Feedback workbooks.
//!
//! One per unit (`phan-hoi/<unit>.xlsx`): a summary sheet, then the unit's
//! rows as tdkt read them, with every cell a rule found wrong filled in
//! colour and carrying a note that says what is wrong and what would be
//! accepted, a verdict per proposal, and the problems met while reading.
//! One for the secretariat (`ket-qua-xet.xlsx`): every verdict of every unit
//! in one filterable table, the tallies per unit and the quotas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};

use crate::diagnostic::Diagnostic;
use crate::model::{Collective, ExtraValue, Individual, Submission};
use crate::regulation::{Regulation, Subject};
use crate::validate::{Status, Validation, Verdict};
use crate::write::Output;

/// Everything a feedback workbook is made from.
pub struct FeedbackInput<'a> {
    pub submissions: &'a [Submission],
    pub validation: &'a Validation,
    pub diagnostics: &'a [Diagnostic],
    pub regulation: &'a Regulation,
    pub year: i32,
}

/// Writes one workbook per submission and the overview; returns how many.
pub fn write_feedback(input: &FeedbackInput<'_>, output: &Output) -> Result<usize> {
    for (index, submission) in input.submissions.iter().enumerate() {
        let bytes = unit_workbook(input, index)?;
        let name = format!("{}.xlsx", crate::text::slug(&submission.unit_code()));
        output.write(&PathBuf::from("phan-hoi").join(name), &bytes)?;
    }
    output.write(Path::new("ket-qua-xet.xlsx"), &overview_workbook(input)?)?;
    Ok(input.submissions.len() + 1)
}

/// A column of a unit's list, as tdkt read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    SourceRow,
    Name,
    Birth,
    Sex,
    JobTitle,
    Position,
    SubUnit,
    Members,
    MembersHtnvOrBetter,
    MembersLdtt,
    MembersCstdcs,
    MembersDisciplined,
    Rating,
    RatingIn(i32),
    TitleIn(i32),
    PriorAwards,
    TeachingHours,
    ResearchPoints,
    Initiative,
    MonthsWorked,
    Discipline,
    Extra(usize),
    ProposedTitle,
    TitleVerdict,
    ProposedAward,
    AwardVerdict,
    /// Every failed rule of the row, in words.
    Reasons,
    Remark,
}

impl Column {
    fn header(self, year: i32, regulation: &Regulation) -> String {
        match self {
            Column::SourceRow => "Dòng trong hồ sơ".into(),
            Column::Name => "Họ và tên / Tên tập thể".into(),
            Column::Birth => "Ngày sinh".into(),
            Column::Sex => "Giới tính".into(),
            Column::JobTitle => "Chức danh".into(),
            Column::Position => "Chức vụ".into(),
            Column::SubUnit => "Đơn vị công tác".into(),
            Column::Members => "Số thành viên".into(),
            Column::MembersHtnvOrBetter => "Số HTNV trở lên".into(),
            Column::MembersLdtt => "Số đạt LĐTT".into(),
            Column::MembersCstdcs => "Số đạt CSTĐCS".into(),
            Column::MembersDisciplined => "Số bị kỷ luật".into(),
            Column::Rating => format!("Xếp loại năm {year}"),
            Column::RatingIn(y) => format!("Xếp loại năm {y}"),
            Column::TitleIn(y) => format!("Danh hiệu năm {y}"),
            Column::PriorAwards => "Khen thưởng đã nhận".into(),
            Column::TeachingHours => "Giờ giảng thực hiện".into(),
            Column::ResearchPoints => "Điểm NCKH".into(),
            Column::Initiative => "Sáng kiến".into(),
            Column::MonthsWorked => "Số tháng công tác".into(),
            Column::Discipline => "Kỷ luật".into(),
            Column::Extra(i) => regulation.columns[i].label.clone(),
            Column::ProposedTitle => "Danh hiệu đề nghị".into(),
            Column::TitleVerdict => "Kết quả xét danh hiệu".into(),
            Column::ProposedAward => "Khen thưởng đề nghị".into(),
            Column::AwardVerdict => "Kết quả xét khen thưởng".into(),
            Column::Reasons => "Lý do (tiêu chuẩn chưa đạt, số liệu còn thiếu)".into(),
            Column::Remark => "Ghi chú".into(),
        }
    }

    fn width(self) -> f64 {
        match self {
            Column::Name => 28.0,
            Column::Initiative | Column::Remark | Column::PriorAwards => 30.0,
            Column::Reasons => 60.0,
            Column::TitleVerdict | Column::AwardVerdict => 22.0,
            Column::JobTitle | Column::Position | Column::SubUnit | Column::Discipline => 18.0,
            _ => 11.0,
        }
    }

    /// The columns a rule's variable or function reads.
    fn reading(name: &str, columns: &[Column], regulation: &Regulation) -> Vec<Column> {
        let fixed = match name {
            "rating" | "rating_rank" => Some(Column::Rating),
            "months_worked" | "min_months_worked" => Some(Column::MonthsWorked),
            "disciplined" => Some(Column::Discipline),
            "has_initiative" => Some(Column::Initiative),
            "is_female" => Some(Column::Sex),
            "teaching_hours" => Some(Column::TeachingHours),
            "research_points" => Some(Column::ResearchPoints),
            "job_title" | "teaching_norm" | "research_norm" | "has_teaching_norm"
            | "has_research_norm" => Some(Column::JobTitle),
            "members" => Some(Column::Members),
            "members_htnv_or_better" => Some(Column::MembersHtnvOrBetter),
            "members_ldtt" => Some(Column::MembersLdtt),
            "members_cstdcs" => Some(Column::MembersCstdcs),
            "members_disciplined" => Some(Column::MembersDisciplined),
            "has_award" | "award_year" => Some(Column::PriorAwards),
            _ => None,
        };
        if let Some(column) = fixed {
            return vec![column];
        }
        let history = |c: &&Column| match name {
            "title_streak" | "titles_since" => matches!(c, Column::TitleIn(_)),
            "rating_streak" | "ratings_since" => matches!(c, Column::RatingIn(_)),
            _ => false,
        };
        let mut out: Vec<Column> = columns.iter().filter(history).copied().collect();
        if let Some(i) = regulation.columns.iter().position(|c| c.id == name) {
            out.push(Column::Extra(i));
        }
        out
    }
}

/// A cell's content.
enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Self {
        text.map_or(Value::Empty, Value::Text)
    }
}

impl From<Option<f64>> for Value {
    fn from(number: Option<f64>) -> Self {
        number.map_or(Value::Empty, Value::Number)
    }
}

impl From<Option<u32>> for Value {
    fn from(number: Option<u32>) -> Self {
        number.map_or(Value::Empty, |n| Value::Number(f64::from(n)))
    }
}

/// One record of either kind, for the list sheets.
#[derive(Clone, Copy)]
enum Record<'a> {
    Individual(&'a Individual),
    Collective(&'a Collective),
}

impl<'a> Record<'a> {
    fn value(self, column: Column, regulation: &Regulation) -> Value {
        match self {
            Record::Individual(p) => individual_value(p, column, regulation),
            Record::Collective(c) => collective_value(c, column, regulation),
        }
    }

    fn row(self) -> u32 {
        match self {
            Record::Individual(p) => p.source.row,
            Record::Collective(c) => c.source.row,
        }
    }

    fn sheet(self) -> &'a str {
        match self {
            Record::Individual(p) => &p.source.sheet,
            Record::Collective(c) => &c.source.sheet,
        }
    }
}

fn individual_value(p: &Individual, column: Column, regulation: &Regulation) -> Value {
    match column {
        Column::Name => Value::Text(p.full_name.clone()),
        Column::Birth => p.birth.map(|b| b.display_vi()).into(),
        Column::Sex => p.sex.map(|s| s.label().to_string()).into(),
        Column::JobTitle => p.job_title.clone().into(),
        Column::Position => p.position.clone().into(),
        Column::SubUnit => p.sub_unit.clone().into(),
        Column::Rating => p.rating.map(|r| r.code().to_string()).into(),
        Column::RatingIn(y) => p
            .rating_history
            .get(&y)
            .map(|r| r.code().to_string())
            .into(),
        Column::TitleIn(y) => p.title_history.get(&y).cloned().into(),
        Column::PriorAwards => Value::from((!p.prior_awards.is_empty()).then(|| {
            p.prior_awards
                .iter()
                .map(|a| match a.year {
                    Some(y) => format!("{} ({y})", a.award),
                    None => a.award.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        })),
        Column::TeachingHours => p.teaching_hours.into(),
        Column::ResearchPoints => p.research_points.into(),
        Column::Initiative => p.initiative.clone().into(),
        Column::MonthsWorked => p.months_worked.into(),
        Column::Discipline => p.discipline.clone().into(),
        Column::Extra(i) => extra_value(&p.extra, regulation, i),
        Column::ProposedTitle => p.proposed_title.clone().into(),
        Column::ProposedAward => p.proposed_award.clone().into(),
        Column::Remark => p.remark.clone().into(),
        _ => Value::Empty,
    }
}

fn collective_value(c: &Collective, column: Column, regulation: &Regulation) -> Value {
    match column {
        Column::Name => Value::Text(c.name.clone()),
        Column::Members => c.members.into(),
        Column::MembersHtnvOrBetter => c.members_htnv_or_better.into(),
        Column::MembersLdtt => c.members_ldtt.into(),
        Column::MembersCstdcs => c.members_cstdcs.into(),
        Column::MembersDisciplined => c.members_disciplined.into(),
        Column::Rating => c.rating.map(|r| r.code().to_string()).into(),
        Column::RatingIn(y) => c
            .rating_history
            .get(&y)
            .map(|r| r.code().to_string())
            .into(),
        Column::TitleIn(y) => c.title_history.get(&y).cloned().into(),
        Column::Extra(i) => extra_value(&c.extra, regulation, i),
        Column::ProposedTitle => c.proposed_title.clone().into(),
        Column::ProposedAward => c.proposed_award.clone().into(),
        Column::Remark => c.remark.clone().into(),
        _ => Value::Empty,
    }
}

fn extra_value(extra: &BTreeMap<String, ExtraValue>, regulation: &Regulation, i: usize) -> Value {
    match extra.get(&regulation.columns[i].id) {
        Some(ExtraValue::Number(n)) => Value::Number(*n),
        Some(ExtraValue::Text(t)) => Value::Text(t.clone()),
        None => Value::Empty,
    }
}

/// The columns of one list: the fixed ones, the history years the unit's
/// records give (newest first), and the regulation's own columns.
fn list_columns(subject: Subject, years: &BTreeSet<i32>, regulation: &Regulation) -> Vec<Column> {
    let mut columns = match subject {
        Subject::Individual => vec![
            Column::SourceRow,
            Column::Name,
            Column::Birth,
            Column::Sex,
            Column::JobTitle,
            Column::Position,
            Column::SubUnit,
            Column::Rating,
        ],
        Subject::Collective => vec![
            Column::SourceRow,
            Column::Name,
            Column::Members,
            Column::MembersHtnvOrBetter,
            Column::MembersLdtt,
            Column::MembersCstdcs,
            Column::MembersDisciplined,
            Column::Rating,
        ],
    };
    columns.extend(years.iter().rev().map(|y| Column::RatingIn(*y)));
    columns.extend(years.iter().rev().map(|y| Column::TitleIn(*y)));
    if subject == Subject::Individual {
        columns.extend([
            Column::PriorAwards,
            Column::TeachingHours,
            Column::ResearchPoints,
            Column::Initiative,
            Column::MonthsWorked,
            Column::Discipline,
        ]);
    }
    columns.extend(
        regulation
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.subject == subject)
            .map(|(i, _)| Column::Extra(i)),
    );
    columns.extend([
        Column::ProposedTitle,
        Column::TitleVerdict,
        Column::ProposedAward,
        Column::AwardVerdict,
        Column::Reasons,
        Column::Remark,
    ]);
    columns
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

fn unit_workbook(input: &FeedbackInput<'_>, index: usize) -> Result<Vec<u8>> {
    let submission = &input.submissions[index];
    let verdicts: Vec<&Verdict> = input
        .validation
        .verdicts
        .iter()
        .filter(|v| v.record.submission == index)
        .collect();
    let problems: Vec<&Diagnostic> = input
        .diagnostics
        .iter()
        .filter(|d| d.file == submission.file)
        .collect();
    let formats = Formats::new();
    let mut workbook = new_workbook("Phản hồi kết quả xét hồ sơ thi đua, khen thưởng")?;

    summary_sheet(
        workbook.add_worksheet(),
        input,
        submission,
        &verdicts,
        &problems,
        &formats,
    )?;
    let lists = [
        (
            "Cá nhân",
            Subject::Individual,
            submission
                .individuals
                .iter()
                .map(Record::Individual)
                .collect::<Vec<_>>(),
        ),
        (
            "Tập thể",
            Subject::Collective,
            submission
                .collectives
                .iter()
                .map(Record::Collective)
                .collect(),
        ),
    ];
    for (name, subject, records) in lists {
        if records.is_empty() {
            continue;
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let list = List {
            subject,
            records: &records,
            verdicts: &verdicts,
            problems: &problems,
            years: history_years(submission, subject),
        };
        list_sheet(sheet, input, &list, &formats)?;
    }
    problems_sheet(workbook.add_worksheet(), &problems, &formats, false)?;
    Ok(workbook.save_to_buffer()?)
}

fn history_years(submission: &Submission, subject: Subject) -> BTreeSet<i32> {
    match subject {
        Subject::Individual => submission
            .individuals
            .iter()
            .flat_map(|p| p.rating_history.keys().chain(p.title_history.keys()))
            .copied()
            .collect(),
        Subject::Collective => submission
            .collectives
            .iter()
            .flat_map(|c| c.rating_history.keys().chain(c.title_history.keys()))
            .copied()
            .collect(),
    }
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
    verdicts: &'a [&'a Verdict],
    problems: &'a [&'a Diagnostic],
    years: BTreeSet<i32>,
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
    for (row, &record) in (1u32..).zip(list.records) {
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
                other => record.value(*other, input.regulation),
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

/// The secretariat's overview: every verdict, tallies per unit, quotas and
/// every reading problem, each a filterable table.
fn overview_workbook(input: &FeedbackInput<'_>) -> Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = new_workbook("Tổng hợp kết quả xét thi đua, khen thưởng")?;
    verdicts_sheet(workbook.add_worksheet(), input, &formats)?;
    tallies_sheet(workbook.add_worksheet(), input, &formats)?;
    quotas_sheet(workbook.add_worksheet(), input, &formats)?;
    let problems: Vec<&Diagnostic> = input.diagnostics.iter().collect();
    problems_sheet(workbook.add_worksheet(), &problems, &formats, true)?;
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
    for (index, submission) in input.submissions.iter().enumerate() {
        for honour in &input.regulation.honours {
            let of_honour: Vec<&Verdict> = input
                .validation
                .verdicts
                .iter()
                .filter(|v| v.record.submission == index && v.proposal == honour.code)
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

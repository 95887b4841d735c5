//! What the pages show, made from the pipeline's own results: plain
//! serialisable rows, numbers and dates already written the Vietnamese way.

use std::time::SystemTime;

use serde::Serialize;

use super::Judged;
use crate::diagnostic::{Diagnostic, Severity};
use crate::format::group_thousands;
use crate::model::Submission;
use crate::settings::Settings;
use crate::validate::{Status, Verdict};

/// One unit's line on the dashboard.
#[derive(Debug, Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub missing: bool,
    pub file: Option<String>,
    pub received: String,
    pub superseded: Vec<String>,
    pub proposals: usize,
    pub eligible: usize,
    pub not_eligible: usize,
    pub held: usize,
    pub cannot_verify: usize,
    pub input_errors: usize,
    pub warnings: usize,
    pub quota_ok: bool,
    pub quota_problems: Vec<String>,
    pub bonus: String,
}

/// The dashboard.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub campaign: String,
    pub year: i32,
    pub units: Vec<UnitRow>,
    pub missing: usize,
    pub arrived: usize,
    pub totals: UnitRow,
    /// Problems with files that belong to no unit (unreadable, not a
    /// spreadsheet).
    pub orphan_problems: Vec<Problem>,
    pub upload_mib: usize,
}

/// A diagnostic as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub error: bool,
    pub file: String,
    pub place: String,
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        let place = match (&d.sheet, &d.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet} › {cell}"),
            (Some(sheet), None) => sheet.clone(),
            (None, Some(cell)) => cell.clone(),
            (None, None) => String::new(),
        };
        Problem {
            error: d.severity == Severity::Error,
            file: d.file.clone(),
            place,
            message: d.message.clone(),
        }
    }
}

/// A verdict as a page shows it.
#[derive(Debug, Serialize)]
pub struct VerdictRow {
    pub place: String,
    pub subject: String,
    pub proposal: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub reasons: Vec<String>,
}

impl From<&Verdict> for VerdictRow {
    fn from(v: &Verdict) -> VerdictRow {
        VerdictRow {
            place: format!("{} › dòng {}", v.sheet, v.row),
            subject: v.subject.clone(),
            proposal: v.proposal.clone(),
            status: match v.status {
                Status::Eligible => "eligible",
                Status::NotEligible => "not-eligible",
                Status::Held => "held",
                Status::CannotVerify => "cannot-verify",
            },
            status_label: v.status.label_vi(),
            reasons: v.failed.iter().map(|f| f.message.clone()).collect(),
        }
    }
}

/// "05/02/2026 14:03".
pub fn local_time(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Local>::from(time)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// "2026-02-05 14:03:07" as the register keeps it → "05/02/2026 14:03:07".
pub fn stamp_vi(stamp: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S") {
        Ok(time) => time.format("%d/%m/%Y %H:%M:%S").to_string(),
        Err(_) => stamp.to_string(),
    }
}

fn money(amount: u64) -> String {
    format!("{} đồng", group_thousands(amount))
}

impl Dashboard {
    pub fn new(settings: &Settings, judged: &Judged) -> Dashboard {
        let checked = &judged.checked;
        let mut rows: Vec<UnitRow> = Vec::new();
        for submission in &checked.reading.submissions {
            rows.push(unit_row(judged, submission));
        }
        if let Some(units) = &settings.units {
            for unit in units.units() {
                if !rows.iter().any(|r| r.code == unit.code) {
                    rows.push(UnitRow::missing(&unit.code, &unit.name));
                }
            }
            let position = |code: &str| units.units().iter().position(|u| u.code == code);
            rows.sort_by_key(|r| (!r.missing, position(&r.code).unwrap_or(usize::MAX)));
        }
        let mut totals = UnitRow::missing("", "Cộng");
        totals.missing = false;
        for row in &rows {
            totals.proposals += row.proposals;
            totals.eligible += row.eligible;
            totals.not_eligible += row.not_eligible;
            totals.held += row.held;
            totals.cannot_verify += row.cannot_verify;
            totals.input_errors += row.input_errors;
            totals.warnings += row.warnings;
            totals.quota_ok &= row.quota_ok;
        }
        totals.bonus = money(judged.lists.total_bonus);
        let kept: Vec<&str> = checked
            .reading
            .submissions
            .iter()
            .map(|s| s.file.as_str())
            .chain(checked.reading.superseded.iter().map(|(_, f)| f.as_str()))
            .collect();
        Dashboard {
            campaign: settings.register.campaign.clone(),
            year: checked.reading.year,
            missing: rows.iter().filter(|r| r.missing).count(),
            arrived: rows.iter().filter(|r| !r.missing).count(),
            units: rows,
            totals,
            orphan_problems: checked
                .reading
                .diagnostics
                .iter()
                .filter(|d| !kept.contains(&d.file.as_str()))
                .map(Problem::from)
                .collect(),
            upload_mib: settings.upload_limit >> 20,
        }
    }
}

impl UnitRow {
    fn missing(code: &str, name: &str) -> UnitRow {
        UnitRow {
            code: code.to_string(),
            name: name.to_string(),
            missing: true,
            file: None,
            received: String::new(),
            superseded: Vec::new(),
            proposals: 0,
            eligible: 0,
            not_eligible: 0,
            held: 0,
            cannot_verify: 0,
            input_errors: 0,
            warnings: 0,
            quota_ok: true,
            quota_problems: Vec::new(),
            bonus: String::new(),
        }
    }
}

fn unit_row(judged: &Judged, submission: &Submission) -> UnitRow {
    let checked = &judged.checked;
    let code = submission.unit_code();
    let mut row = UnitRow::missing(&code, &submission.unit_name());
    row.missing = false;
    row.file = Some(submission.file.clone());
    row.received = checked
        .reading
        .raw
        .iter()
        .find(|w| w.file == submission.file)
        .and_then(|w| w.modified)
        .map(local_time)
        .unwrap_or_default();
    row.superseded = checked
        .reading
        .superseded
        .iter()
        .filter(|(unit, _)| *unit == code)
        .map(|(_, file)| file.clone())
        .collect();
    for verdict in checked
        .validation
        .verdicts
        .iter()
        .filter(|v| v.file == submission.file)
    {
        row.proposals += 1;
        match verdict.status {
            Status::Eligible => row.eligible += 1,
            Status::NotEligible => row.not_eligible += 1,
            Status::Held => row.held += 1,
            Status::CannotVerify => row.cannot_verify += 1,
        }
    }
    for diagnostic in checked
        .reading
        .diagnostics
        .iter()
        .filter(|d| d.file == submission.file)
    {
        if diagnostic.is_error() {
            row.input_errors += 1;
        } else {
            row.warnings += 1;
        }
    }
    for quota in checked.validation.quotas.iter().filter(|q| q.unit == code) {
        if !quota.ok {
            row.quota_ok = false;
            row.quota_problems.push(format!(
                "{}: đề nghị {}, được tối đa {}",
                quota.proposal, quota.proposed, quota.allowed
            ));
        }
    }
    row.bonus = judged
        .lists
        .units
        .iter()
        .find(|u| u.code == code)
        .map(|u| money(u.bonus))
        .unwrap_or_else(|| money(0));
    row
}

/// A unit's page: its workbook as read, its problems and verdicts.
#[derive(Debug, Serialize)]
pub struct UnitPage {
    pub row: UnitRow,
    pub sheets: Vec<SheetRead>,
    pub skipped: Vec<Problem>,
    pub problems: Vec<Problem>,
    pub verdicts: Vec<VerdictRow>,
    pub quotas: Vec<String>,
    pub upload_mib: usize,
}

/// How one sheet's list was read: its header row and which column
/// became which field.
#[derive(Debug, Serialize)]
pub struct SheetRead {
    pub name: String,
    pub header_row: Option<u32>,
    pub columns: Vec<ColumnRead>,
}

/// Which column became which field.
#[derive(Debug, Serialize)]
pub struct ColumnRead {
    pub letters: String,
    /// The field's canonical label ("Xếp loại năm 2025").
    pub label: String,
}

impl UnitPage {
    /// The unit `code`'s page; `None` for a code neither the unit list
    /// nor the inbox knows.
    pub fn new(settings: &Settings, judged: &Judged, code: &str) -> Option<UnitPage> {
        let checked = &judged.checked;
        let upload_mib = settings.upload_limit >> 20;
        let Some(submission) = checked
            .reading
            .submissions
            .iter()
            .find(|s| s.unit_code() == code)
        else {
            let unit = settings
                .units
                .as_ref()?
                .units()
                .iter()
                .find(|u| u.code == code)?;
            return Some(UnitPage {
                row: UnitRow::missing(&unit.code, &unit.name),
                sheets: Vec::new(),
                skipped: Vec::new(),
                problems: Vec::new(),
                verdicts: Vec::new(),
                quotas: Vec::new(),
                upload_mib,
            });
        };
        let sheets = submission
            .columns
            .iter()
            .map(|(sheet, found)| SheetRead {
                name: sheet.clone(),
                header_row: submission.header_rows.get(sheet).copied(),
                columns: found
                    .iter()
                    .map(|c| ColumnRead {
                        letters: c.letters.clone(),
                        label: c.label.clone(),
                    })
                    .collect(),
            })
            .collect();
        Some(UnitPage {
            row: unit_row(judged, submission),
            sheets,
            skipped: submission
                .skipped
                .iter()
                .map(|s| Problem {
                    error: false,
                    file: submission.file.clone(),
                    place: format!("{} › dòng {}", s.sheet, s.row),
                    message: s.reason.clone(),
                })
                .collect(),
            problems: checked
                .reading
                .diagnostics
                .iter()
                .filter(|d| d.file == submission.file)
                .map(Problem::from)
                .collect(),
            verdicts: checked
                .validation
                .verdicts
                .iter()
                .filter(|v| v.file == submission.file)
                .map(VerdictRow::from)
                .collect(),
            quotas: checked
                .validation
                .quotas
                .iter()
                .filter(|q| q.unit == code)
                .map(|q| {
                    format!(
                        "{}: đề nghị {}, được tối đa {} ({}){}",
                        q.proposal,
                        q.proposed,
                        q.allowed,
                        q.basis,
                        if q.ok { "" } else { " — VƯỢT TỶ LỆ" }
                    )
                })
                .collect(),
            upload_mib,
        })
    }
}

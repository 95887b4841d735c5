//! What `check`, `build` and `inspect` print for people.

use super::{Checked, Reading};
use crate::diagnostic::{Diagnostic, Severity};
use crate::map;
use crate::model::{Submission, SubmissionRecords};
use crate::regulation::Regulation;
use crate::validate::{QuotaResult, Status, Validation, Verdict};

/// A one-line summary of verdicts, for people.
pub fn summary_line(
    records: &dyn SubmissionRecords,
    validation: &Validation,
    diagnostics: &[Diagnostic],
) -> String {
    let count = |s: Status| validation.verdicts.iter().filter(|v| v.status == s).count();
    let (people, collectives) = records.proposals();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    format!(
        "{} hồ sơ, {people} cá nhân, {collectives} tập thể: {} đủ điều kiện, {} không đủ, {} tạm hoãn, {} chưa xác minh; {errors} lỗi, {warnings} cảnh báo khi đọc hồ sơ",
        records.count(),
        count(Status::Eligible),
        count(Status::NotEligible),
        count(Status::Held),
        count(Status::CannotVerify),
    )
}

/// Renders `check`'s findings like a compiler, grouped by unit
/// (`records`: the campaign's, wherever they are kept).
pub fn human_report(
    checked: &Checked,
    records: &dyn SubmissionRecords,
    regulation: &Regulation,
) -> String {
    use std::collections::{HashMap, HashSet};
    let mut out = String::new();
    let reading = &checked.reading;
    // Each unit's share found once, so the report grows with the campaign,
    // not with units × proposals.
    let files: HashSet<&str> = reading
        .submissions
        .iter()
        .map(|s| s.file.as_str())
        .collect();
    let mut diagnostics_of: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in &reading.diagnostics {
        if files.contains(d.file.as_str()) {
            diagnostics_of.entry(&d.file).or_default().push(d);
        } else {
            out.push_str(&crate::diagnostic::human_line(d));
            out.push('\n');
        }
    }
    let mut verdicts_of: HashMap<&str, Vec<&Verdict>> = HashMap::new();
    for v in &checked.validation.verdicts {
        verdicts_of.entry(&v.file).or_default().push(v);
    }
    let mut quotas_of: HashMap<&str, Vec<&QuotaResult>> = HashMap::new();
    for q in checked.validation.quotas.iter().filter(|q| !q.ok) {
        quotas_of.entry(&q.unit).or_default().push(q);
    }
    for submission in &reading.submissions {
        out.push_str(&format!(
            "\n── {} ({}) — {}\n",
            submission.unit_name(),
            submission.unit_code(),
            submission.file
        ));
        let file = submission.file.as_str();
        for d in diagnostics_of.get(file).into_iter().flatten() {
            out.push_str(&format!("  {}\n", crate::diagnostic::human_line(d)));
        }
        let verdicts = verdicts_of.get(file).map_or(&[][..], Vec::as_slice);
        for v in verdicts.iter().filter(|v| !v.eligible) {
            let level = match v.status {
                Status::Held => "tạm hoãn",
                Status::CannotVerify => "chưa xác minh",
                _ => "không đủ",
            };
            out.push_str(&format!(
                "  {level}: {} › {} › dòng {}: {} — {}\n",
                v.file, v.sheet, v.row, v.subject, v.proposal
            ));
            for f in &v.failed {
                out.push_str(&format!("      [{}] {}\n", f.rule, f.message));
                let cells = cells_of(submission, v, &f.rule, regulation);
                if !cells.is_empty() {
                    out.push_str(&format!("        gợi ý: xem {}\n", cells.join(", ")));
                }
            }
        }
        for q in quotas_of
            .get(submission.unit_code().as_str())
            .into_iter()
            .flatten()
        {
            out.push_str(&format!(
                "  vượt tỷ lệ: {} có {} người {} nhưng tối đa {} ({})\n",
                q.unit, q.proposed, q.proposal, q.allowed, q.basis
            ));
        }
        let eligible = verdicts.iter().filter(|v| v.eligible).count();
        out.push_str(&format!("  {eligible} đề nghị đủ điều kiện\n"));
    }
    out.push('\n');
    out.push_str(&summary_line(
        records,
        &checked.validation,
        &reading.diagnostics,
    ));
    out.push('\n');
    out
}

/// How each workbook was read, as a readable table (for `inspect`).
pub fn inspect_table(reading: &Reading, regulation: &crate::regulation::Regulation) -> String {
    let mut out = String::new();
    for raw in &reading.raw {
        out.push_str(&format!("\n{}\n", raw.file));
        let submission = reading.submissions.iter().find(|s| s.file == raw.file);
        if let Some(s) = submission {
            out.push_str(&format!(
                "  đơn vị: {} ({}), năm {}, tổng số cán bộ {}\n",
                s.unit_name(),
                s.unit_code(),
                reading.year,
                s.headcount.map_or("?".to_string(), |h| h.to_string())
            ));
        }
        for sheet in map::explain(raw, reading.year, &regulation.columns) {
            out.push_str(&format!(
                "  trang '{}': danh sách {}, dòng tiêu đề {}\n",
                sheet.sheet, sheet.kind, sheet.header_row
            ));
            for (column, field) in &sheet.columns {
                out.push_str(&format!("    cột {column:<3} → {field}\n"));
            }
        }
        if let Some(s) = submission {
            for skipped in &s.skipped {
                out.push_str(&format!(
                    "  bỏ qua '{}' dòng {}: {}\n",
                    skipped.sheet, skipped.row, skipped.reason
                ));
            }
            out.push_str(&format!(
                "  đọc được {} cá nhân, {} tập thể\n",
                s.individuals.len(),
                s.collectives.len()
            ));
        }
        for d in reading.diagnostics.iter().filter(|d| d.file == raw.file) {
            out.push_str(&format!("  {}\n", crate::diagnostic::human_line(d)));
        }
    }
    let orphan: Vec<&Diagnostic> = reading
        .diagnostics
        .iter()
        .filter(|d| !reading.raw.iter().any(|w| w.file == d.file))
        .collect();
    for d in orphan {
        out.push_str(&format!("{}\n", crate::diagnostic::human_line(d)));
    }
    out
}

/// The workbook cells a failed rule read, as "G14 (Xếp loại năm 2025)".
fn cells_of(
    submission: &Submission,
    verdict: &crate::validate::Verdict,
    rule: &str,
    regulation: &Regulation,
) -> Vec<String> {
    let keys: Vec<String> = if rule.ends_with(".tam-hoan") {
        vec!["discipline".into(), "remark".into()]
    } else if let Some(rule) = regulation.rule(rule, verdict.record.subject) {
        rule.names()
            .flat_map(crate::regulation::fields_read)
            .map(str::to_string)
            .collect()
    } else {
        vec!["proposed_title".into(), "proposed_award".into()]
    };
    let Some(columns) = submission.columns.get(&verdict.sheet) else {
        return Vec::new();
    };
    let mut cells: Vec<String> = Vec::new();
    for column in columns.iter().filter(|c| keys.contains(&c.key)) {
        let cell = format!("{}{} ({})", column.letters, verdict.row, column.label);
        if !cells.contains(&cell) {
            cells.push(cell);
        }
    }
    cells
}

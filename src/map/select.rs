//! Which workbooks count, after each is mapped: the newest of each unit
//! (the older one is said to be replaced), in the order of the campaign's
//! unit list, with the units declared outstanding marked, and a warning
//! where one person is proposed twice.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::ingest::RawWorkbook;
use crate::model::{Source, Submission};
use crate::units::UnitList;

/// The submissions that count and what choosing them found.
pub struct Selection {
    pub submissions: Vec<Submission>,
    pub diagnostics: Vec<Diagnostic>,
    /// Workbooks a newer one of the same unit replaced: (unit code, file).
    pub superseded: Vec<(String, String)>,
}

/// Chooses the submissions that count among the mapped ones; `raw` gives
/// each workbook's saved time, `outstanding` the unit codes declared
/// outstanding this year.
pub fn select(
    submissions: Vec<Submission>,
    raw: &[RawWorkbook],
    units: Option<&UnitList>,
    outstanding: &[String],
) -> Selection {
    let mut diagnostics = Vec::new();
    let mut superseded = Vec::new();
    let mut submissions = keep_newest_per_unit(submissions, raw, &mut diagnostics, &mut superseded);
    order_by_unit_list(&mut submissions, units);
    for submission in &mut submissions {
        submission.outstanding = outstanding
            .iter()
            .any(|code| *code == submission.unit_code());
    }
    diagnostics.extend(duplicate_people(&submissions));
    Selection {
        submissions,
        diagnostics,
        superseded,
    }
}

/// The same unit sending two workbooks: the newer one wins, and that is said.
fn keep_newest_per_unit(
    submissions: Vec<Submission>,
    raw: &[RawWorkbook],
    diagnostics: &mut Vec<Diagnostic>,
    superseded: &mut Vec<(String, String)>,
) -> Vec<Submission> {
    // The workbook's own last-saved time first, then the file's.
    let modified = |file: &str| {
        raw.iter()
            .find(|w| w.file == file)
            .map(|w| (w.saved.clone(), w.modified))
    };
    let mut kept: Vec<Submission> = Vec::with_capacity(submissions.len());
    for submission in submissions {
        let code = submission.unit.as_ref().map(|u| u.code.clone());
        let earlier = code.as_ref().and_then(|code| {
            kept.iter()
                .position(|k| k.unit.as_ref().is_some_and(|u| &u.code == code))
        });
        let Some(index) = earlier else {
            kept.push(submission);
            continue;
        };
        let replaced = if modified(&submission.file) > modified(&kept[index].file) {
            std::mem::replace(&mut kept[index], submission)
        } else {
            submission
        };
        superseded.push((code.clone().unwrap_or_default(), replaced.file.clone()));
        diagnostics.push(Diagnostic::warning(
            "ingest.replaced",
            &replaced.file,
            format!(
                "Đơn vị {} gửi hai hồ sơ: dùng tệp mới hơn '{}', bỏ qua tệp này",
                code.unwrap_or_default(),
                kept[index].file
            ),
        ));
    }
    kept
}

/// Units in the order of the campaign's unit list (the order clerks use in
/// every table), then the rest by file name.
fn order_by_unit_list(submissions: &mut [Submission], units: Option<&UnitList>) {
    let rank = |s: &Submission| {
        let code = s.unit.as_ref().map(|u| u.code.as_str());
        units
            .and_then(|list| {
                list.units()
                    .iter()
                    .position(|u| Some(u.code.as_str()) == code)
            })
            .unwrap_or(usize::MAX)
    };
    submissions.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.file.cmp(&b.file)));
}

/// The same person (name and date of birth) proposed twice, in one
/// workbook or by two units: a warning at each place after the first.
fn duplicate_people(submissions: &[Submission]) -> Vec<Diagnostic> {
    let mut seen: HashMap<(String, String), (String, String, u32)> = Default::default();
    let mut out = Vec::new();
    for submission in submissions {
        for person in &submission.individuals {
            let birth = person.birth.map(|b| b.display_vi()).unwrap_or_default();
            let key = (crate::text::fold(&person.full_name), birth.clone());
            let here = (
                submission.file.clone(),
                person.source.sheet.clone(),
                person.source.row,
            );
            match seen.get(&key) {
                Some((file, sheet, row)) => out.push(
                    Diagnostic::warning(
                        "ingest.duplicate-person",
                        &submission.file,
                        format!(
                            "{} (sinh {}) đã có trong {} › {} › dòng {}: cùng một người được đề nghị hai lần?",
                            person.full_name,
                            if birth.is_empty() { "?" } else { &birth },
                            file,
                            sheet,
                            row
                        ),
                    )
                    .at(&person.source.sheet, Some(name_cell(submission, &person.source))),
                ),
                None => {
                    seen.insert(key, here);
                }
            }
        }
    }
    out
}

/// The cell of a record's name, as the sheet's columns say (column A when
/// they do not).
fn name_cell(submission: &Submission, source: &Source) -> String {
    let letters = submission
        .columns
        .get(&source.sheet)
        .and_then(|columns| columns.iter().find(|c| c.key == "name"))
        .map_or("A", |c| c.letters.as_str());
    format!("{letters}{}", source.row)
}

//! The campaign's records set aside in a temporary file while render runs.
//!
//! Render needs only the lists; feedback, the JSON and the printed report
//! want the proposals and verdicts back afterwards. At 80,000 proposals
//! they are some 120 MiB, which would otherwise sit beside render's own
//! working set for the whole of it. The file is nameless (it vanishes with
//! the process, however that ends) and on the output's disk, where the
//! kernel may write it out rather than hold it.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::Checked;
use crate::model::{Collective, ExtraValue, Individual, Submission};
use crate::regulation::Subject;
use crate::validate::{FailedRule, RecordRef, Status, Verdict};

/// Where the records went, until [`SetAside::restore`] brings them back.
pub(super) struct SetAside {
    file: File,
}

impl SetAside {
    /// Moves the records of `checked` (each submission's individuals and
    /// collectives, as written and as judged, and the verdicts) into a
    /// temporary `file`. Nothing is moved unless all of it was written;
    /// `None` when nothing was (the file could not be written, or a number
    /// JSON cannot carry), and the records stay where they were.
    pub(super) fn take(checked: &mut Checked, file: File) -> Option<SetAside> {
        if !submissions(checked).all(finite_numbers) {
            return None;
        }
        let file = write(checked, file).ok()?;
        for submission in submissions_mut(checked) {
            submission.individuals = Vec::new();
            submission.collectives = Vec::new();
        }
        checked.validation.verdicts = Vec::new();
        Some(SetAside { file })
    }

    /// Puts the records back where [`SetAside::take`] found them.
    pub(super) fn restore(self, checked: &mut Checked) -> Result<()> {
        let mut file = self.file;
        file.rewind()?;
        let mut lines = Lines {
            reader: BufReader::new(file),
            line: Vec::new(),
        };
        for submission in submissions_mut(checked) {
            let records: Records = lines.next()?;
            submission.individuals = records.individuals;
            submission.collectives = records.collectives;
        }
        let count: usize = lines.next()?;
        checked.validation.verdicts = (0..count)
            .map(|_| lines.next::<StoredVerdict>().map(Verdict::from))
            .collect::<Result<_>>()?;
        Ok(())
    }
}

/// The file read back a line (one JSON value) at a time: parsed from a
/// slice, which serde_json does several times faster than from a reader.
struct Lines {
    reader: BufReader<File>,
    line: Vec<u8>,
}

impl Lines {
    fn next<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        let unreadable = "Không đọc lại được hồ sơ tạm gác trong tệp tạm";
        self.line.clear();
        self.reader
            .read_until(b'\n', &mut self.line)
            .context(unreadable)?;
        serde_json::from_slice(&self.line).context(unreadable)
    }
}

/// The submissions whose records are set aside, in the file's order.
fn submissions(checked: &Checked) -> impl Iterator<Item = &Submission> {
    checked
        .reading
        .submissions
        .iter()
        .chain(checked.with_history.iter().flatten())
}

/// [`submissions`], to put their records back.
fn submissions_mut(checked: &mut Checked) -> impl Iterator<Item = &mut Submission> {
    checked
        .reading
        .submissions
        .iter_mut()
        .chain(checked.with_history.iter_mut().flatten())
}

fn write(checked: &Checked, file: File) -> Result<File> {
    let mut out = BufWriter::new(file);
    for submission in submissions(checked) {
        let records = RecordsOf {
            individuals: &submission.individuals,
            collectives: &submission.collectives,
        };
        serde_json::to_writer(&mut out, &records)?;
        out.write_all(b"\n")?;
    }
    let verdicts = &checked.validation.verdicts;
    serde_json::to_writer(&mut out, &verdicts.len())?;
    for verdict in verdicts {
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, &StoredVerdict::of(verdict))?;
    }
    out.flush()?;
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

/// Whether every number of `submission` is one JSON carries (not NaN or
/// infinite; map never makes those, but a library caller might).
fn finite_numbers(submission: &Submission) -> bool {
    let extras_finite = |extra: &std::collections::BTreeMap<String, ExtraValue>| {
        extra.values().all(|value| match value {
            ExtraValue::Number(n) => n.is_finite(),
            ExtraValue::Text(_) => true,
        })
    };
    submission.individuals.iter().all(|i| {
        [i.teaching_hours, i.research_points, i.months_worked]
            .iter()
            .flatten()
            .all(|n| n.is_finite())
            && extras_finite(&i.extra)
    }) && submission
        .collectives
        .iter()
        .all(|c| extras_finite(&c.extra))
}

#[derive(Serialize)]
struct RecordsOf<'a> {
    individuals: &'a [Individual],
    collectives: &'a [Collective],
}

#[derive(Deserialize)]
struct Records {
    individuals: Vec<Individual>,
    collectives: Vec<Collective>,
}

/// A verdict with what its JSON for people leaves out.
#[derive(Serialize, Deserialize)]
struct StoredVerdict {
    file: String,
    sheet: String,
    row: u32,
    subject: String,
    unit: String,
    proposal: String,
    status: Status,
    eligible: bool,
    /// (rule, message, unverifiable)
    failed: Vec<(String, String, bool)>,
    record: (usize, Subject, usize),
    bonus_paid: bool,
}

impl StoredVerdict {
    fn of(v: &Verdict) -> Self {
        StoredVerdict {
            file: v.file.clone(),
            sheet: v.sheet.clone(),
            row: v.row,
            subject: v.subject.clone(),
            unit: v.unit.clone(),
            proposal: v.proposal.clone(),
            status: v.status,
            eligible: v.eligible,
            failed: v
                .failed
                .iter()
                .map(|f| (f.rule.clone(), f.message.clone(), f.unverifiable))
                .collect(),
            record: (v.record.submission, v.record.subject, v.record.index),
            bonus_paid: v.bonus_paid,
        }
    }
}

impl From<StoredVerdict> for Verdict {
    fn from(v: StoredVerdict) -> Self {
        Verdict {
            file: v.file,
            sheet: v.sheet,
            row: v.row,
            subject: v.subject,
            unit: v.unit,
            proposal: v.proposal,
            status: v.status,
            eligible: v.eligible,
            failed: v
                .failed
                .into_iter()
                .map(|(rule, message, unverifiable)| FailedRule {
                    rule,
                    message,
                    unverifiable,
                })
                .collect(),
            record: RecordRef {
                submission: v.record.0,
                subject: v.record.1,
                index: v.record.2,
            },
            bonus_paid: v.bonus_paid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Flags, Settings};
    use std::path::PathBuf;

    fn checked(campaign: &str) -> Checked {
        let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(campaign);
        let year = (!input.join("tdkt.toml").is_file()).then_some(2025);
        let settings = Settings::resolve(&Flags {
            input: Some(input),
            year,
            ..Flags::default()
        })
        .unwrap();
        super::super::check(&settings).unwrap()
    }

    #[test]
    fn records_set_aside_come_back_as_they_were() {
        let campaigns = [
            "samples/hvctqg-2025",
            "tests/fixtures/agency-campaign",
            "tests/fixtures/values",
            "tests/fixtures/legacy-codes",
            "tests/fixtures/provincial-export",
            "tests/fixtures/mixed-sheet",
            "tests/fixtures/hold-remarks",
        ];
        let mut records = 0;
        for campaign in campaigns {
            let mut checked = checked(campaign);
            // The register's history, as judged: a copy that differs.
            let mut judged = checked.reading.submissions.clone();
            for person in judged.iter_mut().flat_map(|s| &mut s.individuals) {
                person.title_history.insert(2019, "CSTĐCS".to_string());
            }
            checked.with_history = Some(judged);
            let before = (
                checked.reading.submissions.clone(),
                checked.with_history.clone(),
                checked.validation.verdicts.clone(),
            );
            records += before.2.len();
            let file = tempfile::tempfile().unwrap();
            let aside = SetAside::take(&mut checked, file).expect("set aside");
            assert!(checked.validation.verdicts.is_empty(), "{campaign}");
            assert!(
                submissions_mut(&mut checked).all(|s| s.individuals.is_empty()),
                "{campaign}"
            );
            aside.restore(&mut checked).unwrap();
            assert!(checked.reading.submissions == before.0, "{campaign}");
            assert!(checked.with_history == before.1, "{campaign}: as judged");
            assert!(checked.validation.verdicts == before.2, "{campaign}");
        }
        assert!(records > 200, "{records} verdicts");
    }

    #[test]
    fn a_number_json_cannot_carry_keeps_the_records_where_they_are() {
        let mut checked = checked("tests/fixtures/values");
        let person = &mut checked.reading.submissions[0].individuals[0];
        person.teaching_hours = Some(f64::NAN);
        let verdicts = checked.validation.verdicts.len();
        assert!(SetAside::take(&mut checked, tempfile::tempfile().unwrap()).is_none());
        assert!(
            checked.reading.submissions[0].individuals[0]
                .teaching_hours
                .unwrap()
                .is_nan()
        );
        assert_eq!(checked.validation.verdicts.len(), verdicts);
    }
}

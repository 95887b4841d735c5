//! The campaign's records set aside in a temporary file.
//!
//! A build needs each submission's records for a moment at a time: to make
//! its grants, then its feedback workbook and its part of the JSON. At
//! 80,000 proposals they are some 100 MiB (twice that when the register
//! adds history), which would otherwise sit beside the lists and render's
//! working set for the whole build; the verdicts and diagnostics (some 40
//! MiB) wait here too, from the lists to the end of render; and, in a file
//! of their own, the lists' grants while render lays the documents out
//! ([`ParkedGrants`]). The files are nameless (they vanish with the process,
//! however that ends) and on the output's disk, where the kernel may write
//! them out rather than hold them. One JSON value a line; each submission's
//! records, and each run of a list's grants, are read back by their place
//! in the file.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::Checked;
use crate::aggregate::{Aggregate, Grant, GrantList, GrantSource, InTheLists, Parked};
use crate::diagnostic::Diagnostic;
use crate::model::{Collective, ExtraValue, Individual, Submission, SubmissionRecords};
use crate::regulation::Subject;
use crate::validate::{FailedRule, RecordRef, Status, Verdict};

const UNREADABLE: &str = "Không đọc lại được hồ sơ tạm gác trong tệp tạm";

/// Where the records went: each submission's line, as written and (when
/// the register added history) as judged.
pub(super) struct Aside {
    file: File,
    written: Vec<Span>,
    judged: Option<Vec<Span>>,
    proposals: (usize, usize),
    /// Where the verdicts and diagnostics begin, while they are set aside.
    findings: Option<u64>,
}

/// A line's place in the file.
#[derive(Clone, Copy)]
struct Span {
    offset: u64,
    len: usize,
}

impl Aside {
    /// Moves the records of `checked` (each submission's individuals and
    /// collectives, as written and as judged) into a temporary `file`.
    /// Nothing is moved unless all of it was written; `None` when nothing
    /// was (the file could not be written, or a number JSON cannot carry),
    /// and the records stay where they were.
    pub(super) fn take(checked: &mut Checked, file: File) -> Option<Aside> {
        if !submissions(checked).all(finite_numbers) {
            return None;
        }
        let proposals = checked.records().proposals();
        let mut out = Spans::new(file, 0);
        let written = checked
            .reading
            .submissions
            .iter()
            .map(|s| out.line(&RecordsOf::of(s)))
            .collect::<Result<Vec<_>>>()
            .ok()?;
        let judged = match &checked.with_history {
            Some(judged) => Some(
                judged
                    .iter()
                    .map(|s| out.line(&RecordsOf::of(s)))
                    .collect::<Result<Vec<_>>>()
                    .ok()?,
            ),
            None => None,
        };
        let file = out.finish().ok()?;
        for submission in submissions_mut(checked) {
            submission.individuals = Vec::new();
            submission.collectives = Vec::new();
        }
        Some(Aside {
            file,
            written,
            judged,
            proposals,
            findings: None,
        })
    }

    /// Moves the findings (verdicts and diagnostics) into the file too,
    /// after the records; they stay where they are if the file cannot take
    /// them. Diagnostics added meanwhile follow them when they come back.
    pub(super) fn take_findings(&mut self, checked: &mut Checked) {
        let Ok(end) = self.file.seek(SeekFrom::End(0)) else {
            return;
        };
        let Ok(file) = self.file.try_clone() else {
            return;
        };
        let mut out = Spans::new(file, end);
        let written = write_findings(&mut out, checked);
        if written.and_then(|_| out.finish()).is_ok() {
            checked.validation.verdicts = Vec::new();
            checked.reading.diagnostics = Vec::new();
            self.findings = Some(end);
        }
    }

    /// Puts the findings back where [`Aside::take_findings`] found them,
    /// before the diagnostics added since.
    pub(super) fn restore_findings(&mut self, checked: &mut Checked) -> Result<()> {
        let Some(start) = self.findings.take() else {
            return Ok(());
        };
        let mut file = self.file.try_clone().context(UNREADABLE)?;
        file.seek(SeekFrom::Start(start)).context(UNREADABLE)?;
        let mut lines = Lines {
            reader: BufReader::new(file),
            line: Vec::new(),
        };
        let count: usize = lines.next()?;
        checked.validation.verdicts = (0..count)
            .map(|_| lines.next::<StoredVerdict>().map(Verdict::from))
            .collect::<Result<_>>()?;
        let count: usize = lines.next()?;
        let mut diagnostics = (0..count)
            .map(|_| lines.next::<Diagnostic>())
            .collect::<Result<Vec<_>>>()?;
        diagnostics.append(&mut checked.reading.diagnostics);
        checked.reading.diagnostics = diagnostics;
        Ok(())
    }

    /// The records of `checked`'s submissions, read back one at a time.
    pub(super) fn records<'a>(&'a self, checked: &'a Checked) -> View<'a> {
        View {
            aside: self,
            written: &checked.reading.submissions,
            judged: checked.with_history.as_deref(),
        }
    }

    fn load(&self, submission: &Submission, span: Span) -> Result<Submission> {
        let mut line = vec![0; span.len];
        self.file
            .read_exact_at(&mut line, span.offset)
            .context(UNREADABLE)?;
        let records: Records = serde_json::from_slice(&line).context(UNREADABLE)?;
        Ok(Submission {
            individuals: records.individuals,
            collectives: records.collectives,
            ..submission.clone()
        })
    }
}

/// The submissions of a checked campaign whose records are set aside.
pub(super) struct View<'a> {
    aside: &'a Aside,
    written: &'a [Submission],
    judged: Option<&'a [Submission]>,
}

impl View<'_> {
    /// The `index`th of `submissions` read back from its line in `spans`.
    fn load(&self, submissions: &[Submission], spans: &[Span], index: usize) -> Result<Submission> {
        match (submissions.get(index), spans.get(index)) {
            (Some(submission), Some(&span)) => self.aside.load(submission, span),
            _ => anyhow::bail!("không có hồ sơ thứ {index}"),
        }
    }
}

impl SubmissionRecords for View<'_> {
    fn count(&self) -> usize {
        self.written.len()
    }

    fn written(&self, index: usize) -> Result<Cow<'_, Submission>> {
        let loaded = self.load(self.written, &self.aside.written, index)?;
        Ok(Cow::Owned(loaded))
    }

    fn judged(&self, index: usize) -> Result<Cow<'_, Submission>> {
        match (self.judged, &self.aside.judged) {
            (Some(judged), Some(spans)) => Ok(Cow::Owned(self.load(judged, spans, index)?)),
            _ => self.written(index),
        }
    }

    fn proposals(&self) -> (usize, usize) {
        self.aside.proposals
    }
}

/// The lists' grants set aside while render lays the documents out: a line
/// per grant, each list's read back a certificate batch or a piece of its
/// attached list at a time (at 80,000 proposals the lists hold some 36 MiB,
/// which would otherwise sit beside render's working set).
pub(super) struct ParkedGrants {
    file: File,
    /// Per list (its `Parked::index`): where its first line begins and
    /// where each of its lines ends.
    lists: Vec<ListLines>,
}

struct ListLines {
    start: u64,
    ends: Vec<u64>,
}

/// A grant as set aside: its JSON, and what that leaves out.
#[derive(Serialize)]
struct StoredGrant<'a>(&'a Grant, Subject, (usize, usize));

#[derive(Deserialize)]
struct ReadGrant(Grant, Subject, (usize, usize));

impl ParkedGrants {
    /// Moves the grants of every list of `aggregate` (decisions, their
    /// parts, submissions) into a temporary `file`. Nothing is moved unless
    /// all of it was written: `None`, and the lists keep their grants.
    pub(super) fn take(aggregate: &mut Aggregate, file: File) -> Option<ParkedGrants> {
        let mut out = Spans::new(file, 0);
        let mut lists = Vec::new();
        let mut written = Ok(());
        each_list(aggregate, &mut |list| {
            let start = out.offset;
            let ends = list
                .grants()
                .map(|g| {
                    let record = (g.record.submission, g.record.index);
                    let span = out.line(&StoredGrant(g, g.subject, record))?;
                    Ok(span.offset + span.len as u64)
                })
                .collect::<Result<Vec<u64>>>();
            match ends {
                Ok(ends) => lists.push(ListLines { start, ends }),
                Err(error) => written = Err(error),
            }
        });
        written.ok()?;
        let file = out.finish().ok()?;
        let mut index = 0;
        each_list(aggregate, &mut |list| {
            list.parked = Some(Parked {
                collectives: list.collectives.len(),
                individuals: list.individuals.len(),
                index,
            });
            list.collectives = Vec::new();
            list.individuals = Vec::new();
            index += 1;
        });
        Some(ParkedGrants { file, lists })
    }
}

impl GrantSource for ParkedGrants {
    fn read(&self, list: &GrantList, range: std::ops::Range<usize>) -> Result<Vec<Grant>> {
        let Some(parked) = list.parked else {
            return InTheLists.read(list, range);
        };
        let lines = self.lists.get(parked.index).context(UNREADABLE)?;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let start = match range.start {
            0 => lines.start,
            n => lines.ends.get(n - 1).context(UNREADABLE)? + 1,
        };
        let end = *lines.ends.get(range.end - 1).context(UNREADABLE)?;
        let mut bytes = vec![0; usize::try_from(end - start).context(UNREADABLE)?];
        self.file
            .read_exact_at(&mut bytes, start)
            .context(UNREADABLE)?;
        bytes
            .split(|&b| b == b'\n')
            .map(|line| {
                let ReadGrant(mut grant, subject, (submission, index)) =
                    serde_json::from_slice(line).context(UNREADABLE)?;
                grant.subject = subject;
                grant.record = RecordRef {
                    submission,
                    subject,
                    index,
                };
                Ok(grant)
            })
            .collect()
    }
}

/// Calls `f` with every list of `aggregate`, in one order: each decision
/// and its parts, then the submissions.
fn each_list(aggregate: &mut Aggregate, f: &mut dyn FnMut(&mut GrantList)) {
    for decision in &mut aggregate.decisions {
        f(decision);
        for part in &mut decision.parts {
            f(part);
        }
    }
    for submission in &mut aggregate.submissions {
        f(submission);
    }
}

/// Lines written to the file, each remembered by its place.
struct Spans {
    out: BufWriter<File>,
    offset: u64,
}

impl Spans {
    fn new(file: File, offset: u64) -> Self {
        Spans {
            out: BufWriter::new(file),
            offset,
        }
    }

    fn line<T: Serialize>(&mut self, value: &T) -> Result<Span> {
        let mut counted = Counted {
            out: &mut self.out,
            len: 0,
        };
        serde_json::to_writer(&mut counted, value)?;
        let len = counted.len;
        self.out.write_all(b"\n")?;
        let span = Span {
            offset: self.offset,
            len,
        };
        self.offset += len as u64 + 1;
        Ok(span)
    }

    fn finish(self) -> Result<File> {
        Ok(self.out.into_inner().map_err(|e| e.into_error())?)
    }
}

/// A writer that counts what passes through it.
struct Counted<'a, W> {
    out: &'a mut W,
    len: usize,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.len += written;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The verdicts, then the diagnostics, each list after its length.
fn write_findings(out: &mut Spans, checked: &Checked) -> Result<()> {
    let verdicts = &checked.validation.verdicts;
    out.line(&verdicts.len())?;
    for verdict in verdicts {
        out.line(&StoredVerdict::of(verdict))?;
    }
    let diagnostics = &checked.reading.diagnostics;
    out.line(&diagnostics.len())?;
    for diagnostic in diagnostics {
        out.line(diagnostic)?;
    }
    Ok(())
}

/// The file read back a line (one JSON value) at a time: parsed from a
/// slice, which serde_json does several times faster than from a reader.
struct Lines {
    reader: BufReader<File>,
    line: Vec<u8>,
}

impl Lines {
    fn next<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        self.line.clear();
        self.reader
            .read_until(b'\n', &mut self.line)
            .context(UNREADABLE)?;
        serde_json::from_slice(&self.line).context(UNREADABLE)
    }
}

/// The submissions whose records are set aside.
fn submissions(checked: &Checked) -> impl Iterator<Item = &Submission> {
    checked
        .reading
        .submissions
        .iter()
        .chain(checked.with_history.iter().flatten())
}

/// [`submissions`], to empty their records.
fn submissions_mut(checked: &mut Checked) -> impl Iterator<Item = &mut Submission> {
    checked
        .reading
        .submissions
        .iter_mut()
        .chain(checked.with_history.iter_mut().flatten())
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

impl<'a> RecordsOf<'a> {
    fn of(submission: &'a Submission) -> Self {
        RecordsOf {
            individuals: &submission.individuals,
            collectives: &submission.collectives,
        }
    }
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
    use crate::model::InMemory;
    use crate::settings::{Flags, Settings};
    use std::path::PathBuf;

    fn settings(campaign: &str) -> Settings {
        let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(campaign);
        let year = (!input.join("tdkt.toml").is_file()).then_some(2025);
        Settings::resolve(&Flags {
            input: Some(input),
            year,
            ..Flags::default()
        })
        .unwrap()
    }

    /// Campaigns whose lists hold grants of several honours and subjects.
    const LISTED_CAMPAIGNS: [&str; 3] = [
        "samples/hvctqg-2025",
        "tests/fixtures/agency-campaign",
        "tests/fixtures/hold-remarks",
    ];

    fn checked(campaign: &str) -> Checked {
        super::super::check(&settings(campaign)).unwrap()
    }

    #[test]
    fn the_lists_made_from_records_set_aside_are_the_lists_made_in_memory() {
        let mut grants = 0;
        for campaign in LISTED_CAMPAIGNS {
            let settings = settings(campaign);
            let mut checked = super::super::check(&settings).unwrap();
            let date = settings.documents.decision_date;
            let in_memory = super::super::lists_for(&settings, &checked, date);
            let aside = Aside::take(&mut checked, tempfile::tempfile().unwrap()).unwrap();
            let set_aside =
                super::super::lists_from(&settings, &checked, &aside.records(&checked), date)
                    .unwrap();
            assert!(set_aside == in_memory, "{campaign}");
            for list in in_memory.decisions.iter().chain(&set_aside.decisions) {
                let room = list.individuals.capacity() + list.collectives.capacity();
                assert_eq!(room, list.count(), "{campaign}: {} made room for", list.id);
            }
            grants += in_memory.decisions.iter().map(|d| d.count()).sum::<usize>();
        }
        assert!(grants > 50, "{grants} grants");
    }

    /// Render reads the lists' grants back from the file a batch or a
    /// piece at a time, across the collectives' and individuals' border
    /// too: each comes back as it was (subject and record included), every
    /// list's (a combined decision's parts too) and nothing more.
    #[test]
    fn the_lists_grants_set_aside_come_back_as_they_were() {
        let mut grants = 0;
        for campaign in LISTED_CAMPAIGNS {
            let settings = settings(campaign);
            let checked = super::super::check(&settings).unwrap();
            let date = settings.documents.decision_date;
            let mut in_memory = super::super::lists_for(&settings, &checked, date);
            let mut combined = GrantList::combine(in_memory.decisions.clone(), 2025);
            combined.split_parts();
            in_memory.decisions.push(combined);
            let mut parked = in_memory.clone();
            let file = ParkedGrants::take(&mut parked, tempfile::tempfile().unwrap()).unwrap();
            let mut lists = Vec::new();
            each_list(&mut in_memory, &mut |list| lists.push(list.clone()));
            let mut index = 0;
            each_list(&mut parked, &mut |list| {
                let expected = &lists[index];
                index += 1;
                assert!(list.collectives.is_empty() && list.individuals.is_empty());
                assert_eq!(list.collective_count(), expected.collectives.len());
                assert_eq!(list.count(), expected.count(), "{campaign}: {}", list.id);
                let back: Vec<Grant> = (0..list.count())
                    .step_by(7)
                    .flat_map(|start| {
                        file.read(list, start..(start + 7).min(list.count()))
                            .unwrap()
                    })
                    .collect();
                let whole: Vec<Grant> = expected.grants().cloned().collect();
                assert!(back == whole, "{campaign}: {}", list.id);
                grants += back.len();
                assert!(
                    file.read(list, 0..list.count() + 1).is_err(),
                    "past the end"
                );
            });
            assert_eq!(index, lists.len());
        }
        assert!(grants > 100, "{grants} grants");
    }

    /// A list of `count` grants made from `list`'s, each named apart.
    fn inflated(list: &mut GrantList, count: usize) {
        let model = list.grants().next().cloned().unwrap();
        list.individuals = (0..count)
            .map(|n| Grant {
                name: format!("Nguyễn Văn Số{n:04}"),
                subject: Subject::Individual,
                ..model.clone()
            })
            .collect();
        list.collectives = Vec::new();
        list.number_grants();
        list.refresh_total();
    }

    /// The documents rendered from grants set aside on disk, read back a
    /// piece of a long list or a certificate batch at a time, are byte for
    /// byte those rendered from the lists in memory.
    #[test]
    fn documents_from_grants_set_aside_are_those_from_the_lists_in_memory() {
        let settings = settings("samples/hvctqg-2025");
        let checked = super::super::check(&settings).unwrap();
        let date = settings.documents.decision_date;
        let mut lists = super::super::lists_for(&settings, &checked, date);
        for list in &mut lists.decisions {
            match list.code.as_str() {
                "LĐTT" => inflated(list, 700),
                code if list.certificate.is_some() && code == "BK-BỘ" => inflated(list, 150),
                _ => {}
            }
        }
        let renderer = crate::render::Renderer::new(None, None).unwrap();
        let temp = tempfile::tempdir().unwrap();
        let render = |lists: &Aggregate, grants: &dyn GrantSource, name: &str| {
            let output = crate::write::Output::begin(&temp.path().join(name), &[]).unwrap();
            let (_, report) = renderer
                .render_all_but_report(
                    lists,
                    grants,
                    &settings.regulation,
                    &settings.documents,
                    &output,
                    &crate::progress::Silent,
                )
                .unwrap();
            drop(report);
            output.commit().unwrap()
        };
        let in_memory = render(&lists, &InTheLists, "in-memory");
        let mut parked = lists.clone();
        let file = ParkedGrants::take(&mut parked, tempfile::tempfile().unwrap()).unwrap();
        let set_aside = render(&parked, &file, "set-aside");
        let files = crate::testing::files_below(&in_memory);
        assert!(files.len() > 150, "{} files", files.len());
        assert!(files.iter().any(|f| f.ends_with("qd-ldtt.pdf")));
        assert_eq!(files, crate::testing::files_below(&set_aside));
        for file in files {
            let (a, b) = (in_memory.join(&file), set_aside.join(&file));
            assert!(
                std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
                "{} differs",
                file.display()
            );
        }
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
                checked.reading.diagnostics.clone(),
            );
            records += before.2.len();
            let file = tempfile::tempfile().unwrap();
            let mut aside = Aside::take(&mut checked, file).expect("set aside");
            aside.take_findings(&mut checked);
            assert!(checked.validation.verdicts.is_empty(), "{campaign}");
            assert!(checked.reading.diagnostics.is_empty(), "{campaign}");
            let later = Diagnostic::warning("render.placeholder", "tdkt.toml", "sau");
            checked.reading.diagnostics.push(later.clone());
            assert!(
                submissions_mut(&mut checked).all(|s| s.individuals.is_empty()),
                "{campaign}"
            );
            let view = aside.records(&checked);
            assert_eq!(view.count(), before.0.len(), "{campaign}");
            assert_eq!(
                view.proposals(),
                InMemory {
                    written: &before.0,
                    judged: &before.0
                }
                .proposals()
            );
            // Read back in any order, as feedback's threads do.
            for index in (0..view.count()).rev() {
                assert!(
                    *view.written(index).unwrap() == before.0[index],
                    "{campaign}"
                );
                let judged = &before.1.as_ref().unwrap()[index];
                assert!(
                    *view.judged(index).unwrap() == *judged,
                    "{campaign}: as judged"
                );
            }
            assert!(view.written(view.count()).is_err());
            aside.restore_findings(&mut checked).unwrap();
            assert!(checked.validation.verdicts == before.2, "{campaign}");
            let mut diagnostics = before.3.clone();
            diagnostics.push(later);
            assert!(checked.reading.diagnostics == diagnostics, "{campaign}");
        }
        assert!(records > 200, "{records} verdicts");
    }

    #[test]
    fn a_number_json_cannot_carry_keeps_the_records_where_they_are() {
        let mut checked = checked("tests/fixtures/values");
        let person = &mut checked.reading.submissions[0].individuals[0];
        person.teaching_hours = Some(f64::NAN);
        let verdicts = checked.validation.verdicts.len();
        assert!(Aside::take(&mut checked, tempfile::tempfile().unwrap()).is_none());
        assert!(
            checked.reading.submissions[0].individuals[0]
                .teaching_hours
                .unwrap()
                .is_nan()
        );
        assert_eq!(checked.validation.verdicts.len(), verdicts);
    }
}

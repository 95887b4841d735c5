//! The driver: the stages in order, like a checklist.
//!
//! `inspect` stops after `map`, `check` after `validate`, `build` goes to the
//! end. Problems travel as diagnostics; `Err` means the run could not happen.

use crate::progress::{Progress, Silent, Stage};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::aggregate::{self, Aggregate, GrantList, GrantSource, InTheLists};
use crate::diagnostic::Diagnostic;
use crate::feedback;
use crate::ingest::{self, RawWorkbook};
use crate::map::{self, MapContext};
use crate::model::{InMemory, Submission, SubmissionRecords, WrittenWorkbooks};
use crate::register::{CampaignKey, Register};
use crate::render::Renderer;
use crate::settings::{DecisionLayout, Settings};
use crate::validate::{self, QuotaResult, Status, Validation, Verdict};
use crate::write::Output;

mod aside;
mod report;
mod signoff;

pub use crate::verify::Verification;
pub use report::{human_report, inspect_table, summary_line};
pub use signoff::{
    decisions, import, merge_people, people, reconciled_lists, sign, split_person, verify,
    verify_file, verify_number,
};

/// What `inspect` reads.
pub struct Reading {
    pub year: i32,
    pub raw: Vec<RawWorkbook>,
    pub submissions: Vec<Submission>,
    pub diagnostics: Vec<Diagnostic>,
    /// Workbooks a newer one of the same unit replaced: (unit code, file).
    pub superseded: Vec<(String, String)>,
}

/// `tdkt inspect --json` (contracts.md).
#[derive(Serialize)]
pub struct InspectJson<'a> {
    pub workbooks: &'a [Submission],
    pub diagnostics: &'a [Diagnostic],
}

/// `tdkt check --json` (contracts.md), whose workbooks may be read back
/// one at a time.
#[derive(Serialize)]
#[serde(bound = "")]
struct CheckJson<'a, R: SubmissionRecords> {
    workbooks: WrittenWorkbooks<R>,
    diagnostics: &'a [Diagnostic],
    verdicts: &'a [Verdict],
    quotas: &'a [QuotaResult],
}

/// Stages 1–2: ingest and map.
pub fn read(settings: &Settings) -> Result<Reading> {
    read_with(settings, &Silent, Cells::Kept)
}

/// What reading keeps of a workbook's cells once it is mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cells {
    /// For `inspect`, which shows how each sheet was read.
    Kept,
    /// Dropped as each workbook is mapped, as soon as it is read: at
    /// 80,000 proposals the cells are some 90 MiB.
    Dropped,
}

/// A workbook as reading leaves it.
struct Read {
    workbook: RawWorkbook,
    /// The year its title rows name (looked for only when the campaign
    /// does not give its own).
    own_year: Option<i32>,
    /// Mapped as soon as it was read (its cells then dropped), with the
    /// campaign's year or, when the campaign does not say, its own.
    mapped: Option<(i32, map::MappedWorkbook)>,
}

/// [`read`], telling `progress`.
fn read_with(settings: &Settings, progress: &dyn Progress, cells: Cells) -> Result<Reading> {
    let (read, read_diagnostics) = std::thread::scope(|scope| {
        let mapper = Mapper::start(scope, settings);
        ingest::read_inbox_then(&settings.inbox, &settings.reader, progress, |workbook| {
            // Needed only to decide the year the campaign does not give.
            let own_year = match settings.year {
                Some(_) => None,
                None => map::workbook_year(&workbook),
            };
            match (cells, settings.year.or(own_year)) {
                (Cells::Dropped, Some(year)) => {
                    let (workbook, mapped) = mapper.map(workbook, year);
                    Read {
                        workbook,
                        own_year,
                        mapped: Some((year, mapped)),
                    }
                }
                _ => Read {
                    workbook,
                    own_year,
                    mapped: None,
                },
            }
        })
    })?;
    let own_years = read.iter().map(|r| r.own_year);
    let (year, assumed) = map::decide_year_among(settings.year, own_years);
    let Some(year) = year else {
        bail!(
            "Không xác định được năm xét: hãy ghi năm trong tdkt.toml ([campaign] year = …) hoặc dùng --year YYYY"
        );
    };
    progress.begin(Stage::Map, read.len() as u64);
    let (workbooks, mapped): (Vec<RawWorkbook>, Vec<map::MappedWorkbook>) = read
        .into_par_iter()
        .map(|read| map_for_year(settings, read, year, cells))
        .unzip();
    let mapped: map::Mapped = mapped.into_iter().collect();
    progress.advance(workbooks.len() as u64);
    let mut diagnostics = read_diagnostics;
    diagnostics.extend(assumed);
    diagnostics.extend(mapped.diagnostics);
    let selected = map::select(
        mapped.submissions,
        &workbooks,
        settings.units.as_ref(),
        &settings.outstanding_units,
    );
    diagnostics.extend(selected.diagnostics);
    Ok(Reading {
        year,
        raw: workbooks,
        submissions: selected.submissions,
        diagnostics,
        superseded: selected.superseded,
    })
}

/// Maps workbooks as they are read, on a thread of its own: mimalloc keeps
/// a heap per thread, so the records lie together on the mapping thread's
/// pages, not among the cells the reading threads parse and drop (at
/// 80,000 proposals the records are some 100 MiB and the cells as much
/// again: mapped where they were read, the records pinned half-empty pages
/// for the rest of the build). The cells are dropped there too.
struct Mapper<'s> {
    settings: &'s Settings,
    jobs: std::sync::mpsc::Sender<MapJob>,
}

/// A workbook to map for a year, and where its mapping goes.
type MapJob = (
    RawWorkbook,
    i32,
    std::sync::mpsc::Sender<map::MappedWorkbook>,
);

impl<'s> Mapper<'s> {
    fn start(scope: &'s std::thread::Scope<'s, '_>, settings: &'s Settings) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<MapJob>();
        let mapping = move || {
            for (workbook, year, done) in queue {
                let mapped = map::map_workbook(&workbook, map_context(settings, year));
                drop(workbook);
                // The reader waits for it; gone only if it gave up.
                let _ = done.send(mapped);
            }
        };
        // Without a thread of its own (none could be made), each workbook
        // is mapped where it was read: `map` finds the queue closed.
        let _ = std::thread::Builder::new()
            .name("tdkt-map".into())
            .spawn_scoped(scope, mapping);
        Mapper { settings, jobs }
    }

    /// `workbook` mapped for `year`; what is kept of it (its name, times
    /// and counts) without its cells.
    fn map(&self, workbook: RawWorkbook, year: i32) -> (RawWorkbook, map::MappedWorkbook) {
        let kept = RawWorkbook {
            sheets: Vec::new(),
            diagnostics: Vec::new(),
            file: workbook.file.clone(),
            saved: workbook.saved.clone(),
            ..workbook
        };
        let (done, mapped) = std::sync::mpsc::channel();
        let mapped = match self.jobs.send((workbook, year, done)) {
            Ok(()) => match mapped.recv() {
                Ok(mapped) => mapped,
                // The mapping thread ended with the workbook.
                Err(_) => read_again_and_map(self.settings, &kept.file, year),
            },
            Err(std::sync::mpsc::SendError((workbook, year, _))) => {
                map::map_workbook(&workbook, map_context(self.settings, year))
            }
        };
        (kept, mapped)
    }
}

/// The workbook `file` of the inbox read again and mapped for `year`.
fn read_again_and_map(settings: &Settings, file: &str, year: i32) -> map::MappedWorkbook {
    match settings.reader.read(&settings.inbox.join(file), file) {
        Ok(again) => map::map_workbook(&again, map_context(settings, year)),
        Err(unreadable) => (None, vec![*unreadable]),
    }
}

/// What lives through render (the lists' counts and tallies, the
/// submissions' names and files, the quotas), copied onto pages of its own
/// (`memory::on_fresh_pages`) and the originals dropped: render's working
/// set then starts from a clean heap, not beside the pages judging and
/// aggregating left half used.
fn onto_fresh_pages(checked: &mut Checked, aggregate: &mut Aggregate) {
    let (lists, judged) = (&*aggregate, &*checked);
    let (lists, submissions, raw, with_history, quotas) = crate::memory::on_fresh_pages(|| {
        (
            lists.clone(),
            judged.reading.submissions.clone(),
            judged.reading.raw.clone(),
            judged.with_history.clone(),
            judged.validation.quotas.clone(),
        )
    });
    *aggregate = lists;
    checked.reading.submissions = submissions;
    checked.reading.raw = raw;
    checked.with_history = with_history;
    checked.validation.quotas = quotas;
}

/// What map needs of the campaign to map a workbook for `year`.
fn map_context(settings: &Settings, year: i32) -> MapContext<'_> {
    MapContext {
        regulation: &settings.regulation,
        units: settings.units.as_ref(),
        year,
    }
}

/// `read`'s workbook mapped for the campaign's `year`: as it was on
/// reading when that was with this year; else now, from its cells, or from
/// the file read again when its cells went with a mapping for its own year
/// (a workbook of another year than most: rare).
fn map_for_year(
    settings: &Settings,
    read: Read,
    year: i32,
    cells: Cells,
) -> (RawWorkbook, map::MappedWorkbook) {
    let context = map_context(settings, year);
    let Read {
        mut workbook,
        mapped,
        ..
    } = read;
    let mapped = match mapped {
        Some((mapped_for, mapped)) if mapped_for == year => mapped,
        Some(_) => read_again_and_map(settings, &workbook.file, year),
        None => {
            let mapped = map::map_workbook(&workbook, context);
            if cells == Cells::Dropped {
                workbook.sheets = Vec::new();
            }
            mapped
        }
    };
    (workbook, mapped)
}

/// Documents printed with the stand-in agency or signer of a campaign that
/// has not declared its own: a warning naming what to fill in.
fn placeholder_warnings(documents: &crate::settings::DocumentSettings) -> Vec<Diagnostic> {
    let defaults = (
        crate::settings::Agency::default(),
        crate::settings::Signer::default(),
    );
    let mut missing = Vec::new();
    if documents.agency.name == defaults.0.name {
        missing.push("[agency] (tên cơ quan, nơi ban hành)");
    }
    if documents.signer.name == defaults.1.name {
        missing.push("[signer] (người ký, chức vụ, thẩm quyền)");
    }
    if missing.is_empty() {
        return Vec::new();
    }
    vec![Diagnostic::warning(
        "render.placeholder",
        "tdkt.toml",
        format!(
            "Văn bản đang in tên tạm \"(chưa khai báo)\" vì tdkt.toml chưa có {}: hãy khai báo \
             trước khi trình ký",
            missing.join(" và ")
        ),
    )]
}

/// Stages 1–3.
pub struct Checked {
    pub reading: Reading,
    /// The submissions with the history the register holds from earlier
    /// campaigns, as the rules judged them; `None` without a register
    /// (they are then the workbooks', and are not copied).
    pub with_history: Option<Vec<Submission>>,
    pub validation: Validation,
}

/// Stages 1–3. The workbooks stay as the units wrote them (what `check
/// --json` prints and feedback shows); the rules judge them with the
/// history the register adds beside.
pub fn check(settings: &Settings) -> Result<Checked> {
    check_with(settings, &Silent)
}

/// [`check`], telling `progress`.
pub fn check_with(settings: &Settings, progress: &dyn Progress) -> Result<Checked> {
    judge(settings, progress, Register::snapshot)
}

/// [`check`], the register opened with `open` to add earlier campaigns'
/// history: `check` reads a copy in memory (it never writes the file);
/// `build`, which keeps the register, the file itself (a ministry's register
/// is tens of megabytes, which a copy would add to judging's peak).
fn judge(
    settings: &Settings,
    progress: &dyn Progress,
    open: fn(&std::path::Path) -> Result<Register>,
) -> Result<Checked> {
    let mut reading = read_with(settings, progress, Cells::Dropped)?;
    let proposals: usize = reading
        .submissions
        .iter()
        .map(|s| s.individuals.len() + s.collectives.len())
        .sum();
    progress.begin(Stage::Validate, proposals as u64);
    let with_history = if settings.register.path.is_file() {
        let register = open(&settings.register.path)?;
        let histories =
            register.with_histories(&settings.regulation, reading.year, &reading.submissions)?;
        drop(register);
        // SQLite's pages, read in the C library's heap, go back.
        crate::memory::give_back_freed();
        histories
    } else {
        None
    };
    let judged = with_history.as_deref().unwrap_or(&reading.submissions);
    let mut validation = validate::validate(judged, &settings.regulation, reading.year);
    progress.advance(proposals as u64);
    reading.diagnostics.append(&mut validation.diagnostics);
    Ok(Checked {
        reading,
        with_history,
        validation,
    })
}

impl Checked {
    /// The submissions as the rules judged them.
    pub fn judged(&self) -> &[Submission] {
        self.with_history
            .as_deref()
            .unwrap_or(&self.reading.submissions)
    }

    /// Errors a person must act on: error diagnostics, proposals that fail,
    /// quotas exceeded.
    pub fn has_errors(&self) -> bool {
        self.reading.diagnostics.iter().any(Diagnostic::is_error)
            || self
                .validation
                .verdicts
                .iter()
                .any(|v| matches!(v.status, Status::NotEligible | Status::CannotVerify))
            || self.validation.quotas.iter().any(|q| !q.ok)
    }

    /// What `check --json` prints.
    pub fn json(&self) -> impl Serialize + '_ {
        self.json_of(self.records())
    }

    fn json_of<R: SubmissionRecords>(&self, records: R) -> CheckJson<'_, R> {
        CheckJson {
            workbooks: WrittenWorkbooks(records),
            diagnostics: &self.reading.diagnostics,
            verdicts: &self.validation.verdicts,
            quotas: &self.validation.quotas,
        }
    }

    /// The records, as written and as judged, held in memory.
    pub fn records(&self) -> InMemory<'_> {
        InMemory {
            written: &self.reading.submissions,
            judged: self.judged(),
        }
    }
}

/// What `build` made.
pub struct Built {
    /// The campaign as checked; its records may be set aside on disk (see
    /// [`Built::records`]).
    pub checked: Checked,
    aside: Option<aside::Aside>,
    /// Decisions drafted or printed as signed.
    pub decisions: usize,
    /// Submissions upward (tờ trình).
    pub submissions: usize,
    /// People and collectives on the decisions that print certificates.
    pub certificates: usize,
    pub files: usize,
    pub output: std::path::PathBuf,
}

impl Built {
    /// The campaign's records, read back from disk one submission at a
    /// time when the build set them aside.
    pub fn records(&self) -> Box<dyn SubmissionRecords + '_> {
        records_of(&self.checked, self.aside.as_ref())
    }

    /// What `build --json` prints (the same as `check --json`).
    pub fn json(&self) -> impl Serialize + '_ {
        self.checked.json_of(self.records())
    }
}

/// The records of `checked`: where `aside` keeps them, else in memory.
fn records_of<'a>(
    checked: &'a Checked,
    aside: Option<&'a aside::Aside>,
) -> Box<dyn SubmissionRecords + 'a> {
    match aside {
        Some(aside) => Box::new(aside.records(checked)),
        None => Box::new(checked.records()),
    }
}

/// Stages 1–4 for a decision date: the campaign's lists.
fn lists_for(settings: &Settings, checked: &Checked, decision_date: NaiveDate) -> Aggregate {
    let aggregate = aggregate::aggregate(
        &checked.reading.submissions,
        &checked.validation,
        &settings.regulation,
        checked.reading.year,
        decision_date,
        &unit_order(settings),
    );
    laid_out(settings, aggregate)
}

/// [`lists_for`], each submission's records read from `records` in turn
/// (only those of submissions with a grant).
fn lists_from(
    settings: &Settings,
    checked: &Checked,
    records: &dyn SubmissionRecords,
    decision_date: NaiveDate,
) -> Result<Aggregate> {
    let submissions = &checked.reading.submissions;
    let mut collector =
        aggregate::Collector::new(&settings.regulation, decision_date, &checked.validation);
    let verdicts = checked.validation.by_submission(submissions.len());
    let granting: Vec<usize> = (0..verdicts.len())
        .filter(|&index| verdicts[index].iter().any(|v| v.eligible))
        .collect();
    // Read on a thread of their own: the records' memory is that thread's,
    // and the grants, made here, lie together on this one's pages instead of
    // among the holes the records leave (which render's threads cannot
    // reuse). Two submissions in flight at most.
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let reader = scope.spawn(move || {
            for &index in &granting {
                let read = records.written(index).map(|s| (index, s.into_owned()));
                let failed = read.is_err();
                if send.send(read).is_err() || failed {
                    return;
                }
            }
        });
        for read in receive {
            let (index, submission) = read?;
            collector.add(&submission, &verdicts[index]);
        }
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("Luồng đọc lại hồ sơ bị lỗi"))
    })?;
    let aggregate = collector.finish(
        submissions,
        &checked.validation,
        checked.reading.year,
        &unit_order(settings),
    );
    Ok(laid_out(settings, aggregate))
}

/// The units in the unit list's order, which the lists follow.
fn unit_order(settings: &Settings) -> Vec<String> {
    settings
        .units
        .as_ref()
        .map(|u| u.units().iter().map(|u| u.code.clone()).collect())
        .unwrap_or_default()
}

/// The decisions as the campaign lays them out: one combined decision, or
/// one per honour.
fn laid_out(settings: &Settings, mut aggregate: Aggregate) -> Aggregate {
    if settings.documents.decisions == DecisionLayout::Combined && !aggregate.decisions.is_empty() {
        let lists = std::mem::take(&mut aggregate.decisions);
        aggregate.decisions = vec![GrantList::combine(lists, aggregate.year)];
    }
    aggregate
}

/// Stage 4 for what `check` found, dated as the campaign's decisions: the
/// lists and per-unit tallies and bonuses, before the register is asked.
pub fn lists(settings: &Settings, checked: &Checked) -> Aggregate {
    let settings = &*settings.for_year(checked.reading.year);
    lists_for(settings, checked, settings.documents.decision_date)
}

fn campaign_key(settings: &Settings, checked: &Checked) -> CampaignKey {
    CampaignKey {
        name: settings.register.campaign.clone(),
        year: checked.reading.year,
    }
}

/// Reconciles the decisions with the register: drafts follow the
/// workbooks, signed ones come back from the register.
fn reconcile(
    register: &mut Register,
    settings: &Settings,
    checked: &Checked,
    aggregate: &mut Aggregate,
) -> Result<Vec<Diagnostic>> {
    let diagnostics = register.reconcile(
        &campaign_key(settings, checked),
        &mut aggregate.decisions,
        &settings.documents.decision_code(),
        &settings.regulation,
    )?;
    for decision in &mut aggregate.decisions {
        decision.split_parts();
    }
    aggregate.settle_bonuses();
    Ok(diagnostics)
}

/// All six stages, each told to `progress` as it begins.
pub fn build(settings: &Settings, progress: &dyn Progress) -> Result<Built> {
    let mut kept = vec![settings.inbox.as_path(), settings.register.path.as_path()];
    kept.extend(settings.campaign_dir.as_deref());
    crate::write::ensure_ours(&settings.output, &kept)?;
    let open = if settings.register.kept_by_build {
        Register::open
    } else {
        Register::snapshot
    };
    let mut checked = judge(settings, progress, open)?;
    // The cells are in the submissions now (and dropped as each workbook
    // was mapped, unless the year was not known before reading); only the
    // files' names and times are needed further on.
    for workbook in &mut checked.reading.raw {
        workbook.sheets = Vec::new();
    }
    let settings = &*settings.for_year(checked.reading.year);
    let output = Output::begin(&settings.output, &kept)?;
    // The records wait on disk from here on, each submission's read back
    // when its grants, its feedback and its part of the JSON are made.
    let mut aside = output
        .scratch_file()
        .ok()
        .and_then(|file| aside::Aside::take(&mut checked, file));
    crate::memory::give_back_freed();
    progress.begin(Stage::Aggregate, checked.validation.verdicts.len() as u64);
    let mut aggregate = lists_from(
        settings,
        &checked,
        &*records_of(&checked, aside.as_ref()),
        settings.documents.decision_date,
    )?;
    progress.advance(checked.validation.verdicts.len() as u64);
    // The register, the book and render need only the lists: the verdicts
    // and diagnostics wait on disk meanwhile.
    if let Some(aside) = &mut aside {
        aside.take_findings(&mut checked);
    }
    crate::memory::give_back_freed();
    let mut book = Vec::new();
    if settings.register.kept_by_build {
        progress.begin(Stage::Register, 0);
        let mut register = Register::open(&settings.register.path)?;
        let conflicts = reconcile(&mut register, settings, &checked, &mut aggregate)?;
        checked.reading.diagnostics.extend(conflicts);
        book = register.book()?;
    }
    crate::memory::give_back_freed();

    let mut renderer = Renderer::new(
        settings.templates_dir.as_deref(),
        settings.fonts_dir.as_deref(),
    )?;
    renderer.add_images(&settings.images)?;
    let fit = renderer.fit_warnings(
        &GrantList::per_honour(&aggregate.decisions),
        &settings.documents,
    );
    checked.reading.diagnostics.extend(fit);
    checked
        .reading
        .diagnostics
        .extend(renderer.template_warnings());
    checked
        .reading
        .diagnostics
        .extend(placeholder_warnings(&settings.documents));
    // The register's book first, so that it is not held while render runs.
    progress.begin(Stage::Book, 0);
    let mut files = crate::book::write_books(
        &book,
        &settings.regulation,
        &renderer,
        &settings.documents,
        &output,
    )?;
    drop(book);
    // The grants wait on disk while the documents are laid out, each
    // certificate batch and each piece of a long list reading its own.
    let parked = output
        .scratch_file()
        .ok()
        .and_then(|file| aside::ParkedGrants::take(&mut aggregate, file));
    let grants: &dyn GrantSource = match &parked {
        Some(parked) => parked,
        None => &InTheLists,
    };
    onto_fresh_pages(&mut checked, &mut aggregate);
    crate::memory::give_back_freed();
    let (mut rendered, report) = renderer.render_all_but_report(
        &aggregate,
        grants,
        &settings.regulation,
        &settings.documents,
        &output,
        progress,
    )?;
    let (decisions, submissions) = (aggregate.decisions.len(), aggregate.submissions.len());
    let certificates = aggregate
        .decisions
        .iter()
        .filter(|d| d.certificate.is_some())
        .map(GrantList::count)
        .sum();
    // The summary report and what follows need the lists no more.
    drop(aggregate);
    drop(parked);
    rendered.add(renderer.render_report(report, &settings.documents, &output, progress)?);
    files += rendered.files;
    drop(renderer);
    crate::memory::give_back_freed();
    if let Some(aside) = &mut aside {
        aside.restore_findings(&mut checked)?;
    }
    checked.reading.diagnostics.extend(rendered.warnings);
    if settings.register.kept_by_build && !rendered.issued.is_empty() {
        Register::open(&settings.register.path)?.record_issued_files(&rendered.issued)?;
    }
    let records = records_of(&checked, aside.as_ref());
    let feedback_input = feedback::FeedbackInput {
        submissions: &checked.reading.submissions,
        records: &*records,
        validation: &checked.validation,
        diagnostics: &checked.reading.diagnostics,
        regulation: &settings.regulation,
        year: checked.reading.year,
    };
    progress.begin(
        Stage::Feedback,
        checked.reading.submissions.len() as u64 + 1,
    );
    files += feedback::write_feedback(&feedback_input, &output, progress)?;
    // The files so far and the JSON below.
    progress.begin(Stage::Write, files as u64 + 1);
    // Streamed, a workbook at a time: at 80,000 proposals the text alone
    // is a hundred megabytes.
    let mut json = output.create(std::path::Path::new("ket-qua-xet.json"))?;
    serde_json::to_writer_pretty(&mut json, &checked.json_of(records))?;
    std::io::Write::flush(&mut json).context("Không ghi được ket-qua-xet.json")?;
    files += 1;
    let output = output.commit()?;
    progress.advance(files as u64);
    progress.finish();
    Ok(Built {
        checked,
        aside,
        decisions,
        submissions,
        certificates,
        files,
        output,
    })
}

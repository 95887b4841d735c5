//! Stage 5, render: the aggregate becomes PDF documents.
//!
//! Tera templates produce Typst source from view structs; typst, used as a
//! library, lays it out and exports PDF, in parallel on a rayon pool whose
//! threads have stacks large enough for typst. Certificates are compiled in
//! batches and split into one file per person (see `split`).

mod hinting;
mod pieces;
mod print;
mod row_lines;
mod split;
mod templates;
mod tera1;
pub mod views;
mod world;

use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::progress::{Progress, Silent, Stage};
use anyhow::{Context, Result};

use crate::aggregate::{Aggregate, Grant, GrantList, GrantSource, InTheLists};
use crate::diagnostic::Diagnostic;
use crate::regulation::Regulation;
use crate::settings::DocumentSettings;
use crate::text::slug;
use crate::write::Output;
use pieces::{Listed, Rows};
use views::PartView;

pub use split::{Joiner, merge_documents, split_pages};
pub use templates::{Templates, escape_typst};
pub use world::{Pdf, Typesetter};

/// Builds rayon's global pool with stacks large enough for typst, which
/// parallelises inside a compilation on that pool. The binary calls it
/// first thing, before ingest would start the pool with 2 MiB stacks; a
/// second call changes nothing.
pub fn set_up_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
}

/// The full certificate design's side margins (templates/lib.typ).
const CERTIFICATE_MARGIN_MM: f64 = 24.0;
/// The full design's name line at its largest (templates/lib.typ).
const NAME_SIZE_PT: f64 = 26.0;
/// typst's compile needs more than the default 2 MiB of stack.
const STACK_SIZE: usize = 16 * 1024 * 1024;
/// Certificates compiled together, exported once, then split.
const CERTIFICATE_BATCH: usize = 64;
/// typst's memo cache grows without bound unless trimmed now and then:
/// every `EVICT_EVERY` documents, entries unused for `EVICT_AGE` trims go.
const EVICT_EVERY: usize = 2;
const EVICT_AGE: usize = 1;

/// Fonts, templates and the compile counter: made once per run.
pub struct Renderer {
    typesetter: Typesetter,
    templates: Templates,
    /// Line counters for tdkt's own templates' lists (see `row_lines`).
    row_lines: Vec<(&'static str, row_lines::RowLines)>,
    report_lines: Option<row_lines::ReportLines>,
    workers: usize,
    compiled: AtomicUsize,
}

/// What a task leaves besides its files: warnings, and what was issued.
#[derive(Default)]
struct TaskOutput {
    warnings: Vec<Diagnostic>,
    /// (register number, SHA-256 of its certificate file), for signed grants.
    issued: Vec<(String, String)>,
}

/// What `render_campaign` made.
pub struct Rendered {
    pub files: usize,
    /// Documents that could not be archival PDF/A, and why.
    pub warnings: Vec<Diagnostic>,
    /// (register number, SHA-256 hex) of every signed certificate's file,
    /// for the register to keep: `verify` accepts only those bytes.
    pub issued: Vec<(String, String)>,
}

impl Rendered {
    fn of(files: usize, results: Vec<TaskOutput>) -> Self {
        let mut rendered = Rendered {
            files,
            warnings: Vec::new(),
            issued: Vec::new(),
        };
        for result in results {
            rendered.warnings.extend(result.warnings);
            rendered.issued.extend(result.issued);
        }
        rendered
    }

    /// `more` after these.
    pub fn add(&mut self, more: Rendered) {
        self.files += more.files;
        self.warnings.extend(more.warnings);
        self.issued.extend(more.issued);
    }
}

/// The summary report's view, made while the lists were there.
pub struct Report(Listed<'static>);

/// A document's view for its template, made on demand.
type MakeView<'a> = Box<dyn Fn() -> Result<Listed<'a>> + Send + Sync + 'a>;

/// One unit of work for a worker.
enum Task<'a> {
    /// An official document: which template, with what view, written where.
    Document {
        path: PathBuf,
        template: &'static str,
        /// Made when the task runs: a decision's view of 50,000 rows is
        /// held only while it is laid out.
        view: MakeView<'a>,
        /// The lines of its list (what its time grows with).
        lines: usize,
    },
    /// A batch of one list's certificates: one file per person, and the
    /// batch's pages in the list's print file.
    Certificates {
        list: &'a GrantList,
        /// Its grants, in print order (read when the batch runs).
        range: Range<usize>,
        /// The list's print file, among those of the run.
        print: usize,
        /// The batch's place in its list.
        batch: usize,
    },
}

impl Renderer {
    pub fn new(
        templates_dir: Option<&std::path::Path>,
        fonts_dir: Option<&std::path::Path>,
    ) -> Result<Self> {
        let templates = Templates::load(templates_dir)?;
        let mut typesetter = Typesetter::new(fonts_dir)?;
        typesetter.add_file(templates::LIBRARY, templates.library.clone().into_bytes())?;
        for (name, bytes) in &templates.assets {
            typesetter.add_file(name, bytes.clone())?;
        }
        // For library callers that did not call `set_up_threads` first.
        set_up_threads();
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Renderer {
            row_lines: row_lines::for_templates(&templates, &typesetter),
            report_lines: row_lines::for_report(&templates, &typesetter),
            typesetter,
            templates,
            workers,
            compiled: AtomicUsize::new(0),
        })
    }

    /// Warnings about the campaign's templates (written for Tera 1 and read
    /// with their old constructs rewritten).
    pub fn template_warnings(&self) -> Vec<Diagnostic> {
        self.templates.upgrade_warnings()
    }

    /// Renders every document of the campaign into `output`; returns the
    /// number of PDF files written and the warnings met.
    pub fn render_campaign(
        &self,
        aggregate: &Aggregate,
        regulation: &Regulation,
        settings: &DocumentSettings,
        output: &Output,
        progress: &dyn Progress,
    ) -> Result<Rendered> {
        let (mut rendered, report) = self.render_all_but_report(
            aggregate,
            &InTheLists,
            regulation,
            settings,
            output,
            progress,
        )?;
        rendered.add(self.render_report(report, settings, output, progress)?);
        Ok(rendered)
    }

    /// [`Renderer::render_campaign`] but for the summary report, whose view
    /// it makes and returns: the report grows with the units (a piece of
    /// it some 35 MiB), so [`Renderer::render_report`] lays it out alone,
    /// once the lists can go. The lists' grants are read from `grants`, a
    /// batch or a piece at a time.
    pub fn render_all_but_report(
        &self,
        aggregate: &Aggregate,
        grants: &dyn GrantSource,
        regulation: &Regulation,
        settings: &DocumentSettings,
        output: &Output,
        progress: &dyn Progress,
    ) -> Result<(Rendered, Report)> {
        // The lists with certificates to print, each with its print file.
        let lists: Vec<&GrantList> = GrantList::per_honour(&aggregate.decisions)
            .into_iter()
            .filter(|l| l.certificate.is_some() && l.count() > 0)
            .collect();
        let mut tasks: Vec<Task<'_>> = lists
            .iter()
            .enumerate()
            .flat_map(|(print, list)| certificate_tasks(list, print))
            .collect();
        tasks.extend(document_tasks(aggregate, grants, regulation, settings));
        tasks.extend(calibration_tasks(&lists, grants, settings)?);
        // The report: one file.
        let files = tasks.iter().map(Task::files).sum::<usize>() + lists.len() + 1;
        progress.begin(Stage::Render, files as u64);
        let prints = print_files(&lists, output)?;
        let results = self.run_all(&tasks, &prints, grants, settings, output, progress)?;
        for print in prints {
            print.finish()?;
        }
        progress.advance(lists.len() as u64);
        let mut view = views::report_view(aggregate, regulation, settings);
        if let Some(counter) = &self.report_lines {
            counter.count(&mut view);
        }
        let report = Report(Listed::report(&view)?);
        // What typst memoised for these documents is of no further use.
        comemo::evict(0);
        Ok((Rendered::of(files - 1, results), report))
    }

    /// Lays out the summary report (`bao-cao-tong-hop.pdf`).
    pub fn render_report(
        &self,
        report: Report,
        settings: &DocumentSettings,
        output: &Output,
        progress: &dyn Progress,
    ) -> Result<Rendered> {
        crate::memory::give_back_freed();
        let view = std::sync::Mutex::new(Some(report.0));
        let task = Task::Document {
            path: PathBuf::from("bao-cao").join("bao-cao-tong-hop.pdf"),
            template: "bao-cao.typ",
            view: Box::new(move || {
                view.lock()
                    .ok()
                    .and_then(|mut view| view.take())
                    .context("báo cáo tổng hợp chỉ dựng một lần")
            }),
            lines: 0,
        };
        let results = self.run_all(&[task], &[], &InTheLists, settings, output, progress)?;
        comemo::evict(0);
        Ok(Rendered::of(1, results))
    }

    /// Renders the certificates of one list (a file per person and the
    /// combined print file) into `output`; returns the files written.
    pub fn render_certificates(
        &self,
        list: &GrantList,
        settings: &DocumentSettings,
        output: &Output,
    ) -> Result<usize> {
        if list.count() == 0 {
            return Ok(0);
        }
        let tasks = certificate_tasks(list, 0);
        let prints = print_files(&[list], output)?;
        self.run_all(&tasks, &prints, &InTheLists, settings, output, &Silent)?;
        for print in prints {
            print.finish()?;
        }
        Ok(list.count() + 1)
    }

    /// Runs tasks on a fixed set of worker threads, the longest documents
    /// first; returns what each task left, in task order.
    ///
    /// Not rayon's `par_iter`: typst itself uses rayon inside a compilation,
    /// and a rayon worker waiting there steals other batches and starts
    /// compiling them on top of its stack, so memory and stack depth grow
    /// with the number of certificates. Plain workers keep at most one
    /// document in flight each.
    fn run_all(
        &self,
        tasks: &[Task<'_>],
        prints: &[print::PrintFile],
        grants: &dyn GrantSource,
        settings: &DocumentSettings,
        output: &Output,
        progress: &dyn Progress,
    ) -> Result<Vec<TaskOutput>> {
        let order = longest_first(tasks);
        let next = AtomicUsize::new(0);
        let results: Vec<std::sync::Mutex<TaskOutput>> =
            tasks.iter().map(|_| Default::default()).collect();
        std::thread::scope(|scope| -> Result<()> {
            let mut handles = Vec::new();
            for i in 0..self.workers.min(tasks.len()) {
                let (next, results, order) = (&next, &results, &order);
                let handle = std::thread::Builder::new()
                    .name(format!("tdkt-render-{i}"))
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, move || -> Result<()> {
                        loop {
                            let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed))
                            else {
                                return Ok(());
                            };
                            match self.run(
                                &tasks[index],
                                prints,
                                grants,
                                settings,
                                output,
                                progress,
                            ) {
                                Ok(done) => {
                                    if let Ok(mut slot) = results[index].lock() {
                                        *slot = done;
                                    }
                                }
                                Err(error) => {
                                    // Stop the other workers early.
                                    next.store(tasks.len(), Ordering::Relaxed);
                                    return Err(error);
                                }
                            }
                        }
                    })
                    .context("Không tạo được luồng xử lý")?;
                handles.push(handle);
            }
            for handle in handles {
                handle
                    .join()
                    .map_err(|_| anyhow::anyhow!("Một luồng dựng văn bản bị lỗi"))??;
            }
            Ok(())
        })?;
        Ok(results
            .into_iter()
            .map(|slot| slot.into_inner().unwrap_or_default())
            .collect())
    }

    /// Clears `fit_name` of the full design's certificates whose name line
    /// is clearly narrower than the page at full size, so that the template
    /// lays it out once instead of measuring it first (a tenth of a
    /// certificate's time). Clearly: the glyphs' advances, without kerning,
    /// within nine tenths of the width. Only with tdkt's own lib.typ, whose
    /// name line this is; a width that cannot be measured stays measured.
    fn clear_fit_name(&self, view: &mut views::CertificatesView, grants: &[Grant]) {
        if view.mode != crate::settings::CertificateMode::Full
            || !self.templates.library_is_builtin()
        {
            return;
        }
        let width = view.width - 2.0 * CERTIFICATE_MARGIN_MM;
        for (item, grant) in view.items.iter_mut().zip(grants) {
            let needed =
                self.typesetter
                    .text_width_mm(&views::name_line(grant), NAME_SIZE_PT, true, true);
            item.fit_name = needed <= 0.0 || needed > 0.9 * width;
        }
    }

    /// Names too long for their line on a certificate even at the smallest
    /// size the template allows: a warning each, naming the workbook row.
    /// The lists' grants must be in them (a build asks before it parks
    /// them).
    pub fn fit_warnings(
        &self,
        lists: &[&GrantList],
        settings: &DocumentSettings,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for list in lists.iter().filter(|l| l.certificate.is_some()) {
            debug_assert!(list.parked.is_none(), "{}: grants parked", list.id);
            let view = views::certificates_view(list, &[], settings);
            // (available width, smallest size) of the name's line.
            let (width, smallest) = match view.fields.get("name") {
                Some(field) => (field.width, field.size * 0.6),
                None => (view.width - 2.0 * CERTIFICATE_MARGIN_MM, 16.0),
            };
            for grant in list.grants() {
                let needed =
                    self.typesetter
                        .text_width_mm(&views::name_line(grant), smallest, true, true);
                if needed > width {
                    out.push(
                        Diagnostic::warning(
                            "render.name-too-long",
                            &grant.file,
                            format!(
                                "Dòng {}: tên '{}' cần {:.0} mm nhưng dòng tên trên {} chỉ rộng {:.0} mm, kể cả khi \
                                 thu nhỏ còn {:.0} pt: hãy viết gọn tên hoặc nới ô name trong tdkt.toml",
                                grant.row,
                                grant.name,
                                needed,
                                view.heading,
                                width,
                                smallest
                            ),
                        ),
                    );
                }
            }
        }
        out
    }

    /// Adds the campaign's images (emblem, signature, seal) for documents.
    pub fn add_images(&mut self, images: &[(String, Vec<u8>)]) -> Result<()> {
        for (name, bytes) in images {
            self.typesetter.add_file(name, bytes.clone())?;
        }
        Ok(())
    }

    /// Renders one document from `template` and `view` into `output` at `path`.
    pub fn render_document(
        &self,
        template: &str,
        view: &impl serde::Serialize,
        path: &std::path::Path,
        settings: &DocumentSettings,
        output: &Output,
    ) -> Result<()> {
        let source = self.templates.render(template, view)?;
        let pdf = self.compile(source, &path.to_string_lossy(), settings, true)?;
        output.write(path, &pdf.bytes)
    }

    /// Runs one task; a certificate batch also goes to its print file.
    fn run(
        &self,
        task: &Task<'_>,
        prints: &[print::PrintFile],
        grants: &dyn GrantSource,
        settings: &DocumentSettings,
        output: &Output,
        progress: &dyn Progress,
    ) -> Result<TaskOutput> {
        match task {
            Task::Document {
                path,
                template,
                view,
                ..
            } => {
                let mut view = view()?;
                let counter = self
                    .row_lines
                    .iter()
                    .find(|(t, _)| t == template)
                    .map(|(_, counter)| counter);
                if counter.is_some() {
                    view.set("row_lines", serde_json::Value::Bool(true));
                }
                let rows = Rows { grants, counter };
                let warnings = if view.is_long() && self.templates.lays_out_in_pieces(template) {
                    self.render_pieces(template, &view, rows, path, settings, output)?
                } else {
                    let source = self.templates.render(template, &view.whole(rows)?)?;
                    let name = path.to_string_lossy();
                    let pdf = self.compile(source, &name, settings, true)?;
                    output.write(path, &pdf.bytes)?;
                    archival_warning(&name, &pdf).into_iter().collect()
                };
                progress.advance(1);
                Ok(TaskOutput {
                    warnings,
                    issued: Vec::new(),
                })
            }
            Task::Certificates {
                list,
                range,
                print,
                batch,
            } => {
                let grants = &grants.read(list, range.clone())?[..];
                let mut view = views::certificates_view(list, grants, settings);
                self.clear_fit_name(&mut view, grants);
                let source = self.templates.render("chung-nhan.typ", &view)?;
                let ident = format!("{}/{}", list.id, grants.first().map_or(0, |g| g.ordinal));
                let pdf = self.compile(source, &ident, settings, false)?;
                let pages = split_pages(&pdf.bytes)?;
                anyhow::ensure!(
                    pages.len() == grants.len(),
                    "Mẫu chung-nhan.typ cần in đúng một trang cho mỗi người: {} người nhưng {} trang",
                    grants.len(),
                    pages.len()
                );
                let folder = certificate_folder(list).join(&list.id);
                let mut issued = Vec::new();
                for (grant, page) in grants.iter().zip(&pages) {
                    output.write(&folder.join(certificate_file_name(grant)), page)?;
                    if let Some(number) = &grant.register_number {
                        issued.push((number.clone(), crate::text::sha256_hex(page)));
                    }
                }
                progress.advance(grants.len() as u64);
                let names: Vec<&str> = grants.iter().map(|g| g.name.as_str()).collect();
                let mut warnings: Vec<Diagnostic> = archival_warning(&names.join(", "), &pdf)
                    .into_iter()
                    .collect();
                warnings.extend(
                    pdf.overflowed_pages
                        .iter()
                        .filter_map(|&page| grants.get(page))
                        .map(|grant| text_too_long(grant, &view.heading)),
                );
                prints[*print].add(*batch, pdf.bytes)?;
                Ok(TaskOutput { warnings, issued })
            }
        }
    }

    /// A document with a long list (or a report of many units), laid out
    /// piece by piece (see `pieces`) and joined into one file as it goes;
    /// returns its warnings.
    fn render_pieces(
        &self,
        template: &str,
        view: &Listed<'_>,
        rows: Rows<'_>,
        path: &Path,
        settings: &DocumentSettings,
        output: &Output,
    ) -> Result<Vec<Diagnostic>> {
        let ident = path.to_string_lossy();
        let lines = view.line_count();
        let mut joiner = Joiner::new(output.create(path)?)?;
        let mut warnings = Vec::new();
        let (mut start, mut first_page) = (0, 1);
        loop {
            let end = (start + view.piece_lines()).min(lines);
            let part = PartView {
                first: start == 0,
                last: end == lines,
                first_page,
            };
            let source = self
                .templates
                .render(template, &view.piece(start..end, part, rows)?)?;
            let document = self
                .typesetter
                .layout(source, settings.decision_date)
                .with_context(|| format!("Không dựng được văn bản {ident}"))?;
            let pages = document.pages().len();
            let cut = if part.last {
                None
            } else {
                pieces::cut(
                    &(start..end),
                    pages,
                    &world::marks(&document, world::ROW_LABEL),
                    &world::marks(&document, world::ROW_END_LABEL),
                    |line| view.may_start(line),
                )
            };
            let (kept, next) = match cut {
                Some((kept, next)) => (kept, Some(next)),
                None => (pages, None),
            };
            // Untagged: a list's structure would not survive the join.
            let pdf = self.typesetter.export(
                &document,
                &ident,
                settings.decision_date,
                false,
                Some(kept),
            )?;
            if warnings.is_empty() {
                warnings.extend(archival_warning(&ident, &pdf));
            }
            joiner.add(&pdf.bytes)?;
            drop(document);
            self.trim_caches();
            if part.last {
                break;
            }
            start = next.unwrap_or(end);
            first_page += kept;
        }
        joiner
            .finish()?
            .flush()
            .with_context(|| format!("Không ghi được {ident}"))?;
        Ok(warnings)
    }

    /// Compiles one document, trimming typst's caches every few documents.
    pub fn compile(
        &self,
        source: String,
        ident: &str,
        settings: &DocumentSettings,
        tagged: bool,
    ) -> Result<Pdf> {
        let pdf = self
            .typesetter
            .compile(source, ident, settings.decision_date, tagged)
            .with_context(|| format!("Không dựng được văn bản {ident}"))?;
        self.trim_caches();
        Ok(pdf)
    }

    /// Trims typst's caches every few documents.
    fn trim_caches(&self) {
        if self.compiled.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            comemo::evict(EVICT_AGE);
        }
    }
}

impl Task<'_> {
    /// Progress units: one per file written.
    fn files(&self) -> usize {
        match self {
            Task::Certificates { range, .. } => range.len(),
            Task::Document { .. } => 1,
        }
    }

    /// The lines of a document's list: what its time grows with.
    fn lines(&self) -> usize {
        match self {
            Task::Document { lines, .. } => *lines,
            Task::Certificates { .. } => 0,
        }
    }
}

/// The order tasks are run in: documents with long lists first, longest
/// first, so that the others fill the workers while those run; then the
/// rest as they come (certificates before the short documents).
fn longest_first(tasks: &[Task<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    order.sort_by_key(|&i| {
        let lines = tasks[i].lines();
        std::cmp::Reverse(if lines > pieces::PIECE_ROWS { lines } else { 0 })
    });
    order
}

/// One print file per list (every list given has certificates).
fn print_files(lists: &[&GrantList], output: &Output) -> Result<Vec<print::PrintFile>> {
    lists
        .iter()
        .map(|list| {
            let path = certificate_folder(list).join(format!("{}-in-gop.pdf", list.id));
            print::PrintFile::new(output.create(&path)?)
        })
        .collect()
}

/// A warning when `pdf` could not be archival PDF/A-2b.
fn archival_warning(what: &str, pdf: &Pdf) -> Option<Diagnostic> {
    pdf.not_archival.as_ref().map(|why| {
        Diagnostic::warning(
            "render.not-pdfa",
            "",
            format!("{what}: không đạt PDF/A-2b ({why}); đã xuất PDF thường"),
        )
    })
}

/// Overlay printing: per list, a calibration sheet (the grid and the
/// field boxes under its first certificate) to check the blank's alignment.
fn calibration_tasks<'a>(
    lists: &[&'a GrantList],
    grants: &dyn GrantSource,
    settings: &DocumentSettings,
) -> Result<Vec<Task<'a>>> {
    if settings.certificates.mode != Some(crate::settings::CertificateMode::Overlay) {
        return Ok(Vec::new());
    }
    lists
        .iter()
        .filter(|list| list.count() > 0)
        .map(|list| {
            let first = grants.read(list, 0..1)?;
            let mut view = views::certificates_view(list, &first, settings);
            view.calibration = true;
            let view = serde_json::to_value(view)?;
            Ok(Task::Document {
                path: certificate_folder(list).join(format!("{}-can-chinh.pdf", list.id)),
                template: "chung-nhan.typ",
                view: Box::new(move || Listed::plain(&view)),
                lines: 0,
            })
        })
        .collect()
}

/// A list's certificates in batches; `print` is its print file.
fn certificate_tasks(list: &GrantList, print: usize) -> Vec<Task<'_>> {
    let collectives = list.collective_count();
    let batches = |grants: Range<usize>| {
        grants
            .clone()
            .step_by(CERTIFICATE_BATCH)
            .map(move |start| start..(start + CERTIFICATE_BATCH).min(grants.end))
    };
    batches(0..collectives)
        .chain(batches(collectives..list.count()))
        .enumerate()
        .map(|(batch, range)| Task::Certificates {
            list,
            range,
            print,
            batch,
        })
        .collect()
}

/// Decisions, submissions and the report.
fn document_tasks<'a>(
    aggregate: &'a Aggregate,
    grants: &'a dyn GrantSource,
    regulation: &'a Regulation,
    settings: &'a DocumentSettings,
) -> Vec<Task<'a>> {
    let mut tasks = Vec::new();
    for list in &aggregate.decisions {
        let path = PathBuf::from("quyet-dinh").join(format!("qd-{}.pdf", list.id));
        let (template, view): (_, MakeView<'a>) = if list.parts.is_empty() {
            let view = move || {
                let mut view = views::decision_view(list, aggregate, regulation, settings);
                let sections = std::mem::take(&mut view.sections);
                Listed::with_list(view, list, sections)
            };
            ("quyet-dinh.typ", Box::new(view))
        } else {
            let view = move || {
                let mut view = views::combined_decision_view(list, aggregate, regulation, settings);
                // Its articles are its parts with grants, in order.
                let parts = list.parts.iter().filter(|part| part.count() > 0);
                let lists = parts
                    .zip(&mut view.articles)
                    .map(|(part, article)| (part, std::mem::take(&mut article.sections)))
                    .collect();
                // The whole decision's list, which no template prints: only
                // while it is short, as before pieces.
                let whole = std::mem::take(&mut view.frame.sections);
                let whole = if list.count() > pieces::PIECE_ROWS {
                    serde_json::Value::Array(Vec::new())
                } else {
                    let rows = Rows {
                        grants,
                        counter: None,
                    };
                    pieces::all_rows(list, whole, rows)?
                };
                let mut listed = Listed::with_articles(view, lists)?;
                listed.set("sections", whole);
                Ok(listed)
            };
            ("quyet-dinh-tong-hop.typ", Box::new(view))
        };
        tasks.push(Task::Document {
            path,
            template,
            view,
            lines: list.count(),
        });
    }
    for list in &aggregate.submissions {
        tasks.push(Task::Document {
            path: PathBuf::from("to-trinh").join(format!("ttr-{}.pdf", list.id)),
            template: "to-trinh.typ",
            view: Box::new(move || {
                let mut view = views::submission_view(list, aggregate, settings);
                let sections = std::mem::take(&mut view.sections);
                Listed::with_list(view, list, sections)
            }),
            lines: list.count(),
        });
    }
    tasks
}

/// A decision's or a submission's view as its template sees it laid out
/// whole: its fields and its list's `sections` with every row, made from
/// `list`'s grants (held in the list).
pub fn whole_view(mut view: views::DecisionView, list: &GrantList) -> Result<serde_json::Value> {
    let sections = std::mem::take(&mut view.sections);
    let rows = Rows {
        grants: &InTheLists,
        counter: None,
    };
    Listed::with_list(view, list, sections)?.whole(rows)
}

/// The built-in templates, (file name, text), for `tdkt init`.
pub fn templates_builtin() -> &'static [(&'static str, &'static str)] {
    templates::BUILTIN
}

/// A certificate whose text did not fit even at the smallest size: it is
/// printed on one page, the rest of the text cut at the box's edge.
fn text_too_long(grant: &Grant, heading: &str) -> Diagnostic {
    Diagnostic::warning(
        "render.text-too-long",
        &grant.file,
        format!(
            "Dòng {}: thành tích hoặc nội dung ghi trên {} của {} quá dài, kể cả khi thu nhỏ chữ \
             còn 10 pt vẫn không vừa khung (phần cuối bị cắt): hãy viết gọn lại",
            grant.row, heading, grant.name
        ),
    )
}

/// "bang-khen", "giay-khen": the certificate's own name, folded.
fn certificate_folder(list: &GrantList) -> PathBuf {
    let heading = list
        .certificate
        .as_ref()
        .map_or(list.name.as_str(), |c| c.heading.as_str());
    PathBuf::from(slug(heading))
}

/// "0007-nguyen-thi-lan.pdf": the register number keeps names unique.
pub fn certificate_file_name(grant: &Grant) -> String {
    format!("{:04}-{}.pdf", grant.ordinal, slug(&grant.name))
}

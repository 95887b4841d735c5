//! Stage 5, render: the aggregate becomes PDF documents.
//!
//! Tera templates produce Typst source from view structs; typst, used as a
//! library, lays it out and exports PDF, in parallel on a rayon pool whose
//! threads have stacks large enough for typst. Certificates are compiled in
//! batches and split into one file per person (see `split`).

mod split;
mod templates;
pub mod views;
mod world;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::aggregate::{Aggregate, Grant, GrantList};
use crate::regulation::Regulation;
use crate::settings::DocumentSettings;
use crate::text::slug;
use crate::write::Output;

pub use split::split_pages;
pub use templates::{Templates, escape_typst};
pub use world::{Pdf, Typesetter};

/// typst's compile needs more than rayon's default 2 MiB of stack.
const STACK_SIZE: usize = 16 * 1024 * 1024;
/// Certificates compiled together and then split.
const CERTIFICATE_BATCH: usize = 64;
/// typst's memo cache grows without bound unless trimmed now and then.
const EVICT_EVERY: usize = 32;

/// Fonts, templates and the thread pool: made once per run.
pub struct Renderer {
    typesetter: Typesetter,
    templates: Templates,
    pool: rayon::ThreadPool,
    compiled: AtomicUsize,
}

/// A document to make: which template, with what view, written where.
enum Job<'a> {
    Document {
        path: PathBuf,
        template: &'static str,
        view: serde_json::Value,
    },
    Certificates {
        list: &'a GrantList,
        grants: &'a [Grant],
        folder: PathBuf,
    },
    CombinedCertificates {
        list: &'a GrantList,
        path: PathBuf,
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
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("tdkt-render-{i}"))
            .build()
            .context("Không tạo được luồng xử lý")?;
        Ok(Renderer {
            typesetter,
            templates,
            pool,
            compiled: AtomicUsize::new(0),
        })
    }

    /// Renders every document of the campaign into `output`; returns the
    /// number of PDF files written.
    pub fn render_campaign(
        &self,
        aggregate: &Aggregate,
        regulation: &Regulation,
        settings: &DocumentSettings,
        output: &Output,
        progress: &ProgressBar,
    ) -> Result<usize> {
        let jobs = plan(aggregate, regulation, settings)?;
        progress.set_length(jobs.iter().map(Job::weight).sum::<usize>() as u64);
        let counts: Vec<usize> = self.pool.install(|| {
            jobs.par_iter()
                .map(|job| {
                    let written = self.run(job, settings, output)?;
                    progress.inc(job.weight() as u64);
                    Ok(written)
                })
                .collect::<Result<_>>()
        })?;
        Ok(counts.into_iter().sum())
    }

    fn run(&self, job: &Job<'_>, settings: &DocumentSettings, output: &Output) -> Result<usize> {
        match job {
            Job::Document {
                path,
                template,
                view,
            } => {
                let source = self.templates.render(template, view)?;
                let pdf = self.compile(source, &path.to_string_lossy(), settings, true)?;
                output.write(path, &pdf.bytes)?;
                Ok(1)
            }
            Job::Certificates {
                list,
                grants,
                folder,
            } => {
                let view = views::certificates_view(list, grants, settings);
                let source = self.templates.render("chung-nhan.typ", &view)?;
                let ident = format!(
                    "{}/{}",
                    folder.display(),
                    grants.first().map_or(0, |g| g.ordinal)
                );
                let pdf = self.compile(source, &ident, settings, false)?;
                let pages = split_pages(&pdf.bytes)?;
                anyhow::ensure!(
                    pages.len() == grants.len(),
                    "Mẫu chung-nhan.typ cần in đúng một trang cho mỗi người: {} người nhưng {} trang",
                    grants.len(),
                    pages.len()
                );
                for (grant, page) in grants.iter().zip(&pages) {
                    output.write(&folder.join(certificate_file_name(grant)), page)?;
                }
                Ok(pages.len())
            }
            Job::CombinedCertificates { list, path } => {
                let grants: Vec<Grant> = list.grants().cloned().collect();
                let view = views::certificates_view(list, &grants, settings);
                let source = self.templates.render("chung-nhan.typ", &view)?;
                let pdf = self.compile(source, &path.to_string_lossy(), settings, false)?;
                output.write(path, &pdf.bytes)?;
                Ok(1)
            }
        }
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
        if self.compiled.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            comemo::evict(10);
        }
        Ok(pdf)
    }

    /// Renders the certificates of one list: a file per person and, when
    /// `combined`, the print file. Returns the files written.
    pub fn render_certificates(
        &self,
        list: &GrantList,
        settings: &DocumentSettings,
        output: &Output,
        combined: bool,
    ) -> Result<usize> {
        let jobs: Vec<Job<'_>> = certificate_jobs(list)
            .into_iter()
            .filter(|j| combined || !matches!(j, Job::CombinedCertificates { .. }))
            .collect();
        let counts: Vec<usize> = self.pool.install(|| {
            jobs.par_iter()
                .map(|job| self.run(job, settings, output))
                .collect::<Result<_>>()
        })?;
        Ok(counts.into_iter().sum())
    }

    /// Renders only the combined print file of a list's certificates.
    pub fn render_certificates_combined(
        &self,
        list: &GrantList,
        settings: &DocumentSettings,
        output: &Output,
    ) -> Result<usize> {
        let job = certificate_jobs(list)
            .pop()
            .context("no certificate jobs")?;
        self.pool.install(|| self.run(&job, settings, output))
    }

    /// Runs `f` on the renderer's thread pool (large stacks).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.install(f)
    }

    /// The Typst source a template produces, for tests and debugging.
    pub fn typst_source(&self, template: &str, view: &impl serde::Serialize) -> Result<String> {
        self.templates.render(template, view)
    }
}

impl Job<'_> {
    /// Progress units: one per file written.
    fn weight(&self) -> usize {
        match self {
            Job::Certificates { grants, .. } => grants.len(),
            _ => 1,
        }
    }
}

fn plan<'a>(
    aggregate: &'a Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> Result<Vec<Job<'a>>> {
    let mut jobs = Vec::new();
    // Certificates first: they are the longest jobs, so start them early.
    for list in aggregate
        .decisions
        .iter()
        .filter(|l| l.certificate.is_some())
    {
        jobs.extend(certificate_jobs(list));
    }
    for list in &aggregate.decisions {
        let view = views::decision_view(list, aggregate, regulation, settings);
        jobs.push(Job::Document {
            path: PathBuf::from("quyet-dinh").join(format!("qd-{}.pdf", list.id)),
            template: "quyet-dinh.typ",
            view: serde_json::to_value(view)?,
        });
    }
    for list in &aggregate.submissions {
        let view = views::submission_view(list, aggregate, settings);
        jobs.push(Job::Document {
            path: PathBuf::from("to-trinh").join(format!("ttr-{}.pdf", list.id)),
            template: "to-trinh.typ",
            view: serde_json::to_value(view)?,
        });
    }
    let report = views::report_view(aggregate, regulation, settings);
    jobs.push(Job::Document {
        path: PathBuf::from("bao-cao").join("bao-cao-tong-hop.pdf"),
        template: "bao-cao.typ",
        view: serde_json::to_value(report)?,
    });
    Ok(jobs)
}

/// Batches of a list's certificates, then its combined print file (last).
fn certificate_jobs(list: &GrantList) -> Vec<Job<'_>> {
    let folder = certificate_folder(list);
    let mut jobs: Vec<Job<'_>> = list
        .collectives
        .chunks(CERTIFICATE_BATCH)
        .chain(list.individuals.chunks(CERTIFICATE_BATCH))
        .map(|grants| Job::Certificates {
            list,
            grants,
            folder: folder.join(&list.id),
        })
        .collect();
    jobs.push(Job::CombinedCertificates {
        list,
        path: folder.join(format!("{}-in-gop.pdf", list.id)),
    });
    jobs
}

/// The built-in templates, (file name, text), for `tdkt init`.
pub fn templates_builtin() -> &'static [(&'static str, &'static str)] {
    templates::BUILTIN
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

//! What a long run tells as it goes: which stage it is in, and how far.
//!
//! The pipeline reports to a [`Progress`]; the terminal shows a bar per
//! stage ([`Terminal`]), the web application's build jobs keep the counts
//! for their page ([`Counter`]), the campaign benchmark times each stage,
//! and everything else says nothing ([`Silent`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// A stage of a build, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Ingest,
    Map,
    Validate,
    Aggregate,
    Register,
    Book,
    Render,
    Feedback,
    Write,
}

impl Stage {
    /// What a person sees: "Đọc hồ sơ".
    pub fn label_vi(self) -> &'static str {
        match self {
            Stage::Ingest => "Đọc hồ sơ",
            Stage::Map => "Nhận dạng cột, dòng",
            Stage::Validate => "Xét theo quy định",
            Stage::Aggregate => "Tổng hợp danh sách",
            Stage::Register => "Đối chiếu sổ khen thưởng",
            Stage::Render => "Dựng văn bản, bằng khen",
            Stage::Book => "Sổ khen thưởng",
            Stage::Feedback => "Phản hồi cho đơn vị",
            Stage::Write => "Ghi kết quả",
        }
    }

    /// What is counted: "tệp", "đề nghị".
    pub fn unit_vi(self) -> &'static str {
        match self {
            Stage::Ingest | Stage::Map | Stage::Render | Stage::Book | Stage::Write => "tệp",
            Stage::Validate | Stage::Aggregate => "đề nghị",
            Stage::Register => "quyết định",
            Stage::Feedback => "đơn vị",
        }
    }
}

/// Where a run reports its stages and counts. Calls come from worker
/// threads too.
pub trait Progress: Sync {
    /// A stage begins, with the units of work it has (0: not counted).
    fn begin(&self, stage: Stage, total: u64);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The run is over.
    fn finish(&self) {}
}

/// Says nothing.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: Stage, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Keeps the current stage and its counts, for someone to read (the web
/// application's job page).
#[derive(Default)]
pub struct Counter {
    stage: Mutex<Option<Stage>>,
    done: AtomicU64,
    total: AtomicU64,
}

impl Counter {
    /// (stage, done, total) now.
    pub fn now(&self) -> (Option<Stage>, u64, u64) {
        let stage = self.stage.lock().ok().and_then(|s| *s);
        (
            stage,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

impl Progress for Counter {
    fn begin(&self, stage: Stage, total: u64) {
        if let Ok(mut current) = self.stage.lock() {
            *current = Some(stage);
        }
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}

/// A bar per stage on the terminal (standard error), for stages that take
/// more than a moment; each finished stage that took over a second leaves
/// a line with its count and time.
pub struct Terminal {
    current: Mutex<Option<(Stage, Instant, ProgressBar)>>,
}

/// "1,2": seconds to a tenth, with the Vietnamese decimal comma.
pub fn seconds_vi(took: Duration) -> String {
    format!("{:.1}", took.as_secs_f64()).replace('.', ",")
}

/// Stages quicker than this leave no line.
const WORTH_A_LINE: Duration = Duration::from_secs(1);

impl Terminal {
    pub fn new() -> Terminal {
        Terminal {
            current: Mutex::new(None),
        }
    }

    fn bar(stage: Stage, total: u64) -> ProgressBar {
        let bar = ProgressBar::new(total);
        // A bar shows up only after a moment, so quick stages leave no trace.
        bar.enable_steady_tick(Duration::from_millis(120));
        let template = if total > 0 {
            format!(
                "{{spinner}} {} [{{bar:30}}] {{vi_pos}}/{{vi_len}} {}",
                stage.label_vi(),
                stage.unit_vi()
            )
        } else {
            format!("{{spinner}} {}…", stage.label_vi())
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(
                style
                    .progress_chars("=> ")
                    .with_key(
                        "vi_pos",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{}", crate::format::group_thousands(state.pos()));
                        },
                    )
                    .with_key(
                        "vi_len",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(
                                w,
                                "{}",
                                crate::format::group_thousands(state.len().unwrap_or(0))
                            );
                        },
                    ),
            );
        }
        bar
    }

    fn close(current: &mut Option<(Stage, Instant, ProgressBar)>) {
        use std::io::IsTerminal;
        if let Some((stage, started, bar)) = current.take() {
            let took = started.elapsed();
            let count = bar.length().filter(|&n| n > 0);
            bar.finish_and_clear();
            if took >= WORTH_A_LINE && std::io::stderr().is_terminal() {
                let count = count.map_or_else(String::new, |n| {
                    format!(" {} {}", crate::format::group_thousands(n), stage.unit_vi())
                });
                eprintln!("✓ {}{count} ({} giây)", stage.label_vi(), seconds_vi(took));
            }
        }
    }
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal::new()
    }
}

impl Progress for Terminal {
    fn begin(&self, stage: Stage, total: u64) {
        if let Ok(mut current) = self.current.lock() {
            Terminal::close(&mut current);
            *current = Some((stage, Instant::now(), Terminal::bar(stage, total)));
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(current) = self.current.lock()
            && let Some((_, _, bar)) = current.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            Terminal::close(&mut current);
        }
    }
}

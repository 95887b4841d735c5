//! Builds in the background, one at a time, in the order asked.
//!
//! A build is `pipeline::build` on a worker thread, telling a
//! `progress::Counter` its stage and counts, which the job page and
//! `/api/jobs/{job}` read.
//! On shutdown the build under way is finished and the queue is dropped.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::progress::Counter;
use serde::Serialize;

use crate::settings::Settings;

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Queued,
    Running,
    Done,
    Failed,
}

/// One build asked for.
pub struct Job {
    pub id: String,
    pub actor: String,
    pub asked: String,
    progress: Counter,
    outcome: Mutex<(State, Option<String>)>,
}

/// `GET /api/jobs/{job}` (contracts.md), and what the job page shows.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub state: State,
    pub done: u64,
    pub total: u64,
    pub message: Option<String>,
}

impl Job {
    pub fn status(&self) -> JobStatus {
        let (state, message) = self
            .outcome
            .lock()
            .map(|o| o.clone())
            .unwrap_or((State::Failed, None));
        let (stage, done, total) = self.progress.now();
        let message = match state {
            State::Running => stage.map(|s| s.label_vi().to_string()),
            _ => message,
        };
        JobStatus {
            state,
            done,
            total,
            message,
        }
    }

    fn set(&self, state: State, message: Option<String>) {
        if let Ok(mut outcome) = self.outcome.lock() {
            *outcome = (state, message);
        }
    }
}

/// What a finished build reports to the rest of the server.
pub type Finished = Box<dyn Fn(&Job, &Result<String, String>) + Send + Sync>;

/// The queue and its one worker.
pub struct Jobs {
    jobs: Mutex<BTreeMap<u64, Arc<Job>>>,
    queue: Mutex<Option<Sender<Arc<Job>>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    stopping: Arc<AtomicBool>,
}

/// Jobs kept for their pages; older ones are forgotten.
const KEPT: usize = 100;

impl Jobs {
    /// Starts the worker: builds run with `settings`, holding `writer`
    /// (the register's one writer) while they run; `finished` is told.
    pub fn start(
        settings: Arc<Settings>,
        writer: Arc<Mutex<()>>,
        finished: Finished,
    ) -> std::io::Result<Jobs> {
        let (sender, receiver) = channel::<Arc<Job>>();
        let stopping = Arc::new(AtomicBool::new(false));
        let worker = {
            let stopping = stopping.clone();
            std::thread::Builder::new()
                .name("tdkt-build".to_string())
                .spawn(move || work(&receiver, &settings, &writer, &stopping, &finished))?
        };
        Ok(Jobs {
            jobs: Mutex::default(),
            queue: Mutex::new(Some(sender)),
            worker: Mutex::new(Some(worker)),
            stopping,
        })
    }

    /// Queues a build; `None` once the server is stopping.
    pub fn submit(&self, actor: &str) -> Option<Arc<Job>> {
        let mut jobs = self.jobs.lock().ok()?;
        let number = jobs.keys().next_back().map_or(1, |n| n + 1);
        let job = Arc::new(Job {
            id: number.to_string(),
            actor: actor.to_string(),
            asked: chrono::Local::now().format("%d/%m/%Y %H:%M:%S").to_string(),
            progress: Counter::default(),
            outcome: Mutex::new((State::Queued, None)),
        });
        self.queue.lock().ok()?.as_ref()?.send(job.clone()).ok()?;
        jobs.insert(number, job.clone());
        while jobs.len() > KEPT {
            jobs.pop_first();
        }
        Some(job)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        let number: u64 = id.parse().ok()?;
        self.jobs.lock().ok()?.get(&number).cloned()
    }

    /// The newest job, if any.
    pub fn latest(&self) -> Option<Arc<Job>> {
        self.jobs.lock().ok()?.values().next_back().cloned()
    }

    /// Finishes the build under way, drops the queue and waits for the
    /// worker.
    pub fn finish(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(worker) = worker {
            let _ = worker.join();
        }
    }
}

fn work(
    receiver: &Receiver<Arc<Job>>,
    settings: &Settings,
    writer: &Mutex<()>,
    stopping: &AtomicBool,
    finished: &Finished,
) {
    while let Ok(job) = receiver.recv() {
        if stopping.load(Ordering::SeqCst) {
            job.set(
                State::Failed,
                Some("Máy chủ đang dừng: bản dựng này chưa chạy".to_string()),
            );
            continue;
        }
        job.set(State::Running, None);
        let outcome = {
            let _writing = writer.lock();
            run_build(settings, &job.progress)
        };
        match &outcome {
            Ok(summary) => job.set(State::Done, Some(summary.clone())),
            Err(message) => job.set(State::Failed, Some(message.clone())),
        }
        finished(&job, &outcome);
    }
}

/// One build; a panic is a failed job, not a dead worker.
fn run_build(settings: &Settings, progress: &Counter) -> Result<String, String> {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::pipeline::build(settings, progress)
    }));
    match built {
        Ok(Ok(built)) => Ok(format!(
            "Xong: {} tệp ({} dự thảo quyết định, {} tờ trình, báo cáo, bằng khen, phản hồi cho đơn vị)",
            built.files, built.decisions, built.submissions
        )),
        Ok(Err(error)) => Err(format!("{error:#}")),
        Err(_) => {
            Err("tdkt gặp lỗi nội bộ khi dựng; không có tệp kết quả nào bị ghi dở".to_string())
        }
    }
}

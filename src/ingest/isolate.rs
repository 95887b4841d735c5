//! Where a workbook is read: here, or in a reader process of its own.
//!
//! The checks in `guard` and `sheet` bound what a workbook declares, but
//! a spreadsheet reader is a large parser of hostile bytes: a corrupt `.xls`
//! can make it panic, and a length field it trusts can make it allocate
//! gigabytes, which aborts the process where `catch_unwind` cannot help.
//! So the `tdkt` binary reads workbooks in child processes (itself, run as
//! `tdkt read-worker`) under a memory limit (`RLIMIT_AS`) and a processor
//! time limit per workbook (`RLIMIT_CPU`, moved on before each file):
//! whatever happens there, the parent gets either the workbook or one
//! diagnostic. Readers live on between workbooks (starting one costs ~5 ms,
//! more than reading a small workbook): a pool keeps the idle ones, a dead
//! one is replaced, and each is retired after [`FILES_PER_READER`] files.
//! At most one reader per core works at once, so the peak is bounded by
//! cores × the memory limit.
//!
//! Library callers (tests, benchmarks, the unit-list reader) read in this
//! process, still within the limits and with panics caught.

use std::io::{BufRead, BufReader, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::RawWorkbook;
use super::limits::{Limits, raise_hint};
use crate::diagnostic::Diagnostic;

/// The hidden subcommand a reader process runs.
pub const WORKER_COMMAND: &str = "read-worker";

#[derive(Debug, Clone, Default)]
pub enum Isolation {
    /// In this process, panics caught; for trusted callers.
    #[default]
    InProcess,
    /// In reader processes started from the `tdkt` binary, under the
    /// memory and time limits.
    Process(Arc<ReaderPool>),
}

impl Isolation {
    /// Reader processes of the running executable.
    pub fn current_exe() -> Self {
        match std::env::current_exe() {
            Ok(exe) => Isolation::Process(Arc::new(ReaderPool::new(exe))),
            Err(_) => Isolation::InProcess,
        }
    }
}

/// Files a reader process reads before it is retired (and its memory with
/// it).
const FILES_PER_READER: usize = 256;

/// Idle reader processes, ready for the next workbook.
pub struct ReaderPool {
    exe: PathBuf,
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for ReaderPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderPool")
            .field("exe", &self.exe)
            .finish()
    }
}

/// One reader process and its pipes.
struct Worker {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    served: usize,
}

impl Worker {
    /// How a reader that stopped answering ended: it is given a moment to
    /// be gone (its input closed), else it is stopped; `None` when it had
    /// to be stopped, so its end says nothing about the file.
    fn end(&mut self) -> Option<std::process::ExitStatus> {
        self.input.take();
        for _ in 0..200 {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Worker {
    /// Closing its input ends the reader; it is waited for, so none is
    /// left behind.
    fn drop(&mut self) {
        self.input.take();
        let _ = self.child.wait();
    }
}

/// What the parent asks a reader: one file.
#[derive(Serialize, Deserialize)]
struct Request {
    /// The path's bytes (file names need not be UTF-8).
    path: Vec<u8>,
    name: String,
}

impl ReaderPool {
    pub fn new(exe: PathBuf) -> Self {
        Self {
            exe,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Reads one workbook in a reader process; however the reader ends,
    /// the answer is the workbook or one diagnostic.
    pub(super) fn read(
        &self,
        path: &Path,
        name: &str,
        limits: &Limits,
    ) -> Result<RawWorkbook, Box<Diagnostic>> {
        let idle = self.idle.lock().map(|mut idle| idle.pop()).ok().flatten();
        let spawn = || {
            self.spawn(limits).map_err(|e| {
                Box::new(Diagnostic::error(
                    "ingest.unreadable",
                    name,
                    format!(
                        "Không chạy được tiến trình đọc tệp ({}): {e}",
                        self.exe.display()
                    ),
                ))
            })
        };
        let mut worker = match idle {
            Some(worker) => worker,
            None => spawn()?,
        };
        let mut answer = ask(&mut worker, path, name);
        // An idle reader that went away meanwhile (the request could not
        // even be sent) is not this file's doing: once more, with a new one.
        if matches!(&answer, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe) {
            worker = spawn()?;
            answer = ask(&mut worker, path, name);
        }
        match answer {
            Ok(answer) => {
                worker.served += 1;
                if worker.served < FILES_PER_READER
                    && let Ok(mut idle) = self.idle.lock()
                {
                    idle.push(worker);
                }
                match answer {
                    Answer::Read(workbook) => Ok(workbook),
                    Answer::Refused(diagnostic) => Err(Box::new(diagnostic)),
                }
            }
            // The reader died on this file (or answered nonsense): say how,
            // and let it go.
            Err(_) => Err(ended_badly(name, worker.end(), limits)),
        }
    }

    fn spawn(&self, limits: &Limits) -> std::io::Result<Worker> {
        let limits_json = serde_json::to_string(limits).unwrap_or_default();
        let mut child = Command::new(&self.exe)
            .arg(WORKER_COMMAND)
            .arg("--limits")
            .arg(&limits_json)
            // The binary allocates with mimalloc, which reserves address
            // space a gigabyte at a time: under the reader's RLIMIT_AS that
            // reservation fails and allocations then fail now and then
            // (zlib's "MemError" on a sound workbook). Small reservations
            // keep the limit a limit on what the reader uses.
            .env("MIMALLOC_ARENA_RESERVE", "16MiB")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let input = child.stdin.take();
        let output = child.stdout.take().map(BufReader::new);
        match (input, output) {
            (Some(input), Some(output)) => Ok(Worker {
                child,
                input: Some(input),
                output,
                served: 0,
            }),
            _ => Err(std::io::Error::other(
                "không mở được kênh tới tiến trình đọc",
            )),
        }
    }
}

/// Sends one request and reads its answer: a length (8 bytes, little
/// endian), then the JSON.
fn ask(worker: &mut Worker, path: &Path, name: &str) -> std::io::Result<Answer> {
    use std::os::unix::ffi::OsStrExt;
    let request = Request {
        path: path.as_os_str().as_bytes().to_vec(),
        name: name.to_string(),
    };
    let input = worker
        .input
        .as_mut()
        .ok_or_else(|| std::io::Error::other("closed"))?;
    serde_json::to_writer(&mut *input, &request)?;
    input.write_all(b"\n")?;
    input.flush()?;
    let mut length = [0u8; 8];
    worker.output.read_exact(&mut length)?;
    let length = u64::from_le_bytes(length);
    // An answer is bounded by the workbook limits; anything larger is a
    // reader gone wrong.
    if length > MAX_ANSWER_BYTES {
        return Err(std::io::Error::other("answer too large"));
    }
    let mut bytes = Vec::with_capacity(length as usize);
    (&mut worker.output).take(length).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != length {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    serde_json::from_slice(&bytes).map_err(std::io::Error::other)
}

/// The largest answer a reader may send (the cell limits keep real ones
/// far below).
const MAX_ANSWER_BYTES: u64 = 2 << 30;

/// What a reader process writes on its standard output.
#[derive(Serialize, Deserialize)]
enum Answer {
    Read(RawWorkbook),
    Refused(Diagnostic),
}

pub(super) fn read_here(
    path: &Path,
    name: &str,
    limits: &Limits,
) -> Result<RawWorkbook, Box<Diagnostic>> {
    let bytes = read_bounded(path, limits).map_err(|e| {
        Box::new(Diagnostic::error(
            "ingest.unreadable",
            name,
            format!("Không đọc được tệp: {e}"),
        ))
    })?;
    read_bytes_here(bytes, name, limits)
}

/// The file's bytes, never more than the file limit (plus one byte, so
/// that a file that grew since it was measured is still caught).
fn read_bounded(path: &Path, limits: &Limits) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limits.file_bytes().saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads in this process; a panic inside the reader is a diagnostic.
pub(super) fn read_bytes_here(
    bytes: Vec<u8>,
    name: &str,
    limits: &Limits,
) -> Result<RawWorkbook, Box<Diagnostic>> {
    catch_unwind(AssertUnwindSafe(|| {
        super::sheet::read_bytes(bytes, name, limits)
    }))
    .unwrap_or_else(|panic| Err(reader_failed(name, &panic_text(&*panic))))
}

/// A reader process that died: out of memory, out of time, or crashed.
fn ended_badly(
    name: &str,
    status: Option<std::process::ExitStatus>,
    limits: &Limits,
) -> Box<Diagnostic> {
    use std::os::unix::process::ExitStatusExt;
    let signal = status.and_then(|s| s.signal());
    // SIGXCPU past the processor time the file was given.
    if signal == Some(24) {
        return Box::new(Diagnostic::error(
            "ingest.too-slow",
            name,
            format!(
                "Đọc tệp mất hơn {} giây máy mà chưa xong: tệp hỏng hoặc quá lớn; hãy mở bằng Excel, \
                 lưu lại rồi gửi lại, hoặc {}",
                limits.seconds,
                raise_hint("seconds")
            ),
        ));
    }
    // Rust aborts (SIGABRT) when an allocation fails; panics are caught in
    // the reader and answered.
    if signal == Some(6) {
        return super::sheet::too_large(
            name,
            format!(
                "Đọc tệp cần hơn {} MiB bộ nhớ: tệp khai kích thước bất thường (hỏng, hoặc do \
                 chương trình khác ghi sai); hãy mở bằng Excel, lưu lại rồi gửi lại, hoặc {}",
                limits.memory_mib,
                raise_hint("memory_mib")
            ),
        );
    }
    let how = match (status.and_then(|s| s.code()), signal) {
        (Some(code), _) => format!("mã thoát {code}"),
        (None, Some(signal)) => format!("tín hiệu {signal}"),
        (None, None) => "không rõ lý do".to_string(),
    };
    reader_failed(name, &format!("tiến trình đọc tệp dừng bất thường ({how})"))
}

fn reader_failed(name: &str, detail: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        "ingest.unreadable",
        name,
        format!(
            "Không đọc được bảng tính: tệp hỏng (có thể tải về chưa hết) hoặc không đúng định dạng \
             ({}); hãy mở bằng Excel, lưu lại rồi gửi lại",
            crate::text::printable(detail)
        ),
    ))
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let text: String = text.chars().take(200).collect();
    format!("lỗi trong trình đọc: {text}")
}

/// The reader process's side: limits its memory, then reads the workbooks
/// asked on standard input, one request a line, and writes each answer
/// (length, then JSON) on standard output. Returns the exit code when its
/// input closes.
pub fn serve(limits_json: &str) -> u8 {
    use std::os::unix::ffi::OsStrExt;
    let limits: Limits = serde_json::from_str(limits_json).unwrap_or_default();
    limit_memory(&limits);
    // A panic is answered as a diagnostic; nothing for stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let Ok(line) = line else { return 2 };
        let Ok(request) = serde_json::from_str::<Request>(&line) else {
            return 2;
        };
        limit_time(&limits);
        let path = Path::new(std::ffi::OsStr::from_bytes(&request.path));
        let answer = match read_here(path, &request.name, &limits) {
            Ok(workbook) => Answer::Read(workbook),
            Err(diagnostic) => Answer::Refused(*diagnostic),
        };
        let Ok(bytes) = serde_json::to_vec(&answer) else {
            return 2;
        };
        let written = stdout
            .write_all(&(bytes.len() as u64).to_le_bytes())
            .and_then(|()| stdout.write_all(&bytes))
            .and_then(|()| stdout.flush());
        if written.is_err() {
            return 2;
        }
    }
    0
}

/// The address space of this process. (Without the limits the reads still
/// happen; they are only less contained.)
fn limit_memory(limits: &Limits) {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let bytes = limits.memory_mib.saturating_mul(1 << 20);
    let _ = setrlimit(
        Resource::As,
        Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    );
}

/// Processor time for the next workbook: the time used so far plus the
/// limit (the soft limit moves on; SIGXCPU ends the reader past it).
fn limit_time(limits: &Limits) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let used = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    let used = u64::try_from(used.tv_sec).unwrap_or(0) + 1;
    let maximum = getrlimit(Resource::Cpu).maximum;
    let current = used
        .saturating_add(limits.seconds)
        .min(maximum.unwrap_or(u64::MAX));
    let _ = setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(current),
            maximum,
        },
    );
}

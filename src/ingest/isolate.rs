//! Where a workbook is read: here, or in a reader process of its own.
//!
//! The checks in `guard` and `sheet` bound what a workbook declares, but
//! a spreadsheet reader is a large parser of hostile bytes: a corrupt `.xls`
//! can make it panic, and a length field it trusts can make it allocate
//! gigabytes, which aborts the process where `catch_unwind` cannot help.
//! So the `tdkt` binary reads each workbook in a child process (itself, run
//! as `tdkt read-worker`) under a memory limit (`RLIMIT_AS`) and a processor
//! time limit (`RLIMIT_CPU`): whatever happens there, the parent gets either
//! the workbook or one diagnostic. At most one reader per core runs at once,
//! so the peak is bounded by cores × the memory limit.
//!
//! Library callers (tests, benchmarks, the unit-list reader) read in this
//! process, still within the limits and with panics caught.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
    /// Each workbook in a reader process started from `exe` (the `tdkt`
    /// binary), under the memory and time limits.
    Process { exe: PathBuf },
}

impl Isolation {
    /// Reader processes of the running executable.
    pub fn current_exe() -> Self {
        match std::env::current_exe() {
            Ok(exe) => Isolation::Process { exe },
            Err(_) => Isolation::InProcess,
        }
    }
}

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

/// Reads in a reader process of `exe`, and turns however it ended into the
/// workbook or one diagnostic.
pub(super) fn read_in_process_of(
    exe: &Path,
    path: &Path,
    name: &str,
    limits: &Limits,
) -> Result<RawWorkbook, Box<Diagnostic>> {
    let limits_json = serde_json::to_string(limits).unwrap_or_default();
    let output = Command::new(exe)
        .arg(WORKER_COMMAND)
        .arg("--limits")
        .arg(&limits_json)
        .arg("--name")
        .arg(name)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            Box::new(Diagnostic::error(
                "ingest.unreadable",
                name,
                format!(
                    "Không chạy được tiến trình đọc tệp ({}): {e}",
                    exe.display()
                ),
            ))
        })?;
    if output.status.success()
        && let Ok(answer) = serde_json::from_slice::<Answer>(&output.stdout)
    {
        return match answer {
            Answer::Read(workbook) => Ok(workbook),
            Answer::Refused(diagnostic) => Err(Box::new(diagnostic)),
        };
    }
    Err(ended_badly(name, &output, limits))
}

/// A reader process that died: out of memory, out of time, or crashed.
fn ended_badly(name: &str, output: &std::process::Output, limits: &Limits) -> Box<Diagnostic> {
    use std::os::unix::process::ExitStatusExt;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let signal = output.status.signal();
    // SIGXCPU at the soft limit, SIGKILL at the hard one.
    if matches!(signal, Some(24 | 9)) {
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
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
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
    let how = match (output.status.code(), signal) {
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

/// The reader process's side: limits itself, reads one workbook, writes
/// the answer as JSON on standard output. Returns the exit code.
pub fn serve(path: &Path, name: &str, limits_json: &str) -> u8 {
    let limits: Limits = serde_json::from_str(limits_json).unwrap_or_default();
    limit_self(&limits);
    // The parent turns a panic into a diagnostic; nothing for stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let answer = match read_here(path, name, &limits) {
        Ok(workbook) => Answer::Read(workbook),
        Err(diagnostic) => Answer::Refused(*diagnostic),
    };
    let stdout = std::io::stdout().lock();
    let mut writer = std::io::BufWriter::new(stdout);
    match serde_json::to_writer(&mut writer, &answer)
        .map_err(std::io::Error::other)
        .and_then(|()| std::io::Write::flush(&mut writer))
    {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// Address space and processor time of this process.
fn limit_self(limits: &Limits) {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let bytes = limits.memory_mib.saturating_mul(1 << 20);
    let memory = Rlimit {
        current: Some(bytes),
        maximum: Some(bytes),
    };
    let time = Rlimit {
        current: Some(limits.seconds),
        maximum: Some(limits.seconds.saturating_add(1)),
    };
    // Without the limits the read still happens; it is only less contained.
    let _ = setrlimit(Resource::As, memory);
    let _ = setrlimit(Resource::Cpu, time);
}

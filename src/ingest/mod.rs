//! Stage 1, ingest: every spreadsheet in the inbox becomes a [`RawWorkbook`],
//! a grid of typed cells per sheet, and nothing more.
//!
//! This is one of the two places that touch the disk (the other is `write`).
//! A file that cannot be read is a diagnostic for that file; the others go
//! on. Finding lists and fields in the grid is the next stage, `map`.
//!
//! Hostile input is ordinary input here: a workbook is bounded by
//! [`Limits`] before anything it declares is allocated (`guard`, `sheet`),
//! and the `tdkt` binary reads them in separate reader processes under a
//! memory and time limit (`isolate`), so that even a reader bug that aborts
//! or a file that defeats every check stops only that file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::NaiveDateTime;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::text;

mod guard;
pub mod isolate;
pub mod limits;
mod sheet;

pub use isolate::Isolation;
pub use limits::Limits;

const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "xlsb"];

/// One cell's value, as the spreadsheet stores it (text already cleaned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDateTime),
    Bool(bool),
    /// An error value such as `#N/A` or `#REF!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way Excel would display it plainly.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// One worksheet as a dense grid; `rows[r][c]` is sheet row `r`, column `c`
/// (0-based, absolute: row 0 is Excel's row 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawSheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

static EMPTY: Cell = Cell::Empty;

impl RawSheet {
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawWorkbook {
    /// The path relative to the inbox, with `/` separators: how messages
    /// name the file.
    pub file: String,
    pub modified: Option<SystemTime>,
    /// When the workbook says it was last saved (xlsx `docProps/core.xml`),
    /// as `YYYY-MM-DDTHH:MM:SS`; outranks the file's time when comparing.
    pub saved: Option<String>,
    pub sheets: Vec<RawSheet>,
    /// Text cells typed in legacy fonts (TCVN3, VNI) that were repaired.
    pub legacy_cells: usize,
    /// What reading noticed and repaired (control characters removed,
    /// cells outside Excel's grid).
    pub diagnostics: Vec<Diagnostic>,
}

/// The spreadsheets found in an inbox, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Inbox {
    pub workbooks: Vec<RawWorkbook>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How workbooks are read: within which limits, and where.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub limits: Limits,
    pub isolation: Isolation,
    /// What was read before, for a process that reads the same inbox again
    /// and again (`tdkt serve`): a file unchanged since is not read again.
    pub cache: Option<std::sync::Arc<ReadCache>>,
}

/// Workbooks already read, by path, with the size and time they had.
#[derive(Debug, Default)]
pub struct ReadCache {
    entries: std::sync::Mutex<std::collections::HashMap<PathBuf, CachedRead>>,
}

#[derive(Debug)]
struct CachedRead {
    name: String,
    len: u64,
    modified: Option<std::time::SystemTime>,
    read: Result<RawWorkbook, Box<Diagnostic>>,
}

impl ReadCache {
    fn get(
        &self,
        path: &Path,
        name: &str,
        metadata: &std::fs::Metadata,
    ) -> Option<Result<RawWorkbook, Box<Diagnostic>>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(path)?;
        (entry.name == name
            && entry.len == metadata.len()
            && entry.modified == metadata.modified().ok())
        .then(|| entry.read.clone())
    }

    fn put(
        &self,
        path: &Path,
        name: &str,
        metadata: &std::fs::Metadata,
        read: &Result<RawWorkbook, Box<Diagnostic>>,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(
                path.to_path_buf(),
                CachedRead {
                    name: name.to_string(),
                    len: metadata.len(),
                    modified: metadata.modified().ok(),
                    read: read.clone(),
                },
            );
        }
    }

    /// Forgets files no longer in `paths`.
    fn keep_only(&self, paths: &[(PathBuf, String)]) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|path, _| paths.iter().any(|(p, _)| p == path));
        }
    }
}

impl Reader {
    /// Reads one workbook from disk; any failure is one diagnostic.
    pub fn read(&self, path: &Path, name: &str) -> Result<RawWorkbook, Box<Diagnostic>> {
        let metadata = std::fs::metadata(path).map_err(|e| unreadable(name, &e))?;
        if let Some(cached) = self
            .cache
            .as_ref()
            .and_then(|c| c.get(path, name, &metadata))
        {
            return cached;
        }
        let read = self.read_now(path, name, &metadata);
        if let Some(cache) = &self.cache {
            cache.put(path, name, &metadata, &read);
        }
        read
    }

    fn read_now(
        &self,
        path: &Path,
        name: &str,
        metadata: &std::fs::Metadata,
    ) -> Result<RawWorkbook, Box<Diagnostic>> {
        sheet::check_file_size(name, metadata.len(), &self.limits)?;
        let mut workbook = match &self.isolation {
            Isolation::InProcess => isolate::read_here(path, name, &self.limits)?,
            Isolation::Process(pool) => pool.read(path, name, &self.limits)?,
        };
        workbook.modified = metadata.modified().ok();
        Ok(workbook)
    }
}

/// Reads every spreadsheet under `inbox` (recursively, in name order).
pub fn read_inbox(inbox: &Path, reader: &Reader) -> anyhow::Result<Inbox> {
    read_inbox_with(inbox, reader, &crate::progress::Silent)
}

/// [`read_inbox`], telling `progress` of each file read.
pub fn read_inbox_with(
    inbox: &Path,
    reader: &Reader,
    progress: &dyn crate::progress::Progress,
) -> anyhow::Result<Inbox> {
    let (workbooks, diagnostics) = read_inbox_then(inbox, reader, progress, |workbook| workbook)?;
    Ok(Inbox {
        workbooks,
        diagnostics,
    })
}

/// [`read_inbox_with`], handing each workbook to `then` as soon as it is
/// read, on the thread that read it, so that only what `then` keeps of it
/// stays in memory: its results in inbox order, and the diagnostics of
/// reading (each workbook's own, and one per file that could not be read).
pub fn read_inbox_then<T: Send>(
    inbox: &Path,
    reader: &Reader,
    progress: &dyn crate::progress::Progress,
    then: impl Fn(RawWorkbook) -> T + Sync,
) -> anyhow::Result<(Vec<T>, Vec<Diagnostic>)> {
    if !inbox.is_dir() {
        anyhow::bail!(
            "Không tìm thấy thư mục hồ sơ {}",
            text::printable(&inbox.display().to_string())
        );
    }
    let Found {
        paths,
        mut diagnostics,
    } = find_workbooks(inbox);
    if let Some(cache) = &reader.cache {
        cache.keep_only(&paths);
    }
    progress.begin(crate::progress::Stage::Ingest, paths.len() as u64);
    let results: Vec<_> = paths
        .par_iter()
        .map(|(path, name)| {
            let read = reader.read(path, name).map(|mut workbook| {
                let own = std::mem::take(&mut workbook.diagnostics);
                (own, then(workbook))
            });
            progress.advance(1);
            read
        })
        .collect();
    let mut kept = Vec::new();
    for result in results {
        match result {
            Ok((own, item)) => {
                diagnostics.extend(own);
                kept.push(item);
            }
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    Ok((kept, diagnostics))
}

/// The spreadsheets of an inbox, and a word about everything else in it.
struct Found {
    paths: Vec<(PathBuf, String)>,
    diagnostics: Vec<Diagnostic>,
}

/// Walks the inbox in name order. A symbolic link is followed to what it
/// names (a workbook kept in a shared folder and linked in is that unit's
/// submission) and said; links that lead nowhere or in a circle, FIFOs,
/// sockets and devices are skipped, each with a warning naming it.
fn find_workbooks(inbox: &Path) -> Found {
    let mut found = Found {
        paths: Vec::new(),
        diagnostics: Vec::new(),
    };
    let walk = walkdir::WalkDir::new(inbox)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                found.diagnostics.push(walk_problem(inbox, &error));
                continue;
            }
        };
        let path = entry.path();
        let name = relative_name(inbox, path);
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        if !file_type.is_file() {
            found.diagnostics.push(Diagnostic::warning(
                "ingest.special-file",
                &name,
                "Bỏ qua: đây không phải tệp thường (FIFO, socket hoặc thiết bị)",
            ));
            continue;
        }
        let kind = classify(path);
        if entry.path_is_symlink() && matches!(kind, FileKind::Spreadsheet) {
            let target = std::fs::canonicalize(path).map_or_else(
                |_| "?".to_string(),
                |t| text::printable(&t.display().to_string()),
            );
            found.diagnostics.push(Diagnostic::warning(
                "ingest.symlink",
                &name,
                format!("Tệp là liên kết (symlink) tới {target}: đã đọc tệp đích"),
            ));
        }
        match kind {
            FileKind::Spreadsheet => found.paths.push((path.to_path_buf(), name)),
            FileKind::LockFile => found.diagnostics.push(Diagnostic::warning(
                "ingest.lock-file",
                &name,
                "Bỏ qua tệp khóa tạm của Excel (~$…): tệp đang được mở ở máy khác",
            )),
            FileKind::Hidden => {}
            FileKind::Other => found.diagnostics.push(Diagnostic::warning(
                "ingest.not-spreadsheet",
                &name,
                "Bỏ qua: không phải bảng tính (.xlsx, .xlsm, .xlsb, .xls, .ods)",
            )),
        }
    }
    found
}

/// A link loop, a link to nothing, or a folder that cannot be opened.
fn walk_problem(inbox: &Path, error: &walkdir::Error) -> Diagnostic {
    let name = error.path().map_or_else(
        || text::printable(&inbox.display().to_string()),
        |p| relative_name(inbox, p),
    );
    if let Some(ancestor) = error.loop_ancestor() {
        return Diagnostic::warning(
            "ingest.link-loop",
            &name,
            format!(
                "Bỏ qua: liên kết trỏ ngược về thư mục chứa nó ({}), tạo thành vòng lặp",
                relative_name(inbox, ancestor)
            ),
        );
    }
    let is_link = error
        .path()
        .and_then(|p| std::fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.file_type().is_symlink());
    if is_link {
        return Diagnostic::warning(
            "ingest.broken-link",
            &name,
            "Bỏ qua: liên kết (symlink) trỏ tới tệp không còn tồn tại hoặc không mở được",
        );
    }
    let detail = error
        .io_error()
        .map_or_else(|| error.to_string(), std::io::Error::to_string);
    Diagnostic::warning(
        "ingest.unreadable",
        &name,
        format!("Không đọc được: {}", text::printable(&detail)),
    )
}

enum FileKind {
    Spreadsheet,
    LockFile,
    Hidden,
    Other,
}

fn classify(path: &Path) -> FileKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("~$") || name.starts_with(".~lock") {
        return FileKind::LockFile;
    }
    // Hidden files, and tdkt's own register where a bare folder keeps it.
    if name.starts_with('.') || name.starts_with(crate::issued::REGISTER_FILE_NAME) {
        return FileKind::Hidden;
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if SPREADSHEET_EXTENSIONS.contains(&extension.as_str()) {
        FileKind::Spreadsheet
    } else {
        FileKind::Other
    }
}

/// How messages name a file: relative to the inbox, `/` between folders,
/// control characters shown as escapes.
fn relative_name(inbox: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(inbox).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    text::clean(&text::printable(&parts.join("/")))
}

fn unreadable(name: &str, error: &std::io::Error) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        "ingest.unreadable",
        name,
        format!("Không đọc được tệp: {error}"),
    ))
}

/// Reads one workbook from disk, in this process, within the default
/// limits: for files tdkt is given by name (a unit list, an import).
pub fn read_workbook(path: &Path, name: &str) -> Result<RawWorkbook, Box<Diagnostic>> {
    Reader::default().read(path, name)
}

/// Reads a workbook from its bytes, in this process, within the default
/// limits; the format is recognised from the content, not the extension.
pub fn read_workbook_bytes(bytes: Vec<u8>, name: &str) -> Result<RawWorkbook, Box<Diagnostic>> {
    isolate::read_bytes_here(bytes, name, &Limits::default())
}

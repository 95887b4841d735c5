//! Stage 1, ingest: every spreadsheet in the inbox becomes a [`RawWorkbook`],
//! a grid of typed cells per sheet, and nothing more.
//!
//! This is one of the two places that touch the disk (the other is `write`).
//! A file that cannot be read is a diagnostic for that file; the others go
//! on. Finding lists and fields in the grid is the next stage, `map`.

use std::path::Path;
use std::time::SystemTime;

use calamine::{Data, Reader};
use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::text;

const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "xlsb"];

/// One cell's value, as the spreadsheet stores it (text already cleaned).
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, PartialEq)]
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
}

/// The spreadsheets found in an inbox, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Inbox {
    pub workbooks: Vec<RawWorkbook>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every spreadsheet under `inbox` (recursively, in name order).
pub fn read_inbox(inbox: &Path) -> anyhow::Result<Inbox> {
    if !inbox.is_dir() {
        anyhow::bail!("Không tìm thấy thư mục hồ sơ {}", inbox.display());
    }
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(inbox).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(Diagnostic::warning(
                    "ingest.unreadable",
                    &inbox.display().to_string(),
                    format!("Không đọc được: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.into_path();
        let name = relative_name(inbox, &path);
        match classify(&path) {
            FileKind::Spreadsheet => paths.push((path, name)),
            FileKind::LockFile => diagnostics.push(Diagnostic::warning(
                "ingest.lock-file",
                &name,
                "Bỏ qua tệp khóa tạm của Excel (~$…): tệp đang được mở ở máy khác",
            )),
            FileKind::Hidden => {}
            FileKind::Other => diagnostics.push(Diagnostic::warning(
                "ingest.not-spreadsheet",
                &name,
                "Bỏ qua: không phải bảng tính (.xlsx, .xlsm, .xls, .ods)",
            )),
        }
    }

    let results: Vec<Result<RawWorkbook, Box<Diagnostic>>> = paths
        .par_iter()
        .map(|(path, name)| read_workbook(path, name))
        .collect();
    let mut workbooks = Vec::new();
    for result in results {
        match result {
            Ok(workbook) => workbooks.push(workbook),
            Err(diagnostic) => diagnostics.push(*diagnostic),
        }
    }
    Ok(Inbox {
        workbooks,
        diagnostics,
    })
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
    if name.starts_with('.') || name.starts_with(crate::register::FILE_NAME) {
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

fn relative_name(inbox: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(inbox).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    text::clean(&parts.join("/"))
}

/// Reads one workbook from disk.
pub fn read_workbook(path: &Path, name: &str) -> Result<RawWorkbook, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            "ingest.unreadable",
            name,
            format!("Không đọc được tệp: {e}"),
        )
    })?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut workbook = read_workbook_bytes(bytes, name)?;
    workbook.modified = modified;
    Ok(workbook)
}

/// Reads a workbook from its bytes; the format is recognised from the
/// content, not the extension.
pub fn read_workbook_bytes(bytes: Vec<u8>, name: &str) -> Result<RawWorkbook, Box<Diagnostic>> {
    if is_encrypted(&bytes) {
        return Err(Box::new(Diagnostic::error(
            "ingest.password",
            name,
            "Tệp được đặt mật khẩu: hãy gỡ mật khẩu (Excel: Tệp › Thông tin › Bảo vệ sổ làm việc) rồi gửi lại",
        )));
    }
    let saved = saved_time(&bytes);
    let cursor = std::io::Cursor::new(bytes);
    let mut book =
        calamine::open_workbook_auto_from_rs(cursor).map_err(|e| open_error(name, &e))?;
    let mut sheets = Vec::new();
    let mut legacy_cells = 0;
    for sheet_name in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet_name)
            .map_err(|e| open_error(name, &e))?;
        sheets.push(RawSheet {
            name: text::clean(&sheet_name),
            rows: grid(&range, &mut legacy_cells),
        });
    }
    Ok(RawWorkbook {
        file: name.to_string(),
        modified: None,
        saved,
        sheets,
        legacy_cells,
    })
}

/// An Office workbook saved with a password: an OLE container holding the
/// encrypted package instead of the workbook.
fn is_encrypted(bytes: &[u8]) -> bool {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.starts_with(OLE) && bytes.windows(marker.len()).any(|w| w == marker)
}

/// The last-saved time an Office Open XML workbook records, if any.
fn saved_time(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut core = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("docProps/core.xml").ok()?, &mut core)
        .ok()?;
    let start = core.find("<dcterms:modified")?;
    let value_start = start + core[start..].find('>')? + 1;
    let value_end = value_start + core[value_start..].find('<')?;
    let value = core[value_start..value_end].trim();
    (value.len() >= 19).then(|| value[..19].to_string())
}

fn open_error(name: &str, error: &calamine::Error) -> Box<Diagnostic> {
    let detail = error.to_string();
    let lower = detail.to_lowercase();
    let message = if lower.contains("password") || lower.contains("encrypt") {
        "Tệp được đặt mật khẩu: hãy gỡ mật khẩu rồi gửi lại".to_string()
    } else {
        format!("Không mở được bảng tính (tệp hỏng hoặc không đúng định dạng): {detail}")
    };
    Box::new(Diagnostic::error("ingest.unreadable", name, message))
}

fn grid(range: &calamine::Range<Data>, legacy_cells: &mut usize) -> Vec<Vec<Cell>> {
    let Some((first_row, first_col)) = range.start() else {
        return Vec::new();
    };
    let mut rows = vec![Vec::new(); first_row as usize];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; first_col as usize];
        cells.extend(row.iter().map(|data| convert(data, legacy_cells)));
        while cells.last().is_some_and(Cell::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    rows
}

fn convert(data: &Data, legacy_cells: &mut usize) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => {
            let (repaired, legacy) = crate::legacy::repair(&text::clean(s));
            *legacy_cells += usize::from(legacy.is_some());
            Cell::Text(repaired)
        }
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() => Cell::Date(d),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .ok()
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
            }) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(text::clean(s)),
        },
        Data::DurationIso(s) => Cell::Text(text::clean(s)),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

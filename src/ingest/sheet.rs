//! One workbook's bytes into sheets of cells, within [`Limits`].
//!
//! xlsx and xlsb sheets are streamed cell by cell, so memory follows the
//! data, not the rectangle a stray far cell spans; xls and ods come as
//! calamine's ranges (xls is bounded by its format, ods by calamine's own
//! caps, and both by the reader process's memory limit). Text is cleaned
//! here: NFC, spaces, legacy fonts, and control characters removed with a
//! warning naming the cell.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Sheets};
use chrono::NaiveDateTime;

use super::limits::{Limits, raise_hint};
use super::{Cell, RawSheet, RawWorkbook};
use crate::diagnostic::Diagnostic;
use crate::format::group_thousands as thousands;
use crate::legacy::Legacy;
use crate::text;

/// Excel's last row and column (1,048,576 and XFD), 0-based.
const LAST_ROW: u32 = 1_048_575;
const LAST_COL: u32 = 16_383;

/// Cells with control characters warned about one by one; the rest are
/// counted in one line.
const CLEANED_CELLS_NAMED: usize = 20;

/// Reads a workbook from its bytes; the format is recognised from the
/// content, not the extension.
pub fn read_bytes(
    bytes: Vec<u8>,
    name: &str,
    limits: &Limits,
) -> Result<RawWorkbook, Box<Diagnostic>> {
    check_file_size(name, bytes.len() as u64, limits)?;
    if is_encrypted(&bytes) {
        return Err(Box::new(Diagnostic::error(
            "ingest.password",
            name,
            "Tệp được đặt mật khẩu: hãy gỡ mật khẩu (Excel: Tệp › Thông tin › Bảo vệ sổ làm việc) rồi gửi lại",
        )));
    }
    super::guard::check_container(&bytes, limits).map_err(|message| too_large(name, message))?;
    let saved = saved_time(&bytes);
    // A cursor over the bytes, not the bytes: format detection clones the
    // reader once per format it tries.
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.as_slice()))
        .map_err(|e| undetected(name, &bytes, &e))?;
    let mut grid = Grid::new(name, limits);
    let mut sheets = Vec::new();
    for (index, sheet_name) in book.sheet_names().into_iter().enumerate() {
        grid.start_sheet(index, &text::clean(&text::printable(&sheet_name)));
        // xlsx and xlsb have cell readers of different types but one shape.
        macro_rules! stream {
            ($reader:expr) => {{
                let mut cells = $reader
                    .worksheet_cells_reader(&sheet_name)
                    .map_err(|e| open_error(name, &e.into()))?;
                while let Some(cell) = cells.next_cell().map_err(|e| open_error(name, &e.into()))? {
                    let (row, col) = cell.get_position();
                    grid.put(row, col, convert_ref(cell.get_value()))?;
                }
            }};
        }
        match &mut book {
            Sheets::Xlsx(xlsx) => stream!(xlsx),
            Sheets::Xlsb(xlsb) => stream!(xlsb),
            other => {
                let range = other
                    .worksheet_range(&sheet_name)
                    .map_err(|e| open_error(name, &e))?;
                let (top, left) = range.start().unwrap_or_default();
                for (row, col, data) in range.used_cells() {
                    grid.put(top + row as u32, left + col as u32, convert(data))?;
                }
            }
        }
        sheets.push(grid.finish_sheet());
    }
    Ok(grid.finish(sheets, saved))
}

/// The sheets being filled, and what they have cost so far.
struct Grid<'a> {
    file: &'a str,
    limits: &'a Limits,
    sheet: RawSheet,
    /// Rows of this sheet holding data.
    filled_rows: u64,
    /// Row slots and cell slots of the whole workbook.
    slots: u64,
    legacy_cells: usize,
    /// Cells that showed each legacy font on their own: (TCVN3, VNI).
    legacy_evidence: (usize, usize),
    /// Cells a legacy table could change, as typed (sheet index, row,
    /// column, text): judged again once the workbook's font is known.
    legacy_unsure: Vec<(usize, usize, usize, String)>,
    sheet_index: usize,
    /// Cells whose control characters were removed: the first few by
    /// (sheet, cell), and how many in all.
    cleaned: Vec<(String, String)>,
    cleaned_count: usize,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Grid<'a> {
    fn new(file: &'a str, limits: &'a Limits) -> Self {
        Self {
            file,
            limits,
            sheet: RawSheet {
                name: String::new(),
                rows: Vec::new(),
            },
            filled_rows: 0,
            slots: 0,
            legacy_cells: 0,
            legacy_evidence: (0, 0),
            legacy_unsure: Vec::new(),
            sheet_index: 0,
            cleaned: Vec::new(),
            cleaned_count: 0,
            diagnostics: Vec::new(),
        }
    }

    fn start_sheet(&mut self, index: usize, name: &str) {
        self.sheet_index = index;
        self.sheet = RawSheet {
            name: name.to_string(),
            rows: Vec::new(),
        };
        self.filled_rows = 0;
    }

    fn put(&mut self, row: u32, col: u32, cell: RawCell) -> Result<(), Box<Diagnostic>> {
        if row > LAST_ROW || col > LAST_COL {
            self.diagnostics.push(
                Diagnostic::warning(
                    "ingest.out-of-range",
                    self.file,
                    format!(
                        "Tệp ghi một ô ở dòng {}, cột {}: ngoài giới hạn của Excel (1.048.576 dòng, \
                         16.384 cột); tệp do chương trình khác ghi sai, ô này bị bỏ qua",
                        thousands(u64::from(row) + 1),
                        thousands(u64::from(col) + 1)
                    ),
                )
                .at(&self.sheet.name, None),
            );
            return Ok(());
        }
        let cell = self.finish_cell(row, col, cell);
        if cell.is_empty() {
            return Ok(());
        }
        let (row, col) = (row as usize, col as usize);
        if row >= self.sheet.rows.len() {
            self.spend((row + 1 - self.sheet.rows.len()) as u64)?;
            self.sheet.rows.resize_with(row + 1, Vec::new);
        }
        if self.sheet.rows[row].is_empty() {
            self.filled_rows += 1;
            if self.filled_rows > self.limits.rows {
                return Err(too_large(
                    self.file,
                    format!(
                        "Trang '{}' có hơn {} dòng có dữ liệu, quá giới hạn: hãy xóa các dòng thừa \
                         (chỉ giữ danh sách đề nghị), hoặc {}",
                        self.sheet.name,
                        thousands(self.limits.rows),
                        raise_hint("rows")
                    ),
                ));
            }
        }
        let width = self.sheet.rows[row].len();
        if col >= width {
            self.spend((col + 1 - width) as u64)?;
            self.sheet.rows[row].resize(col + 1, Cell::Empty);
        }
        self.sheet.rows[row][col] = cell;
        Ok(())
    }

    /// Counts slots against the workbook's budget.
    fn spend(&mut self, slots: u64) -> Result<(), Box<Diagnostic>> {
        self.slots = self.slots.saturating_add(slots);
        if self.slots <= self.limits.cells {
            return Ok(());
        }
        Err(too_large(
            self.file,
            format!(
                "Trang '{}' làm tệp vượt giới hạn {} ô (tính cả các ô trống nằm trước ô có dữ liệu \
                 xa nhất của mỗi dòng và các dòng trống phía trên): có thể có ô bị gõ nhầm ở rất xa \
                 bên phải hoặc bên dưới danh sách; hãy xóa các dòng, cột thừa, hoặc {}",
                self.sheet.name,
                thousands(self.limits.cells),
                raise_hint("cells")
            ),
        ))
    }

    /// Cleans a text cell, noting what was repaired or removed.
    fn finish_cell(&mut self, row: u32, col: u32, cell: RawCell) -> Cell {
        match cell {
            RawCell::Ready(cell) => cell,
            RawCell::Text(raw) => {
                let (printable, removed) = text::strip_controls(&raw);
                if removed {
                    self.cleaned_count += 1;
                    if self.cleaned.len() < CLEANED_CELLS_NAMED {
                        let cell = text::cell_name(row, col);
                        self.cleaned.push((self.sheet.name.clone(), cell));
                    }
                }
                let typed = text::clean(&printable);
                let (repaired, legacy) = crate::legacy::repair(&typed);
                if crate::legacy::could_be_legacy(&typed) {
                    let clear = crate::legacy::detect_clear(&typed);
                    match clear {
                        Some(Legacy::Tcvn3) => self.legacy_evidence.0 += 1,
                        Some(Legacy::Vni) => self.legacy_evidence.1 += 1,
                        None => {}
                    }
                    if legacy.is_none() || clear.is_none() {
                        self.legacy_unsure.push((
                            self.sheet_index,
                            row as usize,
                            col as usize,
                            typed,
                        ));
                    }
                }
                self.legacy_cells += usize::from(legacy.is_some());
                Cell::Text(repaired)
            }
        }
    }

    fn finish_sheet(&mut self) -> RawSheet {
        let mut sheet = std::mem::replace(
            &mut self.sheet,
            RawSheet {
                name: String::new(),
                rows: Vec::new(),
            },
        );
        sheet.rows.shrink_to_fit();
        sheet
    }

    fn finish(mut self, mut sheets: Vec<RawSheet>, saved: Option<String>) -> RawWorkbook {
        if let Some(legacy) = self.workbook_font() {
            for (sheet, row, col, typed) in &self.legacy_unsure {
                let cell = sheets
                    .get_mut(*sheet)
                    .and_then(|s| s.rows.get_mut(*row))
                    .and_then(|r| r.get_mut(*col));
                if let Some(Cell::Text(text)) = cell
                    && let Some(repaired) = crate::legacy::prefer(typed, legacy, text)
                {
                    self.legacy_cells += usize::from(text == typed);
                    *text = repaired;
                }
            }
        }
        for (sheet, cell) in std::mem::take(&mut self.cleaned) {
            self.diagnostics.push(
                Diagnostic::warning(
                    "ingest.control-characters",
                    self.file,
                    "Ô có ký tự điều khiển không in được (như ESC, BEL, ký tự thoát của \
                     terminal): đã bỏ các ký tự đó, hãy xem lại nội dung ô",
                )
                .at(&sheet, Some(cell)),
            );
        }
        let rest = self.cleaned_count.saturating_sub(CLEANED_CELLS_NAMED);
        if rest > 0 {
            self.diagnostics.push(Diagnostic::warning(
                "ingest.control-characters",
                self.file,
                format!("Còn {rest} ô khác trong tệp có ký tự điều khiển, đã bỏ"),
            ));
        }
        RawWorkbook {
            file: self.file.to_string(),
            modified: None,
            saved,
            sheets,
            legacy_cells: self.legacy_cells,
            diagnostics: self.diagnostics,
        }
    }
}

impl Grid<'_> {
    /// The legacy font a workbook is typed in, once its cells make that
    /// clear: at least two cells read strictly better in one table than in
    /// the other, and four times as many as the other way round. Then its short codes (LĐTT, "Không") convert too, which no
    /// cell could show alone.
    fn workbook_font(&self) -> Option<Legacy> {
        let (tcvn3, vni) = self.legacy_evidence;
        if tcvn3 >= 2 && tcvn3 >= 4 * vni {
            Some(Legacy::Tcvn3)
        } else if vni >= 2 && vni >= 4 * tcvn3 {
            Some(Legacy::Vni)
        } else {
            None
        }
    }
}

/// A cell before its text is cleaned.
enum RawCell {
    Ready(Cell),
    Text(String),
}

fn convert_ref(data: &DataRef<'_>) -> RawCell {
    match data {
        DataRef::SharedString(s) => RawCell::Text((*s).to_string()),
        DataRef::String(s) => RawCell::Text(s.clone()),
        DataRef::Empty => RawCell::Ready(Cell::Empty),
        DataRef::Int(i) => RawCell::Ready(Cell::Number(*i as f64)),
        DataRef::Float(f) => RawCell::Ready(Cell::Number(*f)),
        DataRef::Bool(b) => RawCell::Ready(Cell::Bool(*b)),
        DataRef::DateTime(dt) => RawCell::Ready(date_time(dt)),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => RawCell::Text(s.clone()),
        DataRef::Error(e) => RawCell::Ready(Cell::Error(format!("{e}"))),
    }
}

fn convert(data: &Data) -> RawCell {
    match data {
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Empty => RawCell::Ready(Cell::Empty),
        Data::Int(i) => RawCell::Ready(Cell::Number(*i as f64)),
        Data::Float(f) => RawCell::Ready(Cell::Number(*f)),
        Data::Bool(b) => RawCell::Ready(Cell::Bool(*b)),
        Data::DateTime(dt) => RawCell::Ready(date_time(dt)),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => RawCell::Text(s.clone()),
        Data::Error(e) => RawCell::Ready(Cell::Error(format!("{e}"))),
    }
}

fn date_time(dt: &calamine::ExcelDateTime) -> Cell {
    match dt.as_datetime() {
        Some(d) if dt.is_datetime() => Cell::Date(d),
        _ => Cell::Number(dt.as_f64()),
    }
}

fn iso_date(s: &str) -> RawCell {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_or_else(
            || RawCell::Text(s.to_string()),
            |d| RawCell::Ready(Cell::Date(d)),
        )
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
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut core = String::new();
    archive
        .by_name("docProps/core.xml")
        .ok()?
        .take(64 * 1024)
        .read_to_string(&mut core)
        .ok()?;
    let start = core.find("<dcterms:modified")?;
    let value_start = start + core[start..].find('>')? + 1;
    let value_end = value_start + core[value_start..].find('<')?;
    let value = core[value_start..value_end].trim();
    (value.len() >= 19 && value.is_char_boundary(19)).then(|| value[..19].to_string())
}

/// Format detection hides why each format failed; an OpenDocument file is
/// asked again, so that a sheet whose repeat counts expand past the
/// reader's cell limit says so.
fn undetected(name: &str, bytes: &[u8], error: &calamine::Error) -> Box<Diagnostic> {
    let ods = bytes.starts_with(b"PK")
        && bytes
            .windows(b"opendocument.spreadsheet".len())
            .take(512)
            .any(|w| w == b"opendocument.spreadsheet");
    if ods {
        let again = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(bytes));
        match again {
            Err(calamine::OdsError::CellLimitExceeded { requested, max }) => {
                return too_large(
                    name,
                    format!(
                        "Trang tính trong tệp .ods lặp dòng, cột thành {} ô, quá giới hạn {} ô của \
                         trình đọc: tệp hỏng hoặc do chương trình khác ghi sai; hãy mở bằng \
                         LibreOffice hoặc Excel, xóa các dòng, cột thừa, lưu lại rồi gửi lại",
                        thousands(requested as u64),
                        thousands(max as u64)
                    ),
                );
            }
            Err(specific) => return open_error(name, &calamine::Error::Ods(specific)),
            Ok(_) => {}
        }
    }
    open_error(name, error)
}

fn open_error(name: &str, error: &calamine::Error) -> Box<Diagnostic> {
    let detail = text::printable(&error.to_string());
    let lower = detail.to_lowercase();
    let message = if lower.contains("password") || lower.contains("encrypt") {
        "Tệp được đặt mật khẩu: hãy gỡ mật khẩu rồi gửi lại".to_string()
    } else {
        format!("Không mở được bảng tính (tệp hỏng hoặc không đúng định dạng): {detail}")
    };
    Box::new(Diagnostic::error("ingest.unreadable", name, message))
}

/// A file larger than `[limits] file_mib` is not read at all.
pub(super) fn check_file_size(
    name: &str,
    size: u64,
    limits: &Limits,
) -> Result<(), Box<Diagnostic>> {
    if size <= limits.file_bytes() {
        return Ok(());
    }
    Err(too_large(
        name,
        format!(
            "Tệp nặng {} MiB, quá giới hạn {} MiB; {}",
            size.div_ceil(1 << 20),
            limits.file_mib,
            raise_hint("file_mib")
        ),
    ))
}

pub(super) fn too_large(name: &str, message: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("ingest.too-large", name, message))
}

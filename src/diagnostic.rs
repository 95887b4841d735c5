//! Problems found in the input travel beside the results as data.
//!
//! A `Diagnostic` is never an `Err`: an `Err` means tdkt could not run at all,
//! a diagnostic means a person should look at a file, sheet or cell.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row or file is not used.
    Error,
    /// Used, but a person should look.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable machine code such as `ingest.bad-date`.
    pub code: String,
    pub file: String,
    pub sheet: Option<String>,
    /// A1 notation, or `None` for a whole sheet or file.
    pub cell: Option<String>,
    /// Vietnamese, with full diacritics.
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: &str, file: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, message)
    }

    pub fn warning(code: &str, file: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, file, message)
    }

    fn new(severity: Severity, code: &str, file: &str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code: code.to_string(),
            file: file.to_string(),
            sheet: None,
            cell: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, sheet: &str, cell: Option<String>) -> Self {
        self.sheet = Some(sheet.to_string());
        self.cell = cell;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders diagnostics the way a compiler does: `file › sheet › cell: message`.
pub fn human_line(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "lỗi",
        Severity::Warning => "cảnh báo",
    };
    let mut place = d.file.clone();
    if let Some(sheet) = &d.sheet {
        place.push_str(" › ");
        place.push_str(sheet);
    }
    if let Some(cell) = &d.cell {
        place.push_str(" › ");
        place.push_str(cell);
    }
    if place.is_empty() {
        // About the whole run, not one file.
        return format!("{level}[{}]: {}", d.code, d.message);
    }
    format!("{level}[{}]: {place}: {}", d.code, d.message)
}

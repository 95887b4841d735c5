//! What the register issues, as plain types every stage may use without
//! depending on the register: a decision's sign-off, its document number,
//! and the name of the register's file.
//!
//! aggregate computes lists and the register answers with these; the
//! renderer prints both. Keeping them here, below both, is what keeps the
//! two from importing each other.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The register's file name in a campaign folder.
pub const REGISTER_FILE_NAME: &str = "so-khen-thuong.sqlite";

/// A document number: "05/QĐ-HVCTQG", or "05-QĐ/TU" for a Party code,
/// which carries its own slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentNumber {
    pub number: u32,
    /// "QĐ-HVCTQG", "QĐ/TU".
    pub code: String,
}

impl DocumentNumber {
    pub fn new(number: u32, code: impl Into<String>) -> Self {
        DocumentNumber {
            number,
            code: code.into(),
        }
    }

    /// Reads a number as clerks write it: "05/QĐ-HVCTQG", "Số: 12/QĐ-BNV",
    /// "05-QĐ/TU".
    pub fn parse(text: &str) -> Option<Self> {
        let text = text
            .trim()
            .trim_start_matches("Số")
            .trim_start_matches(':')
            .trim();
        let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let rest = text[digits..].strip_prefix(['/', '-'])?;
        let number = text[..digits].parse().ok()?;
        (!rest.is_empty()).then(|| DocumentNumber::new(number, rest))
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let separator = if self.code.contains('/') { '-' } else { '/' };
        write!(f, "{:02}{separator}{}", self.number, self.code)
    }
}

/// A decision's sign-off: its number, date and the document code it was
/// signed under ("QĐ-HVCTQG"), which a reprint keeps whatever tdkt.toml
/// says today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub number: u32,
    pub date: NaiveDate,
    pub code: String,
}

impl SignOff {
    pub fn document_number(&self) -> DocumentNumber {
        DocumentNumber::new(self.number, self.code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_in_both_styles_read_back_as_written() {
        for (written, number, code) in [
            ("05/QĐ-HVCTQG", 5, "QĐ-HVCTQG"),
            ("05-QĐ/TU", 5, "QĐ/TU"),
            ("123/QĐ-BNV", 123, "QĐ-BNV"),
        ] {
            let parsed = DocumentNumber::parse(written).unwrap();
            assert_eq!(parsed, DocumentNumber::new(number, code));
            assert_eq!(parsed.to_string(), written);
        }
        assert_eq!(
            DocumentNumber::parse("Số: 12/QĐ-BNV"),
            Some(DocumentNumber::new(12, "QĐ-BNV"))
        );
        assert_eq!(DocumentNumber::parse("QĐ-HVCTQG"), None);
        assert_eq!(DocumentNumber::parse("05/"), None);
        assert_eq!(DocumentNumber::parse("99999999999/QĐ"), None);
    }
}

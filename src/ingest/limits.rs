//! What one workbook may cost: the `[limits]` of `tdkt.toml`.
//!
//! Every bound holds before the memory it protects is allocated: a zip
//! entry is counted as it inflates, a shared-string table by the count it
//! declares, a sheet cell by cell as it streams. A workbook over a limit is
//! one `ingest.too-large` error naming the file and the limit to raise; the
//! other workbooks go on.

use serde::{Deserialize, Serialize};

/// Bounds on one workbook. The defaults admit any real submission (the
/// largest unit lists run to a few thousand rows) with a wide margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Size of the file on disk, in MiB.
    pub file_mib: u64,
    /// Bytes one zip entry (a sheet's XML, the shared strings) may inflate
    /// to, in MiB; a zip bomb stops here.
    pub inflated_mib: u64,
    /// Rows holding data in one sheet.
    pub rows: u64,
    /// Cells one workbook may hold in memory: every row up to the last
    /// one with data, and in each row every cell up to its last filled one
    /// (a stray value far below or to the right costs the gap).
    pub cells: u64,
    /// Strings in a workbook's shared-string table.
    pub shared_strings: u64,
    /// Memory one workbook's reader may use, in MiB (enforced on the
    /// separate reader process).
    pub memory_mib: u64,
    /// Processor time one workbook's reader may use, in seconds.
    pub seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            file_mib: 100,
            inflated_mib: 256,
            rows: 100_000,
            cells: 5_000_000,
            shared_strings: 1_000_000,
            memory_mib: 1024,
            seconds: 60,
        }
    }
}

impl Limits {
    pub fn file_bytes(&self) -> u64 {
        self.file_mib.saturating_mul(1 << 20)
    }

    pub fn inflated_bytes(&self) -> u64 {
        self.inflated_mib.saturating_mul(1 << 20)
    }
}

/// The hint every limit message ends with.
pub fn raise_hint(key: &str) -> String {
    format!("nếu tệp đúng là lớn như vậy, tăng {key} trong mục [limits] của tdkt.toml")
}

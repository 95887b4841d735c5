//! A workbook arriving over the web: read before it is kept, saved into
//! the inbox under a name no other file has, then judged with the rest.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::App;
use crate::diagnostic::Diagnostic;
use crate::map::{self, MapContext};
use crate::model::UnitRef;
use crate::validate::Verdict;

/// `POST /api/inbox`'s answer (contracts.md): the workbook kept, and what
/// judging the inbox found in it.
#[derive(Debug, Serialize)]
pub struct Accepted {
    pub file: String,
    pub unit: Option<UnitRef>,
    pub diagnostics: Vec<Diagnostic>,
    pub verdicts: Vec<Verdict>,
}

/// Why an upload was not kept.
#[derive(Debug)]
pub enum Refused {
    /// Not a workbook tdkt can read, or another unit's: a message for
    /// the person who sent it (400).
    Input(String),
    /// The server could not save or judge it (500).
    Failed(anyhow::Error),
}

const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Reads, keeps and judges one uploaded workbook. With `unit_only` (a
/// unit's link or user) a workbook of another unit is refused.
pub fn accept(
    app: &App,
    sent_name: &str,
    bytes: &[u8],
    unit_only: Option<&str>,
) -> Result<Accepted, Refused> {
    let settings = &app.settings;
    let name = safe_name(sent_name);
    let extension = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !EXTENSIONS.contains(&extension.as_str()) {
        return Err(Refused::Input(format!(
            "Tệp '{name}' không phải bảng tính: hãy gửi tệp .xlsx, .xlsm, .xlsb, .xls hoặc .ods"
        )));
    }
    if bytes.len() > settings.upload_limit {
        return Err(Refused::Input(format!(
            "Tệp '{name}' quá lớn: tối đa {} MiB",
            settings.upload_limit >> 20
        )));
    }
    std::fs::create_dir_all(&settings.inbox).map_err(|e| Refused::Failed(e.into()))?;
    // A hidden name: the inbox's walk does not see it until it is kept.
    let mut staged = tempfile::Builder::new()
        .prefix(".tdkt-tai-len-")
        .suffix(&format!(".{extension}"))
        .tempfile_in(&settings.inbox)
        .map_err(|e| Refused::Failed(e.into()))?;
    staged
        .write_all(bytes)
        .and_then(|()| staged.as_file().sync_all())
        .map_err(|e| Refused::Failed(e.into()))?;
    let raw = settings
        .reader
        .read(staged.path(), &name)
        .map_err(|diagnostic| Refused::Input(format!("Tệp '{name}': {}", diagnostic.message)))?;
    let unit = unit_of(app, &raw);
    if let Some(only) = unit_only {
        match &unit {
            Some(unit) if unit.code == only => {}
            Some(unit) => {
                return Err(Refused::Input(format!(
                    "Tệp '{name}' là hồ sơ của {} ({}), không phải của đơn vị {only}: không nhận",
                    unit.name, unit.code
                )));
            }
            None => {
                return Err(Refused::Input(format!(
                    "Không xác định được đơn vị trong tệp '{name}': hãy ghi tên đơn vị ở đầu biểu mẫu"
                )));
            }
        }
    }
    let file = keep(staged, &settings.inbox, &name).map_err(Refused::Failed)?;
    let judged = app.judged().map_err(Refused::Failed)?;
    let checked = &judged.checked;
    Ok(Accepted {
        unit,
        diagnostics: checked
            .reading
            .diagnostics
            .iter()
            .filter(|d| d.file == file)
            .cloned()
            .collect(),
        verdicts: checked
            .validation
            .verdicts
            .iter()
            .filter(|v| v.file == file)
            .cloned()
            .collect(),
        file,
    })
}

/// The unit a workbook names, as map reads it.
fn unit_of(app: &App, raw: &crate::ingest::RawWorkbook) -> Option<UnitRef> {
    let settings = &app.settings;
    let workbooks = std::slice::from_ref(raw);
    let (year, _) = map::decide_year(settings.year, workbooks);
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now().date_naive()));
    let context = MapContext {
        regulation: &settings.regulation,
        units: settings.units.as_ref(),
        year,
    };
    map::map_workbooks(workbooks, context)
        .submissions
        .into_iter()
        .next()?
        .unit
}

/// Moves the staged file to `name` in the inbox, or "name (2)", "name (3)"
/// … when taken: never over another file. Returns the name kept.
fn keep(staged: tempfile::NamedTempFile, inbox: &Path, name: &str) -> anyhow::Result<String> {
    let path = Path::new(name);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("ho-so");
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("xlsx");
    let mut staged = staged;
    for copy in 1..=1000 {
        let candidate = if copy == 1 {
            name.to_string()
        } else {
            format!("{stem} ({copy}).{extension}")
        };
        match staged.persist_noclobber(inbox.join(&candidate)) {
            Ok(_) => return Ok(candidate),
            Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => {
                staged = error.file;
            }
            Err(error) => return Err(error.error.into()),
        }
    }
    anyhow::bail!("Đã có quá nhiều tệp tên '{name}' trong thư mục hồ sơ")
}

/// The sender's file name, made safe to keep: its last part only, no
/// control characters or characters Windows refuses, not hidden, at most
/// 100 characters.
pub fn safe_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let (clean, _) = crate::text::strip_controls(last);
    let clean: String = unicode_normalization::UnicodeNormalization::nfc(clean.as_ref())
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    let path = Path::new(clean);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let stem: String = stem.chars().take(100).collect();
    let stem = if stem.trim().is_empty() {
        "ho-so".to_string()
    } else {
        stem
    };
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{}", extension.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names_from_senders_stay_in_the_inbox_and_visible() {
        assert_eq!(safe_name("../../etc/passwd.xlsx"), "passwd.xlsx");
        assert_eq!(
            safe_name("C:\\Hồ sơ\\Viện Triết học.XLSX"),
            "Viện Triết học.xlsx"
        );
        assert_eq!(safe_name(".hidden.xlsx"), "hidden.xlsx");
        assert_eq!(safe_name("a\u{1b}[31mb?.xls"), "ab-.xls");
        assert_eq!(safe_name(".xlsx"), "xlsx");
        assert_eq!(safe_name(""), "ho-so");
        assert!(safe_name(&format!("{}.xlsx", "x".repeat(500))).len() <= 105);
    }
}

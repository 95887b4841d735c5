//! Checks on a workbook's container before the spreadsheet reader sees it.
//!
//! calamine trusts what a file declares: it reserves a shared-string table
//! of the size the table claims and inflates whatever a zip entry holds. So
//! before it runs, every zip entry is inflated once into nothing, counting
//! bytes up to the limit, and the shared-string count is read and compared.
//! Nothing here allocates more than a small buffer.

use std::io::{Read, Seek};

use super::limits::{Limits, raise_hint};

/// Why a container was refused, as the clerk reads it.
pub type Refusal = String;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Checks a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods). Other formats,
/// and zips the zip reader cannot open, pass: calamine says what is wrong
/// with those.
pub fn check_container(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    if !bytes.starts_with(ZIP_MAGIC) {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    let limit = limits.inflated_bytes();
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else {
            continue;
        };
        let name = crate::text::printable(&entry.name().unwrap_or_default());
        let declared = entry.size();
        let inflated = if declared > limit {
            declared
        } else {
            inflated_size(entry, limit)
        };
        if inflated > limit {
            return Err(format!(
                "Phần '{name}' trong tệp nở ra hơn {} MiB khi giải nén (giới hạn {} MiB): tệp hỏng \
                 hoặc là 'bom nén'; hãy mở bằng Excel, lưu lại rồi gửi lại, hoặc {}",
                inflated.div_ceil(1 << 20),
                limits.inflated_mib,
                raise_hint("inflated_mib")
            ));
        }
    }
    check_shared_strings(&mut archive, limits)
}

/// Bytes an entry inflates to, counted up to `limit + 1`.
fn inflated_size(entry: impl Read, limit: u64) -> u64 {
    let mut bounded = entry.take(limit.saturating_add(1));
    // A corrupt stream counts as what inflated before the damage; the
    // reader reports the damage itself.
    let mut buffer = [0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match bounded.read(&mut buffer) {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n as u64,
        }
    }
}

/// The count an xlsx shared-string table declares (`<sst uniqueCount=…>`),
/// which calamine reserves room for before reading a string.
fn check_shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), Refusal> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.into_owned())
        .collect();
    for name in names {
        let Ok(entry) = archive.by_name(&name) else {
            continue;
        };
        let mut head = Vec::with_capacity(4096);
        if entry.take(4096).read_to_end(&mut head).is_err() {
            continue;
        }
        let head = String::from_utf8_lossy(&head);
        let Some(tag) = head.find("<sst").or_else(|| head.find(":sst")) else {
            continue;
        };
        let tag = &head[tag..head[tag..].find('>').map_or(head.len(), |end| tag + end)];
        for attribute in ["uniqueCount", " count"] {
            let declared = declared_number(tag, attribute);
            if declared.is_some_and(|n| n > limits.shared_strings) {
                return Err(format!(
                    "Bảng chuỗi dùng chung của tệp khai {} chuỗi, quá giới hạn {}: tệp hỏng hoặc \
                     do chương trình khác ghi sai; hãy mở bằng Excel, lưu lại rồi gửi lại, hoặc {}",
                    crate::format::group_thousands(declared.unwrap_or_default()),
                    crate::format::group_thousands(limits.shared_strings),
                    raise_hint("shared_strings")
                ));
            }
        }
    }
    Ok(())
}

/// The number in `attribute="…"` inside an XML tag; values too long for a
/// `u64` count as `u64::MAX`.
fn declared_number(tag: &str, attribute: &str) -> Option<u64> {
    let start = tag.find(&format!("{attribute}="))? + attribute.len() + 1;
    let quote = tag[start..].chars().next()?;
    let rest = &tag[start + 1..];
    let digits = &rest[..rest.find(quote)?];
    let digits = digits.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_counts_are_read_and_absurd_ones_saturate() {
        let tag = r#"<sst xmlns="x" count="12" uniqueCount="99999999999999999999999""#;
        assert_eq!(declared_number(tag, " count"), Some(12));
        assert_eq!(declared_number(tag, "uniqueCount"), Some(u64::MAX));
        assert_eq!(declared_number(tag, "missing"), None);
    }

    #[test]
    fn bytes_that_are_not_a_zip_pass_to_the_reader() {
        assert!(check_container(b"not a workbook", &Limits::default()).is_ok());
    }
}

//! `tdkt verify` of a certificate PDF: its text layer read back (lopdf),
//! its verification line found, and what it says compared with the
//! register.

use std::path::Path;

use anyhow::{Context, Result};

use crate::register::{GrantRecord, Register, content_hash};

const MARK: &str = "Mã xác thực:";

/// What `tdkt verify` found.
#[derive(Debug)]
pub enum Verification {
    Genuine(GrantRecord),
    /// Not in the register, or differing from it: the reasons.
    NotGenuine(Vec<String>),
}

pub fn certificate(register: &Register, path: &Path) -> Result<Verification> {
    let bytes =
        std::fs::read(path).with_context(|| format!("Không đọc được tệp {}", path.display()))?;
    let sha256 = crate::text::sha256_hex(&bytes);
    // Byte for byte a file the register issued: its record says the rest.
    if let Some(record) = register.grant_by_file(&sha256)? {
        return Ok(match &record.revoked_by {
            Some(by) => {
                Verification::NotGenuine(vec![format!("Đã bị thu hồi theo Quyết định số {by}")])
            }
            None => Verification::Genuine(record),
        });
    }
    // A PDF too damaged to read is not a certificate that was issued.
    let Ok(document) = lopdf::Document::load_mem(&bytes) else {
        return Ok(Verification::NotGenuine(vec![
            "Tệp PDF hỏng hoặc đã bị sửa: không phải bản đã cấp".to_string(),
        ]));
    };
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let Ok(text) = document.extract_text(&pages) else {
        return Ok(Verification::NotGenuine(vec![
            "Không đọc được chữ trong tệp PDF: không phải bản đã cấp".to_string(),
        ]));
    };
    let Some((number, hash)) = verification_line(&text) else {
        return Ok(Verification::NotGenuine(vec![
            "Tệp không có mã xác thực của tdkt: bản dự thảo, hoặc không phải bằng do tdkt in từ quyết định đã ký"
                .to_string(),
        ]));
    };
    let Some(record) = register.grant(&number)? else {
        return Ok(Verification::NotGenuine(vec![format!(
            "Số sổ vàng '{number}' không có trong sổ khen thưởng"
        )]));
    };
    let mut differences = differences(&record, &hash, &text);
    if let Some(issued) = &record.file_sha256
        && *issued != sha256
    {
        differences.push(if differences.is_empty() {
            "Nội dung giống nhưng tệp đã bị sửa: tệp không phải bản đã cấp (khác từng byte)"
                .to_string()
        } else {
            "Tệp không phải bản đã cấp (khác từng byte)".to_string()
        });
    }
    if let Some(by) = &record.revoked_by {
        differences.push(format!("Đã bị thu hồi theo Quyết định số {by}"));
    }
    Ok(if differences.is_empty() {
        Verification::Genuine(record)
    } else {
        Verification::NotGenuine(differences)
    })
}

/// "Mã xác thực: 2026-05-012 · 3f9a0c21b7" → (number, hash).
fn verification_line(text: &str) -> Option<(String, String)> {
    let rest = &text[text.find(MARK)? + MARK.len()..];
    let mut words = rest
        .split(|c: char| c.is_whitespace() || c == '·')
        .filter(|w| !w.is_empty());
    Some((words.next()?.to_string(), words.next()?.to_string()))
}

/// What the certificate says that the register does not.
fn differences(record: &GrantRecord, hash: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = Vec::new();
    let names_match = lines
        .iter()
        .any(|l| *l == record.name || l.ends_with(&format!(" {}", record.name)));
    if !names_match {
        out.push(format!("Tên trên bằng khác sổ: sổ ghi '{}'", record.name));
    }
    if !text.contains(&format!("Quyết định số {}", record.document_number)) {
        out.push(format!(
            "Số quyết định trên bằng khác sổ: sổ ghi Quyết định số {}",
            record.document_number
        ));
    }
    let expected = content_hash(
        &record.register_number,
        &record.name,
        &record.birth,
        &record.honour,
        &record.document_number,
        record.date,
    );
    if hash != record.content_hash || hash != expected {
        out.push(format!(
            "Mã xác thực '{hash}' không khớp sổ (sổ ghi '{}')",
            record.content_hash
        ));
    }
    out
}

//! Vietnamese text helpers shared by every stage.
//!
//! Everything that enters tdkt from a workbook goes through [`clean`]: NFC,
//! non-breaking and repeated spaces folded. Matching of labels, codes and unit
//! names goes through [`fold`], which drops case, diacritics and spacing so
//! that "HỌ VÀ TÊN", "Họ và tên" and "ho va ten" compare equal.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC-normalises `raw`, turns every kind of space into a plain space, folds
/// runs of spaces into one and trims the ends.
pub fn clean(raw: &str) -> String {
    // Most cells are already clean NFC: say so without rebuilding them.
    let plain_spaces = !raw.contains("  ")
        && raw
            .chars()
            .all(|c| c == ' ' || !(c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'));
    if plain_spaces
        && raw.trim() == raw
        && unicode_normalization::is_nfc_quick(raw.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for ch in raw.nfc() {
        if ch.is_whitespace() || ch == '\u{a0}' || ch == '\u{200b}' || ch == '\u{feff}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    out
}

/// Lower-case, diacritics removed (đ → d), punctuation turned into spaces,
/// spaces folded: the key under which labels and names are compared.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for ch in raw.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        let ch = match ch {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if ch.is_alphanumeric() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.extend(ch.to_lowercase());
        } else {
            pending_space = !out.is_empty();
        }
    }
    out
}

/// A file-name-safe ASCII slug: "Nguyễn Thị Lan" → "nguyen-thi-lan".
pub fn slug(raw: &str) -> String {
    let folded = fold(raw);
    let slug: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "khong-ten".to_string()
    } else {
        slug
    }
}

/// Upper-cases Vietnamese text (Rust's `to_uppercase` handles diacritics; this
/// keeps the result in NFC).
pub fn upper(raw: &str) -> String {
    raw.to_uppercase().nfc().collect()
}

/// The column letters of a 0-based column index: 0 → "A", 27 → "AB".
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A1 notation for 0-based row and column indices.
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// The given name, the last word of a Vietnamese full name.
pub fn given_name(full_name: &str) -> &str {
    full_name.rsplit(' ').next().unwrap_or(full_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_makes_nfc_and_folds_spaces() {
        let decomposed = "Nguye\u{302}\u{303}n\u{a0}\u{a0}Thi\u{323}  Lan ";
        assert_eq!(clean(decomposed), "Nguyễn Thị Lan");
    }

    #[test]
    fn fold_ignores_case_accents_and_spacing() {
        assert_eq!(fold("HỌ VÀ  TÊN"), "ho va ten");
        assert_eq!(fold("Đơn vị:"), "don vi");
        assert_eq!(fold("Xếp loại năm N-1"), "xep loai nam n 1");
    }

    #[test]
    fn slug_is_ascii() {
        assert_eq!(slug("Viện Triết học"), "vien-triet-hoc");
        assert_eq!(slug("Đặng Thị Ánh (2)"), "dang-thi-anh-2");
        assert_eq!(slug("###"), "khong-ten");
    }

    #[test]
    fn cell_names_follow_excel() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(13, 2), "C14");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn upper_keeps_diacritics() {
        assert_eq!(upper("Bằng khen"), "BẰNG KHEN");
    }
}

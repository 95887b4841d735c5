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

/// `raw` without control characters: terminal escape sequences (`ESC [ … m`,
/// `ESC ] … BEL`) go whole, other C0 and C1 controls one by one; tabs and
/// line breaks stay (for [`clean`] to fold). Says whether anything went.
pub fn strip_controls(raw: &str) -> (std::borrow::Cow<'_, str>, bool) {
    let is_removed = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !raw.chars().any(is_removed) {
        return (std::borrow::Cow::Borrowed(raw), false);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // The 8-bit forms of CSI and OSC.
            '\u{9b}' => skip_until(&mut chars, |c| ('@'..='~').contains(&c)),
            '\u{9d}' => skip_until(&mut chars, |c| c == '\u{7}' || c == '\u{9c}'),
            c if is_removed(c) => {}
            c => out.push(c),
        }
    }
    (std::borrow::Cow::Owned(out), true)
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        // CSI: parameters, then one final byte.
        Some('[') => skip_until(chars, |c| ('@'..='~').contains(&c)),
        // OSC, DCS, APC, PM, SOS: a string ended by BEL or ESC \.
        Some(']' | 'P' | '_' | '^' | 'X') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || c == '\u{9c}' {
                    break;
                }
                if c == '\u{1b}' {
                    chars.next_if_eq(&'\\');
                    break;
                }
            }
        }
        // A two-character escape (ESC c, ESC 7 …): both go.
        _ => {}
    }
}

fn skip_until(chars: &mut impl Iterator<Item = char>, last: impl Fn(char) -> bool) {
    for c in chars.by_ref() {
        if last(c) || c.is_control() {
            break;
        }
    }
}

/// `raw` safe to print on a terminal: every control character written as a
/// visible escape (`\u{1b}`), line breaks and tabs kept. For names that must
/// stay recognisable, such as file names.
pub fn printable(raw: &str) -> String {
    if !raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n'))
    {
        return raw.to_string();
    }
    raw.chars()
        .map(|c| match c {
            '\t' | '\n' => c.to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Lower-case, diacritics removed (đ → d), punctuation turned into spaces,
/// spaces folded: the key under which labels and names are compared.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    let mut push = |ch: char| {
        if is_combining_mark(ch) {
            return;
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
    };
    // Character by character: the marks a full NFD would reorder are
    // dropped anyway, and ASCII needs no decomposition (a hot path of map).
    for ch in raw.chars() {
        if ch.is_ascii() {
            push(ch);
        } else {
            unicode_normalization::char::decompose_canonical(ch, &mut push);
        }
    }
    out
}

/// Longest slug, in bytes: file names made from names stay far below the
/// 255 bytes file systems allow, with room for a prefix and extension.
const SLUG_MAX: usize = 60;

/// A file-name-safe ASCII slug: "Nguyễn Thị Lan" → "nguyen-thi-lan". A
/// long name is cut at a word and ends in a short hash of the whole, so
/// two long names that begin alike still give two files.
pub fn slug(raw: &str) -> String {
    let folded = fold(raw);
    let slug: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        return "khong-ten".to_string();
    }
    if slug.len() <= SLUG_MAX {
        return slug.to_string();
    }
    let cut = &slug[..SLUG_MAX - 7];
    let cut = cut
        .rfind('-')
        .filter(|&i| i > SLUG_MAX / 2)
        .map_or(cut, |i| &cut[..i]);
    format!("{cut}-{}", &sha256_hex(slug.as_bytes())[..6])
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        let long = "Công đoàn cơ sở ".repeat(20);
        let other = format!("{long} khác");
        assert!(slug(&long).len() <= 60, "{}", slug(&long));
        assert_ne!(slug(&long), slug(&other));
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
    fn escape_sequences_and_controls_are_removed_whole() {
        let (text, removed) =
            strip_controls("Nguy\u{1b}]0;pwned\u{7}ễn\u{1b}[2J Văn\u{0} A\u{9b}31m");
        assert!(removed);
        assert_eq!(text, "Nguyễn Văn A");
        let (text, removed) = strip_controls("Dòng 1\nDòng 2\tcột");
        assert!(!removed);
        assert_eq!(text, "Dòng 1\nDòng 2\tcột");
        assert_eq!(strip_controls("a\u{1b}").0, "a");
    }

    #[test]
    fn printable_shows_controls_as_escapes() {
        assert_eq!(printable("hồ sơ\u{1b}[2J.xlsx"), "hồ sơ\\u{1b}[2J.xlsx");
        assert_eq!(printable("bình thường"), "bình thường");
    }

    #[test]
    fn upper_keeps_diacritics() {
        assert_eq!(upper("Bằng khen"), "BẰNG KHEN");
    }
}

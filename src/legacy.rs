//! Text typed with legacy Vietnamese fonts, repaired to Unicode.
//!
//! Old workbooks typed in TCVN3 (.VnTime) or VNI (VNI-Times) fonts store the
//! font's 8-bit codes, which a workbook shows as their Windows-1252 reading:
//! "NguyÔn V¨n A" (TCVN3), "Nguyeãn Vaên A" (VNI). Each cell is judged on its
//! own: text that already holds Vietnamese letters outside Latin-1 is good
//! Unicode and is never touched; otherwise characters that only legacy text
//! contains decide which table applies. The tables are data
//! (`data/tcvn3.tsv`, `data/vni.tsv`).

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// Which legacy encoding a text was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    Tcvn3,
    Vni,
}

struct Tables {
    /// Windows-1252 character → TCVN3 meaning.
    tcvn3: HashMap<char, String>,
    /// VNI sequence (one or two characters) → Unicode.
    vni: HashMap<String, String>,
    /// Unicode → VNI sequence, for tests and encoding.
    vni_encode: HashMap<String, String>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let rows = |data: &'static str| {
        data.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split_once('\t'))
    };
    let tcvn3 = rows(include_str!("../data/tcvn3.tsv"))
        .filter_map(|(byte, meaning)| {
            let byte = u8::from_str_radix(byte, 16).ok()?;
            Some((windows_1252(byte), meaning.to_string()))
        })
        .collect();
    let pairs: Vec<(String, String)> = rows(include_str!("../data/vni.tsv"))
        .map(|(u, v)| (u.to_string(), v.to_string()))
        .collect();
    Tables {
        vni: pairs.iter().map(|(u, v)| (v.clone(), u.clone())).collect(),
        vni_encode: pairs.into_iter().collect(),
        tcvn3,
    }
});

/// The character Windows-1252 shows for `byte` (its C1 holes stay C1).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        b => char::from(b),
    }
}

/// Repairs `text` if it is legacy-encoded; returns it unchanged otherwise.
pub fn repair(text: &str) -> (String, Option<Legacy>) {
    match detect(text) {
        Some(Legacy::Tcvn3) => (decode_tcvn3(text), Some(Legacy::Tcvn3)),
        Some(Legacy::Vni) => (decode_vni(text), Some(Legacy::Vni)),
        None => (text.to_string(), None),
    }
}

/// `text` read with `legacy`'s table, when a workbook's other cells have
/// shown that table is theirs: short codes ("L§TT" for LĐTT) that no
/// syllable count can judge alone. Text that is plain ASCII or already
/// holds Vietnamese letters beyond Windows-1252 is left alone.
pub fn repair_as(text: &str, legacy: Legacy) -> Option<String> {
    if !could_be_legacy(text) {
        return None;
    }
    let decoded = match legacy {
        Legacy::Tcvn3 => decode_tcvn3(text),
        Legacy::Vni => decode_vni(text),
    };
    (decoded != text).then_some(decoded)
}

/// The font `text` is typed in when one table reads it strictly better than
/// the other (a tie, such as "Khoâng", which both read as a syllable, says
/// nothing): the evidence a workbook's font is judged by.
pub fn detect_clear(text: &str) -> Option<Legacy> {
    let Readings { as_is, tcvn3, vni } = readings(text)?;
    if tcvn3 < vni && tcvn3 < as_is {
        Some(Legacy::Tcvn3)
    } else if vni < tcvn3 && vni < as_is {
        Some(Legacy::Vni)
    } else {
        None
    }
}

/// `original` read with the workbook's font `legacy`, when that reading is
/// at least as well-formed as `current` (what the cell alone gave) and
/// differs from it.
pub fn prefer(original: &str, legacy: Legacy, current: &str) -> Option<String> {
    let decoded = repair_as(original, legacy)?;
    (decoded != current && ill_formed_words(&decoded) <= ill_formed_words(current))
        .then_some(decoded)
}

/// How many words are ill-formed as the text stands and under each table.
struct Readings {
    as_is: usize,
    tcvn3: usize,
    vni: usize,
}

/// The readings of a text a legacy table could change and that is not
/// already well-formed; `None` for plain ASCII, good Unicode (letters beyond
/// Windows-1252: ă, đ, ơ, ư, ạ, ế …) and well-formed text.
fn readings(text: &str) -> Option<Readings> {
    if !could_be_legacy(text) {
        return None;
    }
    let as_is = ill_formed_words(text);
    (as_is > 0).then(|| Readings {
        as_is,
        tcvn3: ill_formed_words(&decode_tcvn3(text)),
        vni: ill_formed_words(&decode_vni(text)),
    })
}

/// Text a legacy table could change: not plain ASCII, and no Vietnamese
/// letter beyond Windows-1252 (which only Unicode text has).
pub fn could_be_legacy(text: &str) -> bool {
    !text.is_ascii()
        && !text
            .chars()
            .any(|c| (c as u32) > 0xff && !is_windows_1252_extra(c))
}

/// Which legacy table `text` needs, if any: the reading under which the
/// most words are well-formed Vietnamese syllables, when that is strictly
/// better than the text as it stands.
pub fn detect(text: &str) -> Option<Legacy> {
    let Readings { as_is, tcvn3, vni } = readings(text)?;
    match (tcvn3 < as_is, vni < as_is) {
        (true, true) if vni < tcvn3 => Some(Legacy::Vni),
        (true, _) => Some(Legacy::Tcvn3),
        (false, true) => Some(Legacy::Vni),
        (false, false) => None,
    }
}

fn is_windows_1252_extra(c: char) -> bool {
    (0x80..=0x9f).any(|b| windows_1252(b) == c)
}

const VOWELS: &str = "aăâeêioôơuưy";

/// Vowel groups a Vietnamese syllable may have (tone marks removed).
const NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "oo", "ôi", "ơi", "ua", "uâ", "uê", "ui",
    "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "iêu", "oai", "oay", "oeo", "uây", "uôi",
    "uya", "uyê", "uyu", "ươi", "ươu", "yêu",
];
const CODAS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// How many words of `text` are not well-formed Vietnamese syllables
/// (words with digits are not counted).
fn ill_formed_words(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation()))
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !is_syllable(w))
        .count()
}

fn is_syllable(word: &str) -> bool {
    let lower = word.to_lowercase();
    let decomposed: Vec<char> = lower.nfd().collect();
    let tones = decomposed
        .iter()
        .filter(|c| matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
        .count();
    let bare: String = decomposed
        .into_iter()
        .filter(|c| !matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
        .collect::<String>()
        .nfc()
        .collect();
    if tones > 1
        || !bare
            .chars()
            .all(|c| c.is_ascii_lowercase() || "ăâđêôơư".contains(c))
    {
        return false;
    }
    let chars: Vec<char> = bare.chars().collect();
    let mut start = chars
        .iter()
        .position(|c| VOWELS.contains(*c))
        .unwrap_or(chars.len());
    // "qu" and "gi" (before another vowel) belong to the onset.
    if start > 0 && chars[start - 1] == 'q' && chars.get(start) == Some(&'u') {
        start += 1;
    }
    if start > 0
        && chars[start - 1] == 'g'
        && chars.get(start) == Some(&'i')
        && chars.get(start + 1).is_some_and(|c| VOWELS.contains(*c))
    {
        start += 1;
    }
    let end = chars[start..]
        .iter()
        .position(|c| !VOWELS.contains(*c))
        .map_or(chars.len(), |p| start + p);
    let nucleus: String = chars[start..end].iter().collect();
    let coda: String = chars[end..].iter().collect();
    (nucleus.is_empty() && start == chars.len() && chars.len() <= 1)
        || (NUCLEI.contains(&nucleus.as_str()) && CODAS.contains(&coda.as_str()))
}

fn decode_tcvn3(text: &str) -> String {
    let tables = &*TABLES;
    let decoded: String = text
        .chars()
        .map(|c| {
            tables
                .tcvn3
                .get(&c)
                .cloned()
                .unwrap_or_else(|| c.to_string())
        })
        .collect();
    decoded.nfc().collect()
}

fn decode_vni(text: &str) -> String {
    let tables = &*TABLES;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() {
            let pair: String = chars[i..i + 2].iter().collect();
            if let Some(u) = tables.vni.get(&pair) {
                out.push_str(u);
                i += 2;
                continue;
            }
        }
        match tables.vni.get(&chars[i].to_string()) {
            Some(u) => out.push_str(u),
            None => out.push(chars[i]),
        }
        i += 1;
    }
    out.nfc().collect()
}

/// Unicode → VNI as a workbook would show it (for tests and fixtures).
pub fn encode_vni(text: &str) -> String {
    let tables = &*TABLES;
    text.nfc()
        .map(|c| {
            tables
                .vni_encode
                .get(&c.to_string())
                .cloned()
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}

/// Unicode → TCVN3 as a workbook would show it (for tests and fixtures).
pub fn encode_tcvn3(text: &str) -> String {
    let tables = &*TABLES;
    let reverse: HashMap<&str, char> = tables.tcvn3.iter().map(|(c, m)| (m.as_str(), *c)).collect();
    text.nfc()
        .map(|c| {
            let key = c.to_string();
            reverse.get(key.as_str()).copied().unwrap_or(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_convert_once_the_workbook_has_shown_its_font() {
        let code = encode_tcvn3("LĐTT");
        assert_eq!(detect(&code), None, "alone it cannot be judged");
        assert_eq!(repair_as(&code, Legacy::Tcvn3).as_deref(), Some("LĐTT"));
        assert_eq!(repair_as("LĐTT", Legacy::Tcvn3), None);
        assert_eq!(repair_as("LDTT", Legacy::Vni), None);
        // "Không" in VNI reads as a syllable in both tables: the cell alone
        // picks TCVN3 ("Khoõng"); the workbook's VNI wins.
        let khong = encode_vni("Không");
        assert_eq!(detect_clear(&khong), None);
        let alone = repair(&khong).0;
        assert_eq!(
            prefer(&khong, Legacy::Vni, &alone).as_deref(),
            Some("Không")
        );
        assert_eq!(prefer(&khong, Legacy::Vni, "Không"), None);
    }

    /// Every Vietnamese letter, lower and upper case.
    fn alphabet() -> Vec<String> {
        let vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];
        let tones = ["", "\u{301}", "\u{300}", "\u{309}", "\u{303}", "\u{323}"];
        let mut letters: Vec<String> = Vec::new();
        for v in vowels {
            for t in tones {
                let lower: String = format!("{v}{t}").nfc().collect();
                letters.push(lower.clone());
                letters.push(lower.to_uppercase().nfc().collect());
            }
        }
        letters.extend(["đ", "Đ"].map(String::from));
        letters
    }

    #[test]
    fn vni_round_trips_the_whole_alphabet() {
        for letter in alphabet() {
            let encoded = encode_vni(&letter);
            assert_eq!(decode_vni(&encoded), letter, "{letter} → {encoded}");
        }
    }

    #[test]
    fn tcvn3_round_trips_the_whole_alphabet() {
        for letter in alphabet() {
            let encoded = encode_tcvn3(&letter);
            if encoded == letter && !letter.is_ascii() {
                // A toned capital TCVN3 has no code for (the .VnTimeH font
                // draws the lower-case code as a capital): it reads back in
                // lower case.
                let lower = letter.to_lowercase();
                assert_eq!(decode_tcvn3(&encode_tcvn3(&lower)), lower, "{letter}");
                continue;
            }
            assert_eq!(decode_tcvn3(&encoded), letter, "{letter} → {encoded}");
        }
    }

    #[test]
    fn syllables() {
        for word in [
            "Nguyễn", "Quỳnh", "giữa", "Khuyến", "thuở", "Ưng", "Đức", "A", "Hoà", "người",
        ] {
            assert!(is_syllable(word), "{word}");
        }
        for word in ["Nguyeãn", "V¨n", "Thµnh", "Tuyeát", "xyz"] {
            assert!(!is_syllable(word), "{word}");
        }
    }

    #[test]
    fn legacy_names_are_repaired() {
        for name in [
            "Nguyễn Thị Ánh Tuyết",
            "Đặng Văn Ưng",
            "Lê Thị Hồng Nhung",
            "Phạm Quốc Khánh",
            "Trần Thị Thủy",
        ] {
            let lower = name.to_lowercase();
            let tcvn3 = encode_tcvn3(&lower);
            assert_eq!(
                repair(&tcvn3),
                (lower.clone(), Some(Legacy::Tcvn3)),
                "{tcvn3}"
            );
            let vni = encode_vni(name);
            assert_eq!(repair(&vni), (name.to_string(), Some(Legacy::Vni)), "{vni}");
        }
    }

    #[test]
    fn tcvn3_as_windows_1252_shows_it() {
        // "Nguyễn Văn A" typed in .VnTime: ễ is byte 0xD4, ă is 0xA8.
        assert_eq!(repair("NguyÔn V¨n A").0, "Nguyễn Văn A");
    }

    #[test]
    fn good_unicode_is_never_touched() {
        for text in [
            "Nguyễn Thị Lan",
            "Lê Thành",
            "Hoà Bình",
            "Tô Văn Tâm",
            "Võ Thị Tú",
            "Hà Nội",
            "Giảng viên chính",
            "312,5",
            "«Sáng kiến»",
        ] {
            assert_eq!(repair(text), (text.to_string(), None), "{text}");
        }
    }
}

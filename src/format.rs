//! How Vietnamese documents print numbers, money and dates.

use chrono::{Datelike, NaiveDate};

/// "1.250,5": dots between thousands, a comma before decimals.
/// Rounded to hundredths first, then split: 1.999 is "2", not "1,1".
pub fn number_vi(value: f64) -> String {
    let hundredths = (value.abs() * 100.0).round() as u64;
    let negative = value < 0.0 && hundredths > 0;
    let mut out = group_thousands(hundredths / 100);
    let fraction = hundredths % 100;
    if fraction > 0 {
        let digits = format!("{fraction:02}");
        out.push(',');
        out.push_str(digits.trim_end_matches('0'));
    }
    if negative { format!("-{out}") } else { out }
}

/// 2340000 → "2.340.000".
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// "Hà Nội, ngày 05 tháng 02 năm 2026": days 1–9 and months 1–2 take a
/// leading zero, months 3–12 do not (Nghị định 30/2020).
pub fn date_line(place: &str, date: NaiveDate) -> String {
    format!("{place}, {}", date_words(date))
}

/// "ngày 05 tháng 02 năm 2026".
pub fn date_words(date: NaiveDate) -> String {
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// "05/02/2026".
pub fn date_short(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// An amount in words, capitalised, as totals are written:
/// 2340000 → "Hai triệu ba trăm bốn mươi nghìn đồng".
pub fn money_words(amount: u64) -> String {
    let words = number_words(amount);
    let mut chars = words.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    };
    format!("{capitalised} đồng")
}

/// A whole number in Vietnamese words, lower case.
pub fn number_words(value: u64) -> String {
    if value == 0 {
        return DIGITS[0].to_string();
    }
    const SCALES: [&str; 4] = ["", "nghìn", "triệu", "tỷ"];
    let mut groups = Vec::new();
    let mut rest = value;
    while rest > 0 {
        groups.push((rest % 1000) as usize);
        rest /= 1000;
    }
    let mut parts: Vec<String> = Vec::new();
    let top = groups.len() - 1;
    for (index, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            // "tỷ" repeats for 10^12 and beyond; other empty groups are silent.
            if index > 0 && index % 3 == 0 && index != top {
                parts.push(SCALES[3].to_string());
            }
            continue;
        }
        let full = index != top;
        parts.push(three_digits(group, full));
        let scale = match index {
            0 => "",
            i if i % 3 == 0 => SCALES[3],
            i => SCALES[i % 3],
        };
        if !scale.is_empty() {
            parts.push(scale.to_string());
        }
    }
    parts.join(" ")
}

/// 0–999; `full` writes "không trăm" and "linh" as a group inside a larger
/// number does ("một nghìn không trăm linh năm").
fn three_digits(n: usize, full: bool) -> String {
    let (h, t, u) = (n / 100, (n / 10) % 10, n % 10);
    let mut words: Vec<&str> = Vec::new();
    if h > 0 || full {
        words.push(DIGITS[h]);
        words.push("trăm");
    }
    match t {
        0 if u > 0 && (h > 0 || full) => words.push("linh"),
        0 => {}
        1 => words.push("mười"),
        _ => {
            words.push(DIGITS[t]);
            words.push("mươi");
        }
    }
    if u > 0 {
        let unit = match u {
            1 if t >= 2 => "mốt",
            4 if t >= 2 => "tư",
            5 if t >= 1 => "lăm",
            _ => DIGITS[u],
        };
        words.push(unit);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn date_line_pads_days_and_only_the_first_two_months() {
        assert_eq!(
            date_line("Hà Nội", d(2026, 2, 5)),
            "Hà Nội, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(date_words(d(2026, 1, 15)), "ngày 15 tháng 01 năm 2026");
        assert_eq!(date_words(d(2026, 3, 9)), "ngày 09 tháng 3 năm 2026");
        assert_eq!(date_words(d(2026, 12, 31)), "ngày 31 tháng 12 năm 2026");
    }

    #[test]
    fn every_day_of_a_year_has_a_well_formed_date_line() {
        let mut day = d(2024, 1, 1);
        while day.year() == 2024 {
            let line = date_words(day);
            let parts: Vec<&str> = line.split(' ').collect();
            assert_eq!(parts[1].len(), 2, "{line}");
            let month_len = if day.month() <= 2 || day.month() >= 10 {
                2
            } else {
                1
            };
            assert_eq!(parts[3].len(), month_len, "{line}");
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn numbers_use_vietnamese_separators() {
        assert_eq!(group_thousands(2_340_000), "2.340.000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(number_vi(1250.5), "1.250,5");
        assert_eq!(number_vi(312.25), "312,25");
        assert_eq!(number_vi(12.0), "12");
        assert_eq!(number_vi(1.999), "2");
        assert_eq!(number_vi(0.996), "1");
        assert_eq!(number_vi(-0.001), "0");
        assert_eq!(number_vi(2.125), "2,13");
    }

    #[test]
    fn money_in_words() {
        assert_eq!(
            money_words(2_340_000),
            "Hai triệu ba trăm bốn mươi nghìn đồng"
        );
        assert_eq!(money_words(450_000), "Bốn trăm năm mươi nghìn đồng");
        assert_eq!(number_words(1_005), "một nghìn không trăm linh năm");
        assert_eq!(number_words(21), "hai mươi mốt");
        assert_eq!(number_words(15), "mười lăm");
        assert_eq!(number_words(24), "hai mươi tư");
        assert_eq!(number_words(105), "một trăm linh năm");
        assert_eq!(number_words(1_000_000), "một triệu");
        assert_eq!(number_words(3_510_000), "ba triệu năm trăm mười nghìn");
        assert_eq!(number_words(1_000_000_000), "một tỷ");
    }
}

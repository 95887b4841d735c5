//! The campaign's list of units, and finding a workbook's unit in it.
//!
//! Clerks keep the list in a spreadsheet (`code,name,aliases`), so it is read
//! from .csv or .xlsx. Matching ignores case, diacritics and spacing.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::text::{clean, fold};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitList {
    units: Vec<Unit>,
}

impl UnitList {
    pub fn new(units: Vec<Unit>) -> Self {
        UnitList { units }
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Reads a unit list from a .csv or a workbook (through `reader`, like
    /// any workbook: within the limits, in a reader process from the binary).
    pub fn load(path: &Path, reader: &crate::ingest::Reader) -> Result<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let rows = match extension.as_str() {
            "csv" => read_csv(path)?,
            "xlsx" | "xls" | "ods" | "xlsm" => read_sheet(path, reader)?,
            _ => bail!(
                "Danh sách đơn vị {} cần là tệp .csv hoặc .xlsx",
                path.display()
            ),
        };
        let mut units = Vec::new();
        for (index, row) in rows.into_iter().enumerate() {
            let [code, name, aliases] = row;
            if code.is_empty() && name.is_empty() {
                continue;
            }
            if code.is_empty() || name.is_empty() {
                bail!(
                    "{}: dòng {} thiếu mã hoặc tên đơn vị",
                    path.display(),
                    index + 2
                );
            }
            let aliases = aliases
                .split(';')
                .map(clean)
                .filter(|a| !a.is_empty())
                .collect();
            units.push(Unit {
                code,
                name,
                aliases,
            });
        }
        Ok(UnitList { units })
    }

    /// The unit whose code, name or alias matches `text`.
    pub fn find(&self, text: &str) -> Option<&Unit> {
        let key = fold(text);
        if key.is_empty() {
            return None;
        }
        let exact = self.units.iter().find(|u| {
            fold(&u.code) == key || fold(&u.name) == key || u.aliases.iter().any(|a| fold(a) == key)
        });
        exact.or_else(|| {
            let mut abbreviated = self.units.iter().filter(|u| {
                std::iter::once(&u.name)
                    .chain(&u.aliases)
                    .any(|name| abbreviates(&key, &fold(name)))
            });
            // Only an unambiguous abbreviation counts.
            match (abbreviated.next(), abbreviated.next()) {
                (Some(unit), None) => Some(unit),
                _ => None,
            }
        })
    }

    /// The unit named inside a longer text such as a title row
    /// ("ĐƠN VỊ: VIỆN TRIẾT HỌC") or a file name ("vien-triet-hoc.xlsx"):
    /// the longest name or alias found as whole words.
    pub fn find_in(&self, text: &str) -> Option<&Unit> {
        let haystack = format!(" {} ", fold(text));
        let mut best: Option<(&Unit, usize)> = None;
        for unit in &self.units {
            let names = std::iter::once(&unit.name)
                .chain(&unit.aliases)
                .chain(std::iter::once(&unit.code));
            for name in names {
                let needle = fold(name);
                if needle.is_empty() || !haystack.contains(&format!(" {needle} ")) {
                    continue;
                }
                if best.is_none_or(|(_, len)| needle.len() > len) {
                    best = Some((unit, needle.len()));
                }
            }
        }
        best.map(|(unit, _)| unit)
    }
}

/// Whether `short` abbreviates `name` (both folded): each word of `short`
/// is a whole word of `name` or the initials of consecutive words, in order,
/// covering every word. "hvct kv i" abbreviates "hoc vien chinh tri khu vuc
/// i"; "hvct kv iii" does not.
fn abbreviates(short: &str, name: &str) -> bool {
    let tokens: Vec<&str> = short.split(' ').filter(|t| !t.is_empty()).collect();
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    fn covers(tokens: &[&str], words: &[&str]) -> bool {
        let Some((token, rest)) = tokens.split_first() else {
            return words.is_empty();
        };
        if words.first() == Some(token) && covers(rest, &words[1..]) {
            return true;
        }
        let n = token.chars().count();
        n >= 2
            && n <= words.len()
            && token.chars().zip(words).all(|(c, w)| w.starts_with(c))
            && covers(rest, &words[n..])
    }
    tokens.len() < words.len() && covers(&tokens, &words)
}

fn read_csv(path: &Path) -> Result<Vec<[String; 3]>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("Không đọc được {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| fold(h.trim_start_matches('\u{feff}')))
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (code, name) = match (
        column("code").or(column("ma")),
        column("name").or(column("ten")),
    ) {
        (Some(c), Some(n)) => (c, n),
        _ => bail!("{}: cần các cột code, name, aliases", path.display()),
    };
    let aliases = column("aliases").or(column("ten khac"));
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{} sai định dạng CSV", path.display()))?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(clean).unwrap_or_default();
        rows.push([get(Some(code)), get(Some(name)), get(aliases)]);
    }
    Ok(rows)
}

fn read_sheet(path: &Path, reader: &crate::ingest::Reader) -> Result<Vec<[String; 3]>> {
    let name = path.display().to_string();
    let workbook = reader
        .read(path, &name)
        .map_err(|d| anyhow::anyhow!("{}", d.message))?;
    let sheet = workbook
        .sheets
        .first()
        .with_context(|| format!("{name} không có trang tính nào"))?;
    let headers: Vec<String> = sheet
        .rows
        .first()
        .map(|r| r.iter().map(|c| fold(&c.as_text())).collect())
        .unwrap_or_default();
    let column = |n: &str| headers.iter().position(|h| h == n);
    let (Some(code), Some(uname)) = (
        column("code").or(column("ma")),
        column("name").or(column("ten")),
    ) else {
        bail!("{name}: dòng đầu cần các cột code, name, aliases");
    };
    let aliases = column("aliases").or(column("ten khac"));
    Ok((1..sheet.rows.len())
        .map(|r| {
            let get = |c: Option<usize>| {
                c.map(|c| clean(&sheet.cell(r, c).as_text()))
                    .unwrap_or_default()
            };
            [get(Some(code)), get(Some(uname)), get(aliases)]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> UnitList {
        UnitList::new(vec![
            Unit {
                code: "VTH".into(),
                name: "Viện Triết học".into(),
                aliases: vec![],
            },
            Unit {
                code: "KV1".into(),
                name: "Học viện Chính trị khu vực I".into(),
                aliases: vec!["HVCT KV I".into()],
            },
            Unit {
                code: "KV3".into(),
                name: "Học viện Chính trị khu vực III".into(),
                aliases: vec![],
            },
        ])
    }

    #[test]
    fn finds_by_name_code_or_alias_ignoring_accents() {
        let units = list();
        assert_eq!(units.find("VIỆN TRIẾT HỌC").unwrap().code, "VTH");
        assert_eq!(units.find("vien triet hoc").unwrap().code, "VTH");
        assert_eq!(units.find("hvct kv i").unwrap().code, "KV1");
        assert_eq!(units.find("kv3").unwrap().code, "KV3");
        assert!(units.find("Viện Kinh tế").is_none());
    }

    #[test]
    fn abbreviations_of_unit_names() {
        let units = UnitList::new(vec![
            Unit {
                code: "KV1".into(),
                name: "Học viện Chính trị khu vực I".into(),
                aliases: vec![],
            },
            Unit {
                code: "KV3".into(),
                name: "Học viện Chính trị khu vực III".into(),
                aliases: vec![],
            },
            Unit {
                code: "VTH".into(),
                name: "Viện Triết học".into(),
                aliases: vec![],
            },
        ]);
        assert_eq!(units.find("HVCT KV I").unwrap().code, "KV1");
        assert_eq!(units.find("HVCT khu vực III").unwrap().code, "KV3");
        assert!(units.find("HVCT KV II").is_none());
        assert!(
            units.find("HVCT").is_none(),
            "does not cover the whole name"
        );
    }

    #[test]
    fn region_three_is_not_region_one() {
        let units = list();
        assert_eq!(
            units
                .find_in("ĐƠN VỊ: HỌC VIỆN CHÍNH TRỊ KHU VỰC III")
                .unwrap()
                .code,
            "KV3"
        );
        assert_eq!(
            units
                .find_in("Học viện Chính trị khu vực I - danh sách")
                .unwrap()
                .code,
            "KV1"
        );
        assert_eq!(units.find_in("vien-triet-hoc.xlsx").unwrap().code, "VTH");
    }
}

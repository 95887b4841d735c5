//! Tera templates that produce Typst markup.
//!
//! Autoescaping is on for every `.typ` template with an escape function for
//! Typst markup: any text from a workbook prints literally and can never run
//! as code. Built-in templates are compiled into the binary; a campaign's
//! `templates/` folder overrides them file by file.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use tera::{Tera, Value};

/// The built-in templates: (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("lib.typ", include_str!("../../templates/lib.typ")),
    (
        "quyet-dinh.typ",
        include_str!("../../templates/quyet-dinh.typ"),
    ),
    ("to-trinh.typ", include_str!("../../templates/to-trinh.typ")),
    ("bao-cao.typ", include_str!("../../templates/bao-cao.typ")),
    (
        "chung-nhan.typ",
        include_str!("../../templates/chung-nhan.typ"),
    ),
    (
        "so-khen-thuong.typ",
        include_str!("../../templates/so-khen-thuong.typ"),
    ),
    (
        "quyet-dinh-tong-hop.typ",
        include_str!("../../templates/quyet-dinh-tong-hop.typ"),
    ),
];

/// Files documents use besides templates: (file name, bytes).
pub const ASSETS: &[(&str, &[u8])] =
    &[("du-thao.svg", include_bytes!("../../templates/du-thao.svg"))];

/// The plain Typst library every document imports; not a Tera template.
pub const LIBRARY: &str = "lib.typ";

pub struct Templates {
    tera: Tera,
    /// Each template's text, to point at the line of an error.
    sources: HashMap<String, String>,
    /// The Typst library text (built-in or overridden).
    pub library: String,
    /// Assets (built-in or overridden), by file name.
    pub assets: Vec<(String, Vec<u8>)>,
}

impl Templates {
    pub fn load(overrides: Option<&Path>) -> Result<Self> {
        let mut texts: HashMap<&str, String> =
            BUILTIN.iter().map(|(n, t)| (*n, t.to_string())).collect();
        if let Some(dir) = overrides {
            for (name, _) in BUILTIN {
                let path = dir.join(name);
                if path.is_file() {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("Không đọc được mẫu {}", path.display()))?;
                    texts.insert(name, text);
                }
            }
        }
        let library = texts.remove(LIBRARY).unwrap_or_default();
        let mut assets = Vec::new();
        for (name, bytes) in ASSETS {
            let path = overrides.map(|dir| dir.join(name)).filter(|p| p.is_file());
            let bytes = match path {
                Some(path) => std::fs::read(&path)
                    .with_context(|| format!("Không đọc được {}", path.display()))?,
                None => bytes.to_vec(),
            };
            assets.push((name.to_string(), bytes));
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".typ"]);
        tera.set_escape_fn(escape_typst);
        tera.register_filter("money", money);
        tera.register_filter("words", words);
        tera.register_filter("typst_str", typst_str);
        let mut sorted: Vec<(&str, String)> = texts.into_iter().collect();
        sorted.sort();
        let sources = sorted
            .iter()
            .map(|(name, text)| (name.to_string(), text.clone()))
            .collect();
        tera.add_raw_templates(sorted)
            .map_err(|e| anyhow::anyhow!("Mẫu văn bản sai: {}", error_chain(&e)))?;
        Ok(Templates {
            tera,
            sources,
            library,
            assets,
        })
    }

    /// Whether template `name` can lay out its list piece by piece: it
    /// marks each row (`<tdkt-row>`) and follows `part`, and lib.typ's
    /// `official` takes `first-page` (TEMPLATES.md). A campaign's older
    /// templates are laid out whole, as before.
    pub fn lays_out_in_pieces(&self, name: &str) -> bool {
        self.library.contains("first-page")
            && self.sources.get(name).is_some_and(|text| {
                text.contains(super::world::ROW_LABEL) && text.contains("part.first")
            })
    }

    /// Renders template `name` with `context` into Typst source.
    pub fn render(&self, name: &str, context: &impl serde::Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context).map_err(|e| {
            anyhow::anyhow!("Không tạo được dữ liệu cho mẫu {name}: {}", error_chain(&e))
        })?;
        self.tera.render(name, &context).map_err(|e| {
            let chain = error_chain(&e);
            match missing_variable(&chain) {
                Some(variable) => {
                    let line = self
                        .sources
                        .get(name)
                        .and_then(|text| line_using(text, variable))
                        .map(|n| format!(", dòng {n}"))
                        .unwrap_or_default();
                    let known: Vec<String> = context
                        .clone()
                        .into_json()
                        .as_object()
                        .map(|o| o.keys().cloned().collect())
                        .unwrap_or_default();
                    anyhow::anyhow!(
                        "Mẫu {name}{line}: không có biến '{variable}'\n  gợi ý: các biến của mẫu này: {} (xem TEMPLATES.md)",
                        known.join(", ")
                    )
                }
                None => anyhow::anyhow!("Mẫu {name}: {chain}"),
            }
        })
    }
}

/// The variable of Tera's "Variable `x` not found in context".
fn missing_variable(chain: &str) -> Option<&str> {
    let start = chain.find("Variable `")? + "Variable `".len();
    let end = start + chain[start..].find('`')?;
    Some(&chain[start..end])
}

/// The first 1-based line of `text` whose `{{ … }}` or `{% … %}` uses `variable`.
fn line_using(text: &str, variable: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    text.lines()
        .position(|line| {
            line.match_indices(variable).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + variable.len()..].chars().next();
                !before.is_some_and(is_word) && !after.is_some_and(is_word)
            })
        })
        .map(|i| i + 1)
}

/// Tera's errors nest their causes; the innermost says which variable.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

/// Escapes text for Typst markup: every character that markup gives a
/// meaning to is preceded by a backslash; line breaks become spaces.
pub fn escape_typst(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for ch in input.chars() {
        match ch {
            '\\' | '#' | '*' | '_' | '$' | '@' | '<' | '>' | '[' | ']' | '{' | '}' | '`' | '~'
            | '=' | '-' | '+' | '/' | '"' | '\'' | '.' | '^' | '|' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value as a Typst string literal, for code positions: `"…"`.
fn typst_str(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(Value::String(out))
}

fn as_amount(value: &Value, filter: &str) -> tera::Result<u64> {
    value
        .as_u64()
        .or_else(|| value.as_f64().map(|f| f.round() as u64))
        .ok_or_else(|| tera::Error::msg(format!("bộ lọc {filter} cần một số, nhận được {value}")))
}

/// 2340000 → "2.340.000".
fn money(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(crate::format::group_thousands(as_amount(
        value, "money",
    )?)))
}

/// 2340000 → "Hai triệu ba trăm bốn mươi nghìn đồng".
fn words(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(crate::format::money_words(as_amount(
        value, "words",
    )?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape_typst("#1 *x*"), "\\#1 \\*x\\*");
        assert_eq!(escape_typst("a\\b"), "a\\\\b");
        assert_eq!(escape_typst("Nguyễn Thị Lan"), "Nguyễn Thị Lan");
        assert_eq!(escape_typst("// c"), "\\/\\/ c");
        assert_eq!(escape_typst("line\nbreak"), "line break");
    }

    #[test]
    fn builtin_templates_parse() {
        Templates::load(None).unwrap();
    }
}

//! Tera templates that produce Typst markup.
//!
//! Autoescaping is on for every `.typ` template with an escape function for
//! Typst markup: any text from a workbook prints literally and can never run
//! as code. Values printed inside a Typst string literal go through the
//! `typst_str` filter instead, which escapes for a string literal and marks
//! its output safe, so markup escaping never reaches inside the quotes.
//! Built-in templates are compiled into the binary; a campaign's
//! `templates/` folder overrides them file by file.
//!
//! Tera 2 reports every template error with the template, line and column;
//! [`TemplateError`] says it in Vietnamese, names the campaign's file (or the
//! built-in template) and shows the line. A campaign template written for
//! Tera 1 (macros, `import`, …) is read with those constructs rewritten
//! (`tera1.rs`), and a warning says what to change.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tera::{Kwargs, State, Tera, Value};

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
    /// Each template's text and where it came from, to point at an error.
    sources: HashMap<String, Source>,
    /// The Typst library text (built-in or overridden).
    pub library: String,
    /// Assets (built-in or overridden), by file name.
    pub assets: Vec<(String, Vec<u8>)>,
    /// The campaign's templates written for Tera 1, read as Tera 2, with
    /// what was rewritten.
    upgraded: Vec<(PathBuf, Vec<String>)>,
}

/// A template's text and origin.
struct Source {
    text: String,
    /// The campaign's file that overrides the built-in template.
    file: Option<PathBuf>,
}

impl Source {
    fn origin(&self, name: &str) -> String {
        match &self.file {
            Some(file) => file.display().to_string(),
            None => format!("{name} (mẫu có sẵn của tdkt)"),
        }
    }
}

impl Templates {
    pub fn load(overrides: Option<&Path>) -> Result<Self> {
        let mut sources: HashMap<String, Source> = BUILTIN
            .iter()
            .map(|(name, text)| {
                let source = Source {
                    text: text.to_string(),
                    file: None,
                };
                (name.to_string(), source)
            })
            .collect();
        let mut upgraded = Vec::new();
        if let Some(dir) = overrides {
            for (name, _) in BUILTIN {
                let path = dir.join(name);
                if path.is_file() {
                    let mut text = std::fs::read_to_string(&path)
                        .with_context(|| format!("Không đọc được mẫu {}", path.display()))?;
                    if *name != LIBRARY {
                        let upgrade = super::tera1::upgrade(&text);
                        if !upgrade.changes.is_empty() {
                            upgraded.push((path.clone(), upgrade.changes));
                            text = upgrade.text;
                        }
                    }
                    let source = Source {
                        text,
                        file: Some(path),
                    };
                    sources.insert(name.to_string(), source);
                }
            }
        }
        let library = sources.remove(LIBRARY).map(|s| s.text).unwrap_or_default();
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
        let mut tera = Tera::new();
        tera.autoescape_on([".typ"]);
        tera.set_escape_fn(write_escaped_typst);
        tera.register_filter("money", money);
        tera.register_filter("words", words);
        tera.register_filter("typst_str", typst_str);
        let mut sorted: Vec<(&String, &Source)> = sources.iter().collect();
        sorted.sort_by_key(|(name, _)| *name);
        tera.add_raw_templates(
            sorted
                .iter()
                .map(|(name, source)| (name.as_str(), source.text.as_str())),
        )
        .map_err(|e| TemplateError::explain(&e, &sources))?;
        Ok(Templates {
            tera,
            sources,
            library,
            assets,
            upgraded,
        })
    }

    /// A warning for each campaign template written for Tera 1: it was
    /// read with its old constructs rewritten; the clerk should update it.
    pub fn upgrade_warnings(&self) -> Vec<crate::diagnostic::Diagnostic> {
        self.upgraded
            .iter()
            .map(|(path, changes)| {
                crate::diagnostic::Diagnostic::warning(
                    "render.template-tera1",
                    &path.display().to_string(),
                    format!(
                        "Mẫu {} viết cho Tera 1 (tdkt trước tháng 12/2026); tdkt đã đọc nó với \
                         các chỗ sửa: {}. Hãy sửa hẳn trong tệp (xem TEMPLATES.md, mục \
                         \"Mẫu viết cho Tera 1\") hoặc chép mẫu mới bằng tdkt init",
                        path.display(),
                        changes.join("; ")
                    ),
                )
            })
            .collect()
    }

    /// Whether lib.typ is tdkt's own: its name line is the one
    /// `Renderer::clear_fit_name` measures (26 pt, between the margins). A
    /// campaign's own lib.typ may set it otherwise, so its names are always
    /// measured by the template, as before `fit-name` existed.
    pub fn library_is_builtin(&self) -> bool {
        BUILTIN
            .iter()
            .any(|(name, text)| *name == LIBRARY && *text == self.library)
    }

    /// Whether lib.typ and template `name` are both tdkt's own, as
    /// `row_lines` knows their attached list (its columns, its text).
    pub fn list_is_builtin(&self, name: &str) -> bool {
        self.library_is_builtin()
            && self.sources.get(name).is_some_and(|source| {
                BUILTIN
                    .iter()
                    .any(|(builtin, text)| *builtin == name && *text == source.text)
            })
    }

    /// Whether template `name` can lay out its list piece by piece: it
    /// marks each row (`<tdkt-row>`) and follows `part`, and lib.typ's
    /// `official` takes `first-page` (TEMPLATES.md). A campaign's older
    /// templates are laid out whole, as before.
    pub fn lays_out_in_pieces(&self, name: &str) -> bool {
        self.library.contains("first-page")
            // A piece of the report's chart gives the whole chart's longest
            // bar and leaves the legend to the last piece.
            && (name != "bao-cao.typ" || self.library.contains("legend: true"))
            && self.sources.get(name).is_some_and(|source| {
                source.text.contains(super::world::ROW_LABEL) && source.text.contains("part.first")
            })
    }

    /// Renders template `name` with `context` into Typst source.
    pub fn render(&self, name: &str, context: &impl serde::Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context)
            .map_err(|e| anyhow::anyhow!("Không tạo được dữ liệu cho mẫu {name}: {e}"))?;
        self.tera
            .render(name, &context)
            .map_err(|e| TemplateError::explain(&e, &self.sources))
    }
}

/// A template that could not be compiled or rendered: where and why, for a
/// clerk.
#[derive(Debug)]
pub struct TemplateError {
    /// The campaign's file, or the built-in template's name.
    pub origin: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// The line itself, with a caret under the column.
    pub excerpt: String,
}

impl TemplateError {
    fn explain(error: &tera::Error, sources: &HashMap<String, Source>) -> anyhow::Error {
        let report = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                report
            }
            _ => {
                let message = error.to_string();
                return anyhow::anyhow!("Mẫu văn bản sai: {}", vietnamese(&message));
            }
        };
        let name = report.filename();
        let source = sources.get(name);
        let span = report.span();
        let text = source.map_or("", |s| s.text.as_str());
        let line_text = text
            .lines()
            .nth(span.start_line.saturating_sub(1))
            .unwrap_or("");
        let caret = " ".repeat(span.start_col);
        TemplateError {
            origin: source.map_or_else(|| name.to_string(), |s| s.origin(name)),
            line: span.start_line,
            column: span.start_col + 1,
            message: vietnamese(report.message()),
            excerpt: format!("{line_text}\n  {caret}^"),
        }
        .into()
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Mẫu {}, dòng {}, cột {}: {}\n  {}",
            self.origin, self.line, self.column, self.message, self.excerpt
        )
    }
}

impl std::error::Error for TemplateError {}

/// Tera's English message in a clerk's words, where we know it.
fn vietnamese(message: &str) -> String {
    let quoted = |prefix: &str| -> Option<&str> {
        let rest = message.strip_prefix(prefix)?;
        rest.split('`').next()
    };
    let listed = |what: &str| -> String {
        message
            .split_once(&format!(" Available {what}: "))
            .map(|(_, list)| format!("\n  gợi ý: dùng được: {list} (xem TEMPLATES.md)"))
            .unwrap_or_default()
    };
    if message.contains("exists but its value is undefined") {
        let variable = quoted("Variable `").unwrap_or("?");
        format!("biến '{variable}' chưa có giá trị ở chỗ này")
    } else if let Some(variable) = quoted("Variable `") {
        format!("không có biến '{variable}'{}", listed("variables"))
    } else if let Some(field) = quoted("Field `") {
        format!("không có trường '{field}'{}", listed("fields"))
    } else if let Some(filter) = quoted("Filter `").or_else(|| quoted("Unknown filter `")) {
        format!(
            "không có bộ lọc '{filter}'\n  gợi ý: bộ lọc của tdkt: money, words, typst_str \
             (và các bộ lọc có sẵn của Tera 2)"
        )
    } else {
        format!("{message} (thông báo của Tera)")
    }
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

/// [`escape_typst`] as Tera's escape function. Tera 2 escapes every value
/// it prints, numbers too, and templates print numbers into Typst code
/// (`width: {{ width }}mm`, an overlay's offsets), where `\-1\.5` would not
/// parse; so a plain number is written as it is. That is also safe in
/// markup: a number alone is never a list item, a dash or a shorthand.
fn write_escaped_typst(input: &str, output: &mut dyn std::io::Write) -> std::io::Result<()> {
    if is_plain_number(input) {
        output.write_all(input.as_bytes())
    } else {
        output.write_all(escape_typst(input).as_bytes())
    }
}

/// "12", "-1.5", "2.5e-7": how Tera prints a number.
fn is_plain_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let whole_and_fraction = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    whole_and_fraction && exponent.is_none_or(digits)
}

/// A value as a Typst string literal, for code positions: `"…"`. Its output
/// is safe: markup escaping does not apply inside a string literal.
fn typst_str(value: &Value, _: Kwargs, _: &State) -> Value {
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None if value.is_none() || value.is_undefined() => String::new(),
        None => value.to_string(),
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
    Value::safe_string(&out)
}

fn as_amount(value: &Value, filter: &str) -> tera::TeraResult<u64> {
    value
        .as_number()
        .and_then(|n| match n {
            tera::Number::Integer(i) => u64::try_from(i).ok(),
            tera::Number::Float(f) if f >= 0.0 && f.is_finite() => Some(f.round() as u64),
            _ => None,
        })
        .ok_or_else(|| {
            tera::Error::message(format!("bộ lọc {filter} cần một số, nhận được {value}"))
        })
}

/// 2340000 → "2.340.000".
fn money(value: &Value, _: Kwargs, _: &State) -> tera::TeraResult<String> {
    Ok(crate::format::group_thousands(as_amount(value, "money")?))
}

/// 2340000 → "Hai triệu ba trăm bốn mươi nghìn đồng".
fn words(value: &Value, _: Kwargs, _: &State) -> tera::TeraResult<String> {
    Ok(crate::format::money_words(as_amount(value, "words")?))
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
    fn numbers_print_as_numbers_and_text_that_is_not_one_is_escaped() {
        let escaped = |text: &str| {
            let mut out = Vec::new();
            write_escaped_typst(text, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        for number in ["12", "-1.5", "0.25", "2.5e-7", "1E10"] {
            assert_eq!(escaped(number), number);
        }
        for text in ["1.", ".5", "-", "- 1", "1-2", "1.2.3", "--1", "1e-"] {
            assert_ne!(escaped(text), text, "{text}");
        }
        for text in ["1e", "1 000", "", "e5", "+1"] {
            assert!(!is_plain_number(text), "{text}");
        }
    }

    #[test]
    fn builtin_templates_parse() {
        Templates::load(None).unwrap();
    }
}

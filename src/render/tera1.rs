//! Campaign templates written for Tera 1, read as Tera 2.
//!
//! tdkt moved from Tera 1 to Tera 2, which dropped macros (components
//! replace them), `import`, positional arguments of tests and `list.0`
//! indexing, and renamed a few filters. A campaign folder made by an older
//! `tdkt init` holds templates in the old language; they keep working:
//! [`upgrade`] rewrites those constructs, and the build says which file was
//! read so and what to change for good (TEMPLATES.md has the table). Only
//! what lies inside `{% … %}` and `{{ … }}` is touched; the Typst around it
//! is left as it is.

use std::collections::BTreeSet;

/// A template's text in Tera 2, and what was rewritten (empty when the
/// template was Tera 2 already).
#[derive(Debug, PartialEq, Eq)]
pub struct Upgrade {
    pub text: String,
    pub changes: Vec<String>,
}

/// Rewrites the Tera 1 constructs of `text` that Tera 2 no longer reads.
pub fn upgrade(text: &str) -> Upgrade {
    let mut out = String::with_capacity(text.len());
    let mut changes = BTreeSet::new();
    let mut macros: Vec<String> = Vec::new();
    let mut rest = text;
    loop {
        let next = ["{%", "{{", "{#"]
            .iter()
            .filter_map(|open| rest.find(open).map(|at| (at, *open)))
            .min();
        let Some((at, open)) = next else {
            out.push_str(rest);
            break;
        };
        let close = match open {
            "{%" => "%}",
            "{{" => "}}",
            _ => "#}",
        };
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find(close) else {
            out.push_str(&rest[at..]);
            break;
        };
        let inner = &after[..end];
        let span = match open {
            "{%" => tag(inner, &mut macros, &mut changes),
            "{{" => expression(inner, &mut changes),
            _ => None,
        };
        match span {
            Some(span) => out.push_str(&span),
            None => out.push_str(&rest[at..at + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    Upgrade {
        text: out,
        changes: changes.into_iter().collect(),
    }
}

/// The whitespace-control dashes around a span's inside, and the inside.
fn parts(inner: &str) -> (&str, &str, &str) {
    let lead = if inner.starts_with('-') { "-" } else { "" };
    let trail = if inner.ends_with('-') && inner.len() > 1 {
        "-"
    } else {
        ""
    };
    let body = inner[lead.len()..inner.len() - trail.len()].trim();
    (lead, body, trail)
}

/// A `{% … %}` tag in Tera 2, or `None` to keep it as written.
fn tag(inner: &str, macros: &mut Vec<String>, changes: &mut BTreeSet<String>) -> Option<String> {
    let (lead, body, trail) = parts(inner);
    let rebuilt = |body: &str| format!("{{%{lead} {body} {trail}%}}");
    if let Some(definition) = body.strip_prefix("macro ") {
        let name = definition
            .split('(')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        macros.push(name);
        changes.insert("macro → component".into());
        return Some(rebuilt(&format!("component {}", definition.trim())));
    }
    if let Some(name) = body.strip_prefix("endmacro") {
        changes.insert("macro → component".into());
        let name = match name.trim() {
            "" => macros.pop().unwrap_or_default(),
            named => {
                macros.retain(|m| m != named);
                named.to_string()
            }
        };
        return Some(rebuilt(&format!("endcomponent {name}")));
    }
    if body.starts_with("import ") {
        changes.insert("import bỏ đi".into());
        return Some(String::new());
    }
    let rewritten = rewrite(body, changes);
    (rewritten != body).then(|| rebuilt(&rewritten))
}

/// A `{{ … }}` expression in Tera 2, or `None` to keep it as written: a
/// macro call `self::field(f=f)` (or `m::field(…)`) becomes the component
/// call `<field f={f} />`.
fn expression(inner: &str, changes: &mut BTreeSet<String>) -> Option<String> {
    let (lead, body, trail) = parts(inner);
    if let Some(call) = component_call(body) {
        changes.insert("gọi macro → gọi component".into());
        return Some(format!("{{{{{lead}{call}{trail}}}}}"));
    }
    let rewritten = rewrite(body, changes);
    (rewritten != body).then(|| format!("{{{{{lead} {rewritten} {trail}}}}}"))
}

/// `self::field(f=f, size=2)` → `<field f={f} size={2} />`.
fn component_call(body: &str) -> Option<String> {
    let (path, args) = body.strip_suffix(')')?.split_once('(')?;
    let (_, name) = path.trim().split_once("::")?;
    let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !is_name(name) {
        return None;
    }
    let mut call = format!("<{name}");
    for arg in top_level(args, ',')
        .into_iter()
        .filter(|a| !a.trim().is_empty())
    {
        let (key, value) = arg.split_once('=')?;
        if !is_name(key.trim()) {
            return None;
        }
        call.push_str(&format!(" {}={{{}}}", key.trim(), value.trim()));
    }
    call.push_str(" />");
    Some(call)
}

/// `text` cut at `separator` where it is outside brackets and quotes.
fn top_level(text: &str, separator: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c == separator && depth == 0 => {
                pieces.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Filters and tests Tera 2 renamed: (Tera 1, Tera 2).
const RENAMED: &[(&str, &str)] = &[
    ("as_str", "str"),
    ("escape", "escape_html"),
    ("linebreaksbr", "newlines_to_br"),
    ("divisibleby", "divisible_by"),
    ("object", "map"),
];

/// The keyword Tera 2 wants for a test's one argument.
fn test_keyword(test: &str) -> Option<&'static str> {
    match test {
        "starting_with" | "ending_with" | "containing" => Some("pat"),
        "divisible_by" | "divisibleby" => Some("divisor"),
        _ => None,
    }
}

/// Renamed filters and tests, positional test arguments and `list.0`
/// indexing in the inside of a tag or expression.
fn rewrite(body: &str, changes: &mut BTreeSet<String>) -> String {
    let mut out = String::with_capacity(body.len() + 8);
    let mut words = Words::new(body);
    while let Some(piece) = words.next() {
        match piece {
            Piece::Word {
                text,
                after_pipe_or_is,
            } if after_pipe_or_is => {
                let renamed = RENAMED
                    .iter()
                    .find(|(old, _)| *old == text)
                    .map(|(_, new)| *new);
                let name = renamed.unwrap_or(text);
                if renamed.is_some() {
                    changes.insert(format!("{text} → {name}"));
                }
                out.push_str(name);
                // A test called with one positional argument: name it.
                if words.last_was_is()
                    && let Some(keyword) = test_keyword(text)
                    && let Some(argument) = words.parenthesised()
                {
                    if argument.contains('=') {
                        out.push_str(&format!("({argument})"));
                    } else {
                        changes.insert(format!("{name}(…) → {name}({keyword}=…)"));
                        out.push_str(&format!("({keyword}={})", argument.trim()));
                    }
                }
            }
            Piece::Word { text, .. } => out.push_str(text),
            Piece::Index(index) => {
                changes.insert(".0 → [0]".into());
                out.push_str(&format!("[{index}]"));
            }
            Piece::Other(text) => out.push_str(text),
        }
    }
    out
}

/// Pieces of a tag's inside: names, `.N` after a name, everything else.
enum Piece<'a> {
    Word {
        text: &'a str,
        after_pipe_or_is: bool,
    },
    Index(&'a str),
    Other(&'a str),
}

struct Words<'a> {
    text: &'a str,
    at: usize,
    /// The last word, and whether the one before it was `is` (or `is not`).
    last_word: Option<&'a str>,
    after_is: bool,
    after_pipe: bool,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words {
            text,
            at: 0,
            last_word: None,
            after_is: false,
            after_pipe: false,
        }
    }

    fn last_was_is(&self) -> bool {
        self.after_is
    }

    /// The inside of the parentheses that follow, consumed.
    fn parenthesised(&mut self) -> Option<&'a str> {
        let rest = &self.text[self.at..];
        let inside = rest.strip_prefix('(')?;
        let parts = top_level(inside, ')');
        let argument = *parts.first()?;
        if parts.len() < 2 {
            return None;
        }
        self.at += 1 + argument.len() + 1;
        Some(argument)
    }

    fn next(&mut self) -> Option<Piece<'a>> {
        let rest = &self.text[self.at..];
        let first = rest.chars().next()?;
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        if first == '"' || first == '\'' {
            let end = rest[1..].find(first).map_or(rest.len(), |e| e + 2);
            self.at += end;
            return Some(Piece::Other(&rest[..end]));
        }
        if is_word(first) {
            let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
            let word = &rest[..end];
            let after_is = matches!(self.last_word, Some("is")) || self.after_is_not();
            self.at += end;
            let piece = Piece::Word {
                text: word,
                after_pipe_or_is: self.after_pipe || after_is,
            };
            self.after_is = after_is && word != "not";
            self.after_pipe = false;
            self.last_word = Some(word);
            return Some(piece);
        }
        if first == '.'
            && self
                .last_word
                .is_some_and(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
            && self.text[..self.at].ends_with(is_word)
        {
            let digits = rest[1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len() - 1, |e| e);
            let after = &rest[1 + digits..];
            if digits > 0 && !after.starts_with(is_word) {
                self.at += 1 + digits;
                return Some(Piece::Index(&rest[1..1 + digits]));
            }
        }
        let len = first.len_utf8();
        self.at += len;
        if first == '|' {
            self.after_pipe = true;
        } else if !first.is_whitespace() {
            self.after_pipe = false;
            self.last_word = None;
            self.after_is = false;
        }
        Some(Piece::Other(&rest[..len]))
    }

    /// Whether the words before are `is not`.
    fn after_is_not(&self) -> bool {
        self.last_word == Some("not") && self.text[..self.at].trim_end().ends_with("is not")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_become_components_and_imports_go() {
        let old = "{% import \"macros.html\" as m %}\n{%- macro field(f) -%}\n(x: {{ f.x }})\n\
                   {%- endmacro field -%}\nA {{ self::field(f=f) }} B {{ m::problems(list=o.problems, every=true) }}";
        let new = upgrade(old);
        assert_eq!(
            new.text,
            "\n{%- component field(f) -%}\n(x: {{ f.x }})\n{%- endcomponent field -%}\n\
             A {{<field f={f} />}} B {{<problems list={o.problems} every={true} />}}"
        );
        assert!(new.changes.contains(&"macro → component".to_string()));
    }

    #[test]
    fn tests_get_their_keyword_and_filters_their_new_names() {
        let new = upgrade(
            "{% if r is starting_with(\"Như Điều\") and n is not divisibleby(3) %}{{ x | as_str }}{% endif %}",
        );
        assert_eq!(
            new.text,
            "{% if r is starting_with(pat=\"Như Điều\") and n is not divisible_by(divisor=3) %}{{ x | str }}{% endif %}"
        );
        let new = upgrade("{{ rows.0.name }} {{ 1.5 }} {{ list.10 }}");
        assert_eq!(new.text, "{{ rows[0].name }} {{ 1.5 }} {{ list[10] }}");
    }

    /// Campaign templates are input: any text comes back, never a panic.
    #[test]
    fn any_text_is_read_without_a_panic() {
        const PIECES: [&str; 24] = [
            "{%",
            "%}",
            "{{",
            "}}",
            "{#",
            "#}",
            "-",
            " ",
            "macro f(a)",
            "endmacro",
            "import",
            "self::f(",
            "m::g(a=",
            ")",
            "(",
            "is ",
            "not ",
            "starting_with",
            "divisibleby",
            ".0",
            "\"",
            "'",
            "Điều",
            "|as_str",
        ];
        let mut next = crate::testing::seeded(0x7e4a_1b2c);
        for _ in 0..20_000 {
            let text: String = (0..1 + next(16))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            let upgraded = upgrade(&text);
            if upgraded.changes.is_empty() {
                assert_eq!(upgraded.text, text);
            }
        }
    }

    #[test]
    fn a_tera_2_template_and_the_typst_around_it_are_left_alone() {
        for text in [
            "#text[a.0 is shown(\"x\"), self::x] {{ name | typst_str }} {% if r is starting_with(pat=\"N\") %}",
            "{# self::x(a=1) #} {{ rows[0] }}",
            "{{ unclosed",
        ] {
            let new = upgrade(text);
            assert_eq!(new.text, text);
            assert!(new.changes.is_empty(), "{text}: {:?}", new.changes);
        }
    }
}

//! Condition text into tokens, each with its byte offset.

use super::{ConditionError, ErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Int(i64),
    Float(f64),
    Text(String),
    Name(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
    End,
}

impl Token {
    pub(super) fn shown(&self) -> String {
        match self {
            Token::Int(i) => i.to_string(),
            Token::Float(f) => f.to_string(),
            Token::Text(t) => format!("\"{t}\""),
            Token::Name(n) => n.clone(),
            Token::Op(op) => (*op).to_string(),
            Token::Open => "(".to_string(),
            Token::Close => ")".to_string(),
            Token::Comma => ",".to_string(),
            Token::End => "hết điều kiện".to_string(),
        }
    }
}

const OPERATORS: [&str; 17] = [
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "^", "=", "&",
];

pub(super) fn lex(text: &str) -> Result<Vec<(Token, usize)>, ConditionError> {
    let syntax = |at: usize, message: String| ConditionError {
        at,
        kind: ErrorKind::Syntax,
        message,
    };
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let rest = &text[at..];
        if c.is_ascii_digit() {
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let number = &rest[..len];
            let token = if number.contains('.') {
                number.parse().ok().map(Token::Float)
            } else {
                number.parse().ok().map(Token::Int)
            };
            let token = token.ok_or_else(|| {
                syntax(at, format!("'{number}' không phải một số viết được ở đây"))
            })?;
            tokens.push((token, at));
            skip_bytes(&mut chars, at + len);
        } else if c.is_alphabetic() || c == '_' {
            // A name, or a path as the files written for evalexpr had it:
            // "math::abs".
            let word = |text: &str| {
                text.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(text.len())
            };
            let mut len = word(rest);
            while rest[len..].starts_with("::")
                && rest[len + 2..].starts_with(|c: char| c.is_alphabetic())
            {
                len += 2 + word(&rest[len + 2..]);
            }
            tokens.push((Token::Name(rest[..len].to_string()), at));
            skip_bytes(&mut chars, at + len);
        } else if c == '"' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                        Some((i, other)) => {
                            return Err(syntax(
                                i,
                                format!(
                                    "'\\{other}' không dùng được trong chuỗi; chỉ \\\" và \\\\"
                                ),
                            ));
                        }
                        None => break,
                    },
                    other => value.push(other),
                }
            }
            if !closed {
                return Err(syntax(at, "chuỗi thiếu dấu nháy kép \" đóng".to_string()));
            }
            tokens.push((Token::Text(value), at));
        } else if let Some(&op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            match op {
                "=" => {
                    return Err(syntax(
                        at,
                        "so sánh bằng viết là == (hai dấu bằng)".to_string(),
                    ));
                }
                "&" => return Err(syntax(at, "\"và\" viết là && (hai dấu &)".to_string())),
                _ => {}
            }
            tokens.push((Token::Op(op), at));
            skip_bytes(&mut chars, at + op.len());
        } else if c == '|' {
            return Err(syntax(at, "\"hoặc\" viết là || (hai dấu |)".to_string()));
        } else if c == '(' || c == ')' || c == ',' {
            let token = match c {
                '(' => Token::Open,
                ')' => Token::Close,
                _ => Token::Comma,
            };
            tokens.push((token, at));
            chars.next();
        } else if matches!(c, '“' | '”' | '\'' | '‘' | '’') {
            return Err(syntax(
                at,
                format!("chuỗi viết trong dấu nháy kép thẳng \"…\", không phải {c}"),
            ));
        } else {
            let shown = if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            };
            let instead = match c {
                '≥' => " (viết >=)",
                '≤' => " (viết <=)",
                '≠' => " (viết !=)",
                '–' | '—' | '−' => " (viết dấu trừ -)",
                '×' => " (viết *)",
                '÷' => " (viết /)",
                _ => "",
            };
            return Err(syntax(
                at,
                format!("ký tự '{shown}' không dùng được trong điều kiện{instead}"),
            ));
        }
    }
    tokens.push((Token::End, text.len()));
    Ok(tokens)
}

fn skip_bytes(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, until: usize) {
    while chars.next_if(|(i, _)| *i < until).is_some() {}
}

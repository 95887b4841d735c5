//! The condition language of the regulation file.
//!
//! A rule's `when` and `applies`, and each `{…}` in its message, is a small
//! expression over one record's facts: numbers, text in double quotes,
//! `true`/`false`, comparisons, `+ - * / % ^`, `!`, `&&`, `||`, parentheses and
//! a few functions (`title_streak("CSTĐCS")`, `known(vote_share)`, `min(a, b)`,
//! …). It is ours rather than a general expression crate's because the
//! regulation file needs four things such crates do not give together:
//!
//! - `&&` and `||` short-circuit, so `known(vote_share) && vote_share >= 80`
//!   never reads a number that is not there;
//! - a condition is type-checked when the file is loaded, against the
//!   variables tdkt provides and the agency's own columns, so a mistyped name
//!   or "rating >= 3" stops the load rather than every record;
//! - every message a clerk reads is Vietnamese and points at a character;
//! - the names a condition reads come from its syntax tree (the feedback
//!   colours the cells behind them).
//!
//! Numbers are whole (`i64`) until a fraction appears: `7 / 2` is 3.5, not 3.

use std::fmt;

use crate::model::Rating;

/// A value while a condition is evaluated. Text borrows from the condition
/// or from the record's facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
}

impl Value<'_> {
    fn number(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            Value::Text(_) | Value::Bool(_) => None,
        }
    }

    /// The value as a message shows it.
    pub fn display(self) -> String {
        match self {
            Value::Text("") => "(trống)".to_string(),
            Value::Text(text) => text.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => crate::format::number_vi(f),
            Value::Bool(true) => "có".to_string(),
            Value::Bool(false) => "không".to_string(),
        }
    }
}

/// What kind of value an expression gives, as checked at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Text,
    Bool,
}

impl Type {
    fn vietnamese(self) -> &'static str {
        match self {
            Type::Number => "một số",
            Type::Text => "chữ",
            Type::Bool => "đúng/sai",
        }
    }
}

/// A function of a record's earlier years, answered by the [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFn {
    TitleStreak,
    RatingStreak,
    TitlesSince,
    RatingsSince,
    HasAward,
    AwardYear,
}

impl HistoryFn {
    pub const ALL: [HistoryFn; 6] = [
        HistoryFn::TitleStreak,
        HistoryFn::RatingStreak,
        HistoryFn::TitlesSince,
        HistoryFn::RatingsSince,
        HistoryFn::HasAward,
        HistoryFn::AwardYear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HistoryFn::TitleStreak => "title_streak",
            HistoryFn::RatingStreak => "rating_streak",
            HistoryFn::TitlesSince => "titles_since",
            HistoryFn::RatingsSince => "ratings_since",
            HistoryFn::HasAward => "has_award",
            HistoryFn::AwardYear => "award_year",
        }
    }

    /// Whether its code is a rating ("HTTNV") rather than an honour's code.
    pub fn takes_rating(self) -> bool {
        matches!(self, HistoryFn::RatingStreak | HistoryFn::RatingsSince)
    }

    /// Whether a year may follow the code.
    fn takes_year(self) -> bool {
        matches!(
            self,
            HistoryFn::RatingStreak | HistoryFn::TitlesSince | HistoryFn::RatingsSince
        )
    }

    fn result(self) -> Type {
        match self {
            HistoryFn::HasAward => Type::Bool,
            _ => Type::Number,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    Min,
    Max,
    Floor,
    Ceil,
    Round,
    Abs,
    If,
    Contains,
}

impl Builtin {
    const ALL: [Builtin; 8] = [
        Builtin::Min,
        Builtin::Max,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Round,
        Builtin::Abs,
        Builtin::If,
        Builtin::Contains,
    ];

    fn name(self) -> &'static str {
        match self {
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Round => "round",
            Builtin::Abs => "abs",
            Builtin::If => "if",
            Builtin::Contains => "contains",
        }
    }

    /// How many arguments it takes: (fewest, most).
    fn arity(self) -> (usize, usize) {
        match self {
            Builtin::Min | Builtin::Max => (1, usize::MAX),
            Builtin::Floor | Builtin::Ceil | Builtin::Round | Builtin::Abs => (1, 1),
            Builtin::If => (3, 3),
            Builtin::Contains => (2, 2),
        }
    }
}

/// The names of every function a condition may call.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    HistoryFn::ALL
        .into_iter()
        .map(HistoryFn::name)
        .chain(std::iter::once("known"))
        .chain(Builtin::ALL.into_iter().map(Builtin::name))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
}

impl BinaryOp {
    fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Pow => "^",
        }
    }

    fn comparison(symbol: &str) -> Option<BinaryOp> {
        Some(match symbol {
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Literal),
    Variable(String),
    /// `known(x)`: whether the record has a value for `x`.
    Known(String),
    History {
        function: HistoryFn,
        code: Box<Node>,
        year: Option<Box<Node>>,
    },
    Builtin {
        function: Builtin,
        args: Vec<Node>,
    },
    /// "(\"GV\", \"GVC\")": only as the first argument of `contains`.
    List(Vec<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    Binary {
        op: BinaryOp,
        left: Box<Node>,
        right: Box<Node>,
    },
}

/// An expression and where it starts in the condition's text (an operator's
/// own position for a binary expression, so errors point at it).
#[derive(Debug, Clone, PartialEq)]
struct Node {
    expr: Expr,
    at: usize,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    root: Node,
}

/// Why a condition was refused at load, and where in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// Byte offset in the condition's text.
    pub at: usize,
    pub kind: ErrorKind,
    /// Vietnamese, without the position.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    /// A variable or function tdkt does not provide.
    UnknownName,
    Type,
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConditionError {}

/// Why a condition could not be evaluated over one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The record has no value for this variable.
    Missing(String),
    /// Anything else (a division by zero, a number too large), in Vietnamese.
    Invalid(String),
}

/// What a condition reads: the record's facts and its history.
pub trait Scope {
    fn variable(&self, name: &str) -> Option<Value<'_>>;
    fn history(
        &self,
        function: HistoryFn,
        code: &str,
        year: Option<i64>,
    ) -> Result<Value<'static>, EvalError>;
}

/// How deep parentheses and operators may nest: a regulation file is
/// written by people, and a recursion without a bound is a stack overflow.
const MAX_DEPTH: usize = 128;

impl Condition {
    /// Parses a condition; names are checked later, by [`Condition::check`].
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        let tokens = lex(text)?;
        let mut parser = Parser {
            tokens: &tokens,
            position: 0,
            depth: 0,
            end: text.len(),
        };
        let root = parser.expression()?;
        match parser.peek() {
            Token::End => Ok(Condition {
                text: text.to_string(),
                root,
            }),
            other => Err(parser.unexpected(other, "sau một biểu thức đã trọn")),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Checks every name and type against the variables a record offers
    /// (`variables` answers a variable's type, `None` when there is none)
    /// and returns the type the condition gives.
    pub fn check(&self, variables: &dyn Fn(&str) -> Option<Type>) -> Result<Type, ConditionError> {
        check(&self.root, variables)
    }

    /// Checks as [`Condition::check`] does, and that the condition gives
    /// yes or no.
    pub fn check_yes_no(
        &self,
        variables: &dyn Fn(&str) -> Option<Type>,
    ) -> Result<(), ConditionError> {
        match self.check(variables)? {
            Type::Bool => Ok(()),
            other => Err(ConditionError {
                at: 0,
                kind: ErrorKind::Type,
                message: format!(
                    "điều kiện phải cho đúng/sai, ở đây cho {}",
                    other.vietnamese()
                ),
            }),
        }
    }

    /// Evaluates the condition over one record. `&&` and `||` evaluate
    /// their right side only when the left does not decide.
    pub fn evaluate<'a>(&'a self, scope: &'a dyn Scope) -> Result<Value<'a>, EvalError> {
        evaluate(&self.root, scope)
    }

    /// The variables and functions it reads, each once, variables first, in
    /// the order they are written.
    pub fn names(&self) -> Vec<&str> {
        let mut variables = Vec::new();
        let mut functions = Vec::new();
        collect_names(&self.root, &mut variables, &mut functions);
        for function in functions {
            if !variables.contains(&function) {
                variables.push(function);
            }
        }
        variables
    }
}

fn collect_names<'a>(node: &'a Node, variables: &mut Vec<&'a str>, functions: &mut Vec<&'a str>) {
    let add = |list: &mut Vec<&'a str>, name: &'a str| {
        if !list.contains(&name) {
            list.push(name);
        }
    };
    match &node.expr {
        Expr::Literal(_) => {}
        Expr::Variable(name) => add(variables, name),
        // `known(x)` asks whether x was given; a rule guarded by it does not
        // point at x's cell (it may be empty on purpose).
        Expr::Known(_) => add(functions, "known"),
        Expr::History {
            function,
            code,
            year,
        } => {
            add(functions, function.name());
            collect_names(code, variables, functions);
            if let Some(year) = year {
                collect_names(year, variables, functions);
            }
        }
        Expr::Builtin { function, args } => {
            add(functions, function.name());
            for arg in args {
                collect_names(arg, variables, functions);
            }
        }
        Expr::List(items) => {
            for item in items {
                collect_names(item, variables, functions);
            }
        }
        Expr::Not(operand) | Expr::Negate(operand) => collect_names(operand, variables, functions),
        Expr::Binary { left, right, .. } => {
            collect_names(left, variables, functions);
            collect_names(right, variables, functions);
        }
    }
}

// ---------------------------------------------------------------- lexing

#[derive(Debug, Clone, PartialEq)]
enum Token {
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
    fn shown(&self) -> String {
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

fn lex(text: &str) -> Result<Vec<(Token, usize)>, ConditionError> {
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

// ---------------------------------------------------------------- parsing

struct Parser<'t> {
    tokens: &'t [(Token, usize)],
    position: usize,
    depth: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens
            .get(self.position)
            .map_or(Token::End, |(t, _)| t.clone())
    }

    fn at(&self) -> usize {
        self.tokens
            .get(self.position)
            .map_or(self.end, |(_, at)| *at)
    }

    fn advance(&mut self) {
        self.position += 1;
    }

    fn take_op(&mut self, ops: &[&str]) -> Option<(&'static str, usize)> {
        match self.tokens.get(self.position) {
            Some((Token::Op(op), at)) if ops.contains(op) => {
                let taken = (*op, *at);
                self.advance();
                Some(taken)
            }
            _ => None,
        }
    }

    fn unexpected(&self, token: Token, context: &str) -> ConditionError {
        let message = match &token {
            Token::End => format!("điều kiện dừng giữa chừng: thiếu một giá trị {context}"),
            Token::Name(word) if matches!(word.as_str(), "and" | "và" | "AND") => {
                format!("không hiểu '{word}': \"và\" viết là &&")
            }
            Token::Name(word) if matches!(word.as_str(), "or" | "hoặc" | "OR") => {
                format!("không hiểu '{word}': \"hoặc\" viết là ||")
            }
            other => format!("không hiểu '{}' {context}", other.shown()),
        };
        ConditionError {
            at: self.at(),
            kind: ErrorKind::Syntax,
            message,
        }
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, ConditionError>,
    ) -> Result<T, ConditionError> {
        if self.depth >= MAX_DEPTH {
            return Err(ConditionError {
                at: self.at(),
                kind: ErrorKind::Syntax,
                message: format!("điều kiện lồng quá sâu (quá {MAX_DEPTH} tầng)"),
            });
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn expression(&mut self) -> Result<Node, ConditionError> {
        self.nested(Self::or)
    }

    fn binary_chain(
        &mut self,
        ops: &[(&str, BinaryOp)],
        operand: fn(&mut Self) -> Result<Node, ConditionError>,
    ) -> Result<Node, ConditionError> {
        let symbols: Vec<&str> = ops.iter().map(|(s, _)| *s).collect();
        let mut left = operand(self)?;
        let outer = self.depth;
        let result = loop {
            let Some((symbol, at)) = self.take_op(&symbols) else {
                break Ok(left);
            };
            let op = ops.iter().find(|(s, _)| *s == symbol).map(|(_, op)| *op);
            let Some(op) = op else { break Ok(left) };
            // Each link of a chain is one level deeper in the tree, which
            // checking and evaluating walk recursively.
            let right = match self.nested(|parser| {
                parser.depth += 1;
                operand(parser)
            }) {
                Ok(right) => right,
                Err(e) => break Err(e),
            };
            left = Node {
                expr: Expr::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                at,
            };
        };
        self.depth = outer;
        result
    }

    fn or(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(&[("||", BinaryOp::Or)], Self::and)
    }

    fn and(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(&[("&&", BinaryOp::And)], Self::comparison)
    }

    fn comparison(&mut self) -> Result<Node, ConditionError> {
        const SYMBOLS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
        let left = self.additive()?;
        let Some((symbol, at)) = self.take_op(&SYMBOLS) else {
            return Ok(left);
        };
        let right = self.additive()?;
        if let Some((_, second)) = self.take_op(&SYMBOLS) {
            return Err(ConditionError {
                at: second,
                kind: ErrorKind::Syntax,
                message: "hai phép so sánh liền nhau: tách thành hai so sánh nối bằng &&, \
                          ví dụ a <= x && x <= b"
                    .to_string(),
            });
        }
        let op = BinaryOp::comparison(symbol).unwrap_or(BinaryOp::Eq);
        Ok(Node {
            expr: Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            at,
        })
    }

    fn additive(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(
            &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)],
            Self::multiplicative,
        )
    }

    fn multiplicative(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(
            &[
                ("*", BinaryOp::Mul),
                ("/", BinaryOp::Div),
                ("%", BinaryOp::Rem),
            ],
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Node, ConditionError> {
        let Some((symbol, at)) = self.take_op(&["!", "-"]) else {
            return self.power();
        };
        let operand = Box::new(self.nested(Self::unary)?);
        let expr = if symbol == "!" {
            Expr::Not(operand)
        } else {
            Expr::Negate(operand)
        };
        Ok(Node { expr, at })
    }

    fn power(&mut self) -> Result<Node, ConditionError> {
        let base = self.primary()?;
        let Some((_, at)) = self.take_op(&["^"]) else {
            return Ok(base);
        };
        let exponent = self.nested(Self::unary)?;
        Ok(Node {
            expr: Expr::Binary {
                op: BinaryOp::Pow,
                left: Box::new(base),
                right: Box::new(exponent),
            },
            at,
        })
    }

    fn primary(&mut self) -> Result<Node, ConditionError> {
        let at = self.at();
        let token = self.peek();
        let literal = |literal| {
            Ok(Node {
                expr: Expr::Literal(literal),
                at,
            })
        };
        match token {
            Token::Int(i) => {
                self.advance();
                literal(Literal::Int(i))
            }
            Token::Float(f) => {
                self.advance();
                literal(Literal::Float(f))
            }
            Token::Text(t) => {
                self.advance();
                literal(Literal::Text(t))
            }
            Token::Name(name) if name == "true" || name == "false" => {
                self.advance();
                literal(Literal::Bool(name == "true"))
            }
            Token::Name(name) => {
                self.advance();
                if self.peek() == Token::Open {
                    self.call(name, at)
                } else {
                    Ok(Node {
                        expr: Expr::Variable(name),
                        at,
                    })
                }
            }
            Token::Open => {
                self.advance();
                let first = self.expression()?;
                if self.peek() != Token::Comma {
                    self.close(at, "ở chỗ cần ')'")?;
                    return Ok(first);
                }
                // "(a, b, c)": a list, for contains((…), x).
                let mut items = vec![first];
                while self.peek() == Token::Comma {
                    self.advance();
                    items.push(self.expression()?);
                }
                self.close(at, "ở chỗ cần ',' hoặc ')'")?;
                Ok(Node {
                    expr: Expr::List(items),
                    at,
                })
            }
            other => Err(self.unexpected(other, "ở chỗ cần một giá trị")),
        }
    }

    fn close(&mut self, open: usize, expected: &str) -> Result<(), ConditionError> {
        match self.peek() {
            Token::Close => {
                self.advance();
                Ok(())
            }
            Token::End => Err(ConditionError {
                at: open,
                kind: ErrorKind::Syntax,
                message: "dấu '(' này thiếu dấu ')' đóng".to_string(),
            }),
            other => Err(self.unexpected(other, expected)),
        }
    }

    fn arguments(&mut self) -> Result<Vec<Node>, ConditionError> {
        let open = self.at();
        self.advance();
        let mut args = Vec::new();
        if self.peek() == Token::Close {
            self.advance();
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            if self.peek() == Token::Comma {
                self.advance();
            } else {
                self.close(open, "ở chỗ cần ',' hoặc ')'")?;
                return Ok(args);
            }
        }
    }

    fn call(&mut self, name: String, at: usize) -> Result<Node, ConditionError> {
        let args = self.arguments()?;
        let wrong_count = |expected: &str| ConditionError {
            at,
            kind: ErrorKind::Syntax,
            message: format!("{name}(…) cần {expected}, ở đây có {}", args.len()),
        };
        let expr = if name == "known" {
            match args.as_slice() {
                [
                    Node {
                        expr: Expr::Variable(variable) | Expr::Literal(Literal::Text(variable)),
                        ..
                    },
                ] => Expr::Known(variable.clone()),
                [_] => {
                    return Err(ConditionError {
                        at,
                        kind: ErrorKind::Syntax,
                        message: "known(…) cần tên một biến, ví dụ known(vote_share)".to_string(),
                    });
                }
                _ => return Err(wrong_count("đúng một tên biến")),
            }
        } else if let Some(function) = HistoryFn::ALL.into_iter().find(|f| f.name() == name) {
            let most = if function.takes_year() { 2 } else { 1 };
            if args.is_empty() || args.len() > most {
                return Err(wrong_count(if most == 2 {
                    "một mã và có thể thêm một năm"
                } else {
                    "đúng một mã"
                }));
            }
            let mut args = args.into_iter();
            let code = Box::new(args.next().expect("checked: one argument at least"));
            Expr::History {
                function,
                code,
                year: args.next().map(Box::new),
            }
        } else if let Some(function) = Builtin::ALL
            .into_iter()
            .find(|f| f.name() == name.strip_prefix("math::").unwrap_or(&name))
        {
            let (fewest, most) = function.arity();
            if args.len() < fewest || args.len() > most {
                return Err(wrong_count(&match (fewest, most) {
                    (1, usize::MAX) => "ít nhất một giá trị".to_string(),
                    (n, m) if n == m => format!("{n} giá trị"),
                    (n, m) => format!("{n} đến {m} giá trị"),
                }));
            }
            Expr::Builtin { function, args }
        } else {
            return Err(ConditionError {
                at,
                kind: ErrorKind::UnknownName,
                message: match name.strip_prefix("math::") {
                    Some(_) => format!(
                        "không có hàm '{name}': dùng được abs, floor, ceil, round, min, max"
                    ),
                    None => format!("không có hàm '{name}'"),
                },
            });
        };
        Ok(Node { expr, at })
    }
}

// ---------------------------------------------------------------- checking

fn check(node: &Node, variables: &dyn Fn(&str) -> Option<Type>) -> Result<Type, ConditionError> {
    let type_error = |message: String| ConditionError {
        at: node.at,
        kind: ErrorKind::Type,
        message,
    };
    let expect = |child: &Node, wanted: Type, role: &str| -> Result<(), ConditionError> {
        let found = check(child, variables)?;
        if found == wanted {
            Ok(())
        } else {
            Err(ConditionError {
                at: child.at,
                kind: ErrorKind::Type,
                message: format!(
                    "{role} cần {}, ở đây là {}",
                    wanted.vietnamese(),
                    found.vietnamese()
                ),
            })
        }
    };
    match &node.expr {
        Expr::Literal(Literal::Int(_) | Literal::Float(_)) => Ok(Type::Number),
        Expr::Literal(Literal::Text(_)) => Ok(Type::Text),
        Expr::Literal(Literal::Bool(_)) => Ok(Type::Bool),
        Expr::Variable(name) => variables(name).ok_or_else(|| ConditionError {
            at: node.at,
            kind: ErrorKind::UnknownName,
            message: format!("không có biến '{name}'"),
        }),
        Expr::Known(name) => match variables(name) {
            Some(_) => Ok(Type::Bool),
            None => Err(ConditionError {
                at: node.at,
                kind: ErrorKind::UnknownName,
                message: format!("known({name}): không có biến '{name}'"),
            }),
        },
        Expr::History {
            function,
            code,
            year,
        } => {
            let role = format!("{}(…)", function.name());
            expect(code, Type::Text, &format!("mã của {role}"))?;
            if let Expr::Literal(Literal::Text(rating)) = &code.expr
                && function.takes_rating()
                && Rating::from_code(rating).is_none()
            {
                return Err(ConditionError {
                    at: code.at,
                    kind: ErrorKind::Type,
                    message: format!(
                        "{role}: '{rating}' không phải mức xếp loại (HTXSNV, HTTNV, HTNV, KHTNV)"
                    ),
                });
            }
            if let Some(year) = year {
                expect(year, Type::Number, &format!("năm của {role}"))?;
            }
            Ok(function.result())
        }
        Expr::Builtin { function, args } => {
            let role = format!("{}(…)", function.name());
            match function {
                Builtin::If => {
                    expect(&args[0], Type::Bool, "điều kiện của if(…)")?;
                    let then = check(&args[1], variables)?;
                    expect(&args[2], then, "hai nhánh của if(…)")?;
                    Ok(then)
                }
                Builtin::Contains => match &args[0].expr {
                    Expr::List(items) => {
                        let wanted = check(&args[1], variables)?;
                        for item in items {
                            expect(item, wanted, "mỗi giá trị trong danh sách của contains(…)")?;
                        }
                        Ok(Type::Bool)
                    }
                    _ => {
                        expect(&args[0], Type::Text, &role)?;
                        expect(&args[1], Type::Text, &role)?;
                        Ok(Type::Bool)
                    }
                },
                _ => {
                    for arg in args {
                        expect(arg, Type::Number, &role)?;
                    }
                    Ok(Type::Number)
                }
            }
        }
        Expr::List(_) => Err(type_error(
            "danh sách (a, b, …) chỉ dùng làm đối số đầu của contains(…), ví dụ \
             contains((\"GV\", \"GVC\"), job_title)"
                .to_string(),
        )),
        Expr::Not(operand) => {
            expect(operand, Type::Bool, "'!'")?;
            Ok(Type::Bool)
        }
        Expr::Negate(operand) => {
            expect(operand, Type::Number, "'-'")?;
            Ok(Type::Number)
        }
        Expr::Binary { op, left, right } => {
            let role = format!("'{}'", op.symbol());
            match op {
                BinaryOp::Or | BinaryOp::And => {
                    expect(left, Type::Bool, &format!("vế trái của {role}"))?;
                    expect(right, Type::Bool, &format!("vế phải của {role}"))?;
                    Ok(Type::Bool)
                }
                BinaryOp::Eq | BinaryOp::Ne => {
                    let left_type = check(left, variables)?;
                    let right_type = check(right, variables)?;
                    if left_type == right_type {
                        Ok(Type::Bool)
                    } else {
                        Err(type_error(format!(
                            "{role} so sánh {} với {}: so sánh số với số (rating_rank >= 3), \
                             chữ với chữ (rating == \"HTXSNV\")",
                            left_type.vietnamese(),
                            right_type.vietnamese()
                        )))
                    }
                }
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    expect(left, Type::Number, &format!("vế trái của {role}"))?;
                    expect(right, Type::Number, &format!("vế phải của {role}"))?;
                    Ok(Type::Bool)
                }
                _ => {
                    expect(left, Type::Number, &format!("vế trái của {role}"))?;
                    expect(right, Type::Number, &format!("vế phải của {role}"))?;
                    Ok(Type::Number)
                }
            }
        }
    }
}

// ---------------------------------------------------------------- evaluating

fn invalid(message: impl Into<String>) -> EvalError {
    EvalError::Invalid(message.into())
}

fn evaluate<'a>(node: &'a Node, scope: &'a dyn Scope) -> Result<Value<'a>, EvalError> {
    Ok(match &node.expr {
        Expr::Literal(Literal::Int(i)) => Value::Int(*i),
        Expr::Literal(Literal::Float(f)) => Value::Float(*f),
        Expr::Literal(Literal::Text(t)) => Value::Text(t),
        Expr::Literal(Literal::Bool(b)) => Value::Bool(*b),
        Expr::Variable(name) => scope
            .variable(name)
            .ok_or_else(|| EvalError::Missing(name.clone()))?,
        Expr::Known(name) => Value::Bool(scope.variable(name).is_some()),
        Expr::History {
            function,
            code,
            year,
        } => {
            let Value::Text(code) = evaluate(code, scope)? else {
                return Err(invalid(format!("{}(…) cần một mã", function.name())));
            };
            let year = match year {
                Some(year) => Some(whole(evaluate(year, scope)?, "năm")?),
                None => None,
            };
            scope.history(*function, code, year)?
        }
        Expr::Builtin { function, args } => builtin(*function, args, scope)?,
        Expr::List(_) => return Err(invalid("danh sách chỉ dùng trong contains(…)")),
        Expr::Not(operand) => Value::Bool(!boolean(evaluate(operand, scope)?)?),
        Expr::Negate(operand) => match evaluate(operand, scope)? {
            Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(too_large)?),
            other => Value::Float(-number(other)?),
        },
        Expr::Binary { op, left, right } => match op {
            BinaryOp::And => {
                Value::Bool(boolean(evaluate(left, scope)?)? && boolean(evaluate(right, scope)?)?)
            }
            BinaryOp::Or => {
                Value::Bool(boolean(evaluate(left, scope)?)? || boolean(evaluate(right, scope)?)?)
            }
            _ => binary(*op, evaluate(left, scope)?, evaluate(right, scope)?)?,
        },
    })
}

fn builtin<'a>(
    function: Builtin,
    args: &'a [Node],
    scope: &'a dyn Scope,
) -> Result<Value<'a>, EvalError> {
    let numbers = || -> Result<Vec<Value<'a>>, EvalError> {
        args.iter().map(|arg| evaluate(arg, scope)).collect()
    };
    Ok(match function {
        Builtin::If => {
            if boolean(evaluate(&args[0], scope)?)? {
                evaluate(&args[1], scope)?
            } else {
                evaluate(&args[2], scope)?
            }
        }
        Builtin::Contains if matches!(args[0].expr, Expr::List(_)) => {
            let Expr::List(items) = &args[0].expr else {
                return Err(invalid("contains(…) cần một danh sách"));
            };
            let needle = evaluate(&args[1], scope)?;
            for item in items {
                if binary(BinaryOp::Eq, evaluate(item, scope)?, needle)? == Value::Bool(true) {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        Builtin::Contains => {
            let (Value::Text(haystack), Value::Text(needle)) =
                (evaluate(&args[0], scope)?, evaluate(&args[1], scope)?)
            else {
                return Err(invalid("contains(…) cần hai chuỗi"));
            };
            Value::Bool(haystack.contains(needle))
        }
        Builtin::Min | Builtin::Max => {
            let mut best: Option<Value<'a>> = None;
            for value in numbers()? {
                let n = number(value)?;
                best = Some(match best {
                    None => value,
                    Some(b) if (function == Builtin::Min) == (n < number(b)?) => value,
                    Some(b) => b,
                });
            }
            best.ok_or_else(|| invalid("min/max cần ít nhất một giá trị"))?
        }
        Builtin::Floor | Builtin::Ceil | Builtin::Round | Builtin::Abs => {
            let value = evaluate(&args[0], scope)?;
            if let Value::Int(i) = value {
                return Ok(Value::Int(if function == Builtin::Abs {
                    i.checked_abs().ok_or_else(too_large)?
                } else {
                    i
                }));
            }
            let n = number(value)?;
            let result = match function {
                Builtin::Floor => n.floor(),
                Builtin::Ceil => n.ceil(),
                Builtin::Round => n.round(),
                _ => n.abs(),
            };
            float(result)?
        }
    })
}

fn binary<'a>(op: BinaryOp, left: Value<'a>, right: Value<'a>) -> Result<Value<'a>, EvalError> {
    use std::cmp::Ordering;
    let compare = || -> Result<Ordering, EvalError> {
        match (left, right) {
            (Value::Int(a), Value::Int(b)) => Ok(a.cmp(&b)),
            _ => number(left)?
                .partial_cmp(&number(right)?)
                .ok_or_else(|| invalid("không so sánh được hai giá trị này")),
        }
    };
    let equal = || -> Result<bool, EvalError> {
        match (left, right) {
            (Value::Text(a), Value::Text(b)) => Ok(a == b),
            (Value::Bool(a), Value::Bool(b)) => Ok(a == b),
            _ => compare().map(Ordering::is_eq),
        }
    };
    Ok(match op {
        BinaryOp::Eq => Value::Bool(equal()?),
        BinaryOp::Ne => Value::Bool(!equal()?),
        BinaryOp::Lt => Value::Bool(compare()?.is_lt()),
        BinaryOp::Le => Value::Bool(compare()?.is_le()),
        BinaryOp::Gt => Value::Bool(compare()?.is_gt()),
        BinaryOp::Ge => Value::Bool(compare()?.is_ge()),
        BinaryOp::And | BinaryOp::Or => {
            unreachable!("&& and || are evaluated lazily by `evaluate`")
        }
        _ => arithmetic(op, left, right)?,
    })
}

fn arithmetic(
    op: BinaryOp,
    left: Value<'_>,
    right: Value<'_>,
) -> Result<Value<'static>, EvalError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        let whole = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div | BinaryOp::Rem if b == 0 => return Err(invalid("chia cho 0")),
            BinaryOp::Div if a.checked_rem(b) == Some(0) => a.checked_div(b),
            BinaryOp::Rem => a.checked_rem(b),
            _ => None,
        };
        if let Some(result) = whole {
            return Ok(Value::Int(result));
        }
        if matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul) {
            return Err(too_large());
        }
    }
    let (a, b) = (number(left)?, number(right)?);
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div | BinaryOp::Rem if b == 0.0 => return Err(invalid("chia cho 0")),
        BinaryOp::Div => a / b,
        BinaryOp::Rem => a % b,
        _ => a.powf(b),
    };
    float(result)
}

fn float(value: f64) -> Result<Value<'static>, EvalError> {
    if value.is_nan() {
        Err(invalid(
            "kết quả không phải một số (ví dụ căn bậc hai của số âm)",
        ))
    } else if value.is_finite() {
        Ok(Value::Float(value))
    } else {
        Err(too_large())
    }
}

fn too_large() -> EvalError {
    invalid("kết quả tính quá lớn")
}

fn number(value: Value<'_>) -> Result<f64, EvalError> {
    value
        .number()
        .ok_or_else(|| invalid(format!("cần một số, ở đây là '{}'", value.display())))
}

fn boolean(value: Value<'_>) -> Result<bool, EvalError> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(invalid(format!(
            "cần đúng/sai, ở đây là '{}'",
            other.display()
        ))),
    }
}

fn whole(value: Value<'_>, what: &str) -> Result<i64, EvalError> {
    match value {
        Value::Int(i) => Ok(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        other => Err(invalid(format!(
            "{what} cần là số nguyên, ở đây là '{}'",
            other.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Record(HashMap<&'static str, Value<'static>>);

    impl Scope for Record {
        fn variable(&self, name: &str) -> Option<Value<'_>> {
            self.0.get(name).copied()
        }

        fn history(
            &self,
            function: HistoryFn,
            code: &str,
            year: Option<i64>,
        ) -> Result<Value<'static>, EvalError> {
            match function {
                HistoryFn::HasAward => Ok(Value::Bool(code == "BK-BỘ")),
                _ => Ok(Value::Int(year.unwrap_or(3))),
            }
        }
    }

    fn record(facts: &[(&'static str, Value<'static>)]) -> Record {
        Record(facts.iter().copied().collect())
    }

    fn types(name: &str) -> Option<Type> {
        match name {
            "rating" | "job_title" => Some(Type::Text),
            "disciplined" => Some(Type::Bool),
            "rating_rank" | "vote_share" | "votes_for" | "members" => Some(Type::Number),
            _ => None,
        }
    }

    fn eval(text: &str, facts: &[(&'static str, Value<'static>)]) -> Result<String, EvalError> {
        let condition = Condition::parse(text).unwrap();
        condition.check(&types).unwrap();
        condition.evaluate(&record(facts)).map(Value::display)
    }

    fn error(text: &str) -> ConditionError {
        match Condition::parse(text) {
            Ok(condition) => condition.check_yes_no(&types).unwrap_err(),
            Err(e) => e,
        }
    }

    #[test]
    fn and_and_or_do_not_read_what_they_do_not_need() {
        let guarded = "known(vote_share) && vote_share >= 80";
        assert_eq!(eval(guarded, &[]), Ok("không".into()));
        assert_eq!(
            eval(guarded, &[("vote_share", Value::Float(85.0))]),
            Ok("có".into())
        );
        assert_eq!(
            eval("!known(vote_share) || vote_share >= 80", &[]),
            Ok("có".into())
        );
        assert_eq!(
            eval("vote_share >= 80 && known(vote_share)", &[]),
            Err(EvalError::Missing("vote_share".into())),
            "the left side is read first"
        );
        assert_eq!(
            eval("known(\"vote_share\")", &[("vote_share", Value::Int(1))]),
            Ok("có".into()),
            "the quoted spelling of the old files"
        );
    }

    #[test]
    fn precedence_follows_arithmetic_then_comparison_then_and_then_or() {
        let facts = [
            ("rating_rank", Value::Int(3)),
            ("votes_for", Value::Int(8)),
            ("members", Value::Int(10)),
            ("disciplined", Value::Bool(false)),
        ];
        assert_eq!(
            eval("votes_for * 100 >= members * 80", &facts),
            Ok("có".into())
        );
        assert_eq!(eval("1 + 2 * 3 ^ 2", &facts), Ok("19".into()));
        assert_eq!(eval("-2 ^ 2", &facts), Ok("-4".into()));
        assert_eq!(eval("(1 + 2) * 3", &facts), Ok("9".into()));
        assert_eq!(
            eval("rating_rank == 4 || !disciplined && votes_for > 5", &facts),
            Ok("có".into())
        );
        assert_eq!(
            eval(
                "(rating_rank == 4 || !disciplined) && votes_for > 9",
                &facts
            ),
            Ok("không".into())
        );
        assert_eq!(eval("10 - 3 - 2", &facts), Ok("5".into()), "left to right");
    }

    #[test]
    fn numbers_stay_whole_until_a_fraction_appears() {
        assert_eq!(eval("7 / 2", &[]), Ok("3,5".into()));
        assert_eq!(eval("8 / 2", &[]), Ok("4".into()));
        assert_eq!(
            eval("members / 2 >= 2.5", &[("members", Value::Int(5))]),
            Ok("có".into())
        );
        assert_eq!(
            eval("vote_share == 80", &[("vote_share", Value::Float(80.0))]),
            Ok("có".into())
        );
        assert_eq!(eval("min(3, 2.5, 4)", &[]), Ok("2,5".into()));
        assert_eq!(
            eval("round(2.5) + floor(1.9) + ceil(0.1)", &[]),
            Ok("5".into())
        );
        assert_eq!(eval("if(1 > 2, \"a\", \"b\")", &[]), Ok("b".into()));
        assert_eq!(
            eval("members / 0", &[("members", Value::Int(5))]),
            Err(invalid("chia cho 0"))
        );
        assert_eq!(eval("9223372036854775807 + 1", &[]), Err(too_large()));
        assert_eq!(
            eval("(-9223372036854775807 - 1) / -1 > 0", &[]),
            Ok("có".into()),
            "the one whole division that overflows goes on in decimals, no panic"
        );
        assert!(
            matches!(eval("(0 - 8) ^ 0.5", &[]), Err(EvalError::Invalid(m)) if m.contains("không phải một số"))
        );
    }

    #[test]
    fn what_files_written_for_evalexpr_use_still_reads() {
        let rating = [("rating", Value::Text("HTTNV"))];
        assert_eq!(
            eval("contains((\"HTXSNV\", \"HTTNV\"), rating)", &rating),
            Ok("có".into())
        );
        assert_eq!(
            eval("contains((\"HTXSNV\"), rating)", &rating),
            Ok("không".into())
        );
        assert_eq!(eval("contains(\"HTTNV\", \"TT\")", &[]), Ok("có".into()));
        assert_eq!(
            eval("math::abs(0 - 3) + math::floor(2.5)", &[]),
            Ok("5".into())
        );
        assert!(error("math::ln(3) > 1").message.contains("math::ln"));
        assert!(error("(1, 2) == 1").message.contains("contains"));
    }

    #[test]
    fn history_functions_get_their_code_and_year() {
        assert_eq!(
            eval("rating_streak(\"HTTNV\", 2019)", &[]),
            Ok("2019".into())
        );
        assert_eq!(eval("has_award(\"BK-BỘ\")", &[]), Ok("có".into()));
        let condition =
            Condition::parse("title_streak(\"CSTĐCS\") >= 2 || known(vote_share)").unwrap();
        assert_eq!(
            condition.names(),
            ["title_streak", "known"],
            "known(x) asks whether x was given; it does not point at x's cell"
        );
    }

    #[test]
    fn mistakes_are_told_in_vietnamese_at_their_character() {
        let cases: &[(&str, usize, ErrorKind, &str)] = &[
            ("rating_rank >= ", 15, ErrorKind::Syntax, "dừng giữa chừng"),
            (
                "ratng_rank >= 3",
                0,
                ErrorKind::UnknownName,
                "không có biến 'ratng_rank'",
            ),
            (
                "rating >= 3",
                0,
                ErrorKind::Type,
                "vế trái của '>=' cần một số, ở đây là chữ",
            ),
            ("rating == 3", 7, ErrorKind::Type, "so sánh chữ với một số"),
            ("rating_rank = 3", 12, ErrorKind::Syntax, "=="),
            (
                "rating_rank >= 3 and members > 1",
                17,
                ErrorKind::Syntax,
                "&&",
            ),
            ("(rating_rank >= 3", 0, ErrorKind::Syntax, "thiếu dấu ')'"),
            ("rating_rank", 0, ErrorKind::Type, "đúng/sai"),
            (
                "title_strek(\"LĐTT\") >= 1",
                0,
                ErrorKind::UnknownName,
                "không có hàm 'title_strek'",
            ),
            (
                "rating_streak(\"GIỎI\") >= 1",
                14,
                ErrorKind::Type,
                "không phải mức xếp loại",
            ),
            (
                "known(nothing)",
                0,
                ErrorKind::UnknownName,
                "không có biến 'nothing'",
            ),
            (
                "rating == “HTXSNV”",
                10,
                ErrorKind::Syntax,
                "nháy kép thẳng",
            ),
            ("1 < rating_rank < 4", 16, ErrorKind::Syntax, "&&"),
            ("rating == \"HTXSNV", 10, ErrorKind::Syntax, "nháy kép"),
            ("x # 1", 2, ErrorKind::Syntax, "'#'"),
            (
                "rating_rank ≥ 3",
                12,
                ErrorKind::Syntax,
                "'≥' không dùng được trong điều kiện (viết >=)",
            ),
            ("(rating_rank, 3", 0, ErrorKind::Syntax, "thiếu dấu ')'"),
            (
                "(rating_rank >= 3 3)",
                18,
                ErrorKind::Syntax,
                "không hiểu '3' ở chỗ cần ')'",
            ),
        ];
        for &(text, at, kind, words) in cases {
            let e = error(text);
            assert_eq!((e.at, e.kind), (at, kind), "{text}: {}", e.message);
            assert!(e.message.contains(words), "{text}: {}", e.message);
        }
    }

    /// Random conditions from the language's own pieces: parsing, checking
    /// and evaluating never panic, whatever they are given.
    #[test]
    fn any_text_is_a_condition_or_an_error_never_a_panic() {
        const PIECES: [&str; 32] = [
            "contains(",
            "math::abs(",
            "rating_rank",
            "vote_share",
            "rating",
            "disciplined",
            "known(",
            "min(",
            "if(",
            "title_streak(",
            "rating_streak(",
            "\"HTTNV\"",
            "\"",
            "(",
            ")",
            ",",
            "&&",
            "||",
            "!",
            "==",
            ">=",
            "<",
            "+",
            "-",
            "*",
            "/",
            "%",
            "^",
            "0",
            "7",
            "2.5",
            "9223372036854775807",
        ];
        let mut seed: u64 = 0x7d4b_c0de;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % bound
        };
        let facts = record(&[
            ("rating_rank", Value::Int(3)),
            ("vote_share", Value::Float(0.0)),
            ("rating", Value::Text("HTTNV")),
            ("disciplined", Value::Bool(false)),
        ]);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let length = 1 + next(12);
            let text: Vec<&str> = (0..length).map(|_| PIECES[next(PIECES.len())]).collect();
            let text = text.join(if next(2) == 0 { " " } else { "" });
            if let Ok(condition) = Condition::parse(&text) {
                if condition.check(&types).is_ok() {
                    accepted += 1;
                    let _ = condition.evaluate(&facts);
                }
                let _ = condition.names();
            }
        }
        assert!(
            accepted > 100,
            "only {accepted} well-formed conditions were tried"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(error(&deep).message.contains("lồng quá sâu"));
        let negations = format!("{}true", "!".repeat(100_000));
        assert!(error(&negations).message.contains("lồng quá sâu"));
        let chain = vec!["1"; 100_000].join(" + ");
        assert!(error(&chain).message.contains("lồng quá sâu"));
        let long_but_flat = vec!["rating_rank == 1"; 100].join(" || ");
        assert!(Condition::parse(&long_but_flat).is_ok());
    }
}

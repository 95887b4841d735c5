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
        let tokens = lex::lex(text)?;
        let mut parser = parse::Parser::new(&tokens, text.len());
        let root = parser.expression()?;
        match parser.peek() {
            lex::Token::End => Ok(Condition {
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
        check::check(&self.root, variables)
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
        evaluate::evaluate(&self.root, scope)
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

mod check;
mod evaluate;
mod lex;
mod parse;

#[cfg(test)]
mod tests {
    use super::evaluate::{invalid, too_large};
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
        let mut next = crate::testing::seeded(0x7d4b_c0de);
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

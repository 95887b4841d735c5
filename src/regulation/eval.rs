//! Evaluating a rule's condition over one record.
//!
//! Conditions are `evalexpr` expressions. [`Facts`] is the evaluation
//! context: plain variables computed from the record, and the history
//! functions (`title_streak`, `rating_streak`, …) answered from the record's
//! earlier years. A function that needs a year the workbook does not give
//! notes that year; a rule that fails with such a gap is "cannot verify", not
//! "fails", and names the year.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use evalexpr::{Context, DefaultNumericTypes, EvalexprError, EvalexprResult, Node, Value};

use super::{MessagePart, Regulation, Rule, Subject};
use crate::model::{PriorAward, Rating};

type V = Value<DefaultNumericTypes>;

const INDIVIDUAL_VARIABLES: &[&str] = &[
    "year",
    "rating",
    "rating_rank",
    "months_worked",
    "min_months_worked",
    "disciplined",
    "has_initiative",
    "is_female",
    "teaching_hours",
    "research_points",
    "job_title",
    "has_teaching_norm",
    "teaching_norm",
    "has_research_norm",
    "research_norm",
];
const COLLECTIVE_VARIABLES: &[&str] = &[
    "year",
    "rating",
    "rating_rank",
    "members",
    "members_htnv_or_better",
    "members_ldtt",
    "members_cstdcs",
    "members_disciplined",
];
const FUNCTIONS: &[&str] = &[
    "title_streak",
    "rating_streak",
    "titles_since",
    "ratings_since",
    "has_award",
    "award_year",
    "known",
];
const BUILTINS: &[&str] = &["min", "max", "floor", "ceil", "round", "if", "contains"];

fn builtin_variables(subject: Subject) -> &'static [&'static str] {
    match subject {
        Subject::Individual => INDIVIDUAL_VARIABLES,
        Subject::Collective => COLLECTIVE_VARIABLES,
    }
}

pub(super) fn is_builtin_variable(name: &str, subject: Subject) -> bool {
    builtin_variables(subject).contains(&name)
}

/// Checks that a compiled condition uses only names tdkt provides (or the
/// regulation's own columns, `extra`); returns the first unknown one.
pub(super) fn check_identifiers(
    node: &Node,
    subject: Subject,
    extra: &[&str],
) -> Result<(), String> {
    let variables = builtin_variables(subject);
    if let Some(unknown) = node
        .iter_read_variable_identifiers()
        .find(|v| !variables.contains(v) && !extra.contains(v))
    {
        return Err(unknown.to_string());
    }
    let known_function =
        |f: &str| FUNCTIONS.contains(&f) || BUILTINS.contains(&f) || f.starts_with("math::");
    match node
        .iter_function_identifiers()
        .find(|f| !known_function(f))
    {
        Some(unknown) => Err(unknown.to_string()),
        None => Ok(()),
    }
}

pub(super) fn known_identifiers_hint(subject: Subject, extra: &[&str]) -> String {
    let variables: Vec<&str> = builtin_variables(subject)
        .iter()
        .chain(extra)
        .copied()
        .collect();
    format!(
        "biến dùng được: {}; hàm: {}",
        variables.join(", "),
        FUNCTIONS.join(", ")
    )
}

/// The record fields (as `Field::key` names them) a variable or function
/// of a condition reads; an extra column's id is its own field.
pub fn fields_read(name: &str) -> Vec<&str> {
    let fields: &[&str] = match name {
        "rating" | "rating_rank" => &["rating"],
        "months_worked" | "min_months_worked" => &["months_worked"],
        "disciplined" => &["discipline"],
        "has_initiative" => &["initiative"],
        "is_female" => &["sex"],
        "teaching_hours" => &["teaching_hours"],
        "research_points" => &["research_points"],
        "job_title" | "teaching_norm" | "research_norm" | "has_teaching_norm"
        | "has_research_norm" => &["job_title"],
        "title_streak" | "titles_since" => &["title_history"],
        "rating_streak" | "ratings_since" => &["rating", "rating_history"],
        "has_award" | "award_year" => &["prior_awards"],
        "year" | "known" | "min" | "max" | "floor" | "ceil" | "round" | "if" | "contains" => &[],
        other => return vec![other],
    };
    fields.to_vec()
}

/// Evaluates a condition once over stand-in values of the right types, so
/// that a condition which can never be evaluated ("rating_rank >= ", or
/// "rating >= 3" comparing text with a number) is refused when the
/// regulation is loaded rather than on every record.
pub(super) fn probe(node: &Node, subject: Subject, extra: &[(&str, bool)]) -> EvalexprResult<bool> {
    let mut variables: HashMap<String, V> = builtin_variables(subject)
        .iter()
        .map(|name| (name.to_string(), stand_in(name)))
        .collect();
    for (name, is_number) in extra {
        let value = if *is_number {
            V::Float(0.0)
        } else {
            V::String(String::new())
        };
        variables.insert(name.to_string(), value);
    }
    node.eval_boolean_with_context(&Probe { variables })
}

fn stand_in(variable: &str) -> V {
    match variable {
        "rating" | "job_title" => V::String(String::new()),
        "disciplined" | "has_initiative" | "is_female" | "has_teaching_norm"
        | "has_research_norm" => V::Boolean(false),
        "year" | "rating_rank" => V::Int(0),
        _ => V::Float(0.0),
    }
}

struct Probe {
    variables: HashMap<String, V>,
}

impl Context for Probe {
    type NumericTypes = DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&V> {
        self.variables.get(identifier)
    }

    fn call_function(&self, identifier: &str, argument: &V) -> EvalexprResult<V> {
        let args = Arguments::from(argument);
        match identifier {
            "title_streak" | "titles_since" | "award_year" => {
                args.code(identifier)?;
                Ok(V::Int(0))
            }
            "rating_streak" | "ratings_since" => {
                args.rating(identifier)?;
                Ok(V::Int(0))
            }
            "has_award" => {
                args.code(identifier)?;
                Ok(V::Boolean(false))
            }
            "known" => {
                let name = args.code(identifier)?;
                if self.variables.contains_key(name) {
                    Ok(V::Boolean(true))
                } else {
                    Err(EvalexprError::CustomMessage(format!(
                        "known(\"{name}\"): không có biến '{name}'"
                    )))
                }
            }
            _ => Err(EvalexprError::FunctionIdentifierNotFound(
                identifier.to_string(),
            )),
        }
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        false
    }

    fn set_builtin_functions_disabled(&mut self, _disabled: bool) -> EvalexprResult<()> {
        Err(EvalexprError::CustomMessage(
            "builtin functions stay enabled".into(),
        ))
    }
}

/// The earlier years of one person or collective.
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub year: i32,
    pub rating: Option<Rating>,
    pub rating_history: &'a BTreeMap<i32, Rating>,
    pub title_history: &'a BTreeMap<i32, String>,
    pub prior_awards: &'a [PriorAward],
}

/// What one rule said.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Fail(String),
    /// A needed fact is missing; the message names it.
    CannotVerify(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub rule: String,
    pub outcome: Outcome,
}

/// The evaluation context of one record.
pub struct Facts<'a> {
    variables: HashMap<String, V>,
    history: History<'a>,
    regulation: &'a Regulation,
    /// Codes (with implied lower ones) this campaign finds the record
    /// eligible for in the evaluation year.
    granted_now: &'a BTreeSet<String>,
    missing_years: RefCell<BTreeSet<i32>>,
}

enum YearFact {
    Yes,
    No,
    Unknown,
}

impl<'a> Facts<'a> {
    pub fn new(
        history: History<'a>,
        regulation: &'a Regulation,
        granted_now: &'a BTreeSet<String>,
    ) -> Self {
        let mut variables = HashMap::new();
        variables.insert("year".to_string(), V::Int(history.year as i64));
        variables.insert(
            "rating".to_string(),
            V::String(
                history
                    .rating
                    .map(|r| r.code().to_string())
                    .unwrap_or_default(),
            ),
        );
        variables.insert(
            "rating_rank".to_string(),
            V::Int(history.rating.map_or(0, Rating::rank)),
        );
        Facts {
            variables,
            history,
            regulation,
            granted_now,
            missing_years: RefCell::new(BTreeSet::new()),
        }
    }

    pub fn set_int(&mut self, name: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.variables.insert(name.to_string(), V::Int(v));
        }
    }

    pub fn set_float(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.variables.insert(name.to_string(), V::Float(v));
        }
    }

    pub fn set_bool(&mut self, name: &str, value: bool) {
        self.variables.insert(name.to_string(), V::Boolean(value));
    }

    pub fn set_text(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.variables
                .insert(name.to_string(), V::String(v.to_string()));
        }
    }

    /// Evaluates every rule, in order.
    pub fn evaluate(&self, rules: &[Rule]) -> Vec<RuleResult> {
        rules
            .iter()
            .map(|rule| RuleResult {
                rule: rule.id.clone(),
                outcome: self.evaluate_rule(rule),
            })
            .collect()
    }

    fn evaluate_rule(&self, rule: &Rule) -> Outcome {
        if let Some(applies) = &rule.applies {
            match applies.eval_boolean_with_context(self) {
                Ok(false) => return Outcome::Pass,
                Ok(true) => {}
                Err(e) => {
                    return Outcome::CannotVerify(format!(
                        "Không đánh giá được điều kiện áp dụng của '{}': {e}",
                        rule.id
                    ));
                }
            }
        }
        self.missing_years.borrow_mut().clear();
        let result = rule.when.eval_boolean_with_context(self);
        let missing: Vec<i32> = self.missing_years.borrow().iter().copied().collect();
        match result {
            Ok(true) => Outcome::Pass,
            Ok(false) if missing.is_empty() => Outcome::Fail(self.render(&rule.message)),
            Ok(false) => Outcome::CannotVerify(format!(
                "Thiếu xếp loại và danh hiệu năm {} nên chưa xác minh được: {}",
                join_years(&missing),
                self.render(&rule.message)
            )),
            Err(EvalexprError::VariableIdentifierNotFound(name)) => Outcome::CannotVerify(format!(
                "Thiếu số liệu '{}' để xét tiêu chuẩn này",
                self.label_of(&name)
            )),
            Err(e) => Outcome::CannotVerify(format!(
                "Không đánh giá được điều kiện '{}': {e}",
                rule.when_text
            )),
        }
    }

    fn render(&self, parts: &[MessagePart]) -> String {
        let mut out = String::new();
        for part in parts {
            match part {
                MessagePart::Text(text) => out.push_str(text),
                MessagePart::Value(node) => match node.eval_with_context(self) {
                    Ok(value) => out.push_str(&display_value(&value)),
                    Err(_) => out.push('?'),
                },
            }
        }
        out
    }

    /// The form's label of a variable, for "missing data" messages.
    fn label_of<'n>(&'n self, variable: &'n str) -> &'n str {
        self.regulation
            .columns
            .iter()
            .find(|c| c.id == variable)
            .map_or_else(|| field_label(variable), |c| c.label.as_str())
    }

    fn holds_now(&self, code: &str) -> bool {
        self.granted_now.contains(code)
    }

    /// Did the record hold title `code` (or a higher one that includes it)
    /// in `year`?
    fn title_in(&self, year: i32, code: &str) -> YearFact {
        if year == self.history.year {
            return if self.holds_now(code) {
                YearFact::Yes
            } else {
                YearFact::No
            };
        }
        match self.history.title_history.get(&year) {
            Some(title)
                if self
                    .regulation
                    .implied_codes(title)
                    .iter()
                    .any(|c| c == code) =>
            {
                YearFact::Yes
            }
            Some(_) => YearFact::No,
            None if self.history.rating_history.contains_key(&year) => YearFact::No,
            None => YearFact::Unknown,
        }
    }

    fn rating_in(&self, year: i32) -> Option<Rating> {
        if year == self.history.year {
            self.history.rating
        } else {
            self.history.rating_history.get(&year).copied()
        }
    }

    fn earliest_known_year(&self) -> i32 {
        let ratings = self.history.rating_history.keys();
        let titles = self.history.title_history.keys();
        ratings
            .chain(titles)
            .copied()
            .min()
            .unwrap_or(self.history.year)
            .min(self.history.year)
    }

    fn note_missing(&self, year: i32) {
        self.missing_years.borrow_mut().insert(year);
    }

    fn title_streak(&self, code: &str) -> i64 {
        let y = self.history.year;
        let start = if self.holds_now(code) { y } else { y - 1 };
        let mut count = 0;
        for year in (y - 60..=start).rev() {
            match self.title_in(year, code) {
                YearFact::Yes => count += 1,
                YearFact::No => break,
                YearFact::Unknown => {
                    self.note_missing(year);
                    break;
                }
            }
        }
        count
    }

    fn rating_streak(&self, min: Rating, after: i32) -> i64 {
        let mut count = 0;
        for year in (after + 1..=self.history.year).rev() {
            match self.rating_in(year) {
                Some(r) if r >= min => count += 1,
                Some(_) => break,
                None => {
                    self.note_missing(year);
                    break;
                }
            }
        }
        count
    }

    fn lower_bound(&self, after: i32) -> i32 {
        if after > 0 {
            after + 1
        } else {
            self.earliest_known_year()
        }
    }

    fn titles_since(&self, code: &str, after: i32) -> i64 {
        let mut count = 0;
        for year in self.lower_bound(after)..=self.history.year {
            match self.title_in(year, code) {
                YearFact::Yes => count += 1,
                YearFact::No => {}
                YearFact::Unknown => self.note_missing(year),
            }
        }
        count
    }

    fn ratings_since(&self, min: Rating, after: i32) -> i64 {
        let mut count = 0;
        for year in self.lower_bound(after)..=self.history.year {
            match self.rating_in(year) {
                Some(r) if r >= min => count += 1,
                Some(_) => {}
                None => self.note_missing(year),
            }
        }
        count
    }

    fn award_year(&self, code: &str) -> i64 {
        self.history
            .prior_awards
            .iter()
            .filter(|a| a.award == code)
            .filter_map(|a| a.year)
            .max()
            .map_or(0, i64::from)
    }

    fn has_award(&self, code: &str) -> bool {
        self.history.prior_awards.iter().any(|a| a.award == code)
    }
}

impl Context for Facts<'_> {
    type NumericTypes = DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&V> {
        self.variables.get(identifier)
    }

    fn call_function(&self, identifier: &str, argument: &V) -> EvalexprResult<V> {
        let args = Arguments::from(argument);
        let value = match identifier {
            "title_streak" => V::Int(self.title_streak(args.code(identifier)?)),
            "rating_streak" => V::Int(self.rating_streak(
                args.rating(identifier)?,
                args.year_after(self.history.year - 61),
            )),
            "titles_since" => V::Int(self.titles_since(args.code(identifier)?, args.year_after(0))),
            "ratings_since" => {
                V::Int(self.ratings_since(args.rating(identifier)?, args.year_after(0)))
            }
            "has_award" => V::Boolean(self.has_award(args.code(identifier)?)),
            "award_year" => V::Int(self.award_year(args.code(identifier)?)),
            "known" => V::Boolean(self.variables.contains_key(args.code(identifier)?)),
            _ => {
                return Err(EvalexprError::FunctionIdentifierNotFound(
                    identifier.to_string(),
                ));
            }
        };
        Ok(value)
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        false
    }

    fn set_builtin_functions_disabled(&mut self, _disabled: bool) -> EvalexprResult<()> {
        Err(EvalexprError::CustomMessage(
            "builtin functions stay enabled".into(),
        ))
    }
}

/// A function's arguments: a code string, optionally followed by a year.
struct Arguments<'v> {
    code: Option<&'v str>,
    year: Option<i64>,
}

impl<'v> From<&'v V> for Arguments<'v> {
    fn from(value: &'v V) -> Self {
        match value {
            V::String(s) => Arguments {
                code: Some(s),
                year: None,
            },
            V::Tuple(items) => Arguments {
                code: match items.first() {
                    Some(V::String(s)) => Some(s.as_str()),
                    _ => None,
                },
                year: items.get(1).and_then(|v| v.as_int().ok()),
            },
            _ => Arguments {
                code: None,
                year: None,
            },
        }
    }
}

impl<'v> Arguments<'v> {
    fn code(&self, function: &str) -> EvalexprResult<&'v str> {
        self.code.ok_or_else(|| {
            EvalexprError::CustomMessage(format!(
                "{function} cần một mã trong dấu nháy kép, ví dụ \"CSTĐCS\""
            ))
        })
    }

    fn rating(&self, function: &str) -> EvalexprResult<Rating> {
        let code = self.code(function)?;
        Rating::from_code(code).ok_or_else(|| {
            EvalexprError::CustomMessage(format!("{function}: '{code}' không phải mức xếp loại"))
        })
    }

    /// The year after which a chain is counted, `default` when not given.
    fn year_after(&self, default: i32) -> i32 {
        self.year.map_or(default, |y| y as i32)
    }
}

fn display_value(value: &V) -> String {
    match value {
        V::String(s) if s.is_empty() => "(trống)".to_string(),
        V::String(s) => s.clone(),
        V::Int(i) => i.to_string(),
        V::Float(f) => crate::format::number_vi(*f),
        V::Boolean(true) => "có".to_string(),
        V::Boolean(false) => "không".to_string(),
        V::Tuple(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        V::Empty => "(trống)".to_string(),
    }
}

fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form's label of a variable, for "missing data" messages.
fn field_label(variable: &str) -> &str {
    match variable {
        "members" => "Số thành viên",
        "members_htnv_or_better" => "Số hoàn thành nhiệm vụ trở lên",
        "members_ldtt" => "Số đạt LĐTT",
        "members_cstdcs" => "Số đạt CSTĐCS",
        "members_disciplined" => "Số bị kỷ luật",
        "teaching_hours" => "Giờ giảng thực hiện",
        "research_points" => "Điểm NCKH",
        "job_title" => "Chức danh",
        "teaching_norm" | "research_norm" => "Chức danh (định mức)",
        other => other,
    }
}

//! Evaluating a rule's condition over one record.
//!
//! Conditions are [`Condition`](super::condition::Condition)s. [`Facts`] is their
//! [`Scope`]: plain variables computed from the record, and the history
//! functions (`title_streak`, `rating_streak`, …) answered from the record's
//! earlier years. A function that needs a year the workbook does not give
//! notes that year; a rule that fails with such a gap is "cannot verify", not
//! "fails", and names the year.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::condition::{EvalError, HistoryFn, Scope, Type, Value};
use super::fields;
use super::{MessagePart, Regulation, Rule, Subject};
use crate::model::{PriorAward, Rating};

pub(super) fn is_builtin_variable(name: &str, subject: Subject) -> bool {
    variable_type(name, subject, &[]).is_some()
}

/// The type of a variable a `subject`'s conditions can read: tdkt's own
/// (the field table's), or one of the regulation's columns (`extra`: id and
/// whether a number).
pub(super) fn variable_type(name: &str, subject: Subject, extra: &[(&str, bool)]) -> Option<Type> {
    let builtin = fields::variables(subject).find(|(n, _)| *n == name);
    builtin.map(|(_, t)| t).or_else(|| {
        extra
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, is_number)| if is_number { Type::Number } else { Type::Text })
    })
}

/// What a condition may name instead of `unknown`: the closest name first
/// when one is a likely slip ("member_ldtt" for "members_ldtt"), then every
/// variable and function.
pub(super) fn known_identifiers_hint(subject: Subject, extra: &[&str], unknown: &str) -> String {
    let variables: Vec<&str> = fields::variables(subject)
        .map(|(name, _)| name)
        .chain(extra.iter().copied())
        .collect();
    let functions: Vec<&str> = super::condition::function_names().collect();
    let closest = variables
        .iter()
        .chain(&functions)
        .map(|name| (strsim::levenshtein(unknown, name), *name))
        .filter(|(distance, _)| *distance <= 2 + unknown.len() / 8)
        .min();
    let guess = closest.map_or(String::new(), |(_, name)| format!("có phải '{name}'? "));
    format!(
        "{guess}biến dùng được: {}; hàm: {}",
        variables.join(", "),
        functions.join(", ")
    )
}

/// A fact of the record, owned; conditions read it as a [`Value`].
#[derive(Debug, Clone)]
enum Fact {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl Fact {
    fn value(&self) -> Value<'_> {
        match self {
            Fact::Int(i) => Value::Int(*i),
            Fact::Float(f) => Value::Float(*f),
            Fact::Text(t) => Value::Text(t),
            Fact::Bool(b) => Value::Bool(*b),
        }
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
    variables: HashMap<String, Fact>,
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
        variables.insert("year".to_string(), Fact::Int(i64::from(history.year)));
        variables.insert(
            "rating".to_string(),
            Fact::Text(
                history
                    .rating
                    .map(|r| r.code().to_string())
                    .unwrap_or_default(),
            ),
        );
        variables.insert(
            "rating_rank".to_string(),
            Fact::Int(history.rating.map_or(0, Rating::rank)),
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
            self.variables.insert(name.to_string(), Fact::Int(v));
        }
    }

    pub fn set_float(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.variables.insert(name.to_string(), Fact::Float(v));
        }
    }

    pub fn set_bool(&mut self, name: &str, value: bool) {
        self.variables.insert(name.to_string(), Fact::Bool(value));
    }

    pub fn set_text(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.variables
                .insert(name.to_string(), Fact::Text(v.to_string()));
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
            match applies.evaluate(self) {
                Ok(Value::Bool(false)) => return Outcome::Pass,
                Ok(Value::Bool(true)) => {}
                other => {
                    return Outcome::CannotVerify(format!(
                        "Không đánh giá được điều kiện áp dụng của '{}': {}",
                        rule.id,
                        self.explain(other.err())
                    ));
                }
            }
        }
        self.missing_years.borrow_mut().clear();
        let result = rule.when.evaluate(self);
        let missing: Vec<i32> = self.missing_years.borrow().iter().copied().collect();
        match result {
            Ok(Value::Bool(true)) => Outcome::Pass,
            Ok(Value::Bool(false)) if missing.is_empty() => {
                Outcome::Fail(self.render(&rule.message))
            }
            Ok(Value::Bool(false)) => Outcome::CannotVerify(format!(
                "Thiếu xếp loại và danh hiệu năm {} nên chưa xác minh được: {}",
                join_years(&missing),
                self.render(&rule.message)
            )),
            Err(EvalError::Missing(name)) => Outcome::CannotVerify(format!(
                "Thiếu số liệu '{}' để xét tiêu chuẩn này",
                self.label_of(&name)
            )),
            other => Outcome::CannotVerify(format!(
                "Không đánh giá được điều kiện '{}': {}",
                rule.when.text(),
                self.explain(other.err())
            )),
        }
    }

    /// Why a condition could not be evaluated, in a clerk's words.
    fn explain(&self, error: Option<EvalError>) -> String {
        match error {
            Some(EvalError::Missing(name)) => {
                format!("thiếu số liệu '{}'", self.label_of(&name))
            }
            Some(EvalError::Invalid(message)) => message,
            None => "điều kiện không cho đúng/sai".to_string(),
        }
    }

    fn render(&self, parts: &[MessagePart]) -> String {
        let mut out = String::new();
        for part in parts {
            match part {
                MessagePart::Text(text) => out.push_str(text),
                MessagePart::Value(expression) => match expression.evaluate(self) {
                    Ok(value) => out.push_str(&value.display()),
                    Err(EvalError::Missing(_)) => out.push_str("(trống)"),
                    Err(EvalError::Invalid(_)) => out.push('?'),
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

    /// The latest year the record received `code`; 0 when it never did.
    /// Received in a year nobody wrote down, it is a missing fact: a chain
    /// counted "since the award" cannot be verified without it.
    fn award_year(&self, code: &str) -> Result<i64, EvalError> {
        let mut held = false;
        let mut latest = None;
        for award in self.history.prior_awards.iter().filter(|a| a.award == code) {
            held = true;
            latest = latest.max(award.year);
        }
        match (held, latest) {
            (_, Some(year)) => Ok(i64::from(year)),
            (false, None) => Ok(0),
            (true, None) => {
                let name = self
                    .regulation
                    .honour(code)
                    .map_or(code, |h| h.name.as_str());
                Err(EvalError::Missing(format!("năm nhận {name}")))
            }
        }
    }

    fn has_award(&self, code: &str) -> bool {
        self.history.prior_awards.iter().any(|a| a.award == code)
    }
}

impl Scope for Facts<'_> {
    fn variable(&self, name: &str) -> Option<Value<'_>> {
        self.variables.get(name).map(Fact::value)
    }

    fn history(
        &self,
        function: HistoryFn,
        code: &str,
        year: Option<i64>,
    ) -> Result<Value<'static>, EvalError> {
        let rating = || {
            Rating::from_code(code).ok_or_else(|| {
                EvalError::Invalid(format!(
                    "{}: '{code}' không phải mức xếp loại",
                    function.name()
                ))
            })
        };
        // A year beyond any record's is as good as none; clamping keeps the
        // year loops below from overflowing.
        let year_after = |default: i32| year.map_or(default, |y| y.clamp(0, 9999) as i32);
        Ok(match function {
            HistoryFn::TitleStreak => Value::Int(self.title_streak(code)),
            HistoryFn::RatingStreak => {
                Value::Int(self.rating_streak(rating()?, year_after(self.history.year - 61)))
            }
            HistoryFn::TitlesSince => Value::Int(self.titles_since(code, year_after(0))),
            HistoryFn::RatingsSince => Value::Int(self.ratings_since(rating()?, year_after(0))),
            HistoryFn::HasAward => Value::Bool(self.has_award(code)),
            HistoryFn::AwardYear => Value::Int(self.award_year(code)?),
        })
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
    fields::label_of_variable(variable).unwrap_or(variable)
}

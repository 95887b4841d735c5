//! A unit's records as tdkt read them: the columns of the feedback lists
//! and each record's value in them.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Collective, ExtraValue, Individual, Submission};
use crate::regulation::{Regulation, Subject, fields};

/// A column of a unit's list, as tdkt read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    SourceRow,
    Name,
    Birth,
    Sex,
    JobTitle,
    Position,
    SubUnit,
    Members,
    MembersHtnvOrBetter,
    MembersLdtt,
    MembersCstdcs,
    MembersDisciplined,
    Rating,
    RatingIn(i32),
    TitleIn(i32),
    PriorAwards,
    TeachingHours,
    ResearchPoints,
    Initiative,
    MonthsWorked,
    Discipline,
    Extra(usize),
    ProposedTitle,
    TitleVerdict,
    ProposedAward,
    AwardVerdict,
    /// Every failed rule of the row, in words.
    Reasons,
    Remark,
}

impl Column {
    pub(super) fn header(self, year: i32, regulation: &Regulation) -> String {
        let label = match self {
            Column::SourceRow => "Dòng trong hồ sơ",
            Column::Name => "Họ và tên / Tên tập thể",
            Column::Rating => return format!("Xếp loại năm {year}"),
            Column::RatingIn(y) => return format!("Xếp loại năm {y}"),
            Column::TitleIn(y) => return format!("Danh hiệu năm {y}"),
            Column::Extra(i) => return regulation.columns[i].label.clone(),
            Column::TitleVerdict => "Kết quả xét danh hiệu",
            Column::AwardVerdict => "Kết quả xét khen thưởng",
            Column::Reasons => "Lý do (tiêu chuẩn chưa đạt, số liệu còn thiếu)",
            // Every other column shows one field of the form, by its label.
            _ => self
                .key(regulation)
                .and_then(|key| fields::label(key, None))
                .unwrap_or_default(),
        };
        label.to_string()
    }

    pub(super) fn width(self) -> f64 {
        match self {
            Column::Name => 28.0,
            Column::Initiative | Column::Remark | Column::PriorAwards => 30.0,
            Column::Reasons => 60.0,
            Column::TitleVerdict | Column::AwardVerdict => 22.0,
            Column::JobTitle | Column::Position | Column::SubUnit | Column::Discipline => 18.0,
            _ => 11.0,
        }
    }

    /// The record field this column shows (`Field::key`'s names), to find
    /// the columns a rule's condition reads.
    fn key(self, regulation: &Regulation) -> Option<&str> {
        Some(match self {
            Column::Name => "name",
            Column::Birth => "birth",
            Column::Sex => "sex",
            Column::JobTitle => "job_title",
            Column::Position => "position",
            Column::SubUnit => "sub_unit",
            Column::Members => "members",
            Column::MembersHtnvOrBetter => "members_htnv_or_better",
            Column::MembersLdtt => "members_ldtt",
            Column::MembersCstdcs => "members_cstdcs",
            Column::MembersDisciplined => "members_disciplined",
            Column::Rating => "rating",
            Column::RatingIn(_) => "rating_history",
            Column::TitleIn(_) => "title_history",
            Column::PriorAwards => "prior_awards",
            Column::TeachingHours => "teaching_hours",
            Column::ResearchPoints => "research_points",
            Column::Initiative => "initiative",
            Column::MonthsWorked => "months_worked",
            Column::Discipline => "discipline",
            Column::Extra(i) => return regulation.columns.get(i).map(|c| c.id.as_str()),
            Column::ProposedTitle => "proposed_title",
            Column::ProposedAward => "proposed_award",
            Column::Remark => "remark",
            Column::SourceRow | Column::TitleVerdict | Column::AwardVerdict | Column::Reasons => {
                return None;
            }
        })
    }

    /// The columns a rule's variable or function reads.
    pub(super) fn reading(name: &str, columns: &[Column], regulation: &Regulation) -> Vec<Column> {
        let fields = crate::regulation::fields_read(name);
        columns
            .iter()
            .filter(|c| c.key(regulation).is_some_and(|k| fields.contains(&k)))
            .copied()
            .collect()
    }
}

/// A cell's content.
#[derive(PartialEq)]
pub(super) enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Self {
        text.map_or(Value::Empty, Value::Text)
    }
}

impl From<Option<f64>> for Value {
    fn from(number: Option<f64>) -> Self {
        number.map_or(Value::Empty, Value::Number)
    }
}

impl From<Option<u32>> for Value {
    fn from(number: Option<u32>) -> Self {
        number.map_or(Value::Empty, |n| Value::Number(f64::from(n)))
    }
}

/// How feedback marks history the register supplied.
pub(super) const FROM_REGISTER: &str = "(theo sổ khen thưởng)";

/// One record of either kind, for the list sheets.
#[derive(Clone, Copy)]
pub(super) enum Record<'a> {
    Individual(&'a Individual),
    Collective(&'a Collective),
}

impl<'a> Record<'a> {
    pub(super) fn value(self, column: Column, regulation: &Regulation) -> Value {
        match self {
            Record::Individual(p) => individual_value(p, column, regulation),
            Record::Collective(c) => collective_value(c, column, regulation),
        }
    }

    /// The value the unit wrote, or, for history the unit left out and
    /// the register supplied (`judged`), that history marked as the
    /// register's: the rules saw it, and the unit should too.
    pub(super) fn value_beside(
        self,
        judged: Option<Record<'_>>,
        column: Column,
        regulation: &Regulation,
    ) -> Value {
        let written = self.value(column, regulation);
        let history = matches!(column, Column::TitleIn(_) | Column::PriorAwards);
        let Some(judged) = judged.filter(|_| history) else {
            return written;
        };
        match (written, judged.value(column, regulation)) {
            (written, from_register) if written == from_register => written,
            (_, Value::Text(text)) => Value::Text(format!("{text} {FROM_REGISTER}")),
            (written, _) => written,
        }
    }

    pub(super) fn row(self) -> u32 {
        match self {
            Record::Individual(p) => p.source.row,
            Record::Collective(c) => c.source.row,
        }
    }

    pub(super) fn sheet(self) -> &'a str {
        match self {
            Record::Individual(p) => &p.source.sheet,
            Record::Collective(c) => &c.source.sheet,
        }
    }
}

pub(super) fn individual_value(p: &Individual, column: Column, regulation: &Regulation) -> Value {
    match column {
        Column::Name => Value::Text(p.full_name.clone()),
        Column::Birth => p.birth.map(|b| b.display_vi()).into(),
        Column::Sex => p.sex.map(|s| s.label().to_string()).into(),
        Column::JobTitle => p.job_title.clone().into(),
        Column::Position => p.position.clone().into(),
        Column::SubUnit => p.sub_unit.clone().into(),
        Column::Rating => p.rating.map(|r| r.code().to_string()).into(),
        Column::RatingIn(y) => p
            .rating_history
            .get(&y)
            .map(|r| r.code().to_string())
            .into(),
        Column::TitleIn(y) => p.title_history.get(&y).cloned().into(),
        Column::PriorAwards => Value::from((!p.prior_awards.is_empty()).then(|| {
            p.prior_awards
                .iter()
                .map(|a| match a.year {
                    Some(y) => format!("{} ({y})", a.award),
                    None => a.award.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        })),
        Column::TeachingHours => p.teaching_hours.into(),
        Column::ResearchPoints => p.research_points.into(),
        Column::Initiative => p.initiative.clone().into(),
        Column::MonthsWorked => p.months_worked.into(),
        Column::Discipline => p.discipline.clone().into(),
        Column::Extra(i) => extra_value(&p.extra, regulation, i),
        Column::ProposedTitle => p.proposed_title.clone().into(),
        Column::ProposedAward => p.proposed_award.clone().into(),
        Column::Remark => p.remark.clone().into(),
        _ => Value::Empty,
    }
}

pub(super) fn collective_value(c: &Collective, column: Column, regulation: &Regulation) -> Value {
    match column {
        Column::Name => Value::Text(c.name.clone()),
        Column::Members => c.members.into(),
        Column::MembersHtnvOrBetter => c.members_htnv_or_better.into(),
        Column::MembersLdtt => c.members_ldtt.into(),
        Column::MembersCstdcs => c.members_cstdcs.into(),
        Column::MembersDisciplined => c.members_disciplined.into(),
        Column::Rating => c.rating.map(|r| r.code().to_string()).into(),
        Column::RatingIn(y) => c
            .rating_history
            .get(&y)
            .map(|r| r.code().to_string())
            .into(),
        Column::TitleIn(y) => c.title_history.get(&y).cloned().into(),
        Column::Extra(i) => extra_value(&c.extra, regulation, i),
        Column::ProposedTitle => c.proposed_title.clone().into(),
        Column::ProposedAward => c.proposed_award.clone().into(),
        Column::Remark => c.remark.clone().into(),
        _ => Value::Empty,
    }
}

pub(super) fn extra_value(
    extra: &BTreeMap<String, ExtraValue>,
    regulation: &Regulation,
    i: usize,
) -> Value {
    match extra.get(&regulation.columns[i].id) {
        Some(ExtraValue::Number(n)) => Value::Number(*n),
        Some(ExtraValue::Text(t)) => Value::Text(t.clone()),
        None => Value::Empty,
    }
}

/// The columns of one list: the fixed ones, the history years the unit's
/// records give (newest first), and the regulation's own columns.
pub(super) fn list_columns(
    subject: Subject,
    years: &BTreeSet<i32>,
    regulation: &Regulation,
) -> Vec<Column> {
    let mut columns = match subject {
        Subject::Individual => vec![
            Column::SourceRow,
            Column::Name,
            Column::Birth,
            Column::Sex,
            Column::JobTitle,
            Column::Position,
            Column::SubUnit,
            Column::Rating,
        ],
        Subject::Collective => vec![
            Column::SourceRow,
            Column::Name,
            Column::Members,
            Column::MembersHtnvOrBetter,
            Column::MembersLdtt,
            Column::MembersCstdcs,
            Column::MembersDisciplined,
            Column::Rating,
        ],
    };
    columns.extend(years.iter().rev().map(|y| Column::RatingIn(*y)));
    columns.extend(years.iter().rev().map(|y| Column::TitleIn(*y)));
    if subject == Subject::Individual {
        columns.extend([
            Column::PriorAwards,
            Column::TeachingHours,
            Column::ResearchPoints,
            Column::Initiative,
            Column::MonthsWorked,
            Column::Discipline,
        ]);
    }
    columns.extend(
        regulation
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.subject == subject)
            .map(|(i, _)| Column::Extra(i)),
    );
    columns.extend([
        Column::ProposedTitle,
        Column::TitleVerdict,
        Column::ProposedAward,
        Column::AwardVerdict,
        Column::Reasons,
        Column::Remark,
    ]);
    columns
}

pub(super) fn history_years(submission: &Submission, subject: Subject) -> BTreeSet<i32> {
    match subject {
        Subject::Individual => submission
            .individuals
            .iter()
            .flat_map(|p| p.rating_history.keys().chain(p.title_history.keys()))
            .copied()
            .collect(),
        Subject::Collective => submission
            .collectives
            .iter()
            .flat_map(|c| c.rating_history.keys().chain(c.title_history.keys()))
            .copied()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_either_list_has_a_header() {
        let regulation = Regulation::default_national().unwrap();
        let years = BTreeSet::from([2023, 2024]);
        for subject in [Subject::Individual, Subject::Collective] {
            for column in list_columns(subject, &years, &regulation) {
                assert!(
                    !column.header(2025, &regulation).is_empty(),
                    "{column:?} has no header"
                );
            }
        }
    }
}

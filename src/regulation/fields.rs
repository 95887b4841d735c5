//! The submission form's fields, in one table: for each field tdkt knows
//! its key (the record field it fills, as `inspect --json` and the feedback
//! name it), its label (what the form, `inspect`, the feedback workbooks and
//! messages print), whom it describes, and the condition variables and
//! history functions computed from it, with their types.
//!
//! An agency's `[[column]]` entries extend the table: each is a field whose
//! key and variable are its id ([`Regulation::columns`](super::Regulation)).
//! Which header spellings name a field is map's business
//! (`map/fields.rs`): it recognises labels by rules, not by a list.

use super::Subject;
use super::condition::Type;
use Type::{Bool, Number, Text};

/// One field of the form.
#[derive(Debug)]
pub struct FieldSpec {
    /// The record field it fills: "months_worked".
    pub key: &'static str,
    /// The form's label: "Số tháng công tác". A year-bound field's label is
    /// followed by " năm 2025" where a year is known.
    pub label: &'static str,
    /// Whom it describes; `None` for both.
    pub subject: Option<Subject>,
    /// The condition variables computed from it, with their types.
    pub variables: &'static [(&'static str, Type)],
    /// The history functions that read it.
    pub functions: &'static [&'static str],
}

impl FieldSpec {
    fn describes(&self, subject: Subject) -> bool {
        self.subject.is_none_or(|s| s == subject)
    }
}

const fn field(
    key: &'static str,
    label: &'static str,
    subject: Option<Subject>,
    variables: &'static [(&'static str, Type)],
) -> FieldSpec {
    FieldSpec {
        key,
        label,
        subject,
        variables,
        functions: &[],
    }
}

const PERSON: Option<Subject> = Some(Subject::Individual);
const GROUP: Option<Subject> = Some(Subject::Collective);
const BOTH: Option<Subject> = None;

/// The built-in fields, in the form's order.
pub const FIELDS: &[FieldSpec] = &[
    field("name", "Họ và tên", PERSON, &[]),
    field("name", "Tên tập thể", GROUP, &[]),
    field("birth", "Ngày sinh", PERSON, &[]),
    field("sex", "Giới tính", PERSON, &[("is_female", Bool)]),
    field("position", "Chức vụ", PERSON, &[]),
    field(
        "job_title",
        "Chức danh",
        PERSON,
        &[
            ("job_title", Text),
            ("has_teaching_norm", Bool),
            ("teaching_norm", Number),
            ("has_research_norm", Bool),
            ("research_norm", Number),
        ],
    ),
    field("sub_unit", "Đơn vị công tác", PERSON, &[]),
    field("members", "Số thành viên", GROUP, &[("members", Number)]),
    field(
        "members_htnv_or_better",
        "Số hoàn thành nhiệm vụ trở lên",
        GROUP,
        &[("members_htnv_or_better", Number)],
    ),
    field(
        "members_ldtt",
        "Số đạt LĐTT",
        GROUP,
        &[("members_ldtt", Number)],
    ),
    field(
        "members_cstdcs",
        "Số đạt CSTĐCS",
        GROUP,
        &[("members_cstdcs", Number)],
    ),
    field(
        "members_disciplined",
        "Số bị kỷ luật",
        GROUP,
        &[("members_disciplined", Number)],
    ),
    FieldSpec {
        key: "rating",
        label: "Xếp loại",
        subject: BOTH,
        variables: &[("rating", Text), ("rating_rank", Number)],
        functions: &["rating_streak", "ratings_since"],
    },
    FieldSpec {
        key: "rating_history",
        label: "Xếp loại các năm trước",
        subject: BOTH,
        variables: &[],
        functions: &["rating_streak", "ratings_since"],
    },
    FieldSpec {
        key: "title_history",
        label: "Danh hiệu các năm trước",
        subject: BOTH,
        variables: &[],
        functions: &["title_streak", "titles_since"],
    },
    FieldSpec {
        key: "prior_awards",
        label: "Khen thưởng đã nhận",
        subject: PERSON,
        variables: &[],
        functions: &["has_award", "award_year"],
    },
    field(
        "teaching_hours",
        "Giờ giảng thực hiện",
        PERSON,
        &[("teaching_hours", Number)],
    ),
    field(
        "research_points",
        "Điểm NCKH",
        PERSON,
        &[("research_points", Number)],
    ),
    field(
        "initiative",
        "Sáng kiến",
        PERSON,
        &[("has_initiative", Bool)],
    ),
    field(
        "months_worked",
        "Số tháng công tác",
        PERSON,
        &[("months_worked", Number), ("min_months_worked", Number)],
    ),
    field("discipline", "Kỷ luật", PERSON, &[("disciplined", Bool)]),
    field("proposed_title", "Danh hiệu đề nghị", BOTH, &[]),
    field("proposed_award", "Hình thức khen thưởng đề nghị", BOTH, &[]),
    field("achievement", "Tóm tắt thành tích", BOTH, &[]),
    field("remark", "Ghi chú", BOTH, &[]),
];

/// The variable every condition has, read from no field: the year judged.
const YEAR: (&str, Type) = ("year", Number);

/// The variables a `subject`'s conditions read from the built-in fields,
/// with their types, `year` first.
pub fn variables(subject: Subject) -> impl Iterator<Item = (&'static str, Type)> {
    std::iter::once(YEAR).chain(
        FIELDS
            .iter()
            .filter(move |f| f.describes(subject))
            .flat_map(|f| f.variables.iter().copied()),
    )
}

/// The label of the field with `key` describing `subject` (the first when
/// both have one).
pub fn label(key: &str, subject: Option<Subject>) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|f| f.key == key && subject.is_none_or(|s| f.describes(s)))
        .map(|f| f.label)
}

/// The record fields a condition's variable or function reads; an agency
/// column's id (or any name the table does not know) is its own field.
pub fn read_by(name: &str) -> Vec<&str> {
    let fields: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.variables.iter().any(|(v, _)| *v == name) || f.functions.contains(&name))
        .map(|f| f.key)
        .collect();
    match fields.as_slice() {
        [] if is_computed(name) => Vec::new(),
        [] => vec![name],
        _ => {
            let mut unique = fields;
            unique.dedup();
            unique
        }
    }
}

/// Names a condition uses that read no cell: the year, and the functions
/// that only compute.
fn is_computed(name: &str) -> bool {
    name == YEAR.0 || name == "known" || super::condition::function_names().any(|f| f == name)
}

/// The label a message uses for a condition's variable: its field's.
pub fn label_of_variable(variable: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|f| f.variables.iter().any(|(v, _)| *v == variable))
        .map(|f| f.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_reads_its_field_and_history_functions_their_history() {
        assert_eq!(read_by("rating_rank"), ["rating"]);
        assert_eq!(read_by("teaching_norm"), ["job_title"]);
        assert_eq!(read_by("rating_streak"), ["rating", "rating_history"]);
        assert_eq!(read_by("has_award"), ["prior_awards"]);
        assert!(read_by("year").is_empty() && read_by("min").is_empty());
        assert_eq!(
            read_by("diem_ky_cuong"),
            ["diem_ky_cuong"],
            "an agency column"
        );
    }

    #[test]
    fn a_variable_belongs_to_one_field_and_one_type() {
        for subject in [Subject::Individual, Subject::Collective] {
            let names: Vec<&str> = variables(subject).map(|(n, _)| n).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(names.len(), unique.len(), "{names:?}");
        }
        assert_eq!(
            label("name", Some(Subject::Collective)),
            Some("Tên tập thể")
        );
        assert_eq!(
            label_of_variable("min_months_worked"),
            Some("Số tháng công tác")
        );
    }
}

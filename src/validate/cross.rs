//! Checks across proposals: what no single row shows.
//!
//! - the same initiative named by two people's proposals (one initiative is
//!   credited to one proposal);
//! - one person found eligible for two titles of the same year: only the
//!   highest is paid (Nghị định 152/2025, Điều 49), the others are granted
//!   without a bonus.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Diagnostic;
use crate::model::{Individual, Submission};
use crate::regulation::{HonourKind, Regulation, Subject};
use crate::text::fold;

use super::Verdict;

/// An initiative text shorter than this many words ("Có", "1 sáng kiến")
/// says that there is one, not which: it is not compared.
const INITIATIVE_MIN_WORDS: usize = 4;

/// Where a person's row is, for messages.
fn place(submission: &Submission, person: &Individual) -> String {
    format!(
        "{} › {} › dòng {}",
        submission.file, person.source.sheet, person.source.row
    )
}

/// Who a row is: folded name and birth.
fn identity(person: &Individual) -> (String, String) {
    (
        fold(&person.full_name),
        person.birth.map(|b| b.display_vi()).unwrap_or_default(),
    )
}

/// A warning at every later use of an initiative already named for
/// another person.
pub fn reused_initiatives(submissions: &[Submission]) -> Vec<Diagnostic> {
    let mut first_use: HashMap<String, (&Submission, &Individual)> = HashMap::new();
    let mut out = Vec::new();
    for submission in submissions {
        for person in &submission.individuals {
            let Some(initiative) = &person.initiative else {
                continue;
            };
            let key = fold(initiative);
            if key.split(' ').count() < INITIATIVE_MIN_WORDS {
                continue;
            }
            match first_use.get(&key) {
                Some((first_submission, first)) if identity(first) != identity(person) => {
                    out.push(
                        Diagnostic::warning(
                            "check.initiative-reused",
                            &submission.file,
                            format!(
                                "Sáng kiến '{initiative}' của {} đã được dùng cho {} ({}): \
                                 một sáng kiến chỉ dùng cho một đề nghị, trừ khi là đồng tác giả",
                                person.full_name,
                                first.full_name,
                                place(first_submission, first)
                            ),
                        )
                        .at(
                            &person.source.sheet,
                            Some(format!("A{}", person.source.row)),
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    first_use.insert(key, (submission, person));
                }
            }
        }
    }
    out
}

/// Marks all but the highest-paid eligible title of each person as granted
/// without a bonus, with a warning naming both.
pub fn one_paid_title_per_person(
    submissions: &[Submission],
    verdicts: &mut [Verdict],
    regulation: &Regulation,
) -> Vec<Diagnostic> {
    let coefficient = |code: &str| {
        regulation
            .honour(code)
            .filter(|h| h.kind == HonourKind::Title)
            .and_then(|h| h.individual.as_ref())
            .map(|c| c.coefficient)
    };
    let mut by_person: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, verdict) in verdicts.iter().enumerate() {
        if verdict.eligible
            && verdict.record.subject == Subject::Individual
            && coefficient(&verdict.proposal).is_some()
        {
            let person = &submissions[verdict.record.submission].individuals[verdict.record.index];
            by_person.entry(identity(person)).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for indexes in by_person.values().filter(|v| v.len() > 1) {
        let highest = *indexes
            .iter()
            .max_by(|a, b| {
                let rate = |i: &usize| coefficient(&verdicts[*i].proposal).unwrap_or(0.0);
                rate(a).total_cmp(&rate(b)).then(b.cmp(a))
            })
            .expect("two or more");
        for &i in indexes.iter().filter(|&&i| i != highest) {
            verdicts[i].bonus_paid = false;
            let (paid, unpaid) = (&verdicts[highest], &verdicts[i]);
            out.push(
                Diagnostic::warning(
                    "check.one-paid-title",
                    &unpaid.file,
                    format!(
                        "{} đủ điều kiện cả {} ({} › dòng {}) và {}: cùng một năm chỉ chi tiền \
                         thưởng cho danh hiệu cao nhất ({}), danh hiệu {} không kèm tiền thưởng",
                        unpaid.subject,
                        paid.proposal,
                        paid.file,
                        paid.row,
                        unpaid.proposal,
                        paid.proposal,
                        unpaid.proposal
                    ),
                )
                .at(&unpaid.sheet, Some(format!("A{}", unpaid.row))),
            );
        }
    }
    out
}

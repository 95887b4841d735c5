//! Stage 4, aggregate: verdicts become what the council and the documents
//! need: the grants of each decision, the lists of each submission to a
//! higher level, and per-unit tallies.
//!
//! Pure. Tallies are mergeable, so the totals are a fold over units.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use serde::{Deserialize, Serialize};

use crate::model::{Birth, Sex, Submission};
use crate::regulation::{Certificate, Decider, HonourKind, Regulation, Subject};
use crate::text::{given_name, slug};
use crate::validate::{QuotaResult, RecordRef, Status, Validation, Verdict};

/// One line of an attached list, and one certificate. Its JSON leaves out
/// `subject` and `record` (read back, they are an individual's and
/// [`RecordRef::UNKNOWN`]: whoever reads grants back sets them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub name: String,
    #[serde(skip, default = "individual")]
    pub subject: Subject,
    pub sex: Option<Sex>,
    pub birth: Option<Birth>,
    pub position: Option<String>,
    pub job_title: Option<String>,
    pub sub_unit: Option<String>,
    /// Shared by the grants of a submission, as are `unit_name`, `file`
    /// and `honour` by those of a list: a ministry's lists hold 90,000.
    pub unit_code: Arc<str>,
    pub unit_name: Arc<str>,
    pub achievement: Option<String>,
    /// In đồng, rounded up to 10,000; `None` when no base salary is known.
    pub bonus: Option<u64>,
    /// 1-based place in its decision: the register number (số sổ vàng).
    pub ordinal: u32,
    pub file: Arc<str>,
    pub row: u32,
    #[serde(skip, default = "unknown_record")]
    pub record: RecordRef,
    /// The honour's code: "BK-BỘ".
    pub honour: Arc<str>,
    /// Số sổ vàng, once the decision is signed: "2026-05-012".
    pub register_number: Option<String>,
    /// The hash a signed certificate carries for verification.
    pub verification: Option<String>,
}

/// What one decision (or one submission upward) grants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantList {
    /// Stable, ASCII: "bk-bo".
    pub id: String,
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub kind: HonourKind,
    #[serde(skip)]
    pub decided_by: Decider,
    pub decider: Option<String>,
    pub certificate: Option<Certificate>,
    pub collectives: Vec<Grant>,
    pub individuals: Vec<Grant>,
    pub total_bonus: u64,
    /// The number and date once signed (from the register).
    pub sign_off: Option<crate::issued::SignOff>,
    /// For a decision that amends a signed one: which, and who it revokes.
    pub correction: Option<Correction>,
    /// A combined decision's per-honour lists, one article each; empty for
    /// a decision of one honour.
    pub parts: Vec<GrantList>,
    /// Set while the grants wait elsewhere ([`GrantSource`]): `collectives`
    /// and `individuals` are then empty.
    #[serde(skip)]
    pub parked: Option<Parked>,
}

/// How many grants of a list wait elsewhere, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parked {
    pub collectives: usize,
    pub individuals: usize,
    /// The list's place among those its [`GrantSource`] keeps.
    pub index: usize,
}

/// Where render reads a list's grants from, a batch or a piece at a time:
/// the list itself ([`InTheLists`]), or the file they wait in during a
/// build (`pipeline::aside::ParkedGrants`), so that a campaign's lists are
/// never all in memory while documents are laid out.
pub trait GrantSource: Sync {
    /// The grants `range` of `list`, in print order: its collectives, then
    /// its individuals.
    fn read(&self, list: &GrantList, range: std::ops::Range<usize>) -> anyhow::Result<Vec<Grant>>;
}

/// The grants held in their lists.
pub struct InTheLists;

impl GrantSource for InTheLists {
    fn read(&self, list: &GrantList, range: std::ops::Range<usize>) -> anyhow::Result<Vec<Grant>> {
        anyhow::ensure!(
            list.parked.is_none(),
            "Danh sách {} không có trong bộ nhớ",
            list.id
        );
        anyhow::ensure!(
            range.end <= list.count(),
            "Danh sách {} không có người thứ {}",
            list.id,
            range.end
        );
        // Print order: the collectives, then the individuals.
        let split = list.collectives.len();
        let collectives = &list.collectives[range.start.min(split)..range.end.min(split)];
        let individuals =
            &list.individuals[range.start.saturating_sub(split)..range.end.saturating_sub(split)];
        Ok(collectives.iter().chain(individuals).cloned().collect())
    }
}

fn individual() -> Subject {
    Subject::Individual
}

fn unknown_record() -> RecordRef {
    RecordRef::UNKNOWN
}

/// What a correction decision amends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// The signed decision's number: "01/QĐ-HVCTQG".
    pub document_number: String,
    pub date: NaiveDate,
    /// Names whose grant the correction revokes.
    pub removed: Vec<String>,
}

impl GrantList {
    /// A list of `honour` with nobody on it yet.
    pub fn empty(honour: &crate::regulation::Honour) -> Self {
        GrantList {
            id: slug(&honour.code),
            code: honour.code.clone(),
            name: honour.name.clone(),
            kind: honour.kind,
            decided_by: honour.decided_by,
            decider: honour.decider.clone(),
            certificate: honour.certificate.clone(),
            collectives: Vec::new(),
            individuals: Vec::new(),
            total_bonus: 0,
            sign_off: None,
            correction: None,
            parts: Vec::new(),
            parked: None,
        }
    }

    /// One decision granting what `lists` grant, an article per honour (the
    /// campaign's `decisions = "combined"`). Its grants are numbered through
    /// the whole decision, as the register numbers them.
    pub fn combine(lists: Vec<GrantList>, year: i32) -> GrantList {
        let mut combined = GrantList {
            id: "tong-hop".to_string(),
            code: lists
                .iter()
                .map(|l| l.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            name: format!("Khen thưởng năm {year}"),
            kind: HonourKind::Award,
            decided_by: Decider::Agency,
            decider: None,
            certificate: None,
            collectives: Vec::new(),
            individuals: Vec::new(),
            total_bonus: lists.iter().map(|l| l.total_bonus).sum(),
            sign_off: None,
            correction: None,
            parts: Vec::new(),
            parked: None,
        };
        let mut ordinal = 0;
        for part in &lists {
            for grant in part.collectives.iter().chain(&part.individuals) {
                ordinal += 1;
                let grant = Grant {
                    ordinal,
                    ..grant.clone()
                };
                match grant.subject {
                    Subject::Collective => combined.collectives.push(grant),
                    Subject::Individual => combined.individuals.push(grant),
                }
            }
        }
        combined.parts = lists;
        combined
    }

    /// After the register: each part takes its grants back from the
    /// combined list (with their register numbers), and its sign-off.
    pub fn split_parts(&mut self) {
        let (collectives, individuals) = (&self.collectives, &self.individuals);
        for part in &mut self.parts {
            let mine = |grants: &[Grant]| -> Vec<Grant> {
                grants
                    .iter()
                    .filter(|g| *g.honour == *part.code)
                    .cloned()
                    .collect()
            };
            part.collectives = mine(collectives);
            part.individuals = mine(individuals);
            part.number_grants();
            part.refresh_total();
            part.sign_off = self.sign_off.clone();
        }
    }

    /// Numbers the grants 1, 2, … in list order, collectives first: the
    /// STT of the attached list.
    pub fn number_grants(&mut self) {
        for (n, grant) in self
            .collectives
            .iter_mut()
            .chain(self.individuals.iter_mut())
            .enumerate()
        {
            grant.ordinal = n as u32 + 1;
        }
    }

    /// The total of the grants' bonuses.
    pub fn refresh_total(&mut self) {
        self.total_bonus = self.grants().filter_map(|g| g.bonus).sum();
    }

    /// The lists of one honour each (certificates, the report's table): a
    /// combined decision's parts, else the decisions themselves.
    pub fn per_honour(decisions: &[GrantList]) -> Vec<&GrantList> {
        decisions
            .iter()
            .flat_map(|d| {
                if d.parts.is_empty() {
                    vec![d]
                } else {
                    d.parts.iter().collect()
                }
            })
            .collect()
    }

    pub fn count(&self) -> usize {
        self.collective_count() + self.individual_count()
    }

    /// Its collectives, also while they wait elsewhere.
    pub fn collective_count(&self) -> usize {
        self.parked
            .map_or(self.collectives.len(), |p| p.collectives)
    }

    /// Its individuals, also while they wait elsewhere.
    pub fn individual_count(&self) -> usize {
        self.parked
            .map_or(self.individuals.len(), |p| p.individuals)
    }

    /// The grants the list holds: none while they are parked (read them
    /// through a [`GrantSource`] then).
    pub fn grants(&self) -> impl Iterator<Item = &Grant> {
        self.collectives.iter().chain(&self.individuals)
    }
}

/// Proposals of one unit for one honour, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub proposed: u32,
    pub eligible: u32,
    pub held: u32,
    pub not_eligible: u32,
    pub cannot_verify: u32,
}

impl Tally {
    fn add(&mut self, status: Status) {
        self.proposed += 1;
        match status {
            Status::Eligible => self.eligible += 1,
            Status::Held => self.held += 1,
            Status::NotEligible => self.not_eligible += 1,
            Status::CannotVerify => self.cannot_verify += 1,
        }
    }

    /// Combines two tallies; order does not matter.
    pub fn merge(self, other: Tally) -> Tally {
        Tally {
            proposed: self.proposed + other.proposed,
            eligible: self.eligible + other.eligible,
            held: self.held + other.held,
            not_eligible: self.not_eligible + other.not_eligible,
            cannot_verify: self.cannot_verify + other.cannot_verify,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSummary {
    pub code: String,
    pub name: String,
    pub file: String,
    /// By honour code, in regulation order.
    pub tallies: Vec<(String, Tally)>,
    pub total: Tally,
    pub bonus: u64,
}

/// Everything the documents are made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    pub year: i32,
    pub decision_date: NaiveDate,
    /// One per honour the agency grants itself and someone is eligible for.
    pub decisions: Vec<GrantList>,
    /// One per honour a higher level grants.
    pub submissions: Vec<GrantList>,
    pub units: Vec<UnitSummary>,
    /// Totals by honour code, regulation order.
    pub totals: Vec<(String, Tally)>,
    pub quotas: Vec<QuotaResult>,
    pub total_bonus: u64,
}

pub fn aggregate(
    submissions: &[Submission],
    validation: &Validation,
    regulation: &Regulation,
    year: i32,
    decision_date: NaiveDate,
    unit_order: &[String],
) -> Aggregate {
    let mut collector = Collector::new(regulation, decision_date, validation);
    for (submission, verdicts) in submissions
        .iter()
        .zip(validation.by_submission(submissions.len()))
    {
        collector.add(submission, &verdicts);
    }
    collector.finish(submissions, validation, year, unit_order)
}

/// [`aggregate`] a submission at a time, for a campaign whose records are
/// read back one submission at a time: only the grants are held.
pub struct Collector<'a> {
    regulation: &'a Regulation,
    decision_date: NaiveDate,
    /// One per honour, in the regulation's order.
    lists: Vec<GrantList>,
    /// Each list's honour code, shared by its grants.
    codes: Vec<Arc<str>>,
    /// Which lists an honour code fills.
    lists_of: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Collector<'a> {
    /// A collector for `validation`'s eligible verdicts, each list made
    /// room for exactly the grants it will hold (a list grown as it fills
    /// keeps up to half again as much room, ~5 MiB at a ministry's size).
    pub fn new(
        regulation: &'a Regulation,
        decision_date: NaiveDate,
        validation: &Validation,
    ) -> Self {
        let mut lists_of: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, honour) in regulation.honours.iter().enumerate() {
            lists_of
                .entry(honour.code.as_str())
                .or_default()
                .push(index);
        }
        // (collectives, individuals) each list will hold.
        let mut counts = vec![(0, 0); regulation.honours.len()];
        for verdict in validation.verdicts.iter().filter(|v| v.eligible) {
            for &index in lists_of
                .get(verdict.proposal.as_str())
                .into_iter()
                .flatten()
            {
                match verdict.record.subject {
                    Subject::Collective => counts[index].0 += 1,
                    Subject::Individual => counts[index].1 += 1,
                }
            }
        }
        let lists = regulation
            .honours
            .iter()
            .zip(counts)
            .map(|(honour, (collectives, individuals))| {
                let mut list = GrantList::empty(honour);
                list.collectives.reserve_exact(collectives);
                list.individuals.reserve_exact(individuals);
                list
            })
            .collect();
        Collector {
            regulation,
            decision_date,
            lists,
            codes: regulation
                .honours
                .iter()
                .map(|h| h.code.as_str().into())
                .collect(),
            lists_of,
        }
    }

    /// Adds the grants of `submission`'s eligible `verdicts` (its own, in
    /// their order).
    pub fn add(&mut self, submission: &Submission, verdicts: &[&Verdict]) {
        let shared = Shared::of(submission);
        for verdict in verdicts.iter().filter(|v| v.eligible) {
            let Some(lists) = self.lists_of.get(verdict.proposal.as_str()) else {
                continue;
            };
            for &index in lists {
                let honour = &self.regulation.honours[index];
                let coefficient = honour
                    .criteria(verdict.record.subject)
                    .map_or(0.0, |c| c.coefficient);
                let bonus = if verdict.bonus_paid {
                    self.regulation.bonus(coefficient, self.decision_date)
                } else {
                    Some(0)
                };
                let code = &self.codes[index];
                let grant = make_grant(submission, &shared, verdict.record, bonus, code);
                let list = &mut self.lists[index];
                match verdict.record.subject {
                    Subject::Individual => list.individuals.push(grant),
                    Subject::Collective => list.collectives.push(grant),
                }
            }
        }
    }

    /// The lists in order, numbered, with the tallies of every submission
    /// (`submissions`: their records are not needed).
    pub fn finish(
        self,
        submissions: &[Submission],
        validation: &Validation,
        year: i32,
        unit_order: &[String],
    ) -> Aggregate {
        let regulation = self.regulation;
        let collator = vietnamese_collator();
        let ranks: HashMap<&str, usize> = unit_order
            .iter()
            .enumerate()
            .map(|(rank, code)| (code.as_str(), rank))
            .collect();
        let unit_rank = |code: &str| ranks.get(code).copied().unwrap_or(usize::MAX);
        let order = |a: &Grant, b: &Grant| -> Ordering {
            unit_rank(&a.unit_code)
                .cmp(&unit_rank(&b.unit_code))
                .then_with(|| collator.compare(&a.unit_name, &b.unit_name))
                .then_with(|| collator.compare(given_name(&a.name), given_name(&b.name)))
                .then_with(|| collator.compare(&a.name, &b.name))
                .then_with(|| a.file.cmp(&b.file).then(a.row.cmp(&b.row)))
        };
        let mut decisions = Vec::new();
        let mut upward = Vec::new();
        for (honour, mut list) in regulation.honours.iter().zip(self.lists) {
            if list.count() == 0 {
                continue;
            }
            list.collectives.sort_by(order);
            list.individuals.sort_by(order);
            list.number_grants();
            list.refresh_total();
            match honour.decided_by {
                Decider::Agency => decisions.push(list),
                Decider::Higher => upward.push(list),
            }
        }
        let units = unit_summaries(submissions, validation, regulation);
        let totals = regulation
            .honours
            .iter()
            .map(|h| {
                let total = units
                    .iter()
                    .filter_map(|u| {
                        u.tallies
                            .iter()
                            .find(|(c, _)| *c == h.code)
                            .map(|(_, t)| *t)
                    })
                    .fold(Tally::default(), Tally::merge);
                (h.code.clone(), total)
            })
            .filter(|(_, t)| t.proposed > 0)
            .collect();
        let mut aggregate = Aggregate {
            year,
            decision_date: self.decision_date,
            decisions,
            submissions: upward,
            units,
            totals,
            quotas: validation.quotas.clone(),
            total_bonus: 0,
        };
        aggregate.settle_bonuses();
        aggregate
    }
}

impl Aggregate {
    /// Every bonus total from the grants, in one place: each list's (and a
    /// combined decision's parts'), each unit's and the whole campaign's, so
    /// that the units' bonuses always add up to the total. Run again after
    /// the register has answered: a signed list is what was signed, not what
    /// the workbooks say now, and a unit whose workbook is gone keeps a row
    /// (with no proposals) while a signed decision still pays it.
    pub fn settle_bonuses(&mut self) {
        for decision in &mut self.decisions {
            for part in &mut decision.parts {
                part.refresh_total();
            }
            decision.refresh_total();
        }
        for unit in &mut self.units {
            unit.bonus = 0;
        }
        let submissions = self.units.len();
        for grant in self.decisions.iter().flat_map(GrantList::grants) {
            let bonus = grant.bonus.unwrap_or(0);
            // A grant from this campaign's workbooks knows its submission
            // (units are one per submission, in order); a signed one from the
            // register knows only its unit's code.
            let unit = if grant.record.submission < submissions {
                Some(grant.record.submission)
            } else {
                self.units.iter().position(|u| *u.code == *grant.unit_code)
            };
            match unit {
                Some(u) => self.units[u].bonus += bonus,
                None => self.units.push(UnitSummary {
                    code: grant.unit_code.to_string(),
                    name: grant.unit_name.to_string(),
                    file: String::new(),
                    tallies: Vec::new(),
                    total: Tally::default(),
                    bonus,
                }),
            }
        }
        self.total_bonus = self.decisions.iter().map(|d| d.total_bonus).sum();
    }
}

/// What the grants of one submission share: one copy each, not one per
/// grant.
struct Shared {
    unit_code: Arc<str>,
    unit_name: Arc<str>,
    file: Arc<str>,
}

impl Shared {
    fn of(submission: &Submission) -> Self {
        Shared {
            unit_code: submission.unit_code().into(),
            unit_name: submission.unit_name().into(),
            file: submission.file.as_str().into(),
        }
    }
}

fn make_grant(
    submission: &Submission,
    shared: &Shared,
    record: RecordRef,
    bonus: Option<u64>,
    honour: &Arc<str>,
) -> Grant {
    let unit_code = Arc::clone(&shared.unit_code);
    let unit_name = Arc::clone(&shared.unit_name);
    match record.subject {
        Subject::Individual => {
            let p = &submission.individuals[record.index];
            Grant {
                name: p.full_name.clone(),
                subject: record.subject,
                sex: p.sex,
                birth: p.birth,
                position: p.position.clone(),
                job_title: p.job_title.clone(),
                sub_unit: p.sub_unit.clone(),
                unit_code,
                unit_name,
                achievement: p.achievement.clone(),
                bonus,
                ordinal: 0,
                file: Arc::clone(&shared.file),
                row: p.source.row,
                record,
                honour: Arc::clone(honour),
                register_number: None,
                verification: None,
            }
        }
        Subject::Collective => {
            let c = &submission.collectives[record.index];
            Grant {
                name: c.name.clone(),
                subject: record.subject,
                sex: None,
                birth: None,
                position: None,
                job_title: None,
                sub_unit: None,
                unit_code,
                unit_name,
                achievement: c.achievement.clone(),
                bonus,
                ordinal: 0,
                file: Arc::clone(&shared.file),
                row: c.source.row,
                record,
                honour: Arc::clone(honour),
                register_number: None,
                verification: None,
            }
        }
    }
}

fn unit_summaries(
    submissions: &[Submission],
    validation: &Validation,
    regulation: &Regulation,
) -> Vec<UnitSummary> {
    let mut per_unit: BTreeMap<usize, BTreeMap<&str, Tally>> = BTreeMap::new();
    for verdict in &validation.verdicts {
        per_unit
            .entry(verdict.record.submission)
            .or_default()
            .entry(verdict.proposal.as_str())
            .or_default()
            .add(verdict.status);
    }
    submissions
        .iter()
        .enumerate()
        .map(|(s, submission)| {
            let counts = per_unit.remove(&s).unwrap_or_default();
            let tallies: Vec<(String, Tally)> = regulation
                .honours
                .iter()
                .filter_map(|h| counts.get(h.code.as_str()).map(|t| (h.code.clone(), *t)))
                .collect();
            let total = tallies
                .iter()
                .map(|(_, t)| *t)
                .fold(Tally::default(), Tally::merge);
            UnitSummary {
                code: submission.unit_code(),
                name: submission.unit_name(),
                file: submission.file.clone(),
                tallies,
                total,
                bonus: 0,
            }
        })
        .collect()
}

/// Vietnamese collation from ICU's CLDR data: a ă â b c d đ e ê …, tones
/// as secondary differences.
pub fn vietnamese_collator() -> CollatorBorrowed<'static> {
    let locale = icu_locale_core::locale!("vi");
    // The baked data always holds the root collation, so this cannot fail;
    // fall back to root rather than panic if a build ever lacks "vi".
    Collator::try_new(locale.into(), CollatorOptions::default())
        .or_else(|_| Collator::try_new(Default::default(), CollatorOptions::default()))
        .expect("ICU root collation data is compiled in")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_order_of_given_names() {
        let collator = vietnamese_collator();
        let mut names = vec![
            "Đức", "Dũng", "Ánh", "Anh", "Ân", "Ăn", "Bình", "Ơn", "Ôn", "On", "Ưng", "Uyên",
        ];
        names.sort_by(|a, b| collator.compare(a, b));
        assert_eq!(
            names,
            [
                "Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "On", "Ôn", "Ơn", "Uyên", "Ưng"
            ]
        );
    }

    #[test]
    fn tallies_merge_in_any_order() {
        let a = Tally {
            proposed: 3,
            eligible: 2,
            held: 0,
            not_eligible: 1,
            cannot_verify: 0,
        };
        let b = Tally {
            proposed: 2,
            eligible: 0,
            held: 1,
            not_eligible: 0,
            cannot_verify: 1,
        };
        let c = Tally {
            proposed: 1,
            eligible: 1,
            ..Tally::default()
        };
        assert_eq!(a.merge(b).merge(c), c.merge(a).merge(b));
        assert_eq!(a.merge(b).proposed, 5);
    }
}

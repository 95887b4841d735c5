//! Stage 3, validate: every proposal against the regulation.
//!
//! Pure: takes the mapped submissions and the regulation, returns verdicts
//! and quota results. Each row's title is judged before its award, so that
//! an award whose chain ends this year ("CSTĐCS two years running, counting
//! the one this campaign grants") sees this year's title.

mod cross;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::{Collective, ExtraValue, Individual, Rating, Submission};
use crate::regulation::{Facts, History, Outcome, QuotaBase, Regulation, RuleResult, Subject};
use crate::text::fold;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Eligible,
    NotEligible,
    Held,
    CannotVerify,
}

impl Status {
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Eligible => "Đủ điều kiện",
            Status::NotEligible => "Không đủ điều kiện",
            Status::Held => "Tạm hoãn xét",
            Status::CannotVerify => "Chưa xác minh được",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedRule {
    pub rule: String,
    pub message: String,
    /// A needed fact was missing, rather than the rule failing.
    #[serde(skip)]
    pub unverifiable: bool,
}

/// Where a verdict's record lives in the mapped submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef {
    pub submission: usize,
    pub subject: Subject,
    pub index: usize,
}

impl RecordRef {
    /// A record no submission holds: that of a grant read back from its
    /// JSON, which does not say.
    pub const UNKNOWN: RecordRef = RecordRef {
        submission: usize::MAX,
        subject: Subject::Individual,
        index: usize::MAX,
    };
}

/// The judgement of one proposal (contracts.md, `tdkt check --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub subject: String,
    pub unit: String,
    pub proposal: String,
    pub status: Status,
    pub eligible: bool,
    pub failed: Vec<FailedRule>,
    #[serde(skip)]
    pub record: RecordRef,
    /// False for a title granted without its bonus, because the same person
    /// is paid for a higher title of the same year.
    #[serde(skip)]
    pub bonus_paid: bool,
}

/// A quota and how a unit's proposals stand against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuotaResult {
    pub unit: String,
    pub proposal: String,
    pub allowed: u32,
    pub proposed: u32,
    pub ok: bool,
    /// The arithmetic, for people: "20% × 12 người HTTNV trở lên = 2,4;
    /// lấy phần nguyên: 2" (in words every font can print).
    pub basis: String,
}

#[derive(Debug, Clone, Default)]
pub struct Validation {
    pub verdicts: Vec<Verdict>,
    pub quotas: Vec<QuotaResult>,
    /// Findings across proposals (a reused initiative, two paid titles).
    pub diagnostics: Vec<Diagnostic>,
}

impl Validation {
    /// Each of `submissions` submissions' verdicts, in the verdicts' order.
    pub fn by_submission(&self, submissions: usize) -> Vec<Vec<&Verdict>> {
        let mut of = vec![Vec::new(); submissions];
        for verdict in &self.verdicts {
            if let Some(verdicts) = of.get_mut(verdict.record.submission) {
                verdicts.push(verdict);
            }
        }
        of
    }
}

pub fn validate(submissions: &[Submission], regulation: &Regulation, year: i32) -> Validation {
    let mut validation = Validation::default();
    for (s, submission) in submissions.iter().enumerate() {
        for (i, person) in submission.individuals.iter().enumerate() {
            let record = RecordRef {
                submission: s,
                subject: Subject::Individual,
                index: i,
            };
            judge_row(
                &mut validation.verdicts,
                submission,
                record,
                Judged::Individual(person),
                regulation,
                year,
            );
        }
        for (i, collective) in submission.collectives.iter().enumerate() {
            let record = RecordRef {
                submission: s,
                subject: Subject::Collective,
                index: i,
            };
            judge_row(
                &mut validation.verdicts,
                submission,
                record,
                Judged::Collective(collective),
                regulation,
                year,
            );
        }
        validation.quotas.extend(quotas(submission, regulation));
    }
    validation.diagnostics = cross::reused_initiatives(submissions);
    validation
        .diagnostics
        .extend(cross::one_paid_title_per_person(
            submissions,
            &mut validation.verdicts,
            regulation,
        ));
    validation
}

#[derive(Clone, Copy)]
enum Judged<'a> {
    Individual(&'a Individual),
    Collective(&'a Collective),
}

impl<'a> Judged<'a> {
    fn name(self) -> &'a str {
        match self {
            Judged::Individual(p) => &p.full_name,
            Judged::Collective(c) => &c.name,
        }
    }

    fn source(self) -> &'a crate::model::Source {
        match self {
            Judged::Individual(p) => &p.source,
            Judged::Collective(c) => &c.source,
        }
    }

    fn proposals(self) -> [Option<&'a String>; 2] {
        match self {
            Judged::Individual(p) => [p.proposed_title.as_ref(), p.proposed_award.as_ref()],
            Judged::Collective(c) => [c.proposed_title.as_ref(), c.proposed_award.as_ref()],
        }
    }

    fn remarks(self) -> String {
        match self {
            Judged::Individual(p) => format!(
                "{} {}",
                p.remark.as_deref().unwrap_or(""),
                p.discipline.as_deref().unwrap_or("")
            ),
            Judged::Collective(c) => c.remark.clone().unwrap_or_default(),
        }
    }

    fn subject(self) -> Subject {
        match self {
            Judged::Individual(_) => Subject::Individual,
            Judged::Collective(_) => Subject::Collective,
        }
    }

    fn facts<'f>(
        self,
        regulation: &'f Regulation,
        year: i32,
        granted: &'f BTreeSet<String>,
    ) -> Facts<'f>
    where
        'a: 'f,
    {
        match self {
            Judged::Individual(p) => {
                let history = History {
                    year,
                    rating: p.rating,
                    rating_history: &p.rating_history,
                    title_history: &p.title_history,
                    prior_awards: &p.prior_awards,
                };
                let mut facts = Facts::new(history, regulation, granted);
                facts.set_float("months_worked", Some(p.months_worked.unwrap_or(12.0)));
                facts.set_float(
                    "min_months_worked",
                    Some(regulation.settings.min_months_worked),
                );
                facts.set_bool("disciplined", p.discipline.is_some());
                facts.set_bool("has_initiative", p.initiative.is_some());
                facts.set_bool("is_female", p.sex == Some(crate::model::Sex::Female));
                facts.set_float("teaching_hours", p.teaching_hours);
                facts.set_float("research_points", p.research_points);
                facts.set_text("job_title", Some(p.job_title.as_deref().unwrap_or("")));
                let norm = p.job_title.as_deref().and_then(|t| regulation.norm_for(t));
                let teaching_norm = norm.and_then(|n| n.teaching_hours);
                let research_norm = norm.and_then(|n| n.research_points);
                facts.set_bool("has_teaching_norm", teaching_norm.is_some());
                facts.set_float("teaching_norm", teaching_norm);
                facts.set_bool("has_research_norm", research_norm.is_some());
                facts.set_float("research_norm", research_norm);
                set_extra(&mut facts, &p.extra);
                facts
            }
            Judged::Collective(c) => {
                let history = History {
                    year,
                    rating: c.rating,
                    rating_history: &c.rating_history,
                    title_history: &c.title_history,
                    prior_awards: &[],
                };
                let mut facts = Facts::new(history, regulation, granted);
                let int = |v: Option<u32>| v.map(i64::from);
                facts.set_int("members", int(c.members));
                facts.set_int("members_htnv_or_better", int(c.members_htnv_or_better));
                facts.set_int("members_ldtt", int(c.members_ldtt));
                facts.set_int("members_cstdcs", int(c.members_cstdcs));
                facts.set_int(
                    "members_disciplined",
                    Some(int(c.members_disciplined).unwrap_or(0)),
                );
                set_extra(&mut facts, &c.extra);
                facts
            }
        }
    }
}

fn set_extra(facts: &mut Facts<'_>, extra: &BTreeMap<String, ExtraValue>) {
    for (id, value) in extra {
        match value {
            ExtraValue::Number(n) => facts.set_float(id, Some(*n)),
            ExtraValue::Text(t) => facts.set_text(id, Some(t)),
        }
    }
}

fn judge_row(
    verdicts: &mut Vec<Verdict>,
    submission: &Submission,
    record: RecordRef,
    judged: Judged<'_>,
    regulation: &Regulation,
    year: i32,
) {
    let hold = hold_phrase(&judged.remarks(), &regulation.settings.hold_phrases);
    // Codes this row is found eligible for this year, for the award's chains.
    let mut granted_this_row: BTreeSet<String> = BTreeSet::new();
    for code in judged.proposals().into_iter().flatten() {
        let (mut status, failed, granted) =
            judge(judged, code, regulation, year, &granted_this_row);
        let mut failed = failed;
        if let Some(phrase) = &hold {
            status = Status::Held;
            failed.insert(
                0,
                FailedRule {
                    rule: format!("{code}.tam-hoan"),
                    message: format!(
                        "Ghi chú '{phrase}': chưa xét khen thưởng cho đến khi có kết luận"
                    ),
                    unverifiable: false,
                },
            );
        }
        if status == Status::Eligible {
            granted_this_row.extend(granted);
        }
        let source = judged.source();
        verdicts.push(Verdict {
            file: submission.file.clone(),
            sheet: source.sheet.clone(),
            row: source.row,
            subject: judged.name().to_string(),
            unit: submission.unit_code(),
            proposal: code.clone(),
            status,
            eligible: status == Status::Eligible,
            failed,
            record,
            bonus_paid: true,
        });
    }
}

/// Judges one proposal: the rules of the honours it includes first (LĐTT
/// before CSTĐCS), each passing level counting as held this year.
fn judge(
    judged: Judged<'_>,
    code: &str,
    regulation: &Regulation,
    year: i32,
    granted_before: &BTreeSet<String>,
) -> (Status, Vec<FailedRule>, BTreeSet<String>) {
    let subject = judged.subject();
    let mut granted = granted_before.clone();
    let mut failed = Vec::new();
    let mut cannot_verify = false;
    let mut held_reason = None;
    // Lowest level first.
    for level in regulation.implied_codes(code).iter().rev() {
        let Some(honour) = regulation.honour(level) else {
            continue;
        };
        let Some(criteria) = honour.criteria(subject) else {
            let who = if subject == Subject::Individual {
                "cá nhân"
            } else {
                "tập thể"
            };
            failed.push(FailedRule {
                rule: format!("{level}.doi-tuong"),
                message: format!("{} không xét cho {who}", honour.name),
                unverifiable: false,
            });
            return (Status::NotEligible, failed, granted);
        };
        if level == code
            && let Some(reason) = &criteria.hold_reason
        {
            held_reason = Some(reason.clone());
        }
        let facts = judged.facts(regulation, year, &granted);
        let results: Vec<RuleResult> = facts.evaluate(&criteria.rules);
        let mut level_passes = true;
        for result in results {
            match result.outcome {
                Outcome::Pass => {}
                Outcome::Fail(message) => {
                    level_passes = false;
                    failed.push(FailedRule {
                        rule: result.rule,
                        message,
                        unverifiable: false,
                    });
                }
                Outcome::CannotVerify(message) => {
                    level_passes = false;
                    cannot_verify = true;
                    failed.push(FailedRule {
                        rule: result.rule,
                        message,
                        unverifiable: true,
                    });
                }
            }
        }
        if level_passes {
            granted.insert(level.clone());
        }
    }
    let only_unverifiable = cannot_verify && failed.iter().all(|f| f.unverifiable);
    // A rule that fails outright decides, even where the council would
    // otherwise have the last word.
    let status = if !failed.is_empty() && !only_unverifiable {
        Status::NotEligible
    } else if let Some(reason) = held_reason {
        failed.push(FailedRule {
            rule: format!("{code}.hoi-dong"),
            message: reason,
            unverifiable: false,
        });
        Status::Held
    } else if failed.is_empty() {
        Status::Eligible
    } else {
        Status::CannotVerify
    };
    (status, failed, granted)
}

/// The hold phrase found in a remark, if any.
/// The regulation's hold phrase a remark states, matched by its key words
/// in order: case, diacritics and punctuation do not matter, and up to
/// [`HOLD_GAP`] words that only qualify the phrase ([`HOLD_FILLERS`]) may
/// stand between two key words: "đang trong thời gian bị xem xét, xử lý kỷ
/// luật" states "đang xem xét kỷ luật"; "đang công tác tại Thanh tra Bộ"
/// does not state "đang thanh tra".
fn hold_phrase(remarks: &str, phrases: &[String]) -> Option<String> {
    let folded = fold(remarks);
    let words: Vec<&str> = folded.split(' ').collect();
    phrases
        .iter()
        .find(|phrase| {
            let folded_phrase = fold(phrase);
            let keys: Vec<&str> = folded_phrase.split(' ').collect();
            (0..words.len()).any(|start| words_follow(&words[start..], &keys))
        })
        .cloned()
}

/// Words allowed between two key words of a hold phrase, at most this many.
const HOLD_GAP: usize = 6;

/// Words (folded) that qualify a hold phrase without changing what it says:
/// "trong thời gian", "quá trình", "bị", "được", "đề nghị", "cơ quan công
/// an", "cấp trên", "xử lý", "chờ kết luận", other kinds of inspection.
const HOLD_FILLERS: &[&str] = &[
    "trong", "thoi", "gian", "qua", "trinh", "bi", "duoc", "de", "nghi", "xem", "xet", "xu", "ly",
    "co", "quan", "cong", "an", "cap", "tren", "thanh", "tra", "kiem", "giam", "sat", "va", "hoac",
    "cho", "ket", "luan", "chua", "ve", "viec", "vu", "to", "tung", "dieu", "khieu", "nai", "to",
    "cao", "giai", "quyet", "theo", "doi",
];

/// Whether `keys` occur in `words` in order, the first at `words[0]`, each
/// next one after at most [`HOLD_GAP`] filler words.
fn words_follow(words: &[&str], keys: &[&str]) -> bool {
    let Some((first, rest)) = keys.split_first() else {
        return true;
    };
    if words.first() != Some(first) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    (1..=HOLD_GAP + 1)
        .take_while(|skip| *skip < words.len())
        .take_while(|skip| *skip == 1 || HOLD_FILLERS.contains(&words[skip - 1]))
        .any(|skip| words_follow(&words[skip..], rest))
}

fn quotas(submission: &Submission, regulation: &Regulation) -> Vec<QuotaResult> {
    let unit = submission.unit_code();
    let everyone: Vec<&Individual> = submission.individuals.iter().collect();
    let outstanding = submission.outstanding;
    let mut out: Vec<QuotaResult> = rating_quota(&unit, None, &everyone, outstanding, regulation)
        .into_iter()
        .collect();
    // The same cap within each group of similar duties the regulation names.
    for group in &regulation.rating_groups {
        let members: Vec<&Individual> = everyone
            .iter()
            .copied()
            .filter(|p| p.job_title.as_deref().is_some_and(|t| group.has(t)))
            .collect();
        out.extend(rating_quota(
            &unit,
            Some(&group.name),
            &members,
            outstanding,
            regulation,
        ));
    }
    for honour in &regulation.honours {
        for (subject, criteria) in [
            (Subject::Individual, &honour.individual),
            (Subject::Collective, &honour.collective),
        ] {
            let Some(quota) = criteria.as_ref().and_then(|c| c.quota.as_ref()) else {
                continue;
            };
            let proposals = count_proposals(submission, subject, &honour.code);
            let (base, base_label) = match &quota.of {
                QuotaBase::Headcount => (submission.headcount.unwrap_or(0), "cán bộ".to_string()),
                QuotaBase::Proposals => (
                    match subject {
                        Subject::Individual => submission.individuals.len() as u32,
                        Subject::Collective => submission.collectives.len() as u32,
                    },
                    "đề nghị".to_string(),
                ),
                QuotaBase::Honour(code) => (
                    count_proposals_including(submission, subject, code, regulation),
                    format!("đề nghị {code} trở lên"),
                ),
            };
            let allowed = (quota.share * f64::from(base) + 1e-9).floor() as u32;
            out.push(QuotaResult {
                unit: unit.clone(),
                proposal: honour.code.clone(),
                allowed,
                proposed: proposals,
                ok: proposals <= allowed,
                basis: quota_arithmetic(quota.share, base, &base_label, allowed).to_string(),
            });
        }
    }
    out
}

/// HTXSNV ≤ the share of those rated HTTNV or better, among `people` (a
/// unit, or one group of similar duties in it).
fn rating_quota(
    unit: &str,
    group: Option<&str>,
    people: &[&Individual],
    outstanding: bool,
    regulation: &Regulation,
) -> Option<QuotaResult> {
    let rated_good = people
        .iter()
        .filter(|p| p.rating >= Some(Rating::Httnv))
        .count() as u32;
    let excellent = people
        .iter()
        .filter(|p| p.rating == Some(Rating::Htxsnv))
        .count() as u32;
    if rated_good == 0 {
        return None;
    }
    let settings = &regulation.settings;
    let share = match settings.rating_quota_share_outstanding {
        Some(larger) if outstanding => larger,
        _ => settings.rating_quota_share,
    };
    let allowed = (share * f64::from(rated_good) + 1e-9).floor() as u32;
    let who = match group {
        Some(name) => format!("{name} HTTNV trở lên"),
        None => "người HTTNV trở lên".to_string(),
    };
    Some(QuotaResult {
        unit: unit.to_string(),
        proposal: match group {
            Some(name) => format!("{} ({name})", Rating::Htxsnv.code()),
            None => Rating::Htxsnv.code().to_string(),
        },
        allowed,
        proposed: excellent,
        ok: excellent <= allowed,
        basis: quota_arithmetic(share, rated_good, &who, allowed),
    })
}

/// "20% × 12 người HTTNV trở lên = 2,4; lấy phần nguyên: 2".
fn quota_arithmetic(share: f64, base: u32, what: &str, allowed: u32) -> String {
    let exact = share * f64::from(base);
    let percent = crate::format::number_vi(share * 100.0);
    if exact.fract().abs() < 1e-9 {
        format!("{percent}% × {base} {what} = {allowed}")
    } else {
        format!(
            "{percent}% × {base} {what} = {}; lấy phần nguyên: {allowed}",
            crate::format::number_vi((exact * 100.0).round() / 100.0)
        )
    }
}

/// Proposals of `code` or of an honour that includes it.
fn count_proposals_including(
    submission: &Submission,
    subject: Subject,
    code: &str,
    regulation: &Regulation,
) -> u32 {
    let includes = |proposal: &Option<String>| {
        proposal
            .as_deref()
            .is_some_and(|p| regulation.implied_codes(p).iter().any(|c| c == code))
    };
    match subject {
        Subject::Individual => submission
            .individuals
            .iter()
            .filter(|p| includes(&p.proposed_title) || includes(&p.proposed_award))
            .count() as u32,
        Subject::Collective => submission
            .collectives
            .iter()
            .filter(|c| includes(&c.proposed_title) || includes(&c.proposed_award))
            .count() as u32,
    }
}

fn count_proposals(submission: &Submission, subject: Subject, code: &str) -> u32 {
    let is = |t: &Option<String>, a: &Option<String>| {
        t.as_deref() == Some(code) || a.as_deref() == Some(code)
    };
    match subject {
        Subject::Individual => submission
            .individuals
            .iter()
            .filter(|p| is(&p.proposed_title, &p.proposed_award))
            .count() as u32,
        Subject::Collective => submission
            .collectives
            .iter()
            .filter(|c| is(&c.proposed_title, &c.proposed_award))
            .count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::hold_phrase;

    #[test]
    fn hold_remarks_are_matched_by_their_key_words_in_order() {
        let phrases: Vec<String> = ["đang xem xét kỷ luật", "đang thanh tra", "đang điều tra"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        let held = |remark: &str| hold_phrase(remark, &phrases);
        for remark in [
            "Đang trong thời gian bị xem xét, xử lý kỷ luật",
            "dang bi xem xet ky luat",
            "ĐANG BỊ CƠ QUAN CÔNG AN ĐIỀU TRA",
            "Đơn vị đang được thanh tra",
            "Đang chờ kết luận thanh tra",
        ] {
            assert!(held(remark).is_some(), "{remark}");
        }
        for remark in [
            "Đã bị kỷ luật khiển trách năm 2023, nay đã hết thời hạn",
            "Đang công tác tại Thanh tra Bộ",
            "Không",
        ] {
            assert_eq!(held(remark), None, "{remark}");
        }
    }
}

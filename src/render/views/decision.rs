//! Decisions (one honour or combined, and corrections) and submissions
//! upward: their views and legal wording.

use chrono::NaiveDate;
use serde::Serialize;

use super::*;
use crate::aggregate::{Aggregate, GrantList};
use crate::format::date_words;
use crate::regulation::{HonourKind, Regulation};
use crate::settings::DocumentSettings;
use crate::text::upper;

/// A decision (Quyết định) with its attached list.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub header: HeaderView,
    pub year: i32,
    pub honour_code: String,
    pub honour_name: String,
    /// "title" or "award".
    pub honour_kind: &'static str,
    pub authority: String,
    /// The authority as tdkt.toml writes it (not in capitals), for captions.
    pub authority_text: String,
    /// Each ends with ";" but the last, which ends with ".".
    pub legal_bases: Vec<String>,
    pub proposer: String,
    pub collectives: usize,
    pub individuals: usize,
    /// "3 tập thể và 12 cá nhân".
    pub whom: String,
    /// Who the list names: "Tập thể, cá nhân", "Cá nhân" or "Tập thể".
    pub subjects: &'static str,
    pub total_bonus: u64,
    pub total_bonus_words: String,
    pub base_salary: Option<u64>,
    /// The decree the bonus article cites, in force on the decision's date:
    /// "Nghị định số 152/2025/NĐ-CP".
    pub bonus_decree: String,
    pub signer: SignerView,
    pub recipients: Vec<String>,
    pub archive: String,
    pub agency_name: String,
    pub decision_date_words: String,
    /// Its attached list, whose rows a piece's view gets (`sections`).
    #[serde(skip)]
    pub sections: Vec<SectionView>,
    pub part: PartView,
    /// For a decision amending a signed one.
    pub correction: Option<CorrectionView>,
}

/// One decision granting several honours (`decisions = "combined"`): the
/// decision's frame, as any decision's, and an article per honour with its
/// attached list (each the view that honour's own decision would have).
#[derive(Debug, Clone, Serialize)]
pub struct CombinedDecisionView {
    #[serde(flatten)]
    pub frame: DecisionView,
    /// One per title or award, in the regulation's order.
    pub articles: Vec<DecisionView>,
}

/// What a correction decision amends (sửa đổi, bổ sung).
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    /// "01/QĐ-HVCTQG".
    pub document_number: String,
    /// "ngày 15 tháng 01 năm 2026".
    pub date_words: String,
    /// Those whose grant it revokes.
    pub removed: Vec<String>,
}

/// A submission (Tờ trình) to the level that decides.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub header: HeaderView,
    pub year: i32,
    pub honour_code: String,
    pub honour_name: String,
    pub decider: String,
    pub agency_name: String,
    pub collectives: usize,
    pub individuals: usize,
    /// "3 tập thể và 12 cá nhân".
    pub whom: String,
    pub signer: SignerView,
    pub recipients: Vec<String>,
    pub archive: String,
    /// Its attached list, whose rows a piece's view gets (`sections`).
    #[serde(skip)]
    pub sections: Vec<SectionView>,
    /// Which piece of a long list this is ([`PartView`]).
    pub part: PartView,
}

pub fn legal_basis_lines(
    regulation: &Regulation,
    date: NaiveDate,
    extra: &[String],
) -> Vec<String> {
    let mut lines: Vec<String> = regulation
        .legal_bases_on(date)
        .into_iter()
        .map(str::to_string)
        .collect();
    lines.extend(extra.iter().cloned());
    let count = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let line = line.trim_end_matches(['.', ';']).to_string();
            if i + 1 == count {
                format!("{line}.")
            } else {
                format!("{line};")
            }
        })
        .collect()
}

pub fn decision_view(
    list: &GrantList,
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> DecisionView {
    let date = list
        .sign_off
        .as_ref()
        .map_or(settings.decision_date, |s| s.date);
    DecisionView {
        header: HeaderView::for_decision(settings, list.sign_off.as_ref()),
        year: aggregate.year,
        honour_code: list.code.clone(),
        honour_name: list.name.clone(),
        honour_kind: kind_name(list.kind),
        authority: upper(&settings.signer.authority),
        authority_text: settings.signer.authority.clone(),
        legal_bases: legal_basis_lines(regulation, date, &[]),
        proposer: settings.proposer.clone(),
        collectives: list.collective_count(),
        individuals: list.individual_count(),
        whom: whom(list),
        subjects: subjects(list),
        total_bonus: list.total_bonus,
        total_bonus_words: crate::format::money_words(list.total_bonus),
        base_salary: regulation.base_salary_on(date),
        bonus_decree: regulation
            .bonus_decree_on(date)
            .unwrap_or("các quy định hiện hành về thi đua, khen thưởng")
            .to_string(),
        signer: SignerView::signed(settings, list.sign_off.is_some()),
        recipients: settings.recipients.clone(),
        archive: settings.archive.clone(),
        agency_name: settings.agency.name.clone(),
        decision_date_words: date_words(date),
        sections: sections(list, false),
        part: PartView::WHOLE,
        correction: list.correction.as_ref().map(|c| CorrectionView {
            document_number: c.document_number.clone(),
            date_words: date_words(c.date),
            removed: c.removed.clone(),
        }),
    }
}

pub fn combined_decision_view(
    list: &GrantList,
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> CombinedDecisionView {
    // The articles' lists are printed one after another: their lines are
    // marked through the whole decision, as a long one is laid out in
    // pieces across them.
    let mut lines = 0;
    let articles = list
        .parts
        .iter()
        .filter(|part| part.count() > 0)
        .map(|part| {
            let mut article = decision_view(part, aggregate, regulation, settings);
            lines += offset_marks(&mut article.sections, lines);
            article
        })
        .collect();
    CombinedDecisionView {
        frame: decision_view(list, aggregate, regulation, settings),
        articles,
    }
}

pub fn submission_view(
    list: &GrantList,
    aggregate: &Aggregate,
    settings: &DocumentSettings,
) -> SubmissionView {
    SubmissionView {
        header: HeaderView::new(settings, "TTr"),
        year: aggregate.year,
        honour_code: list.code.clone(),
        honour_name: list.name.clone(),
        decider: list
            .decider
            .clone()
            .unwrap_or_else(|| "cấp có thẩm quyền".to_string()),
        agency_name: settings.agency.name.clone(),
        collectives: list.collective_count(),
        individuals: list.individual_count(),
        whom: whom(list),
        signer: SignerView::new(settings),
        recipients: settings.recipients.clone(),
        archive: settings.archive.clone(),
        sections: sections(list, true),
        part: PartView::WHOLE,
    }
}

fn subjects(list: &GrantList) -> &'static str {
    match (list.collective_count() == 0, list.individual_count() == 0) {
        (false, false) => "Tập thể, cá nhân",
        (false, true) => "Tập thể",
        _ => "Cá nhân",
    }
}

/// "3 tập thể và 12 cá nhân", "12 cá nhân".
fn whom(list: &GrantList) -> String {
    let mut parts = Vec::new();
    if list.collective_count() > 0 {
        parts.push(format!("{} tập thể", list.collective_count()));
    }
    if list.individual_count() > 0 {
        parts.push(format!("{} cá nhân", list.individual_count()));
    }
    parts.join(" và ")
}

fn kind_name(kind: HonourKind) -> &'static str {
    match kind {
        HonourKind::Title => "title",
        HonourKind::Award => "award",
    }
}

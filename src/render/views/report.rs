//! The summary report: tallies per unit and honour, lists and bonuses.

use serde::Serialize;

use super::*;
use crate::aggregate::{Aggregate, GrantList, Tally};
use crate::regulation::Regulation;
use crate::settings::DocumentSettings;
use crate::validate::QuotaResult;

#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    pub code: String,
    pub name: String,
    /// One tally per column of `ReportView::honours`.
    pub cells: Vec<Tally>,
    pub total: Tally,
    pub bonus: u64,
    /// The lines its tallest cell takes, where render counted them for
    /// tdkt's own bao-cao.typ (see `ReportView::row_lines`).
    pub lines: Option<u32>,
    /// The lines its name takes in the chart of units, counted likewise.
    pub chart_lines: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HonourColumn {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListSummary {
    pub code: String,
    pub name: String,
    pub count: usize,
    pub bonus: u64,
    pub decided_by_agency: bool,
}

/// The summary report (Báo cáo tổng hợp).
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub header: HeaderView,
    pub year: i32,
    pub agency_name: String,
    pub honours: Vec<HonourColumn>,
    pub units: Vec<TallyRow>,
    /// How many units sent a workbook (a row of `units` may be a unit whose
    /// workbook is gone while a signed decision still pays it).
    pub units_received: usize,
    pub totals: Vec<Tally>,
    pub grand_total: Tally,
    pub quotas: Vec<QuotaResult>,
    pub lists: Vec<ListSummary>,
    pub total_bonus: u64,
    pub total_bonus_words: String,
    pub signer: SignerView,
    /// Whether render counted the rows' lines (`units[i].lines`, and
    /// `quota_lines[i]` for `quotas[i]`): the template then gives the
    /// tables their rows' heights (lib.typ's `row-heights`).
    pub row_lines: bool,
    pub quota_lines: Vec<Option<u32>>,
}

pub fn report_view(
    aggregate: &Aggregate,
    regulation: &Regulation,
    settings: &DocumentSettings,
) -> ReportView {
    let honours: Vec<HonourColumn> = aggregate
        .totals
        .iter()
        .map(|(code, _)| HonourColumn {
            code: code.clone(),
            name: regulation
                .honour(code)
                .map(|h| h.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let units = aggregate
        .units
        .iter()
        .map(|u| TallyRow {
            code: u.code.clone(),
            name: u.name.clone(),
            cells: honours
                .iter()
                .map(|h| {
                    u.tallies
                        .iter()
                        .find(|(c, _)| *c == h.code)
                        .map(|(_, t)| *t)
                        .unwrap_or_default()
                })
                .collect(),
            total: u.total,
            bonus: u.bonus,
            lines: None,
            chart_lines: None,
        })
        .collect();
    let lists = GrantList::per_honour(&aggregate.decisions)
        .into_iter()
        .chain(&aggregate.submissions)
        .map(|l| ListSummary {
            code: l.code.clone(),
            name: l.name.clone(),
            count: l.count(),
            bonus: l.total_bonus,
            decided_by_agency: l.decided_by == crate::regulation::Decider::Agency,
        })
        .collect();
    let totals: Vec<Tally> = aggregate.totals.iter().map(|(_, t)| *t).collect();
    ReportView {
        header: HeaderView::new(settings, "BC"),
        year: aggregate.year,
        agency_name: settings.agency.name.clone(),
        honours,
        units,
        units_received: aggregate
            .units
            .iter()
            .filter(|u| !u.file.is_empty())
            .count(),
        grand_total: totals.iter().copied().fold(Tally::default(), Tally::merge),
        totals,
        quotas: aggregate.quotas.clone(),
        lists,
        total_bonus: aggregate.total_bonus,
        total_bonus_words: crate::format::money_words(aggregate.total_bonus),
        signer: SignerView::new(settings),
        row_lines: false,
        quota_lines: Vec::new(),
    }
}

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
    /// The chart's longest bar: the most proposals of a unit (at least 1).
    pub chart_top: u64,
    /// Which lines this source prints: all of them, unless the report is
    /// laid out in pieces (see [`ReportLines`]).
    pub part: ReportPart,
}

/// The report's printed lines, one sequence of marks: the units' rows and
/// their total (section 1), the chart's rows (2), then the quotas' rows (4).
/// Section 3, the decisions' short table, lies between the chart and the
/// quotas and has no lines of its own. A report of many units is laid out a
/// piece of these lines at a time, as a long decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLines {
    pub units: usize,
    pub quotas: usize,
}

/// Which part of the report a source prints.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct ReportPart {
    /// The report's heading and opening text.
    pub first: bool,
    /// The signature.
    pub last: bool,
    pub first_page: usize,
    pub units: Span,
    pub chart: Span,
    pub lists: Span,
    pub quotas: Span,
}

/// The lines of one section a source prints: its items `from..to`, the
/// first marked `mark`; `first` with the section's heading, `last` with
/// its end (the units' total, the chart's legend).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Span {
    pub shown: bool,
    pub first: bool,
    pub last: bool,
    pub from: usize,
    pub to: usize,
    pub mark: usize,
}

impl ReportLines {
    pub fn of(view: &ReportView) -> Self {
        ReportLines {
            units: view.units.len(),
            quotas: view.quotas.len(),
        }
    }

    /// How many lines it has (never none: the units' total).
    pub fn count(&self) -> usize {
        2 * self.units + 1 + self.quotas
    }

    /// Each section's first line and its items (the units' total is a line
    /// after their rows): units, chart, lists, quotas.
    fn sections(&self) -> [(usize, usize, usize); 4] {
        let chart = self.units + 1;
        let quotas = chart + self.units;
        [
            (0, self.units, 1),
            (chart, self.units, 0),
            (quotas, 0, 0),
            (quotas, self.quotas, 0),
        ]
    }

    /// What a piece printing the lines `range` shows of each section.
    pub fn part(&self, range: std::ops::Range<usize>, part: super::PartView) -> ReportPart {
        let [units, chart, lists, quotas] = self
            .sections()
            .map(|(start, items, extra)| span(&range, start, items, extra));
        ReportPart {
            first: part.first,
            last: part.last,
            first_page: part.first_page,
            units,
            chart,
            lists,
            quotas,
        }
    }

    /// Whether a piece may begin at `line` and print as the whole report
    /// does there: a section's first line comes after its heading (and
    /// the section before), which only the whole sequence places.
    pub fn may_start(&self, line: usize) -> bool {
        self.sections()
            .iter()
            .all(|&(start, items, extra)| items + extra == 0 || line != start)
    }
}

/// What a piece printing `range` shows of a section whose lines start at
/// `start`: `items` (printed from the view's array) and `extra` lines
/// after them. A section without lines shows where its place is in the
/// piece's range (after the lines before it).
fn span(range: &std::ops::Range<usize>, start: usize, items: usize, extra: usize) -> Span {
    let end = start + items + extra;
    if items + extra == 0 {
        let shown = (range.start < start || range.start == 0) && start <= range.end;
        return Span {
            shown,
            first: shown,
            last: shown,
            from: 0,
            to: 0,
            mark: start,
        };
    }
    let clip = |line: usize| line.clamp(start, start + items) - start;
    let (from, to) = (clip(range.start), clip(range.end));
    let shown = range.start < end && range.end > start;
    Span {
        shown,
        first: shown && range.start <= start,
        last: shown && range.end >= end,
        from,
        to,
        mark: start + from,
    }
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
        chart_top: aggregate
            .units
            .iter()
            .map(|u| u64::from(u.total.proposed))
            .max()
            .unwrap_or(0)
            .max(1),
        part: ReportLines {
            units: aggregate.units.len(),
            quotas: aggregate.quotas.len(),
        }
        .part(0..usize::MAX, super::PartView::WHOLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::views::PartView;

    const LINES: ReportLines = ReportLines {
        units: 10,
        quotas: 5,
    };

    fn part(range: std::ops::Range<usize>) -> ReportPart {
        let part = PartView {
            first: range.start == 0,
            last: range.end == LINES.count(),
            first_page: 1,
        };
        LINES.part(range, part)
    }

    /// (from, to, first, last) of a span, or None where it is not shown.
    fn shown(span: Span) -> Option<(usize, usize, bool, bool)> {
        span.shown
            .then_some((span.from, span.to, span.first, span.last))
    }

    #[test]
    fn the_whole_report_shows_every_section_from_its_heading_to_its_end() {
        // Units 0..10 and their total 10, the chart 11..21, quotas 21..26.
        assert_eq!(LINES.count(), 26);
        let whole = part(0..26);
        assert_eq!(shown(whole.units), Some((0, 10, true, true)));
        assert_eq!(shown(whole.chart), Some((0, 10, true, true)));
        assert_eq!(shown(whole.lists), Some((0, 0, true, true)));
        assert_eq!(shown(whole.quotas), Some((0, 5, true, true)));
        assert_eq!((whole.chart.mark, whole.quotas.mark), (11, 21));
        assert!(whole.first && whole.last);
    }

    #[test]
    fn a_piece_shows_the_lines_of_its_range_in_each_section() {
        // The units from the fifth, their total, the chart's first three.
        let piece = part(4..14);
        assert_eq!(shown(piece.units), Some((4, 10, false, true)));
        assert_eq!(piece.units.mark, 4);
        assert_eq!(shown(piece.chart), Some((0, 3, true, false)));
        assert_eq!(shown(piece.lists), None);
        assert_eq!(shown(piece.quotas), None);
        // The chart's end, the decisions' table (between the chart and the
        // quotas) and the first quota.
        let piece = part(18..22);
        assert_eq!(shown(piece.units), None);
        assert_eq!(shown(piece.chart), Some((7, 10, false, true)));
        assert_eq!(piece.chart.mark, 18);
        assert_eq!(shown(piece.lists), Some((0, 0, true, true)));
        assert_eq!(shown(piece.quotas), Some((0, 1, true, false)));
        // A piece ending where the quotas begin prints the decisions'
        // table; the piece after it does not print it again.
        assert_eq!(shown(part(15..21).lists), Some((0, 0, true, true)));
        assert_eq!(shown(part(21..26).lists), None);
        // Only the total of the units' table.
        assert_eq!(shown(part(10..11).units), Some((10, 10, false, true)));
    }

    #[test]
    fn a_piece_begins_inside_a_section_never_at_its_heading() {
        let starts: Vec<usize> = (0..LINES.count())
            .filter(|&l| !LINES.may_start(l))
            .collect();
        assert_eq!(starts, [0, 11, 21]);
        // Without units or quotas, their places are no lines at all.
        let empty = ReportLines {
            units: 0,
            quotas: 0,
        };
        assert_eq!(empty.count(), 1, "the units' total");
        assert!(!empty.may_start(0));
        let whole = empty.part(0..1, PartView::WHOLE);
        assert_eq!(shown(whole.chart), Some((0, 0, true, true)));
        assert_eq!(shown(whole.quotas), Some((0, 0, true, true)));
    }
}

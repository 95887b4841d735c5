//! Long attached lists, laid out piece by piece.
//!
//! typst holds every page of a document, and all it memoised on the way,
//! until the document is exported: a decision listing 12,000 people would
//! need gigabytes, and a list of 48,000 four times as much. tdkt lays out
//! such a list in pieces of [`PIECE_ROWS`] rows instead. All pages of a
//! piece but its last are kept; the next piece starts with the first row of
//! that last page (found by the rows' marks, see [`PartView`] and [`cut`])
//! and goes on numbering pages where the kept ones stopped. So every page is
//! full, as if the list had been laid out whole, and memory is that of a
//! piece.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use anyhow::{Context, Result};
use serde_json::Value;

use super::row_lines::RowLines;
use super::views::{PartView, ReportLines, ReportView, SectionRows, SectionView, row_view};
use crate::aggregate::{GrantList, GrantSource};

/// Rows (and headings) laid out together: about a dozen pages.
pub const PIECE_ROWS: usize = 300;
/// A summary report's lines laid out together: a unit's row in its table
/// has a dozen cells (at 400 units the report laid out whole took some
/// 90 MiB).
pub const REPORT_PIECE_LINES: usize = 100;

/// A document's view for its template: the fields it prints, as JSON, and
/// what it prints line by line: a list's sections (ranges of its grants,
/// read and made rows a piece at a time: a decision's list may name 50,000
/// people), or the summary report's rows, which are in its fields.
pub struct Listed<'a> {
    fields: Value,
    lines: Printed<'a>,
}

/// What a piece's rows are made from: the lists' grants, read a piece at a
/// time, and the counter of their lines for tdkt's own templates.
#[derive(Clone, Copy)]
pub struct Rows<'r> {
    pub grants: &'r dyn GrantSource,
    pub counter: Option<&'r RowLines>,
}

/// What a view prints line by line.
enum Printed<'a> {
    /// Nothing: the view is laid out whole.
    Nothing,
    /// A decision's or a submission's list (or a combined decision's).
    List(Lines<'a>),
    /// The summary report's tables and chart, whose rows are in `fields`.
    Report(ReportLines),
}

impl<'a> Listed<'a> {
    /// A view with no list (or one that is never laid out in pieces).
    pub fn plain(view: impl serde::Serialize) -> Result<Self> {
        Ok(Listed {
            fields: serde_json::to_value(view)?,
            lines: Printed::Nothing,
        })
    }

    /// A view printing `list` in `sections`.
    pub fn with_list(
        view: impl serde::Serialize,
        list: &'a GrantList,
        sections: Vec<SectionView>,
    ) -> Result<Self> {
        Ok(Listed {
            fields: serde_json::to_value(view)?,
            lines: Printed::List(Lines::new(vec![(list, sections)], false)),
        })
    }

    /// A combined decision whose `articles` print `lists`, one each.
    pub fn with_articles(
        view: impl serde::Serialize,
        lists: Vec<(&'a GrantList, Vec<SectionView>)>,
    ) -> Result<Self> {
        Ok(Listed {
            fields: serde_json::to_value(view)?,
            lines: Printed::List(Lines::new(lists, true)),
        })
    }

    /// The summary report: its lines are its units' and quotas' rows.
    pub fn report(view: &ReportView) -> Result<Self> {
        Ok(Listed {
            fields: serde_json::to_value(view)?,
            lines: Printed::Report(ReportLines::of(view)),
        })
    }

    /// How many lines it prints (marks `0..len`).
    pub fn line_count(&self) -> usize {
        match &self.lines {
            Printed::Nothing => 0,
            Printed::List(lines) => lines.len(),
            Printed::Report(lines) => lines.count(),
        }
    }

    /// The lines laid out together when the view is long enough to be laid
    /// out in pieces: a report's rows are heavier than a list's (a dozen
    /// cells, not four).
    pub fn piece_lines(&self) -> usize {
        match &self.lines {
            Printed::Report(_) => REPORT_PIECE_LINES,
            _ => PIECE_ROWS,
        }
    }

    /// Whether it is long enough to be laid out in pieces.
    pub fn is_long(&self) -> bool {
        self.line_count() > self.piece_lines()
    }

    /// Sets a field of the view.
    pub fn set(&mut self, key: &str, value: Value) {
        put(&mut self.fields, key, value);
    }

    /// The whole view, every line of its lists in one piece.
    pub fn whole(&self, rows: Rows<'_>) -> Result<Value> {
        self.piece(0..self.line_count(), PartView::WHOLE, rows)
    }

    /// The view of a piece printing the lines `range`, as `part` (see
    /// [`Lines::piece`], [`ReportLines::part`]).
    pub fn piece(&self, range: Range<usize>, part: PartView, rows: Rows<'_>) -> Result<Value> {
        match &self.lines {
            Printed::Nothing => Ok(self.fields.clone()),
            Printed::List(lines) => lines.piece(self, range, part, rows),
            Printed::Report(lines) => {
                let mut piece = self.fields.clone();
                put(
                    &mut piece,
                    "part",
                    serde_json::to_value(lines.part(range, part))?,
                );
                Ok(piece)
            }
        }
    }

    /// Whether a piece may begin with line `line` and print as the whole
    /// does there.
    pub fn may_start(&self, line: usize) -> bool {
        match &self.lines {
            Printed::Report(lines) => lines.may_start(line),
            _ => true,
        }
    }
}

/// The printed lines of a view's lists, in print order; the index is the
/// line's mark. A decision has one list (`sections`); a combined decision
/// one per article (`articles[i].sections`), printed one after another.
pub struct Lines<'a> {
    /// Each list and its sections.
    lists: Vec<(&'a GrantList, Vec<SectionView>)>,
    /// Whether the lists are the view's `articles`.
    articles: bool,
    lines: Vec<Line>,
    /// Each list's first and last line, where it has any.
    ends: Vec<Option<(usize, usize)>>,
}

/// A section's heading (`row: None`) or one of its rows.
#[derive(Debug, Clone, Copy)]
struct Line {
    list: usize,
    section: usize,
    row: Option<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(lists: Vec<(&'a GrantList, Vec<SectionView>)>, articles: bool) -> Self {
        let mut lines = Vec::new();
        for (list, (_, sections)) in lists.iter().enumerate() {
            for (index, section) in sections.iter().enumerate() {
                if !section.heading.is_empty() {
                    lines.push(Line {
                        list,
                        section: index,
                        row: None,
                    });
                }
                lines.extend((0..section.rows()).map(|row| Line {
                    list,
                    section: index,
                    row: Some(row),
                }));
            }
        }
        let mut ends = vec![None; lists.len()];
        for (index, line) in lines.iter().enumerate() {
            let (first, _) = *ends[line.list].get_or_insert((index, index));
            ends[line.list] = Some((first, index));
        }
        Lines {
            lists,
            articles,
            lines,
            ends,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// `view` with only the lines in `range` and `part` set: a section
    /// begun in an earlier piece goes on without its heading. In a combined
    /// decision every article stays (the decision's text names them all),
    /// each with the lines of its list in `range` (maybe none) and its own
    /// `part`: `first` where its list's title falls in the piece, `last`
    /// where its total does.
    pub fn piece(
        &self,
        view: &Listed<'_>,
        range: Range<usize>,
        part: PartView,
        rows: Rows<'_>,
    ) -> Result<Value> {
        let lines = &self.lines[range.clone()];
        let mut piece = view.fields.clone();
        if self.articles {
            let articles = piece.get_mut("articles").and_then(Value::as_array_mut);
            for (list, article) in articles.into_iter().flatten().enumerate() {
                let ends = self.ends.get(list).copied().flatten();
                let own = PartView {
                    first: ends.is_some_and(|(first, _)| range.contains(&first)),
                    last: ends.is_some_and(|(_, last)| range.contains(&last)),
                    first_page: part.first_page,
                };
                let sections =
                    self.sections(list, lines.iter().filter(|line| line.list == list), rows)?;
                put(article, "sections", sections);
                put(article, "part", serde_json::to_value(own)?);
            }
        } else {
            put(
                &mut piece,
                "sections",
                self.sections(0, lines.iter(), rows)?,
            );
        }
        put(&mut piece, "part", serde_json::to_value(part)?);
        Ok(piece)
    }

    /// The sections printing `lines` of list `list`, their rows made from
    /// its grants, read at once.
    fn sections<'l>(
        &self,
        list: usize,
        lines: impl Iterator<Item = &'l Line> + Clone,
        rows: Rows<'_>,
    ) -> Result<Value> {
        let Some((grants, sources)) = self.lists.get(list) else {
            return Ok(Value::Array(Vec::new()));
        };
        let index = |line: &Line| Some(sources.get(line.section)?.grants.start + line.row?);
        let first = lines.clone().find_map(index).unwrap_or(0);
        let end = lines
            .clone()
            .filter_map(index)
            .last()
            .map_or(first, |last| last + 1);
        let read = rows.grants.read(grants, first..end)?;
        let mut sections: Vec<SectionRows> = Vec::new();
        let mut current = None;
        for line in lines {
            let Some(source) = sources.get(line.section) else {
                continue;
            };
            if current != Some(line.section) {
                current = Some(line.section);
                sections.push(SectionRows {
                    mark: source.mark,
                    heading: String::new(),
                    rows: Vec::new(),
                });
            }
            let Some(section) = sections.last_mut() else {
                continue;
            };
            match line.row {
                None => section.heading.clone_from(&source.heading),
                Some(row) => {
                    let grant = index(line)
                        .and_then(|at| read.get(at - first))
                        .with_context(|| {
                            format!("Danh sách {} thiếu dòng {}", grants.id, row + 1)
                        })?;
                    let mut view = row_view(grant, source.first_mark + row, source.with_birth);
                    view.lines = rows.counter.and_then(|counter| counter.row(&view));
                    section.rows.push(view);
                }
            }
        }
        Ok(serde_json::to_value(sections)?)
    }
}

/// Every row of `sections` of `list`, as a template prints them (a
/// combined decision's whole list, which no template prints, while short).
pub fn all_rows(list: &GrantList, sections: Vec<SectionView>, rows: Rows<'_>) -> Result<Value> {
    let lines = Lines::new(vec![(list, sections)], false);
    lines.sections(0, lines.lines.iter(), rows)
}

/// Sets `key` of the object `object` (a view is always one).
fn put(object: &mut Value, key: &str, value: Value) {
    if let Some(object) = object.as_object_mut() {
        object.insert(key.into(), value);
    }
}

/// Where to cut a piece of `range`'s lines laid out over `pages` pages:
/// (pages kept, the line the next piece starts at). The cut falls before the
/// last page that starts with a whole line of the piece: that line's start
/// mark is the first on the page, and the line before it ended on an earlier
/// page (a line split across pages would otherwise lose its first part).
/// `starts` and `ends` are (page, mark) of the lines' start marks and of the
/// cell-end marks of lines that may split (the others are kept whole).
/// Only a line for which `may_start` holds can begin the next piece.
/// `None`: no page qualifies; every page is kept.
pub fn cut(
    range: &Range<usize>,
    pages: usize,
    starts: &[(usize, usize)],
    ends: &[(usize, usize)],
    may_start: impl Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let mut first_on: BTreeMap<usize, usize> = BTreeMap::new();
    for &(page, mark) in starts {
        let first = first_on.entry(page).or_insert(mark);
        *first = (*first).min(mark);
    }
    let mut last_page_of: HashMap<usize, usize> = HashMap::new();
    for &(page, mark) in ends {
        let last = last_page_of.entry(mark).or_insert(page);
        *last = (*last).max(page);
    }
    (2..=pages).rev().find_map(|page| {
        let line = *first_on.get(&page)?;
        let whole = line > range.start
            && line < range.end
            && may_start(line)
            // A row kept whole carries no end marks: it ended before.
            && last_page_of
                .get(&(line - 1))
                .is_none_or(|&last| last < page);
        whole.then_some((page - 1, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{Grant, InTheLists};
    use crate::regulation::Subject;
    use crate::render::views;
    use crate::validate::RecordRef;
    use serde_json::json;

    /// A grant named `name`, `ordinal` in its list.
    fn grant(name: &str, subject: Subject, ordinal: u32) -> Grant {
        Grant {
            name: name.into(),
            subject,
            sex: None,
            birth: None,
            position: None,
            job_title: None,
            sub_unit: None,
            unit_code: "VTH".into(),
            unit_name: "Viện Triết học".into(),
            achievement: None,
            bonus: None,
            ordinal,
            file: "vien-triet-hoc.xlsx".into(),
            row: 7,
            record: RecordRef::UNKNOWN,
            honour: "BK-BỘ".into(),
            register_number: None,
            verification: None,
        }
    }

    /// A list of `collectives` and `individuals`, named "T1", …, "C1", ….
    fn list(collectives: usize, individuals: usize) -> GrantList {
        let regulation = crate::regulation::Regulation::default_national().unwrap();
        let mut list = GrantList::empty(regulation.honour("BK-BỘ").unwrap());
        list.collectives = (1..=collectives)
            .map(|n| grant(&format!("T{n}"), Subject::Collective, n as u32))
            .collect();
        list.individuals = (1..=individuals)
            .map(|n| {
                grant(
                    &format!("C{n}"),
                    Subject::Individual,
                    (collectives + n) as u32,
                )
            })
            .collect();
        list
    }

    fn rows() -> Rows<'static> {
        Rows {
            grants: &InTheLists,
            counter: None,
        }
    }

    /// `field` of the rows of each section of `sections` (JSON).
    fn row_fields<T>(sections: &Value, field: impl Fn(&Value) -> Option<T>) -> Vec<Vec<T>> {
        let sections = sections.as_array().into_iter().flatten();
        sections
            .map(|s| {
                s["rows"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(&field)
                    .collect()
            })
            .collect()
    }

    /// The names on the rows of each section of `sections` (JSON).
    fn names(sections: &Value) -> Vec<Vec<String>> {
        row_fields(sections, |r| Some(r["name"].as_str()?.to_string()))
    }

    /// Each section's heading and its rows' marks (JSON).
    fn marks(sections: &Value) -> Vec<(String, Vec<u64>)> {
        let headings = sections.as_array().into_iter().flatten();
        let headings = headings.map(|s| s["heading"].as_str().unwrap_or_default().to_string());
        headings
            .zip(row_fields(sections, |r| r["mark"].as_u64()))
            .collect()
    }

    fn view(list: &GrantList) -> Listed<'_> {
        let sections = views::sections(list, false);
        Listed::with_list(json!({"title": "QĐ"}), list, sections).unwrap()
    }

    #[test]
    fn lines_are_headings_and_rows_in_print_order() {
        let list = list(2, 3);
        let view = view(&list);
        assert_eq!(view.line_count(), 7);
        assert!(!view.is_long());
        let whole = view.whole(rows()).unwrap();
        assert_eq!(
            marks(&whole["sections"]),
            [
                ("I. TẬP THỂ".to_string(), vec![1, 2]),
                ("II. CÁ NHÂN".to_string(), vec![4, 5, 6])
            ]
        );
        assert_eq!(
            names(&whole["sections"]),
            [vec!["T1", "T2"], vec!["C1", "C2", "C3"]]
        );
        assert_eq!(whole["part"]["first"], true);
        assert_eq!(whole["part"]["last"], true);
    }

    #[test]
    fn a_piece_begun_inside_a_section_goes_on_without_its_heading() {
        let list = list(2, 3);
        let view = view(&list);
        let part = PartView {
            first: false,
            last: false,
            first_page: 5,
        };
        let piece = view.piece(2..5, part, rows()).unwrap();
        assert_eq!(
            marks(&piece["sections"]),
            [
                (String::new(), vec![2]),
                ("II. CÁ NHÂN".to_string(), vec![4])
            ]
        );
        assert_eq!(names(&piece["sections"]), [vec!["T2"], vec!["C1"]]);
        assert_eq!(piece["sections"][1]["mark"], 3);
        assert_eq!(piece["part"]["first_page"], 5);
        assert_eq!(piece["title"], "QĐ");
    }

    #[test]
    fn a_piece_of_a_combined_decision_keeps_every_article_with_its_own_lines() {
        let fields = json!({
            "sections": [],
            "articles": [{"n": 1, "sections": []}, {"n": 2, "sections": []}, {"n": 3, "sections": []}],
        });
        let parts = [list(0, 2), list(0, 2), list(0, 1)];
        let mut marked = 0;
        let lists = parts
            .iter()
            .map(|part| {
                let mut sections = views::sections(part, false);
                marked += views::offset_marks(&mut sections, marked);
                (part, sections)
            })
            .collect();
        let view = Listed::with_articles(fields, lists).unwrap();
        assert_eq!(view.line_count(), 5);
        let part = PartView {
            first: false,
            last: false,
            first_page: 7,
        };
        let piece = view.piece(1..3, part, rows()).unwrap();
        let articles = piece["articles"].as_array().unwrap();
        assert_eq!(articles.len(), 3, "every article stays");
        assert_eq!(articles[1]["n"], 2);
        assert_eq!(marks(&articles[0]["sections"]), [(String::new(), vec![1])]);
        assert_eq!(marks(&articles[1]["sections"]), [(String::new(), vec![2])]);
        assert_eq!(names(&articles[0]["sections"]), [vec!["C2"]]);
        assert_eq!(names(&articles[1]["sections"]), [vec!["C1"]]);
        assert_eq!(articles[2]["sections"], json!([]));
        let parts: Vec<(bool, bool)> = articles
            .iter()
            .map(|a| (a["part"]["first"] == true, a["part"]["last"] == true))
            .collect();
        assert_eq!(parts, [(false, true), (true, false), (false, false)]);
    }

    #[test]
    fn a_piece_is_cut_before_its_last_page_that_starts_with_a_whole_line() {
        let range = 300..600;
        // Page 14 starts with line 580, whose predecessor ended on page 13.
        let starts = [(12, 559), (13, 560), (13, 561), (14, 580), (14, 581)];
        let ends = [
            (12, 559),
            (13, 560),
            (13, 561),
            (13, 579),
            (14, 580),
            (14, 581),
        ];
        assert_eq!(cut(&range, 14, &starts, &ends, |_| true), Some((13, 580)));
        // A line that may not begin a piece (a section's first) is passed
        // over for the page before.
        assert_eq!(
            cut(&range, 14, &starts, &ends, |line| line != 580),
            Some((12, 560))
        );
        // Line 579 is split across pages 13 and 14: page 14 does not start
        // with a whole line, so the cut falls before page 13.
        let ends = [(12, 559), (13, 560), (13, 579), (14, 579), (14, 580)];
        assert_eq!(cut(&range, 14, &starts, &ends, |_| true), Some((12, 560)));
        // Nothing new on any page after the first: keep them all.
        assert_eq!(
            cut(&range, 3, &[(1, 300), (2, 300)], &[(3, 300)], |_| true),
            None
        );
    }
}

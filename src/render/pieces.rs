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

use serde_json::Value;

use super::views::PartView;

/// Rows (and headings) laid out together: about a dozen pages.
pub const PIECE_ROWS: usize = 300;

/// The printed lines of a view's lists, in print order; the index is the
/// line's mark. A decision has one list (`sections`); a combined decision
/// one per article (`articles[i].sections`), printed one after another.
pub struct Lines<'a> {
    /// Each list's sections.
    lists: Vec<&'a [Value]>,
    /// Whether the lists are the view's `articles`.
    articles: bool,
    lines: Vec<Line>,
}

/// A section's heading (`row: None`) or one of its rows.
#[derive(Debug, Clone, Copy)]
struct Line {
    list: usize,
    section: usize,
    row: Option<usize>,
}

impl<'a> Lines<'a> {
    /// The lines of the view's lists, when it has any.
    pub fn of(view: &'a Value) -> Option<Self> {
        let sections = |value: &'a Value| value.get("sections")?.as_array().map(Vec::as_slice);
        let (lists, articles) = match view.get("articles").and_then(Value::as_array) {
            Some(articles) => (articles.iter().filter_map(sections).collect(), true),
            None => (vec![sections(view)?], false),
        };
        let mut lines = Vec::new();
        for (list, sections) in lists.iter().enumerate() {
            for (index, section) in sections.iter().enumerate() {
                if section
                    .get("heading")
                    .and_then(Value::as_str)
                    .is_some_and(|heading| !heading.is_empty())
                {
                    lines.push(Line {
                        list,
                        section: index,
                        row: None,
                    });
                }
                let rows = section.get("rows").and_then(Value::as_array);
                lines.extend((0..rows.map_or(0, Vec::len)).map(|row| Line {
                    list,
                    section: index,
                    row: Some(row),
                }));
            }
        }
        Some(Lines {
            lists,
            articles,
            lines,
        })
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the list is long enough to be laid out in pieces.
    pub fn is_long(&self) -> bool {
        self.len() > PIECE_ROWS
    }

    /// `view` with only the lines in `range` and `part` set: a section
    /// begun in an earlier piece goes on without its heading. In a combined
    /// decision every article stays (the decision's text names them all),
    /// each with the lines of its list in `range` (maybe none) and its own
    /// `part`: `first` where its list's title falls in the piece, `last`
    /// where its total does.
    pub fn piece(&self, view: &Value, range: Range<usize>, part: PartView) -> Value {
        let lines = &self.lines[range.clone()];
        let mut piece = without(
            view,
            if self.articles {
                "articles"
            } else {
                "sections"
            },
        );
        if self.articles {
            // The whole decision's list: no template prints it, and it is
            // the whole length of the decision.
            piece.remove("sections");
            let articles = view.get("articles").and_then(Value::as_array);
            let articles = articles
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(list, article)| {
                    let own = |line: &&Line| line.list == list;
                    let mut article = without(article, "sections");
                    let first = self.lines.iter().position(|l| l.list == list);
                    let last = self.lines.iter().rposition(|l| l.list == list);
                    let within = |line: Option<usize>| line.is_some_and(|l| range.contains(&l));
                    let part = PartView {
                        first: within(first),
                        last: within(last),
                        first_page: part.first_page,
                    };
                    article.insert("sections".into(), self.sections(lines.iter().filter(own)));
                    article.insert("part".into(), to_value(part));
                    Value::Object(article)
                });
            piece.insert("articles".into(), Value::Array(articles.collect()));
        } else {
            piece.insert("sections".into(), self.sections(lines.iter()));
        }
        piece.insert("part".into(), to_value(part));
        Value::Object(piece)
    }

    /// The sections printing `lines` (of one list).
    fn sections<'l>(&self, lines: impl Iterator<Item = &'l Line>) -> Value {
        let mut sections: Vec<Value> = Vec::new();
        let mut current: Option<(usize, usize)> = None;
        for line in lines {
            let source = &self.lists[line.list][line.section];
            if current != Some((line.list, line.section)) {
                current = Some((line.list, line.section));
                let mut section = without(source, "rows");
                section.insert("heading".into(), Value::String(String::new()));
                section.insert("rows".into(), Value::Array(Vec::new()));
                sections.push(Value::Object(section));
            }
            let Some(section) = sections.last_mut() else {
                continue;
            };
            match line.row {
                None => section["heading"] = source["heading"].clone(),
                Some(row) => {
                    if let Some(rows) = section["rows"].as_array_mut() {
                        rows.push(source["rows"][row].clone());
                    }
                }
            }
        }
        Value::Array(sections)
    }
}

fn to_value(part: PartView) -> Value {
    serde_json::to_value(part).unwrap_or(Value::Null)
}

/// The fields of the object `value` but `key`: a piece copies what it
/// prints, never the whole list.
fn without(value: &Value, key: &str) -> serde_json::Map<String, Value> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| *name != key)
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// Where to cut a piece of `range`'s lines laid out over `pages` pages:
/// (pages kept, the line the next piece starts at). The cut falls before the
/// last page that starts with a whole line of the piece: that line's start
/// mark is the first on the page, and the line before it ended on an earlier
/// page (a line split across pages would otherwise lose its first part).
/// `starts` and `ends` are (page, mark) of the lines' start marks and of the
/// cell-end marks of lines that may split (the others are kept whole).
/// `None`: no page qualifies; every page is kept.
pub fn cut(
    range: &Range<usize>,
    pages: usize,
    starts: &[(usize, usize)],
    ends: &[(usize, usize)],
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
    use serde_json::json;

    fn view() -> Value {
        json!({
            "title": "QĐ",
            "sections": [
                {"mark": 0, "heading": "I. TẬP THỂ", "rows": [{"mark": 1}, {"mark": 2}]},
                {"mark": 3, "heading": "II. CÁ NHÂN", "rows": [{"mark": 4}, {"mark": 5}, {"mark": 6}]},
            ],
        })
    }

    #[test]
    fn lines_are_headings_and_rows_in_print_order() {
        let view = view();
        let lines = Lines::of(&view).unwrap();
        assert_eq!(lines.len(), 7);
        assert!(!lines.is_long());
    }

    #[test]
    fn a_piece_begun_inside_a_section_goes_on_without_its_heading() {
        let view = view();
        let lines = Lines::of(&view).unwrap();
        let part = PartView {
            first: false,
            last: false,
            first_page: 5,
        };
        let piece = lines.piece(&view, 2..5, part);
        assert_eq!(
            piece["sections"],
            json!([
                {"mark": 0, "heading": "", "rows": [{"mark": 2}]},
                {"mark": 3, "heading": "II. CÁ NHÂN", "rows": [{"mark": 4}]},
            ])
        );
        assert_eq!(piece["part"]["first_page"], 5);
        assert_eq!(piece["title"], "QĐ");
    }

    #[test]
    fn a_piece_of_a_combined_decision_keeps_every_article_with_its_own_lines() {
        let view = json!({
            "sections": [{"mark": 0, "heading": "", "rows": [{"mark": 0}]}],
            "articles": [
                {"n": 1, "sections": [{"mark": 0, "heading": "", "rows": [{"mark": 0}, {"mark": 1}]}]},
                {"n": 2, "sections": [{"mark": 2, "heading": "", "rows": [{"mark": 2}, {"mark": 3}]}]},
                {"n": 3, "sections": [{"mark": 4, "heading": "", "rows": [{"mark": 4}]}]},
            ],
        });
        let lines = Lines::of(&view).unwrap();
        assert_eq!(lines.len(), 5);
        let part = PartView {
            first: false,
            last: false,
            first_page: 7,
        };
        let piece = lines.piece(&view, 1..3, part);
        assert!(
            piece.get("sections").is_none(),
            "the whole list is not copied"
        );
        let articles = piece["articles"].as_array().unwrap();
        assert_eq!(articles.len(), 3, "every article stays");
        assert_eq!(articles[0]["sections"][0]["rows"], json!([{"mark": 1}]));
        assert_eq!(articles[1]["sections"][0]["rows"], json!([{"mark": 2}]));
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
        assert_eq!(cut(&range, 14, &starts, &ends), Some((13, 580)));
        // Line 579 is split across pages 13 and 14: page 14 does not start
        // with a whole line, so the cut falls before page 13.
        let ends = [(12, 559), (13, 560), (13, 579), (14, 579), (14, 580)];
        assert_eq!(cut(&range, 14, &starts, &ends), Some((12, 560)));
        // Nothing new on any page after the first: keep them all.
        assert_eq!(cut(&range, 3, &[(1, 300), (2, 300)], &[(3, 300)]), None);
    }
}

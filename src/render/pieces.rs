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

/// The printed lines of a view's list: (section, row in it), a section's
/// heading as `None`, in print order; the index is the line's mark.
pub struct Lines<'a> {
    sections: &'a [Value],
    lines: Vec<(usize, Option<usize>)>,
}

impl<'a> Lines<'a> {
    /// The lines of `view.sections`, when the view has a list.
    pub fn of(view: &'a Value) -> Option<Self> {
        let sections = view.get("sections")?.as_array()?;
        let mut lines = Vec::new();
        for (index, section) in sections.iter().enumerate() {
            if section
                .get("heading")
                .and_then(Value::as_str)
                .is_some_and(|heading| !heading.is_empty())
            {
                lines.push((index, None));
            }
            let rows = section.get("rows").and_then(Value::as_array);
            lines.extend((0..rows.map_or(0, Vec::len)).map(|row| (index, Some(row))));
        }
        Some(Lines { sections, lines })
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the list is long enough to be laid out in pieces.
    pub fn is_long(&self) -> bool {
        self.len() > PIECE_ROWS
    }

    /// `view` with only the lines in `range` and `part` set: a section
    /// begun in an earlier piece goes on without its heading.
    pub fn piece(&self, view: &Value, range: Range<usize>, part: PartView) -> Value {
        let mut sections: Vec<Value> = Vec::new();
        let mut current: Option<usize> = None;
        for &(index, row) in &self.lines[range] {
            if current != Some(index) {
                current = Some(index);
                let mut section = without(&self.sections[index], "rows");
                section.insert("heading".into(), Value::String(String::new()));
                section.insert("rows".into(), Value::Array(Vec::new()));
                sections.push(Value::Object(section));
            }
            let Some(section) = sections.last_mut() else {
                continue;
            };
            match row {
                None => section["heading"] = self.sections[index]["heading"].clone(),
                Some(row) => {
                    if let Some(rows) = section["rows"].as_array_mut() {
                        rows.push(self.sections[index]["rows"][row].clone());
                    }
                }
            }
        }
        let mut piece = without(view, "sections");
        piece.insert("sections".into(), Value::Array(sections));
        piece.insert(
            "part".into(),
            serde_json::to_value(part).unwrap_or(Value::Null),
        );
        Value::Object(piece)
    }
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

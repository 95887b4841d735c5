//! Long attached lists, laid out piece by piece.
//!
//! typst holds every page of a document, and all it memoised on the way,
//! until the document is exported: a decision listing 12,000 people would
//! need gigabytes, and a list of 48,000 four times as much. tdkt lays out
//! such a list in pieces of [`PIECE_ROWS`] rows instead. All pages of a
//! piece but its last are kept; the next piece starts with the first row of
//! that last page (found by the row's mark, see [`PartView`]) and goes on
//! numbering pages where the kept ones stopped. So every page is full, as
//! if the list had been laid out whole, and memory is that of a piece.

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
                let mut section = self.sections[index].clone();
                section["heading"] = Value::String(String::new());
                section["rows"] = Value::Array(Vec::new());
                sections.push(section);
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
        // Everything but the list, which would be copied whole every piece.
        let mut piece: serde_json::Map<String, Value> = view
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| *key != "sections")
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        piece.insert("sections".into(), Value::Array(sections));
        piece.insert(
            "part".into(),
            serde_json::to_value(part).unwrap_or(Value::Null),
        );
        Value::Object(piece)
    }
}

/// Where the piece after `range` starts, given the marks on the last page
/// of `range`'s layout: at the first line of that page, so that page is
/// laid out again, full, with what follows. `None` keeps every page: the
/// last page holds no line of the piece, or only the piece's first lines.
pub fn next_start(range: &Range<usize>, marks_on_last_page: &[usize]) -> Option<usize> {
    let first = marks_on_last_page.iter().copied().min()?;
    (first > range.start && first < range.end).then_some(first)
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
    fn the_next_piece_starts_at_the_last_page_unless_that_holds_nothing_new() {
        assert_eq!(next_start(&(300..600), &[571, 572, 570]), Some(570));
        assert_eq!(next_start(&(300..600), &[]), None);
        assert_eq!(next_start(&(300..600), &[300, 301]), None);
    }
}

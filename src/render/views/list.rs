//! The attached list of a decision or submission: sections, rows, and
//! which part of a long list a piece prints.

use serde::Serialize;

use crate::aggregate::{Grant, GrantList};

/// One line of an attached list.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// The row's place in its list, headings counted (see [`PartView`]).
    pub mark: usize,
    pub stt: u32,
    pub name: String,
    /// "Phó Viện trưởng, Viện Triết học".
    pub detail: String,
    /// Text enough to fill half a page: the row may split across pages
    /// (rows are otherwise kept whole on one page).
    pub long: bool,
    pub birth: String,
    pub bonus: Option<u64>,
    /// The lines its tallest cell takes, where render counted them for
    /// tdkt's own templates (`render::row_lines`); lib.typ's `list-table`
    /// then gives the row its height instead of measuring it.
    pub lines: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView<'a> {
    /// The heading's place in its list (see [`PartView`]).
    pub mark: usize,
    pub heading: String,
    pub rows: Vec<RowRef<'a>>,
}

/// A row as its grant: the row's text ([`RowView`]) is made when a piece
/// of the list is laid out, not held for every row of a list that may name
/// 50,000 people. Serialized as its [`RowView`].
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub grant: &'a Grant,
    /// The row's place in its list, headings counted (see [`PartView`]).
    pub mark: usize,
    pub with_birth: bool,
    /// See [`RowView::lines`].
    pub lines: Option<u32>,
}

impl RowRef<'_> {
    pub fn view(&self) -> RowView {
        let g = self.grant;
        let detail = detail_of(g);
        RowView {
            mark: self.mark,
            stt: g.ordinal,
            name: g.name.clone(),
            long: is_long_row(&g.name, &detail),
            detail,
            birth: if self.with_birth {
                g.birth.map(|b| b.display_vi()).unwrap_or_default()
            } else {
                String::new()
            },
            bonus: g.bonus,
            lines: self.lines,
        }
    }
}

impl Serialize for RowRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(s)
    }
}

/// Which piece of its attached list a source lays out. A list longer than
/// a piece is laid out piece by piece, each ending at a page's end, so the
/// memory a document needs is that of a piece, not of the whole list; a
/// row's `mark` tells on which page it landed.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PartView {
    /// Holds the decision itself and the list's title.
    pub first: bool,
    /// Holds the list's total.
    pub last: bool,
    /// The number of its first page.
    pub first_page: usize,
}

impl PartView {
    /// The whole document in one piece.
    pub const WHOLE: PartView = PartView {
        first: true,
        last: true,
        first_page: 1,
    };
}

/// Adds `by` to the marks of a list's lines (when several lists are
/// printed as one sequence); returns how many lines it prints.
pub fn offset_marks(sections: &mut [SectionView<'_>], by: usize) -> usize {
    let mut lines = 0;
    for section in sections {
        if !section.heading.is_empty() {
            section.mark += by;
            lines += 1;
        }
        for row in &mut section.rows {
            row.mark += by;
            lines += 1;
        }
    }
    lines
}

/// "Phó Viện trưởng, Phòng Nghiên cứu X, Viện Triết học".
pub fn detail_of(grant: &Grant) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(position) = grant.position.as_deref() {
        parts.push(position);
    } else if let Some(job) = grant.job_title.as_deref() {
        parts.push(job);
    }
    if let Some(sub) = grant.sub_unit.as_deref()
        && sub != &*grant.unit_name
    {
        parts.push(sub);
    }
    if grant.name != *grant.unit_name {
        parts.push(&grant.unit_name);
    }
    parts.join(", ")
}

/// Characters of a list row's name and detail that fill about half a page
/// of its columns (some 23 and 31 characters a line at 13 pt).
const LONG_ROW_NAME: usize = 400;
const LONG_ROW_DETAIL: usize = 600;

fn is_long_row(name: &str, detail: &str) -> bool {
    name.chars().count() > LONG_ROW_NAME || detail.chars().count() > LONG_ROW_DETAIL
}

pub fn sections(list: &GrantList, with_birth: bool) -> Vec<SectionView<'_>> {
    // Rows and headings are marked in the order they are printed.
    let marks = std::cell::Cell::new(0);
    let mark = || marks.replace(marks.get() + 1);
    let row = |grant| RowRef {
        grant,
        mark: mark(),
        with_birth,
        lines: None,
    };
    let mut out = Vec::new();
    let both = !list.collectives.is_empty() && !list.individuals.is_empty();
    if !list.collectives.is_empty() {
        let heading = if both { "I. TẬP THỂ" } else { "" };
        out.push(SectionView {
            mark: if both { mark() } else { 0 },
            heading: heading.into(),
            rows: list.collectives.iter().map(row).collect(),
        });
    }
    if !list.individuals.is_empty() {
        let heading = if both { "II. CÁ NHÂN" } else { "" };
        out.push(SectionView {
            mark: if both { mark() } else { 0 },
            heading: heading.into(),
            rows: list.individuals.iter().map(row).collect(),
        });
    }
    out
}

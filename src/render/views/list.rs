//! The attached list of a decision or submission: sections, rows, and
//! which part of a long list a piece prints.

use std::ops::Range;

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

/// A section of an attached list: its heading and its rows, which are the
/// list's grants `grants` (in print order), marked from `first_mark`. A
/// row's text ([`RowView`]) is made when a piece of the list is laid out,
/// from its grant read then: a list may name 50,000 people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionView {
    /// The heading's place in its list (see [`PartView`]).
    pub mark: usize,
    pub heading: String,
    pub grants: Range<usize>,
    /// The first row's place in its list; the others follow.
    pub first_mark: usize,
    pub with_birth: bool,
}

impl SectionView {
    pub fn rows(&self) -> usize {
        self.grants.len()
    }
}

/// A section as its template prints it (the part of it a piece holds).
#[derive(Debug, Clone, Serialize)]
pub struct SectionRows {
    pub mark: usize,
    pub heading: String,
    pub rows: Vec<RowView>,
}

/// The row of `grant` marked `mark`.
pub fn row_view(grant: &Grant, mark: usize, with_birth: bool) -> RowView {
    let detail = detail_of(grant);
    RowView {
        mark,
        stt: grant.ordinal,
        name: grant.name.clone(),
        long: is_long_row(&grant.name, &detail),
        detail,
        birth: if with_birth {
            grant.birth.map(|b| b.display_vi()).unwrap_or_default()
        } else {
            String::new()
        },
        bonus: grant.bonus,
        lines: None,
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
pub fn offset_marks(sections: &mut [SectionView], by: usize) -> usize {
    let mut lines = 0;
    for section in sections {
        if !section.heading.is_empty() {
            section.mark += by;
            lines += 1;
        }
        section.first_mark += by;
        lines += section.rows();
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

/// A list's sections: its collectives, then its individuals, each under a
/// heading when it has both.
pub fn sections(list: &GrantList, with_birth: bool) -> Vec<SectionView> {
    let (collectives, individuals) = (list.collective_count(), list.individual_count());
    let both = collectives > 0 && individuals > 0;
    // Rows and headings are marked in the order they are printed.
    let mut next = 0;
    let mut section = |heading: &str, grants: Range<usize>| {
        let mark = next;
        if both {
            next += 1;
        }
        let first_mark = next;
        next += grants.len();
        SectionView {
            mark: if both { mark } else { 0 },
            heading: if both { heading.into() } else { String::new() },
            grants,
            first_mark,
            with_birth,
        }
    };
    let mut out = Vec::new();
    if collectives > 0 {
        out.push(section("I. TẬP THỂ", 0..collectives));
    }
    if individuals > 0 {
        out.push(section(
            "II. CÁ NHÂN",
            collectives..collectives + individuals,
        ));
    }
    out
}

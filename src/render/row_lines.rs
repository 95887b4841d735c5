//! How many lines each row of an attached list takes, counted before typst
//! lays the list out.
//!
//! typst lays out a table row whose height it is not told about three
//! times: to measure it, to see whether the unbreakable row still fits the
//! page, and to set it. Told the height, it lays the row out once; the long
//! lists were nearly half of a campaign's build. So for its own templates
//! (the attached lists, and the summary report's two tables) tdkt counts
//! each row's lines as typst would, and lib.typ's `row-heights` turns the
//! counts into the rows' heights. Such rows must be unbreakable: a row given
//! its height never splits across pages, a measured breakable one may.
//!
//! The count is typst's own arithmetic: the cell's text is shaped with the
//! font typst selects, by the shaper typst uses (rustybuzz: the default
//! features, Vietnamese), and broken first-fit at the opportunities Unicode's
//! line breaking gives that text, as typst does for text that is not
//! justified. It is only made when it is certain: text with anything but
//! letters, digits, single spaces and plain punctuation, or a line within a
//! hair of its cell's width, leaves the row `auto` (typst measures it, as
//! before). A wrong count would print a row too short or too tall for its
//! text, so the tests lay out thousands of rows both ways and require the
//! same PDF.

use rustybuzz::{BufferFlags, Direction, Language, ShapePlan, UnicodeBuffer, script};
use typst::text::FontInstance;

use super::views::{ReportView, RowView};
use super::{Templates, Typesetter};

/// The lists' text size (templates/lib.typ, `list-table`).
const SIZE_PT: f64 = 13.0;
/// A cell's inset on either side (`list-table`).
const INSET_PT: f64 = 4.0;
/// The text width of an official document, A4 portrait between the
/// margins of Nghị định 30 (`official`): 210 − 30 − 20 mm.
const TEXT_WIDTH_MM: f64 = 160.0;
/// A line this close to its cell's width may fit or not by a rounding in
/// typst's arithmetic: such a row is left to typst.
const TOO_CLOSE_PT: f64 = 0.05;

/// A built-in template's attached list: its `columns` argument, as written
/// in the template, and what each column prints.
struct ListLayout {
    template: &'static str,
    columns: &'static str,
    cells: [Cell; 4],
}

#[derive(Clone, Copy)]
enum Cell {
    Stt,
    Name,
    Birth,
    Detail,
    Bonus,
}

const LISTS: &[ListLayout] = &[
    ListLayout {
        template: "quyet-dinh.typ",
        columns: "columns: (12mm, 50mm, 1fr, 30mm)",
        cells: [Cell::Stt, Cell::Name, Cell::Detail, Cell::Bonus],
    },
    ListLayout {
        template: "quyet-dinh-tong-hop.typ",
        columns: "columns: (12mm, 50mm, 1fr, 30mm)",
        cells: [Cell::Stt, Cell::Name, Cell::Detail, Cell::Bonus],
    },
    ListLayout {
        template: "to-trinh.typ",
        columns: "columns: (12mm, 48mm, 26mm, 1fr)",
        cells: [Cell::Stt, Cell::Name, Cell::Birth, Cell::Detail],
    },
];

/// Shapes text as typst does and breaks it into lines as typst would.
struct Shaper {
    font: FontInstance,
    /// Vietnamese, as typst tells the shaper for `lang: "vi"`.
    language: Language,
    plan: ShapePlan,
}

/// Counts the lines of list rows for one built-in template.
pub struct RowLines {
    shaper: Shaper,
    /// Each column's text width in points, with what it prints.
    columns: Vec<(Cell, f64)>,
}

/// A counter for each of tdkt's own templates with a list, where the
/// campaign prints with it as it is (and with tdkt's own lib.typ).
pub fn for_templates(
    templates: &Templates,
    typesetter: &Typesetter,
) -> Vec<(&'static str, RowLines)> {
    let Some(font) = typesetter.serif(SIZE_PT, false, false) else {
        return Vec::new();
    };
    LISTS
        .iter()
        .filter(|list| templates.list_is_builtin(list.template))
        .filter_map(|list| Some((list.template, RowLines::new(list, font.clone())?)))
        .collect()
}

impl RowLines {
    /// For `layout`'s list set in `font` (Liberation Serif, regular, as
    /// typst selects it).
    fn new(layout: &ListLayout, font: FontInstance) -> Option<Self> {
        let widths = column_widths_mm(layout.columns, TEXT_WIDTH_MM)?;
        let columns = layout
            .cells
            .iter()
            .zip(widths)
            .map(|(&cell, mm)| (cell, points(mm) - 2.0 * INSET_PT))
            .collect();
        Some(RowLines {
            shaper: Shaper::new(font)?,
            columns,
        })
    }

    /// The lines of a row (those of its tallest cell), where certain: a
    /// piece's rows get them as they are made (`pieces::Rows`), and the view
    /// `row_lines`, so that the template passes them to `list-table`.
    pub fn row(&self, row: &RowView) -> Option<u32> {
        if row.long {
            return None;
        }
        let cells = self.columns.iter().map(|&(cell, width)| {
            let text = match cell {
                Cell::Stt => row.stt.to_string(),
                Cell::Bonus => row
                    .bonus
                    .map(crate::format::group_thousands)
                    .unwrap_or_default(),
                Cell::Name => row.name.clone(),
                Cell::Birth => row.birth.clone(),
                Cell::Detail => row.detail.clone(),
            };
            (text, width)
        });
        self.shaper.tallest(cells, SIZE_PT)
    }
}

/// The summary report's tables (templates/bao-cao.typ, A4 landscape, rows
/// kept whole on a page as a list's are): the units' table at 10 pt with
/// 3 pt insets, `columns: (8mm, 1fr, 17mm per honour, 18mm, 26mm)`; the
/// quotas' table at 11 pt with 4 pt insets.
const REPORT_TEXT_WIDTH_MM: f64 = 297.0 - 30.0 - 20.0;
const REPORT_QUOTAS: &str = "columns: (10mm, 30mm, 30mm, 1fr, 24mm, 24mm, 30mm)";
/// The chart of units (lib.typ's `bar-chart`, 10 pt): its labels' column.
const REPORT_CHART_LABEL_MM: f64 = 55.0;

/// The units' table's columns for `honours` honour columns, as bao-cao.typ
/// writes them.
fn report_units_columns(honours: usize) -> String {
    format!(
        "columns: (8mm, 1fr, {}18mm, 26mm)",
        "17mm, ".repeat(honours)
    )
}

/// Counts the lines of the summary report's table rows, for tdkt's own
/// bao-cao.typ.
pub struct ReportLines {
    shaper: Shaper,
}

/// A counter for the report, where the campaign prints it with tdkt's own
/// bao-cao.typ and lib.typ.
pub fn for_report(templates: &Templates, typesetter: &Typesetter) -> Option<ReportLines> {
    if !templates.list_is_builtin("bao-cao.typ") {
        return None;
    }
    Some(ReportLines {
        shaper: Shaper::new(typesetter.serif(10.0, false, false)?)?,
    })
}

impl ReportLines {
    /// Sets `lines` on the units' rows and `quota_lines` for the quotas'
    /// (each a number where certain), and `row_lines`.
    pub fn count(&self, view: &mut ReportView) {
        let text_widths = |columns: &str, inset: f64| -> Option<Vec<f64>> {
            let widths = column_widths_mm(columns, REPORT_TEXT_WIDTH_MM)?;
            Some(
                widths
                    .into_iter()
                    .map(|mm| points(mm) - 2.0 * inset)
                    .collect(),
            )
        };
        let (Some(widths), Some(quota_widths)) = (
            text_widths(&report_units_columns(view.honours.len()), 3.0),
            text_widths(REPORT_QUOTAS, 4.0),
        ) else {
            return;
        };
        for (index, unit) in view.units.iter_mut().enumerate() {
            let tally = |t: &crate::aggregate::Tally| format!("{} / {}", t.proposed, t.eligible);
            let texts = [(index + 1).to_string(), unit.name.clone()]
                .into_iter()
                .chain(unit.cells.iter().map(|c| {
                    if c.proposed > 0 {
                        tally(c)
                    } else {
                        String::new()
                    }
                }))
                .chain([
                    tally(&unit.total),
                    crate::format::group_thousands(unit.bonus),
                ]);
            unit.lines = self.shaper.tallest(texts.zip(widths.iter().copied()), 10.0);
            let label = [(unit.name.clone(), points(REPORT_CHART_LABEL_MM))];
            unit.chart_lines = self.shaper.tallest(label.into_iter(), 10.0);
        }
        view.quota_lines = view
            .quotas
            .iter()
            .enumerate()
            .map(|(index, q)| {
                let texts = [
                    (index + 1).to_string(),
                    q.unit.clone(),
                    q.proposal.clone(),
                    q.basis.clone(),
                    q.allowed.to_string(),
                    q.proposed.to_string(),
                    // "Đạt", or "Vượt" in bold: one word, one line.
                    "Đạt".to_string(),
                ];
                self.shaper
                    .tallest(texts.into_iter().zip(quota_widths.iter().copied()), 11.0)
            })
            .collect();
        view.row_lines = true;
    }
}

impl Shaper {
    fn new(font: FontInstance) -> Option<Self> {
        let language: Language = "vi".parse().ok()?;
        let plan = ShapePlan::new(
            font.rusty(),
            Direction::LeftToRight,
            Some(script::LATIN),
            Some(&language),
            &[],
        );
        Some(Shaper {
            font,
            language,
            plan,
        })
    }

    /// The lines of a row of (text, cell width) cells at `size` points:
    /// its tallest cell's; `None` when any is not certain.
    fn tallest(&self, cells: impl Iterator<Item = (String, f64)>, size: f64) -> Option<u32> {
        let mut most = 1;
        for (text, width) in cells {
            most = most.max(self.lines(&text, width, size)?);
        }
        Some(most)
    }

    /// The lines `text` at `size` points takes in a cell `width` points
    /// wide, first-fit as typst breaks them; `None` when that is not certain
    /// (a cell given no width, too).
    fn lines(&self, text: &str, width: f64, size: f64) -> Option<u32> {
        if width <= 0.0 {
            return None;
        }
        if text.is_empty() {
            return Some(0);
        }
        let breaks = break_opportunities(text)?;
        if breaks.is_empty() {
            // Nowhere to break: one line, overflowing its cell if it must.
            return Some(1);
        }
        let prefix = self.advances(text, size)?;
        // A line from `start` to the opportunity `end`: its trailing space
        // does not count; a "-", "–" or "/" it ends with counts as the
        // glyph alone (typst shapes a line's end afresh where the text ran
        // on, so a kern with the next line's letter does not hold).
        let line = |start: usize, end: usize| {
            if end == text.len() {
                return Some(prefix[end] - prefix[start]);
            }
            let last = text[..end].chars().next_back()?;
            let before = end - last.len_utf8();
            if last == ' ' {
                Some(prefix[before] - prefix[start])
            } else {
                Some(prefix[before] - prefix[start] + self.advance(last, size)?)
            }
        };
        let fits = |width_of_line: f64| {
            if (width_of_line - width).abs() < TOO_CLOSE_PT {
                None
            } else {
                Some(width_of_line < width)
            }
        };
        let (mut lines, mut start, mut last) = (0, 0, None);
        for end in breaks.into_iter().chain([text.len()]) {
            let mut attempt = line(start, end)?;
            if !fits(attempt)?
                && let Some(last_end) = last.take()
            {
                lines += 1;
                start = last_end;
                attempt = line(start, end)?;
            }
            // The end, or a word wider than the cell: typst ends the line
            // there (the word overflows).
            if end == text.len() || !fits(attempt)? {
                lines += 1;
                start = end;
            } else {
                last = Some(end);
            }
        }
        Some(lines)
    }

    /// The advance in points of `c`'s glyph alone, at `size` points.
    fn advance(&self, c: char, size: f64) -> Option<f64> {
        let face = self.font.rusty();
        let glyph = face.glyph_hor_advance(face.glyph_index(c)?)?;
        Some(f64::from(glyph) * size / f64::from(face.units_per_em()))
    }

    /// The width in points of `text` before each of its bytes (and at its
    /// end), as typst shapes it.
    fn advances(&self, text: &str, size: f64) -> Option<Vec<f64>> {
        let face = self.font.rusty();
        if text.chars().any(|c| face.glyph_index(c).is_none()) {
            return None;
        }
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(Direction::LeftToRight);
        buffer.set_script(script::LATIN);
        buffer.set_language(self.language.clone());
        buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
        let shaped = rustybuzz::shape_with_plan(face, &self.plan, buffer);
        let scale = size / f64::from(face.units_per_em());
        let mut at = vec![0.0; text.len() + 1];
        for (info, position) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let cluster = usize::try_from(info.cluster).ok()?;
            *at.get_mut(cluster + 1)? += f64::from(position.x_advance) * scale;
        }
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        Some(at)
    }
}

fn points(mm: f64) -> f64 {
    mm * 72.0 / 25.4
}

/// The widths in millimetres of `columns: (12mm, 50mm, 1fr, 30mm)`, the
/// `1fr` column taking what the others leave of `text_width` (mm).
fn column_widths_mm(columns: &str, text_width: f64) -> Option<Vec<f64>> {
    let list = columns.strip_prefix("columns: (")?.strip_suffix(')')?;
    let fixed: Vec<Option<f64>> = list
        .split(", ")
        .map(|column| column.strip_suffix("mm")?.parse().ok())
        .collect();
    let taken: f64 = fixed.iter().flatten().sum();
    let flexible = fixed.iter().filter(|width| width.is_none()).count();
    if flexible > 1 {
        return None;
    }
    Some(
        fixed
            .into_iter()
            .map(|width| width.unwrap_or(text_width - taken))
            .collect(),
    )
}

/// Where a line may start in `text` (byte offsets), when tdkt is sure of
/// them: after a single space, unless Unicode's line breaking forbids it
/// (after "(", before ",", ".", ";", ":", ")", "/"), and after "-", "–" or
/// "/" between letters. `None` when the text
/// holds anything else that could break a line or change how it is set:
/// other characters, spaces doubled or at either end, "-", "–" or "/"
/// next to anything but letters and digits, ")(", a number or "(" right
/// after ",", ".", ";", ":" or "%" (a line may break before them).
fn break_opportunities(text: &str) -> Option<Vec<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|i| chars[i].1);
        let after = chars.get(i + 1).map(|&(_, c)| c);
        match c {
            ' ' => {
                let (before, after) = (before?, after?);
                if before == ' ' || after == ' ' {
                    return None;
                }
                if before != '(' && !matches!(after, ',' | '.' | ';' | ':' | ')' | '/') {
                    out.push(at + 1);
                }
            }
            '-' | '–' | '/' => {
                let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
                let letter = |c: Option<char>| c.is_some_and(is_latin_letter);
                let spaced = before == Some(' ') && after == Some(' ');
                // "19/08/1974", "2020-2025": a number (rule LB25), whole.
                let number = c != '–' && digit(before) && digit(after);
                // "Kế hoạch-Tài chính", "KH/CN", "2020–2025": a line may
                // break after it (LB31; not before, LB13 and LB21).
                let inside = (letter(before) || digit(before))
                    && (letter(after) || (c == '–' && digit(after)))
                    && !(c == '/' && digit(before));
                if inside {
                    out.push(at + c.len_utf8());
                } else if !spaced && !number {
                    return None;
                }
            }
            ')' if after == Some('(') => return None,
            // After these a line may break before a number or "(" (rules
            // LB25, LB31 of Unicode's line breaking).
            ',' | '.' | ';' | ':' | '%' => {
                let number = before.is_some_and(|c| c.is_ascii_digit());
                match after {
                    None | Some(' ' | ',' | '.' | ';' | ':' | ')') => {}
                    Some(c) if is_latin_letter(c) || (number && c.is_ascii_digit()) => {}
                    Some(_) => return None,
                }
            }
            // Letters to Unicode's line breaking (AL, or AI read as AL).
            '(' | ')' | '&' | '=' | '×' => {}
            c if c.is_ascii_digit() || is_latin_letter(c) => {}
            _ => return None,
        }
    }
    Some(out)
}

/// A letter of the Latin script as Vietnamese writes it (with its
/// precomposed diacritics), nothing that could change how lines break.
fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && (c.is_ascii()
            || ('\u{C0}'..='\u{24F}').contains(&c)
            || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `LISTS` describes the built-in templates' lists as they are written:
    /// a template whose columns changed without `LISTS` would be counted
    /// for columns it no longer has.
    #[test]
    fn the_lists_counted_are_those_the_built_in_templates_print() {
        let builtin = |name: &str| {
            super::super::templates_builtin()
                .iter()
                .find(|(builtin, _)| *builtin == name)
                .map(|(_, text)| *text)
                .unwrap_or_default()
        };
        for list in LISTS {
            let text = builtin(list.template);
            assert!(
                text.contains(list.columns),
                "{}: {}",
                list.template,
                list.columns
            );
            assert!(text.contains("{%- if row_lines %}"), "{}", list.template);
        }
        let library = builtin("lib.typ");
        for setting in [
            "paper: \"a4\"",
            "left: 30mm, right: 20mm",
            "set text(size: 13pt)",
            "let inset = (x: 4pt, y: 5pt)",
            "set par(first-line-indent: 0pt, justify: false)",
            "set text(font: serif, size: 14pt, lang: \"vi\", fallback: false)",
        ] {
            assert!(library.contains(setting), "lib.typ: {setting}");
        }
        assert_eq!(
            column_widths_mm(LISTS[0].columns, TEXT_WIDTH_MM),
            Some(vec![12.0, 50.0, 68.0, 30.0])
        );
        let report = builtin("bao-cao.typ");
        for setting in [
            "flipped: true",
            "columns: (8mm, 1fr, {% for h in honours %}17mm, {% endfor %}18mm, 26mm)",
            "set text(size: 10pt)",
            "inset: 3pt",
            REPORT_QUOTAS,
            "set text(size: 11pt)",
            "inset: 4pt",
            "row-heights(({% for u in units[p.from:p.to] %}",
            "row-heights(({% for n in quota_lines[p.from:p.to] %}",
        ] {
            assert!(report.contains(setting), "bao-cao.typ: {setting}");
        }
        assert_eq!(
            report_units_columns(2),
            "columns: (8mm, 1fr, 17mm, 17mm, 18mm, 26mm)"
        );
    }

    /// Whatever a workbook holds (control characters, combining marks,
    /// other scripts, emoji, lone punctuation, huge words), counting never
    /// panics, and a count it makes is at least one line of text.
    #[test]
    fn any_text_is_counted_or_left_to_typst_never_a_panic() {
        let typesetter = Typesetter::new(None).expect("the built-in fonts");
        let shaper = Shaper::new(
            typesetter
                .serif(SIZE_PT, false, false)
                .expect("Liberation Serif"),
        )
        .expect("a shaper");
        let pool: Vec<char> =
            "aăâbđêôơưAĐỹỵ Z09 ,.;:()-–/&%=×\"'“”\t\n\u{0}\u{301}\u{a0}\u{200b}中😀ﬁ"
                .chars()
                .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        // Text tdkt counts, too: letters, digits, spaces and punctuation.
        let plain: Vec<char> = "aăâbđêôơưAĐỹỵ Z09  ,.;:()&%".chars().collect();
        let mut counted = 0;
        for round in 0..20_000 {
            let chars = if round % 2 == 0 { &pool } else { &plain };
            let len = next(60);
            let text: String = (0..len).map(|_| chars[next(chars.len())]).collect();
            counted += usize::from(shaper.lines(&text, 180.0, SIZE_PT).is_some());
            for width in [-1.0, 0.0, 5.0, 40.0, 180.0] {
                if let Some(lines) = shaper.lines(&text, width, SIZE_PT) {
                    assert!(
                        text.is_empty() || lines >= 1,
                        "{text:?} in {width}: {lines}"
                    );
                }
            }
        }
        assert!(counted > 1_000, "{counted} texts counted");
        let long = "Nguyễn ".repeat(5_000);
        assert!(shaper.lines(long.trim_end(), 180.0, SIZE_PT).unwrap_or(0) > 100);
    }

    #[test]
    fn lines_break_after_spaces_where_unicode_allows_and_nowhere_else() {
        // Byte offsets of the line's next start.
        let starts = |text: &str, words: &[&str]| {
            Some(
                words
                    .iter()
                    .filter_map(|w| text.find(w))
                    .collect::<Vec<_>>(),
            )
        };
        let text = "Phó Trưởng phòng";
        assert_eq!(
            break_opportunities(text),
            starts(text, &["Trưởng", "phòng"])
        );
        // Not after "(", not before ",", ")" or "/".
        let text = "Viện (Hà Nội)";
        assert_eq!(break_opportunities(text), starts(text, &["(Hà", "Nội"]));
        let text = "trưởng , Viện";
        assert_eq!(break_opportunities(text), starts(text, &["Viện"]));
        assert_eq!(break_opportunities("A - B"), Some(vec![2, 4]));
        assert_eq!(break_opportunities("1.000.000"), Some(vec![]));
        assert_eq!(break_opportunities("19/08/1974"), Some(vec![]));
        assert_eq!(break_opportunities("2020-2025"), Some(vec![]));
        // What tdkt leaves to typst.
        let text = "Bà Rịa-Vũng Tàu";
        assert_eq!(
            break_opportunities(text),
            starts(text, &["Rịa", "Vũng", "Tàu"])
        );
        for text in [
            "a-1", "-x", " A", "A ", "A  B", "\"A\"", "a/1", "ăn,5", "(a)(b)", "e\u{301}", "中文",
        ] {
            assert_eq!(break_opportunities(text), None, "{text:?}");
        }
    }
}

//! The decision against the inspector's ruler (domain.md, Nghị định
//! 30/2020 and Hướng dẫn 36-HD/VPTW): page size and margins from the text
//! boxes pdftotext reports, and the font, size and style of every element
//! from the PDF's own text runs (lopdf).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{Dictionary, Document, Object};

const MM: f64 = 72.0 / 25.4;

/// A run of text as the content stream shows it.
#[derive(Debug, Clone)]
struct Run {
    font: String,
    size: f32,
    text: String,
}

impl Run {
    fn bold(&self) -> bool {
        self.font.contains("Bold") && !self.font.contains("Italic")
    }
    fn italic(&self) -> bool {
        self.font.contains("Italic") && !self.font.contains("Bold")
    }
    fn bold_italic(&self) -> bool {
        self.font.contains("BoldItalic")
    }
    fn regular(&self) -> bool {
        !self.font.contains("Bold") && !self.font.contains("Italic")
    }
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

fn entry<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

/// The runs of one page (0-based), following form XObjects.
fn runs(pdf: &Path, page: usize) -> Vec<Run> {
    let doc = Document::load(pdf).unwrap();
    let page_id = *doc.get_pages().values().nth(page).unwrap();
    let page_dict = doc.get_dictionary(page_id).unwrap();
    let resources = entry(&doc, page_dict, b"Resources")
        .and_then(|o| o.as_dict().ok())
        .unwrap();
    let mut out = Vec::new();
    walk(&doc, &doc.get_page_content(page_id), resources, &mut out);
    out
}

fn walk(doc: &Document, bytes: &[u8], resources: &Dictionary, out: &mut Vec<Run>) {
    let named = |group: &[u8], name: &[u8]| -> Option<&Object> {
        let group = entry(doc, resources, group)?.as_dict().ok()?;
        entry(doc, group, name)
    };
    let content = lopdf::content::Content::decode(bytes).expect("a content stream");
    let mut font: Option<&Dictionary> = None;
    let mut size = 0.0;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => {
                font = named(b"Font", op.operands[0].as_name().unwrap())
                    .and_then(|o| o.as_dict().ok());
                size = op.operands[1].as_float().unwrap_or(0.0);
            }
            "TJ" | "Tj" => {
                let font = font.expect("a font before text");
                let base = font
                    .get(b"BaseFont")
                    .and_then(|b| b.as_name())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                let encoding = font.get_font_encoding(doc).unwrap();
                let items: Vec<&Object> = match &op.operands[0] {
                    Object::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                let text: String = items
                    .into_iter()
                    .filter_map(|item| item.as_str().ok())
                    .map(|bytes| Document::decode_text(&encoding, bytes).unwrap_or_default())
                    .collect();
                out.push(Run {
                    font: base,
                    size,
                    text: text.trim().to_string(),
                });
            }
            "Do" => {
                if let Some(Object::Stream(stream)) =
                    named(b"XObject", op.operands[0].as_name().unwrap())
                {
                    let inner = entry(doc, &stream.dict, b"Resources")
                        .and_then(|o| o.as_dict().ok())
                        .unwrap_or(resources);
                    let data = stream
                        .decompressed_content()
                        .unwrap_or_else(|_| stream.content.clone());
                    walk(doc, &data, inner, out);
                }
            }
            _ => {}
        }
    }
}

fn run<'r>(runs: &'r [Run], starts: &str) -> &'r Run {
    runs.iter()
        .find(|r| r.text.starts_with(starts))
        .unwrap_or_else(|| panic!("no text run starting '{starts}': {runs:#?}"))
}

/// (width, height, words) of one page (1-based).
fn words(pdf: &Path, page: usize) -> (f64, f64, Vec<Word>) {
    pdf_words(pdf, Some(page))
}

fn within(value: f64, low: f64, high: f64, what: &str) {
    assert!(
        (low..=high).contains(&value),
        "{what}: {value:.1} pt ({:.1} mm) is outside {low:.1}–{high:.1} pt",
        value / MM
    );
}

fn build_campaign(style: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    edit_campaign_file(&campaign, |text| {
        text.replace("style = \"state\"", &format!("style = \"{style}\""))
    });
    let out = tdkt(&["build", campaign.to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decision = campaign.join("output/quyet-dinh/qd-ldtt.pdf");
    (temp, decision)
}

/// The page and its margins: A4 portrait, top and bottom 20–25 mm, left
/// 30–35 mm, right 15–20 mm; page numbers from page 2, centred in the top
/// margin.
fn check_page_geometry(decision: &Path) {
    let (width, height, page1) = words(decision, 1);
    within(width, 595.0, 595.6, "page width");
    within(height, 841.6, 842.2, "page height");
    let left = page1.iter().map(|w| w.x0).fold(f64::MAX, f64::min);
    let right = width - page1.iter().map(|w| w.x1).fold(0.0, f64::max);
    let top = page1.iter().map(|w| w.y0).fold(f64::MAX, f64::min);
    let bottom = height - page1.iter().map(|w| w.y1).fold(0.0, f64::max);
    within(left, 30.0 * MM - 0.5, 35.0 * MM + 0.5, "left margin");
    within(right, 15.0 * MM - 0.5, 20.0 * MM + 0.5, "right margin");
    // A line's box starts a little below the margin (the ascender gap).
    within(top, 20.0 * MM - 0.5, 25.0 * MM + 3.0, "top margin");
    assert!(
        bottom >= 20.0 * MM - 0.5,
        "bottom margin {:.1} mm",
        bottom / MM
    );

    let (_, _, page2) = words(decision, 2);
    let in_top_margin: Vec<&Word> = page2.iter().filter(|w| w.y1 < 20.0 * MM).collect();
    assert_eq!(
        in_top_margin.len(),
        1,
        "one page number on page 2: {in_top_margin:?}"
    );
    assert_eq!(in_top_margin[0].text, "2");
    let centre = (in_top_margin[0].x0 + in_top_margin[0].x1) / 2.0;
    let text_centre = (left + (width - right)) / 2.0;
    within(
        centre,
        text_centre - 3.0,
        text_centre + 3.0,
        "page number centre",
    );
    assert!(
        page1.iter().all(|w| w.y1 >= 20.0 * MM || w.text.is_empty()),
        "no page number on page 1"
    );
}

/// The body, signature and recipients, the same in both styles.
fn check_body(runs: &[Run], words: &[Word]) {
    let title = run(runs, "QUYẾT ĐỊNH");
    assert!(
        title.bold() && (13.0..=14.0).contains(&title.size),
        "{title:?}"
    );
    let subject = run(runs, "Về việc");
    assert!(subject.bold(), "{subject:?}");
    let basis = run(runs, "Căn cứ Luật");
    assert!(basis.italic() && basis.text.ends_with(';'), "{basis:?}");
    let article = run(runs, "Điều 1.");
    assert!(
        article.bold() && (13.0..=14.0).contains(&article.size),
        "{article:?}"
    );
    let body = run(runs, "Công nhận danh hiệu");
    assert!(
        body.regular() && (13.0..=14.0).contains(&body.size),
        "{body:?}"
    );

    let prefix = run(runs, "KT. GIÁM ĐỐC");
    let name = run(runs, "Trần Văn Minh");
    for r in [prefix, name] {
        assert!(r.bold() && (13.0..=14.0).contains(&r.size), "{r:?}");
    }
    let received = run(runs, "Nơi nhận:");
    assert!(
        received.bold_italic() && received.size == 12.0,
        "{received:?}"
    );
    let recipient = run(runs, "- Như Điều 3");
    assert!(
        recipient.regular() && recipient.size == 11.0 && recipient.text.ends_with(';'),
        "{recipient:?}"
    );
    assert!(
        runs.iter().any(|r| r.text == "- Lưu: VT, TĐKT."),
        "the last recipient line"
    );

    // The title centred on the text area; the signer's name under the
    // title's centre, with room for a signature between.
    let find = |text: &str| {
        words
            .iter()
            .find(|w| w.text == text)
            .unwrap_or_else(|| panic!("no word '{text}'"))
            .clone()
    };
    let left = words.iter().map(|w| w.x0).fold(f64::MAX, f64::min);
    let right = words.iter().map(|w| w.x1).fold(0.0, f64::max);
    let title_words: Vec<&Word> = words
        .iter()
        .filter(|w| w.text == "QUYẾT" || w.text == "ĐỊNH")
        .take(2)
        .collect();
    let title_centre = (title_words[0].x0 + title_words[1].x1) / 2.0;
    within(
        title_centre,
        (left + right) / 2.0 - 4.0,
        (left + right) / 2.0 + 4.0,
        "title centre",
    );
    let signer_title = find("PHÓ");
    let signer = find("Minh");
    assert!(
        signer.y0 - signer_title.y1 >= 20.0 * MM,
        "room for the signature"
    );
}

#[test]
fn a_state_decision_measures_up_to_decree_30() {
    if !have("pdftotext") {
        return;
    }
    let (_temp, decision) = build_campaign("state");
    check_page_geometry(&decision);
    let runs = runs(&decision, 0);
    let agency = run(&runs, "HỌC VIỆN CHÍNH TRỊ");
    assert!(
        agency.bold() && (12.0..=13.0).contains(&agency.size),
        "{agency:?}"
    );
    let motto = run(&runs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert!(
        motto.bold() && (12.0..=13.0).contains(&motto.size),
        "{motto:?}"
    );
    let independence = run(&runs, "Độc lập - Tự do - Hạnh phúc");
    assert!(
        independence.bold() && (13.0..=14.0).contains(&independence.size),
        "{independence:?}"
    );
    let number = run(&runs, "Số:");
    assert!(
        number.regular() && number.size == 13.0 && number.text.ends_with("/QĐ-HVCTQG"),
        "{number:?}"
    );
    let date = run(&runs, "Hà Nội, ngày");
    assert!(
        date.italic() && (13.0..=14.0).contains(&date.size),
        "{date:?}"
    );
    assert_eq!(date.text, "Hà Nội, ngày 15 tháng 01 năm 2026");
    let (_, _, words) = words(&decision, 1);
    check_body(&runs, &words);
}

#[test]
fn a_party_decision_measures_up_to_guide_36() {
    if !have("pdftotext") {
        return;
    }
    let (_temp, decision) = build_campaign("party");
    check_page_geometry(&decision);
    let runs = runs(&decision, 0);
    let party = run(&runs, "ĐẢNG CỘNG SẢN VIỆT NAM");
    assert!(
        party.bold() && (14.0..=15.0).contains(&party.size),
        "{party:?}"
    );
    assert!(
        !runs.iter().any(|r| r.text.contains("CỘNG HÒA")),
        "no national motto"
    );
    assert!(
        runs.iter().any(|r| r.text == "*"),
        "an asterisk under the issuing body"
    );
    let number = run(&runs, "Số");
    assert!(
        !number.text.starts_with("Số:") && number.text.ends_with("-QĐ/HVCTQG"),
        "{number:?}"
    );
    let (_, _, words) = words(&decision, 1);
    check_body(&runs, &words);
}

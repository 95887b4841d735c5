//! Overlay printing on pre-printed blanks: every field lands where
//! tdkt.toml puts it, plus the printer offset, within 0.5 mm; long text
//! shrinks into its box; a calibration sheet comes with each kind.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const MM: f64 = 72.0 / 25.4;
/// Liberation Serif's descent: pdftotext's word box ends this far below
/// the baseline, as a share of the font size; the box is 0.893 sizes tall.
const DESCENT: f64 = 0.216;
const BOX_HEIGHT: f64 = 0.893;

/// Where the text of a word box sits: its baseline.
fn baseline(word: &Word) -> f64 {
    let size = (word.y1 - word.y0) / BOX_HEIGHT;
    word.y1 - DESCENT * size
}

fn words(pdf: &Path) -> Vec<Word> {
    pdf_words(pdf, None).2
}

/// Builds a copy of the sample with `certificates` as its [certificates]
/// section; returns the folder of its BK-BỘ certificates.
fn build(root: &Path, name: &str, certificates: &str) -> PathBuf {
    let campaign = copy_sample(&root.join(name));
    edit_campaign_file(&campaign, |text| text + certificates);
    let out = tdkt(&["build", campaign.to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    campaign.join("output/bang-khen")
}

const FIELDS: &str = r#"
[certificates]
mode = "overlay"
offset = OFFSET

[certificates.fields]
name = { x = 40, y = 95, width = 200, size = 24 }
detail = { x = 40, y = 110, width = 200, size = 14 }
register = { x = 25, y = 190, width = 120, size = 12 }
"#;

fn within(value: f64, expected: f64, what: &str) {
    assert!(
        (value - expected).abs() <= 0.5 * MM,
        "{what}: {:.2} mm, expected {:.2} mm ± 0.5",
        value / MM,
        expected / MM
    );
}

#[test]
fn overlay_fields_land_at_their_millimetres_plus_the_printer_offset() {
    if !have("pdftotext") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let shifted = build(
        temp.path(),
        "lech",
        &FIELDS.replace("OFFSET", "[1.5, -0.8]"),
    );
    let straight = build(temp.path(), "thang", &FIELDS.replace("OFFSET", "[0, 0]"));
    let person = "bk-bo/0003-vu-trong-hai.pdf";
    let (shifted_words, straight_words) =
        (words(&shifted.join(person)), words(&straight.join(person)));

    // "Ông Vũ Trọng Hải": the name field, left-aligned.
    let first = |words: &[Word], text: &str| -> (f64, f64) {
        let w = words
            .iter()
            .find(|w| w.text == text)
            .unwrap_or_else(|| panic!("no '{text}' in {words:?}"));
        (w.x0, baseline(w))
    };
    let (x, baseline) = first(&shifted_words, "Ông");
    within(x, (40.0 + 1.5) * MM, "name x");
    within(baseline, (95.0 - 0.8) * MM, "name baseline");
    let (x, baseline) = first(&straight_words, "Ông");
    within(x, 40.0 * MM, "name x without offset");
    within(baseline, 95.0 * MM, "name baseline without offset");
    let (x, baseline) = first(&shifted_words, "Giảng");
    within(x, (40.0 + 1.5) * MM, "detail x");
    within(baseline, (110.0 - 0.8) * MM, "detail baseline");
    let (x, baseline) = first(&shifted_words, "Số");
    within(x, (25.0 + 1.5) * MM, "register x");
    within(baseline, (190.0 - 0.8) * MM, "register baseline");

    // Only the variable fields: no motto, no heading, on the blank.
    let all: String = shifted_words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !all.contains("CỘNG HÒA") && !all.contains("BẰNG KHEN"),
        "{all}"
    );

    // The calibration sheet comes with the certificates.
    let calibration = shifted.join("bk-bo-can-chinh.pdf");
    assert!(calibration.is_file());
    let sheet = flat(&pdftotext(&calibration));
    assert!(sheet.contains("name: x = 41.5 mm, y = 94.2 mm"), "{sheet}");
}

#[test]
fn a_long_name_shrinks_into_its_box() {
    if !have("pdftotext") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let narrow = r#"
[certificates]
mode = "overlay"

[certificates.fields]
name = { x = 40, y = 95, width = 120, size = 26 }
"#;
    let folder = build(temp.path(), "hep", narrow);
    // A collective's long name: "Phòng Nghiên cứu Triết học Mác – Lênin".
    let words = words(&folder.join("bk-bo/0001-phong-nghien-cuu-triet-hoc-mac-lenin.pdf"));
    let name: Vec<&Word> = words
        .iter()
        .filter(|w| (baseline(w) - 95.0 * MM).abs() < 2.0 * MM)
        .collect();
    assert!(name.len() >= 6, "the whole name on its line: {name:?}");
    let right = name.iter().map(|w| w.x1).fold(0.0, f64::max);
    let size = (name[0].y1 - name[0].y0) / BOX_HEIGHT;
    assert!(size < 25.0, "the name shrank from 26 pt, to {size:.1} pt");
    assert!(
        right <= (40.0 + 120.0) * MM + 0.5 * MM,
        "the name ends at {:.1} mm",
        right / MM
    );
}

#[test]
fn a_name_that_cannot_fit_is_a_warning() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = temp.path().join("qua-hep");
    let folder = build(
        temp.path(),
        "qua-hep",
        "\n[certificates]\nmode = \"overlay\"\n\n[certificates.fields]\nname = { x = 40, y = 95, width = 45, size = 26 }\n",
    );
    assert!(folder.is_dir());
    let built = tdkt(&["build", campaign.to_str().unwrap(), "--json"]);
    let json = stdout_json(&built);
    let warnings: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "render.name-too-long")
        .collect();
    assert!(
        !warnings.is_empty(),
        "the long collective names are reported"
    );
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("45 mm") && warnings[0]["severity"] == "warning",
        "{message}"
    );
    // Short names fit: not every certificate is reported.
    let certificates = files_below(&folder.join("bk-bo")).len();
    let bk_bo = warnings
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("BẰNG KHEN"))
        .count();
    assert!(bk_bo < certificates, "{bk_bo} of {certificates}");
}

#[test]
fn the_emblem_slot_takes_the_agencys_image() {
    if !have("pdfimages") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let campaign = temp.path().join("quoc-huy");
    std::fs::create_dir_all(&campaign).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/con-dau.png"),
        campaign.join("quoc-huy.png"),
    )
    .unwrap();
    let folder = build(
        temp.path(),
        "quoc-huy",
        "\n[certificates]\nemblem = \"quoc-huy.png\"\n",
    );
    let certificate = folder.join("bk-bo/0003-vu-trong-hai.pdf");
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&certificate)
        .output()
        .unwrap();
    let images = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|line| line.split_whitespace().nth(2) == Some("image"))
        .count();
    assert_eq!(images, 1, "the emblem on the full design");
}

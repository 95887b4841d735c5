//! Text longer than any certificate has room for: an achievement of 1,500
//! characters, a collective's name of 260. The build goes on, each
//! certificate stays one page with the signature block clear, the clerk is
//! told which row to shorten, and file names stay within what a file system
//! accepts.

mod common;

use std::path::Path;

use common::*;
use tdkt::ingest::Cell;

/// Rewrites a workbook through tdkt's reader and rust_xlsxwriter, with
/// `edit` applied to its sheets first (values only; what map reads).
fn rewrite(path: &Path, edit: impl Fn(&str, &mut Vec<Vec<Cell>>)) {
    let mut workbook = tdkt::ingest::read_workbook(path, "x.xlsx").unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for sheet in &mut workbook.sheets {
        edit(&sheet.name, &mut sheet.rows);
        let worksheet = out.add_worksheet();
        worksheet.set_name(&sheet.name).unwrap();
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        worksheet.write_number(r, c, *n).unwrap();
                    }
                    other => {
                        worksheet.write_string(r, c, other.as_text()).unwrap();
                    }
                }
            }
        }
    }
    out.save(path).unwrap();
}

/// The column whose header (in the first rows) contains `label`.
fn column(rows: &[Vec<Cell>], label: &str) -> usize {
    rows.iter()
        .take(6)
        .find_map(|row| {
            row.iter()
                .position(|c| c.as_text().to_lowercase().contains(label))
        })
        .unwrap_or_else(|| panic!("no column '{label}'"))
}

#[test]
fn text_too_long_for_its_box_is_reported_and_the_certificate_stays_one_page() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(temp.path());
    for entry in std::fs::read_dir(campaign.join("inbox")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("vien-triet-hoc.xlsx") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let sentence = "Hoàn thành xuất sắc nhiệm vụ giảng dạy, nghiên cứu khoa học; chủ trì \
                       đề tài cấp Bộ đạt loại xuất sắc; hướng dẫn nhiều học viên bảo vệ thành \
                       công luận văn. ";
    // 1,500 characters shrink into the box; 4,000 do not even at 10 pt.
    let fits = sentence.repeat(10);
    let too_long = sentence.repeat(32);
    assert!(fits.chars().count() > 1450 && too_long.chars().count() > 4000);
    let long_name = format!(
        "Phòng Nghiên cứu {}",
        "Triết học Mác – Lênin và tư tưởng ".repeat(8)
    );
    assert!(long_name.chars().count() > 260);
    rewrite(
        &campaign.join("inbox/vien-triet-hoc.xlsx"),
        |sheet, rows| {
            let edits = match sheet {
                "Cá nhân" => vec![(4, "thành tích", &fits), (6, "thành tích", &too_long)],
                "Tập thể" => vec![(3, "tên tập thể", &long_name)],
                _ => return,
            };
            for (row, label, text) in edits {
                let col = column(rows, label);
                let width = rows[row].len().max(col + 1);
                rows[row].resize(width, Cell::Empty);
                rows[row][col] = Cell::Text(text.to_string());
            }
        },
    );

    let out = tdkt(&["build", campaign.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{stderr}");
    let json = stdout_json(&out);
    let warnings: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "render.text-too-long")
        .collect();
    // One certificate's text is too long (her BK-BỘ and CSTĐCS each say so).
    assert!(!warnings.is_empty(), "{:#}", json["diagnostics"]);
    for warning in &warnings {
        assert_eq!(warning["file"], "vien-triet-hoc.xlsx");
        let message = warning["message"].as_str().unwrap();
        assert!(message.starts_with("Dòng 7:"), "{message}");
        assert!(message.contains("Phạm Thị Thanh Yến"), "{message}");
    }

    // Every certificate made, one page each, names within 255 bytes.
    let output = campaign.join("output");
    let certificates: Vec<_> = files_below(&output)
        .into_iter()
        .filter(|f| {
            f.starts_with("bang-khen")
                && f.extension().is_some_and(|e| e == "pdf")
                && !f.to_string_lossy().contains("in-gop")
        })
        .collect();
    assert!(certificates.len() >= 2, "{certificates:?}");
    for file in &certificates {
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(name.len() <= 80, "{name}");
    }
    let uoc = certificates
        .iter()
        .find(|f| f.to_string_lossy().contains("le-cong-uoc"))
        .expect("Lê Công Ước's certificate");
    let collective = certificates
        .iter()
        .find(|f| f.to_string_lossy().contains("phong-nghien-cuu-triet-hoc"))
        .expect("the collective's certificate");
    if !have("pdftotext") {
        return;
    }
    let yen = certificates
        .iter()
        .find(|f| f.to_string_lossy().contains("pham-thi-thanh-yen"))
        .expect("Phạm Thị Thanh Yến's certificate");
    for pdf in [uoc, yen, collective] {
        let pdf = output.join(pdf);
        let info = std::process::Command::new("pdfinfo")
            .arg(&pdf)
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("Pages:           1"), "{info}");
    }
    // The achievement that fits ends above the signature block: its lowest
    // word is above the date line (the block's first line). (Text clipped
    // at the box's edge stays in the text layer, so pdftotext cannot judge
    // the one that does not fit.)
    achievement_clears_the_signature(&output.join(uoc));
}

fn achievement_clears_the_signature(pdf: &Path) {
    let (_, _, words) = pdf_words(pdf, Some(1));
    let date_top = words
        .iter()
        .filter(|w| w.text.starts_with("ngày"))
        .map(|w| w.y0)
        .fold(f64::MAX, f64::min);
    let achievement_bottom = words
        .iter()
        .filter(|w| w.text.starts_with("luận") || w.text.starts_with("xuất"))
        .map(|w| w.y1)
        .fold(0.0, f64::max);
    assert!(date_top < f64::MAX && achievement_bottom > 0.0);
    assert!(
        achievement_bottom < date_top,
        "achievement reaches {achievement_bottom} pt, the date line starts at {date_top} pt"
    );
}

#[test]
fn a_long_workbook_file_name_still_builds_with_bounded_output_names() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("ho-so");
    std::fs::create_dir(&inbox).unwrap();
    let long = format!("{}.xlsx", "ho-so-de-nghi-khen-thuong-cua-don-vi-".repeat(6));
    assert!(long.len() > 200 && long.len() < 255);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile-inputs/seeds/openpyxl.xlsx"),
        inbox.join(&long),
    )
    .unwrap();
    let out = temp.path().join("ket-qua");
    let built = tdkt(&[
        "build",
        inbox.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--year",
        "2025",
    ]);
    assert!(built.status.code().is_some_and(|c| c <= 1), "{built:?}");
    let files = files_below(&out);
    assert!(files.iter().any(|f| f.starts_with("phan-hoi")), "{files:?}");
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(name.len() <= 80, "{name}");
    }
}

//! The feedback workbooks of the sample campaign: every planted problem is
//! there for the unit to read, in cells LibreOffice opens, and in the notes
//! on the cells a rule found wrong.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::*;

/// Builds the sample; returns the output folder and the check JSON.
fn build_sample() -> (tempfile::TempDir, serde_json::Value) {
    // A copy: a build keeps the register beside the campaign.
    let copy = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&copy.path().join("hvctqg-2025"));
    let out = tempfile::tempdir().unwrap();
    let built = tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(
        built.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let checked = tdkt(&["check", campaign.to_str().unwrap(), "--json"]);
    (out, stdout_json(&checked))
}

/// A build reads each unit's records back from disk for its JSON (they
/// wait there while the documents are made): what it writes is what
/// `check` reads, workbook by workbook, verdict by verdict.
#[test]
fn the_builds_json_holds_the_workbooks_and_verdicts_check_reads() {
    let (out, checked) = build_sample();
    let text = std::fs::read_to_string(out.path().join("ket-qua-xet.json")).unwrap();
    let built: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in ["workbooks", "verdicts", "quotas"] {
        assert_eq!(built[key], checked[key], "{key}");
    }
    let people: usize = built["workbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["individuals"].as_array().unwrap().len())
        .sum();
    assert!(people > 50, "{people} people");
}

/// Verdicts that are not `eligible`: (unit code, subject, status, messages).
fn problems(json: &serde_json::Value) -> Vec<(String, String, String, Vec<String>)> {
    json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] != "eligible")
        .map(|v| {
            (
                v["unit"].as_str().unwrap().to_lowercase(),
                v["subject"].as_str().unwrap().to_string(),
                v["status"].as_str().unwrap().to_string(),
                v["failed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["message"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn status_label(status: &str) -> &'static str {
    match status {
        "not-eligible" => "Không đủ điều kiện",
        "held" => "Tạm hoãn xét",
        "cannot-verify" => "Chưa xác minh được",
        _ => "Đủ điều kiện",
    }
}

/// The text of every cell note of a workbook, XML entities undone.
fn notes(xlsx: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        if entry.name().unwrap().starts_with("xl/comments") {
            entry.read_to_string(&mut all).unwrap();
        }
    }
    all.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn every_failed_rule_is_a_note_on_the_units_workbook() {
    let (out, json) = build_sample();
    let problems = problems(&json);
    assert!(problems.len() >= 10, "the sample plants problems");
    for (unit, subject, _, messages) in &problems {
        let workbook = out.path().join("phan-hoi").join(format!("{unit}.xlsx"));
        let notes = notes(&workbook);
        for message in messages {
            assert!(
                notes.contains(message.as_str()),
                "{subject}: '{message}' is not a note in {}",
                workbook.display()
            );
        }
    }
    assert!(
        out.path().join("ket-qua-xet.xlsx").is_file(),
        "the secretariat's overview"
    );
}

/// Converts every sheet of the workbooks to CSV with LibreOffice; returns
/// the CSV files' text by file name.
fn libreoffice_csv(workbooks: &[std::path::PathBuf], dir: &Path) -> Vec<(String, String)> {
    let profile = dir.join("profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to"])
        // UTF-8 (76), every sheet (-1).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(dir)
        .args(workbooks)
        .output()
        .expect("soffice runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Each CSV record as one line, its fields joined by " | ".
fn rows(text: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().collect::<Vec<_>>().join(" | "))
        .collect()
}

#[test]
fn libreoffice_opens_the_feedback_and_shows_every_planted_problem() {
    if !have("soffice") {
        return;
    }
    let (out, json) = build_sample();
    let mut workbooks: Vec<_> = std::fs::read_dir(out.path().join("phan-hoi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    workbooks.push(out.path().join("ket-qua-xet.xlsx"));
    let csv_dir = tempfile::tempdir().unwrap();
    let csv = libreoffice_csv(&workbooks, csv_dir.path());
    assert!(
        csv.iter()
            .any(|(name, _)| name.starts_with("ket-qua-xet-Kết quả xét")),
        "the overview converts: {:?}",
        csv.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for (unit, subject, status, messages) in problems(&json) {
        // The unit's list sheets: a row with the person, the verdict and the reasons.
        let row = csv
            .iter()
            .filter(|(name, _)| name.starts_with(&format!("{unit}-")))
            .flat_map(|(_, text)| rows(text))
            .find(|line| line.contains(&subject) && line.contains(status_label(&status)));
        let Some(row) = row else {
            panic!(
                "{unit}: no row for {subject} with '{}'",
                status_label(&status)
            );
        };
        for message in &messages {
            let first_words: String = message.chars().take(40).collect();
            assert!(
                row.contains(first_words.as_str()),
                "{subject}: '{message}' not in its row: {row}"
            );
        }
    }
}

/// Two units whose names make one file name ("Khoa A.xlsx" and
/// "khoa-a.xlsx", neither naming its unit) each get their own feedback
/// workbook: none is silently dropped.
#[test]
fn units_whose_names_fold_alike_each_get_their_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    for (file, name) in [
        ("Khoa A.xlsx", "Nguyễn Văn An"),
        ("khoa-a.xlsx", "Lê Thị Bình"),
    ] {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let header = [
            "STT",
            "Họ và tên",
            "Chức vụ",
            "Xếp loại năm 2025",
            "Danh hiệu đề nghị",
        ];
        let row = ["1", name, "Chuyên viên", "HTXSNV", "LĐTT"];
        for (c, (h, v)) in header.iter().zip(row).enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
            sheet.write_string(1, c as u16, v).unwrap();
        }
        book.save(inbox.join(file)).unwrap();
    }
    let out = tdkt(&["build", dir.path().to_str().unwrap(), "--year", "2025"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let feedback = dir.path().join("tdkt-ket-qua/phan-hoi");
    let mut files: Vec<String> = std::fs::read_dir(&feedback)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let names: Vec<String> = files
        .iter()
        .flat_map(|file| xlsx_cells(&feedback.join(file)))
        .collect();
    let names = names.join("\n");
    assert!(
        names.contains("Nguyễn Văn An") && names.contains("Lê Thị Bình"),
        "{files:?}"
    );
}

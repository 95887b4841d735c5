//! The seed academy's own regulation (regulations/hvctqg-2025.toml): norms
//! by job title, and two titles of its own movements defined only in the
//! regulation file, with the extra columns they need, end to end.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn campaign() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agency-campaign")
}

fn check() -> serde_json::Value {
    let out = tdkt(&["check", campaign().to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "some proposals fail: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// (status, failed rule ids) of the verdict for `name`'s `proposal`.
fn verdict<'j>(json: &'j serde_json::Value, name: &str, proposal: &str) -> (&'j str, Vec<&'j str>) {
    let v = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["subject"] == name && v["proposal"] == proposal)
        .unwrap_or_else(|| panic!("no verdict for {name} / {proposal}"));
    let failed = v["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    (v["status"].as_str().unwrap(), failed)
}

fn message<'j>(json: &'j serde_json::Value, name: &str, rule: &str) -> &'j str {
    json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["subject"] == name)
        .flat_map(|v| v["failed"].as_array().unwrap())
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("{name} has no failed rule {rule}"))
}

#[test]
fn teaching_and_research_norms_follow_the_job_title() {
    let json = check();
    // Exactly the 290 hours of a Giảng viên chính passes.
    assert_eq!(
        verdict(&json, "Nguyễn Văn An", "LĐTT"),
        ("eligible", vec![])
    );
    assert_eq!(
        verdict(&json, "Trần Thị Bình", "LĐTT"),
        ("not-eligible", vec!["LĐTT.gio-giang"])
    );
    assert_eq!(
        message(&json, "Trần Thị Bình", "LĐTT.gio-giang"),
        "Giờ giảng 250 thấp hơn định mức 290 của Giảng viên chính"
    );
    // A lecturer whose hours are missing cannot be verified, and is told which.
    assert_eq!(
        verdict(&json, "Lê Văn Cường", "LĐTT"),
        ("cannot-verify", vec!["LĐTT.gio-giang"])
    );
    assert!(message(&json, "Lê Văn Cường", "LĐTT.gio-giang").contains("Giờ giảng thực hiện"));
    // A researcher has a research norm and no teaching norm.
    assert_eq!(
        verdict(&json, "Phạm Thị Dung", "CSTĐCS"),
        ("not-eligible", vec!["LĐTT.nghien-cuu"])
    );
    // A job title without norms is judged by the national rules alone.
    assert_eq!(verdict(&json, "Hoàng Văn Em", "LĐTT"), ("eligible", vec![]));
}

#[test]
fn the_academys_own_titles_are_judged_by_toolkit_scores() {
    let json = check();
    let person = &json["workbooks"][0]["individuals"][5];
    assert_eq!(person["full_name"], "Vũ Thị Giang");
    assert_eq!(
        person["proposed_title"], "CBTĐMM",
        "the title's name is read as its code"
    );
    assert_eq!(
        person["extra"]["ky_cuong"], 23,
        "the toolkit column is read"
    );
    assert_eq!(
        verdict(&json, "Vũ Thị Giang", "CBTĐMM"),
        ("eligible", vec![])
    );
    assert_eq!(
        verdict(&json, "Đỗ Văn Hải", "CBTĐMM"),
        ("not-eligible", vec!["CBTĐMM.chuyen-nghiep"])
    );
    assert_eq!(verdict(&json, "Bùi Thị Hoa", "CBTĐMM").0, "cannot-verify");
    assert!(message(&json, "Bùi Thị Hoa", "CBTĐMM.ky-cuong").contains("Kỷ cương"));

    // Collectives: scores under a two-row header "Bộ công cụ đánh giá".
    let group = &json["workbooks"][0]["collectives"][0];
    assert_eq!(group["extra"]["hieu_qua"], 23);
    assert_eq!(
        verdict(&json, "Phòng Triết học Mác - Lênin", "TTKM"),
        ("eligible", vec![])
    );
    assert_eq!(
        verdict(&json, "Phòng Lịch sử Triết học", "TTKM"),
        ("not-eligible", vec!["TTKM.tong-diem"])
    );
    assert_eq!(
        message(&json, "Phòng Lịch sử Triết học", "TTKM.tong-diem"),
        "Tổng điểm Bộ công cụ là 88: cần từ 90/100 điểm"
    );
}

#[test]
fn the_academys_own_titles_get_a_decision_and_certificates() {
    let out_dir = tempfile::tempdir().unwrap();
    let copy = tempfile::tempdir().unwrap();
    let campaign = copy_campaign(&campaign(), &copy.path().join("agency-campaign"));
    let out = tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = files_below(out_dir.path());
    for expected in [
        "quyet-dinh/qd-cbtdmm.pdf",
        "quyet-dinh/qd-ttkm.pdf",
        "can-bo-truong-dang-mau-muc/cbtdmm/0001-vu-thi-giang.pdf",
        "tap-the-kieu-mau/ttkm/0001-phong-triet-hoc-mac-lenin.pdf",
    ] {
        assert!(
            files.contains(&PathBuf::from(expected)),
            "{expected} missing: {files:?}"
        );
    }
    if !have("pdftotext") {
        return;
    }
    let decision = flat(&pdftotext(&out_dir.path().join("quyet-dinh/qd-cbtdmm.pdf")));
    assert!(
        decision.contains("Cán bộ Trường Đảng mẫu mực"),
        "{decision}"
    );
    assert!(decision.contains("Vũ Thị Giang"), "{decision}");
    let certificate =
        flat(&pdftotext(&out_dir.path().join(
            "can-bo-truong-dang-mau-muc/cbtdmm/0001-vu-thi-giang.pdf",
        )));
    assert!(
        certificate.contains("CÁN BỘ TRƯỜNG ĐẢNG MẪU MỰC"),
        "{certificate}"
    );
    assert!(certificate.contains("Vũ Thị Giang"), "{certificate}");
}

#[test]
fn the_blank_form_of_the_agency_regulation_has_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("bieu-mau.xlsx");
    let out = tdkt(&[
        "form",
        "--regulation",
        "hvctqg-2025.toml",
        "--year",
        "2025",
        "--out",
        form.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tdkt(&[
        "inspect",
        dir.path().to_str().unwrap(),
        "--regulation",
        "hvctqg-2025.toml",
        "--year",
        "2025",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    for label in ["Kỷ cương", "Chuyên nghiệp", "Uy tín", "Hiệu quả"] {
        assert!(
            table.contains(&format!("→ {label}")),
            "{label} not recognised:\n{table}"
        );
    }
}

/// The national file with `edit` applied, written where `check` can read it.
fn edited_regulation(dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("regulations/quy-dinh-2025.toml"),
    )
    .unwrap();
    assert!(
        text.contains(from),
        "the national file changed: update this test"
    );
    let path = dir.join("quy-che-rieng.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn swapping_the_regulation_file_adds_a_cap_without_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let cstdcs = "coefficient = 1.0\nrules = [\n  { id = \"CSTĐCS.";
    let capped = edited_regulation(
        dir.path(),
        cstdcs,
        "coefficient = 1.0\nquota = { share = 0.15, of = \"LĐTT\" }\nrules = [\n  { id = \"CSTĐCS.",
    );
    let sample = sample();
    let out = tdkt(&[
        "check",
        sample.to_str().unwrap(),
        "--json",
        "--regulation",
        capped.to_str().unwrap(),
    ]);
    let json = stdout_json(&out);
    let vth = json["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["unit"] == "VTH" && q["proposal"] == "CSTĐCS")
        .expect("a CSTĐCS quota for VTH");
    // 20 proposals of LĐTT or higher: 15% × 20 = 3, and VTH proposes 4.
    assert_eq!(
        (
            vth["allowed"].as_u64(),
            vth["proposed"].as_u64(),
            vth["ok"].as_bool()
        ),
        (Some(3), Some(4), Some(false))
    );
    assert_eq!(vth["basis"], "15% × 20 đề nghị LĐTT trở lên = 3");

    let plain = stdout_json(&tdkt(&["check", sample.to_str().unwrap(), "--json"]));
    assert!(
        !plain["quotas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["proposal"] == "CSTĐCS"),
        "the national rules set no CSTĐCS cap"
    );
}

#[test]
fn a_broken_regulation_file_stops_before_any_workbook_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let broken = edited_regulation(
        dir.path(),
        "when = \"rating_rank >= 3\"",
        "when = \"rating_rank >= \"",
    );
    let out = tdkt(&[
        "check",
        sample().to_str().unwrap(),
        "--regulation",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("quy-che-rieng.toml:"), "{err}");
    let place = err.split("quy-che-rieng.toml:").nth(1).unwrap();
    let (line, rest) = place.split_once(':').unwrap();
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    assert!(line.parse::<u32>().is_ok() && !col.is_empty(), "{err}");
    assert!(err.contains("gợi ý"), "{err}");
}

#[test]
fn a_mistyped_condition_is_told_in_vietnamese_at_its_line_and_column() {
    // (what is written, what it becomes, the mistake's first characters, words of the message)
    let cases = [
        (
            "when = \"rating_rank >= 3\"",
            "when = \"rating >= 3\"",
            "rating >= 3",
            "vế trái của '>=' cần một số, ở đây là chữ",
        ),
        // After escaped quotes, the column still points at the mistake.
        (
            "when = \"title_streak(\\\"CSTĐCS\\\") >= 3\"",
            "when = \"title_streak(\\\"CSTĐCS\\\") >= \\\"ba\\\"\"",
            "\\\"ba\\\"",
            "vế phải của '>=' cần một số, ở đây là chữ",
        ),
        (
            "when = \"!disciplined\"",
            "when = \"!disciplined and rating_rank >= 3\"",
            "and rating_rank",
            "\"và\" viết là &&",
        ),
    ];
    for (from, to, mistake, words) in cases {
        let dir = tempfile::tempdir().unwrap();
        let broken = edited_regulation(dir.path(), from, to);
        let edited = std::fs::read_to_string(&broken).unwrap();
        let offset = edited.find(to).unwrap() + to.find(mistake).unwrap();
        let line = edited[..offset].matches('\n').count() + 1;
        let column = edited[..offset]
            .rsplit('\n')
            .next()
            .unwrap()
            .chars()
            .count()
            + 1;
        let out = tdkt(&[
            "check",
            sample().to_str().unwrap(),
            "--regulation",
            broken.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("quy-che-rieng.toml:{line}:{column}: ")),
            "{to}: expected line {line}, column {column}:\n{err}"
        );
        assert!(err.contains(words), "{to}:\n{err}");
        assert!(err.contains("gợi ý"), "{to}:\n{err}");
    }
}

/// A column the form should gain, say a phone number kept and shown but not
/// judged, is one `[[column]]` entry in the regulation file: the blank form
/// has it, map reads it, the unit's feedback shows it, and no verdict
/// changes.
#[test]
fn a_new_form_column_is_one_entry_kept_and_shown_but_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    let national = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("regulations/quy-dinh-2025.toml"),
    )
    .unwrap();
    let regulation = dir.path().join("quy-che.toml");
    std::fs::write(
        &regulation,
        format!(
            "{national}\n[[column]]\nid = \"so_dien_thoai\"\nsubject = \"individual\"\n\
             label = \"Số điện thoại\"\nspellings = [\"Điện thoại\", \"SĐT\"]\nkind = \"text\"\n"
        ),
    )
    .unwrap();
    let regulation = regulation.to_str().unwrap();

    // The blank form has the column, and reading it back finds it.
    let blank = dir.path().join("mau");
    std::fs::create_dir(&blank).unwrap();
    let form = blank.join("bieu-mau.xlsx");
    let args = ["--regulation", regulation, "--year", "2025"];
    let out = tdkt(&[&["form", "--out", form.to_str().unwrap()][..], &args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tdkt(&[&["inspect", blank.to_str().unwrap()][..], &args].concat());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("→ Số điện thoại"), "{table}");

    // A unit's workbook that fills it in (under one of its spellings).
    let campaign = dir.path().join("dot");
    std::fs::create_dir_all(campaign.join("inbox")).unwrap();
    let header = [
        "STT",
        "Họ và tên",
        "Chức vụ",
        "Xếp loại năm 2025",
        "Danh hiệu đề nghị",
        "SĐT",
    ];
    let rows = [
        [
            "1",
            "Nguyễn Văn An",
            "Chuyên viên",
            "HTXSNV",
            "LĐTT",
            "0912 345 678",
        ],
        ["2", "Lê Thị Bình", "Chuyên viên", "HTNV", "LĐTT", ""],
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Đơn vị: Phòng Đào tạo").unwrap();
    for (c, label) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *label).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(3 + r as u32, c as u16, *value).unwrap();
        }
    }
    book.save(campaign.join("inbox/phong-dao-tao.xlsx"))
        .unwrap();
    let c = campaign.to_str().unwrap();

    let with = stdout_json(&tdkt(&[&["check", c, "--json"][..], &args].concat()));
    let people = &with["workbooks"][0]["individuals"];
    assert_eq!(
        people[0]["extra"]["so_dien_thoai"], "0912 345 678",
        "{people}"
    );
    assert!(
        people[1]["extra"].get("so_dien_thoai").is_none(),
        "{people}"
    );
    let without = stdout_json(&tdkt(&["check", c, "--json", "--year", "2025"]));
    let statuses = |json: &serde_json::Value| -> Vec<String> {
        json["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{} {} {}", v["subject"], v["proposal"], v["status"]))
            .collect()
    };
    assert_eq!(
        statuses(&with),
        statuses(&without),
        "a kept column is not judged"
    );
    assert_eq!(statuses(&with).len(), 2);

    // The unit's feedback workbook shows it.
    let out = tdkt(&[&["build", c][..], &args].concat());
    assert!(
        out.status.code().is_some_and(|code| code <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let feedback = files_below(&campaign.join("tdkt-ket-qua/phan-hoi"));
    assert_eq!(
        feedback.len(),
        1,
        "{feedback:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = xlsx_cells(&campaign.join("tdkt-ket-qua/phan-hoi").join(&feedback[0]));
    assert!(text.iter().any(|t| t == "Số điện thoại"), "{text:?}");
    assert!(text.iter().any(|t| t == "0912 345 678"), "{text:?}");
}

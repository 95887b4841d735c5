//! Mistakes a careful clerk would not make, which tdkt used to make
//! quietly: rows lost without a word, wrong numbers without an error, a
//! register written by a command that only reads.

mod common;

use std::path::Path;

use common::*;

/// A workbook written by rust_xlsxwriter: a unit line, a header and rows.
fn workbook(
    path: &Path,
    sheet: &str,
    unit_lines: &[[&str; 2]],
    header: &[&str],
    rows: &[Vec<&str>],
) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, [label, value]) in unit_lines.iter().enumerate() {
        ws.write_string(r as u32, 0, *label).unwrap();
        ws.write_string(r as u32, 1, *value).unwrap();
    }
    let top = unit_lines.len() as u32 + 1;
    for (c, label) in header.iter().enumerate() {
        ws.write_string(top, c as u16, *label).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let (r, c) = (top + 1 + r as u32, c as u16);
            match value.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).unwrap(),
                Err(_) => ws.write_string(r, c, *value).unwrap(),
            };
        }
    }
    book.save(path).unwrap();
}

fn inspect(dir: &Path) -> serde_json::Value {
    let out = tdkt(&["inspect", dir.to_str().unwrap(), "--json", "--year", "2025"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    stdout_json(&out)
}

#[test]
fn collectives_named_like_totals_are_read_and_the_real_total_ends_the_list() {
    let dir = tempfile::tempdir().unwrap();
    workbook(
        &dir.path().join("tap-the.xlsx"),
        "Tập thể",
        &[["Đơn vị:", "Viện Triết học"]],
        &[
            "STT",
            "Tên tập thể",
            "Số thành viên",
            "Xếp loại năm 2025",
            "Danh hiệu đề nghị",
        ],
        &[
            vec![
                "1",
                "Công đoàn cơ sở Viện Triết học",
                "40",
                "HTXSNV",
                "TTLĐTT",
            ],
            vec!["2", "Tổng công ty Sách Lý luận", "12", "HTXSNV", "TTLĐTT"],
            vec!["3", "Cộng đồng người học Triết", "9", "HTXSNV", "TTLĐTT"],
            vec!["", "Tổng cộng: 3 tập thể"],
            vec!["", "Người lập biểu"],
        ],
    );
    let json = inspect(dir.path());
    let names: Vec<&str> = json["workbooks"][0]["collectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Công đoàn cơ sở Viện Triết học",
            "Tổng công ty Sách Lý luận",
            "Cộng đồng người học Triết"
        ],
        "{json:#}"
    );
    assert_eq!(
        names,
        [
            "Công đoàn cơ sở Viện Triết học",
            "Tổng công ty Sách Lý luận",
            "Cộng đồng người học Triết"
        ]
    );
}

#[test]
fn a_row_with_a_proposal_but_no_name_is_an_error_at_the_name_cell() {
    let dir = tempfile::tempdir().unwrap();
    workbook(
        &dir.path().join("ca-nhan.xlsx"),
        "Cá nhân",
        &[["Đơn vị:", "Viện Triết học"]],
        &["STT", "Họ và tên", "Ngày sinh", "Danh hiệu đề nghị"],
        &[
            vec!["1", "Nguyễn Văn Hùng", "05/03/1979", "LĐTT"],
            vec!["2", "", "12/11/1982", "CSTĐCS"],
            vec!["3", ""],
        ],
    );
    let json = inspect(dir.path());
    let missing: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ingest.missing-name")
        .collect();
    assert_eq!(missing.len(), 1, "{:#}", json["diagnostics"]);
    assert_eq!(missing[0]["cell"], "B5");
    assert_eq!(missing[0]["severity"], "error");
    // check exits 1: the unit has an error to fix.
    let out = tdkt(&["check", dir.path().to_str().unwrap(), "--year", "2025"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_negative_headcount_is_an_error_not_four_billion() {
    let dir = tempfile::tempdir().unwrap();
    workbook(
        &dir.path().join("ca-nhan.xlsx"),
        "Cá nhân",
        &[["Đơn vị:", "Viện Triết học"], ["Tổng số cán bộ:", "-5"]],
        &["STT", "Họ và tên", "Ngày sinh", "Danh hiệu đề nghị"],
        &[vec!["1", "Nguyễn Văn Hùng", "05/03/1979", "LĐTT"]],
    );
    let json = inspect(dir.path());
    assert!(json["workbooks"][0]["headcount"].is_null(), "{json:#}");
    let problem = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ingest.bad-number")
        .unwrap_or_else(|| panic!("{:#}", json["diagnostics"]));
    assert!(problem["message"].as_str().unwrap().contains("-5"));
}

#[test]
fn a_regulation_path_that_does_not_exist_stops_the_run() {
    let out = tdkt(&[
        "check",
        sample().to_str().unwrap(),
        "--regulation",
        "/khong/co/quy-dinh-2025.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Không có tệp quy định"), "{stderr}");
}

#[test]
fn commands_that_read_never_write_the_register_nor_create_one() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(temp.path());
    let register = campaign.join("so-khen-thuong.sqlite");
    let dir = campaign.to_str().unwrap();
    let decisions = tdkt(&["decisions", dir, "--json"]);
    assert_eq!(decisions.status.code(), Some(0), "{decisions:?}");
    assert!(
        stdout_json(&decisions)["decisions"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "decisions are worked out from the workbooks"
    );
    assert!(!register.exists(), "decisions created a register");

    let built = tdkt(&["build", dir]);
    assert!(built.status.code().is_some_and(|c| c <= 1), "{built:?}");
    let signed = tdkt(&["sign", "bk-bo", dir, "--date", "2026-01-20"]);
    assert_eq!(signed.status.code(), Some(0), "{signed:?}");
    let before = std::fs::read(&register).unwrap();
    for args in [
        vec!["inspect", dir, "--json"],
        vec!["check", dir, "--json"],
        vec!["decisions", dir, "--json"],
        vec!["verify", "2026-0001", dir],
    ] {
        let out = tdkt(&args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {out:?}"
        );
        assert!(
            std::fs::read(&register).unwrap() == before,
            "{args:?} changed the register"
        );
    }
}

#[test]
fn a_certificate_with_one_byte_changed_is_not_genuine() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(temp.path());
    let dir = campaign.to_str().unwrap();
    assert!(tdkt(&["build", dir]).status.code().is_some_and(|c| c <= 1));
    let signed = tdkt(&["sign", "bk-bo", dir, "--date", "2026-01-20"]);
    assert_eq!(signed.status.code(), Some(0), "{signed:?}");
    assert!(tdkt(&["build", dir]).status.code().is_some_and(|c| c <= 1));
    let folder = campaign.join("output/bang-khen/bk-bo");
    let certificate = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a signed certificate");
    let genuine = tdkt(&["verify", certificate.to_str().unwrap(), dir]);
    assert_eq!(genuine.status.code(), Some(0), "{genuine:?}");

    let mut bytes = std::fs::read(&certificate).unwrap();
    bytes.extend_from_slice(b"\n% sua\n");
    let forged = temp.path().join("forged.pdf");
    std::fs::write(&forged, &bytes).unwrap();
    let out = tdkt(&["verify", forged.to_str().unwrap(), dir]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Nội dung giống nhưng tệp đã bị sửa"),
        "{said}"
    );

    // One byte changed in the middle of the file: not genuine either
    // (exit 1, not "could not run"), whatever that byte breaks.
    let issued = std::fs::read(&certificate).unwrap();
    for at in [issued.len() / 3, issued.len() / 2, issued.len() * 2 / 3] {
        let mut bytes = issued.clone();
        bytes[at] ^= 0x20;
        std::fs::write(&forged, &bytes).unwrap();
        let out = tdkt(&["verify", forged.to_str().unwrap(), dir]);
        assert_eq!(out.status.code(), Some(1), "byte {at}: {out:?}");
    }
}

#[test]
fn a_campaign_whose_year_only_the_workbooks_state_gets_that_years_date_and_decree() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("ho-so");
    std::fs::create_dir(&inbox).unwrap();
    workbook(
        &inbox.join("vien-triet-hoc.xlsx"),
        "Cá nhân",
        &[["Đơn vị:", "Viện Triết học"], ["Năm xét:", "2024"]],
        &[
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Xếp loại năm 2024",
            "Danh hiệu đề nghị",
        ],
        &[
            vec!["1", "Nguyễn Văn Hùng", "05/03/1979", "HTXSNV", "LĐTT"],
            vec!["2", "Trần Thị Lan", "12/11/1982", "HTTNV", "LĐTT"],
        ],
    );
    let out_dir = dir.path().join("ket-qua");
    let out = tdkt(&[
        "build",
        inbox.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let json = stdout_json(&out);
    assert!(
        json["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["eligible"] == true),
        "{:#}",
        json["verdicts"]
    );
    if !have("pdftotext") {
        return;
    }
    let decision = files_below(&out_dir)
        .into_iter()
        .find(|f| f.starts_with("quyet-dinh"))
        .expect("a draft decision");
    let text = flat(&pdftotext(&out_dir.join(decision)));
    assert!(text.contains("ngày 15 tháng 01 năm 2025"), "{text}");
    assert!(
        text.contains("theo quy định tại Nghị định số 98/2023/NĐ-CP"),
        "{text}"
    );
    assert!(!text.contains("152/2025"), "{text}");
}

#[test]
fn a_signed_decision_is_reprinted_with_the_code_it_was_signed_under() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(temp.path());
    let dir = campaign.to_str().unwrap();
    let signed = tdkt(&["sign", "bk-bo", dir, "--date", "2026-01-20"]);
    assert_eq!(signed.status.code(), Some(0), "{signed:?}");
    // The agency changes its abbreviation after signing.
    edit_campaign_file(&campaign, |text| {
        text.replace("abbreviation = \"HVCTQG\"", "abbreviation = \"HVCT\"")
    });
    assert!(tdkt(&["build", dir]).status.code().is_some_and(|c| c <= 1));
    if !have("pdftotext") {
        return;
    }
    let decision = flat(&pdftotext(&campaign.join("output/quyet-dinh/qd-bk-bo.pdf")));
    assert!(decision.contains("/QĐ-HVCTQG"), "{decision}");
    // A draft made today takes today's code.
    let draft = flat(&pdftotext(&campaign.join("output/quyet-dinh/qd-gk.pdf")));
    assert!(
        draft.contains("/QĐ-HVCT ") || draft.contains("/QĐ-HVCT\n"),
        "{draft}"
    );
}

#[test]
fn remarks_that_say_under_review_in_other_words_are_held() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hold-remarks");
    let out = tdkt(&[
        "check",
        fixture.to_str().unwrap(),
        "--json",
        "--year",
        "2025",
    ]);
    let json = stdout_json(&out);
    let status = |name: &str| {
        json["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["subject"] == name)
            .map(|v| v["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no verdict for {name}"))
    };
    for held in ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Thị Ánh"] {
        assert_eq!(status(held), "held", "{held}");
    }
    for judged in ["Phạm Văn Bình", "Đỗ Thị Hoa"] {
        assert_ne!(status(judged), "held", "{judged}");
    }
}

#[test]
fn a_provincial_export_decides_each_rows_subject_by_its_kind_column() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/provincial-export");
    let json = inspect(&fixture);
    let workbook = &json["workbooks"][0];
    let names = |list: &str, key: &str| -> Vec<String> {
        workbook[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("individuals", "full_name"),
        ["Nguyễn Văn Hùng", "Trần Thị Lan", "Phạm Thị Mai"]
    );
    assert_eq!(
        names("collectives", "name"),
        ["Phòng Triết học Mác - Lênin"]
    );
    assert_eq!(workbook["individuals"][0]["proposed_title"], "LĐTT");
    assert_eq!(workbook["individuals"][1]["proposed_award"], "GK");
    let household = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ingest.bad-subject")
        .expect("the household row is said");
    assert_eq!(household["cell"], "F8");
}

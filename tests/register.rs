//! The register: signing decisions, numbering them, rebuilding the same
//! bytes, verifying certificates, and surviving a kill at any moment.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// A copy of the sample campaign in a temporary folder, with `edit` applied
/// to its tdkt.toml.
fn campaign_copy(root: &Path, name: &str, toml_extra: &str) -> PathBuf {
    let dir = copy_sample(&root.join(name));
    if !toml_extra.is_empty() {
        edit_campaign_file(&dir, |text| {
            text.replacen("[campaign]\n", &format!("[campaign]\n{toml_extra}\n"), 1)
        });
    }
    dir
}

fn run(args: &[&str]) -> (i32, String) {
    let out = tdkt(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn decisions(campaign: &Path) -> serde_json::Value {
    let out = tdkt(&["decisions", campaign.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn decision<'j>(json: &'j serde_json::Value, id: &str) -> &'j serde_json::Value {
    json["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no decision {id}: {json}"))
}

/// SHA-256 of every output file, by relative path.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    use sha2::Digest;
    files_below(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            let digest = sha2::Sha256::digest(&bytes);
            (f, digest.iter().map(|b| format!("{b:02x}")).collect())
        })
        .collect()
}

#[test]
fn signing_numbers_renders_and_rebuilds_byte_identically() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();

    let listed = decisions(&campaign);
    let bk = decision(&listed, "bk-bo");
    assert_eq!(bk["status"], "draft");
    assert_eq!(bk["number"], serde_json::Value::Null);
    assert_eq!(bk["grants"], "BK-BỘ");
    assert!(bk["count"].as_u64().unwrap() > 0);

    assert_eq!(run(&["sign", "bk-bo", c]).0, 0);
    let (code, text) = run(&["sign", "bk-bo", c]);
    assert_eq!(code, 1, "a signed decision is not signed twice: {text}");
    assert!(text.contains("đã ký"), "{text}");
    let (code, text) = run(&["sign", "gk", c, "--number", "1"]);
    assert_eq!(code, 1, "number 01 is taken this year: {text}");
    let (code, text) = run(&["sign", "bk-ttg", c]);
    assert_eq!(code, 1, "the Prime Minister decides BK-TTG: {text}");
    let (code, _) = run(&["sign", "gk", c, "--date", "2026-01-20"]);
    assert_eq!(code, 0);

    let listed = decisions(&campaign);
    let bk = decision(&listed, "bk-bo");
    assert_eq!(
        (bk["status"].as_str(), bk["number"].as_u64()),
        (Some("signed"), Some(1))
    );
    assert_eq!(bk["date"], "2026-01-15");
    let gk = decision(&listed, "gk");
    assert_eq!(
        (gk["number"].as_u64(), gk["date"].as_str()),
        (Some(2), Some("2026-01-20"))
    );
    assert_eq!(decision(&listed, "ldtt")["status"], "draft");

    let out = campaign.join("output");
    assert_eq!(run(&["build", c]).0, 1, "the sample still plants failures");
    let first = hashes(&out);
    assert_eq!(run(&["build", c]).0, 1);
    assert_eq!(
        hashes(&out),
        first,
        "the same inputs and register give the same bytes"
    );
    assert_eq!(
        decision(&decisions(&campaign), "bk-bo")["number"],
        1,
        "numbers stay"
    );

    if !have("pdftotext") {
        return;
    }
    let signed = flat(&pdftotext(&out.join("quyet-dinh/qd-bk-bo.pdf")));
    assert!(signed.contains("Số: 01/QĐ-HVCTQG"), "{signed}");
    let draft = flat(&pdftotext(&out.join("quyet-dinh/qd-ldtt.pdf")));
    assert!(!draft.contains("Số: 01/"), "a draft keeps its number blank");
    let gk = flat(&pdftotext(&out.join("quyet-dinh/qd-gk.pdf")));
    assert!(
        gk.contains("Số: 02/QĐ-HVCTQG") && gk.contains("ngày 20 tháng 01 năm 2026"),
        "{gk}"
    );
    let certificate = flat(&pdftotext(
        &out.join("bang-khen/bk-bo/0003-vu-trong-hai.pdf"),
    ));
    assert!(
        certificate.contains("Quyết định số 01/QĐ-HVCTQG"),
        "{certificate}"
    );
    assert!(
        certificate.contains("Số sổ vàng: 2026-01-003"),
        "{certificate}"
    );
    assert!(
        certificate.contains("Mã xác thực: 2026-01-003"),
        "{certificate}"
    );
}

#[test]
fn verify_accepts_every_signed_certificate_and_rejects_an_edited_name() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();
    for id in ["bk-bo", "gk", "cstdcs"] {
        assert_eq!(run(&["sign", id, c]).0, 0, "{id}");
    }
    run(&["build", c]);
    // Every certificate the campaign prints, one file per person.
    let out = campaign.join("output");
    let certificates: Vec<PathBuf> = files_below(&out)
        .into_iter()
        .filter(|f| {
            let name = f.to_string_lossy();
            name.ends_with(".pdf")
                && f.components().count() == 3
                && ["bang-khen/", "giay-khen/", "chien-si-thi-dua-co-so/"]
                    .iter()
                    .any(|kind| name.starts_with(kind))
        })
        .collect();
    assert!(certificates.len() > 40, "{certificates:?}");
    for certificate in &certificates {
        let path = out.join(certificate);
        let (code, text) = run(&["verify", path.to_str().unwrap(), c]);
        assert_eq!(code, 0, "{}: {text}", certificate.display());
    }
    assert_eq!(run(&["verify", "2026-01-001", c]).0, 0);
    assert_eq!(run(&["verify", "2026-99-001", c]).0, 1);

    // A forged copy: the same verification line, another name.
    let forged = temp.path().join("gia-mao.pdf");
    forge_name(&campaign, "Vũ Trọng Hải", "Vũ Trọng Hài", &forged);
    let (code, text) = run(&["verify", forged.to_str().unwrap(), c]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Tên trên bằng khác sổ"), "{text}");
}

/// Renders the signed certificate of `name` again with the name changed,
/// keeping its register number and verification: what a forger would make.
fn forge_name(campaign: &Path, name: &str, forged_name: &str, to: &Path) {
    use tdkt::settings::{Flags, Settings};
    let settings = Settings::resolve(&Flags {
        input: Some(campaign.to_path_buf()),
        out: None,
        year: None,
        units: None,
        regulation: None,
        ..Flags::default()
    })
    .unwrap();
    let checked = tdkt::pipeline::check(&settings).unwrap();
    let mut aggregate = tdkt::aggregate::aggregate(
        &checked.reading.submissions,
        &checked.validation,
        &settings.regulation,
        checked.reading.year,
        settings.documents.decision_date,
        &[],
    );
    let mut register = tdkt::register::Register::open(&settings.register.path).unwrap();
    let key = tdkt::register::CampaignKey {
        name: settings.register.campaign.clone(),
        year: checked.reading.year,
    };
    register
        .reconcile(
            &key,
            &mut aggregate.decisions,
            &settings.documents.decision_code(),
            &settings.regulation,
        )
        .unwrap();
    let mut list = aggregate
        .decisions
        .into_iter()
        .find(|d| d.id == "bk-bo")
        .unwrap();
    list.collectives.clear();
    list.individuals.retain(|g| g.name == name);
    assert_eq!(list.individuals.len(), 1);
    list.individuals[0].name = forged_name.to_string();
    let out = tempfile::tempdir().unwrap();
    let output = tdkt::write::Output::begin(&out.path().join("o"), &[]).unwrap();
    let renderer = tdkt::render::Renderer::new(None, None).unwrap();
    renderer
        .render_certificates(&list, &settings.documents, &output)
        .unwrap();
    let written = output.commit().unwrap();
    let file = files_below(&written)
        .into_iter()
        .find(|f| {
            f.extension().is_some_and(|e| e == "pdf") && !f.to_string_lossy().contains("in-gop")
        })
        .unwrap();
    std::fs::copy(written.join(file), to).unwrap();
}

#[test]
fn three_campaigns_in_a_year_continue_one_sequence_and_a_new_year_restarts() {
    let temp = tempfile::tempdir().unwrap();
    let shared = "register = \"../so-chung.sqlite\"";
    let campaigns: Vec<PathBuf> = ["dot-1", "dot-2", "dot-3"]
        .iter()
        .map(|name| campaign_copy(temp.path(), name, &format!("name = \"{name}\"\n{shared}")))
        .collect();
    let number = |campaign: &Path, id: &str| decision(&decisions(campaign), id)["number"].as_u64();
    let c = |i: usize| campaigns[i].to_str().unwrap().to_string();
    assert_eq!(run(&["sign", "bk-bo", &c(0)]).0, 0);
    assert_eq!(run(&["sign", "gk", &c(0)]).0, 0);
    assert_eq!(run(&["sign", "bk-bo", &c(1)]).0, 0);
    assert_eq!(run(&["sign", "cstdcs", &c(2)]).0, 0);
    assert_eq!(number(&campaigns[0], "bk-bo"), Some(1));
    assert_eq!(number(&campaigns[0], "gk"), Some(2));
    assert_eq!(number(&campaigns[1], "bk-bo"), Some(3));
    assert_eq!(number(&campaigns[2], "cstdcs"), Some(4));
    // The first decision signed in the next year is 01 again.
    assert_eq!(run(&["sign", "ldtt", &c(2), "--date", "2027-01-05"]).0, 0);
    assert_eq!(number(&campaigns[2], "ldtt"), Some(1));
}

#[test]
fn a_changed_workbook_after_sign_off_is_a_conflict_not_a_change() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();
    assert_eq!(run(&["sign", "bk-bo", c]).0, 0);
    let before = decision(&decisions(&campaign), "bk-bo")["count"].clone();
    // Viện Triết học withdraws its workbook.
    std::fs::remove_file(campaign.join("inbox/vien-triet-hoc.xlsx")).unwrap();
    let built = tdkt(&["build", c, "--json"]);
    let json = stdout_json(&built);
    let conflict = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "register.conflict")
        .expect("the conflict is reported");
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .contains("01/QĐ-HVCTQG")
    );
    assert_eq!(built.status.code(), Some(1));
    assert_eq!(
        decision(&decisions(&campaign), "bk-bo")["count"],
        before,
        "the signed list stays as signed"
    );

    // The change becomes a draft correction that references the signed decision.
    let listed = decisions(&campaign);
    let correction = decision(&listed, "bk-bo-sd1");
    assert_eq!(correction["status"], "draft");
    let text = if have("pdftotext") {
        flat(&pdftotext(
            &campaign.join("output/quyet-dinh/qd-bk-bo-sd1.pdf"),
        ))
    } else {
        String::new()
    };
    if !text.is_empty() {
        assert!(
            text.contains("sửa đổi, bổ sung Quyết định số 01/QĐ-HVCTQG"),
            "{text}"
        );
        assert!(
            text.contains("Thu hồi Bằng khen cấp bộ") && text.contains("Vũ Trọng Hải"),
            "{text}"
        );
    }
    assert_eq!(run(&["sign", "bk-bo-sd1", c]).0, 0);
    assert_eq!(decision(&decisions(&campaign), "bk-bo-sd1")["number"], 2);
    let json = stdout_json(&tdkt(&["build", c, "--json"]));
    assert!(
        !json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "register.conflict"),
        "once the correction is signed, the register and the workbooks agree"
    );
    // A revoked certificate no longer verifies.
    let revoked = campaign.join("output/bang-khen/bk-bo/0003-vu-trong-hai.pdf");
    let (code, text) = run(&["verify", revoked.to_str().unwrap(), c]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("thu hồi"), "{text}");
}

/// Kills `tdkt build` or `tdkt sign` at random moments, then checks that
/// the register is whole, no number is assigned to nothing, and a rerun
/// leaves a complete output folder.
#[test]
fn killing_tdkt_at_any_moment_leaves_register_and_output_consistent() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();
    // A fixed sequence of delays, so a failure can be replayed.
    let mut seed: u64 = 0x5eed_1234;
    let mut next_delay = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % 700
    };
    let ids = ["ldtt", "cstdcs", "gk", "ttldtt", "ttldxs", "bk-bo"];
    for round in 0..20 {
        let args: Vec<&str> = if round % 2 == 0 {
            vec!["build", c]
        } else {
            vec!["sign", ids[(round / 2) % ids.len()], c]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_tdkt"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(next_delay()));
        let _ = child.kill();
        let _ = child.wait();
        check_register(&campaign.join("so-khen-thuong.sqlite"));
        check_no_half_written_output(&campaign);
    }
    // A rerun completes, and every decision's state is whole.
    run(&["build", c]);
    check_register(&campaign.join("so-khen-thuong.sqlite"));
    let out = campaign.join("output");
    for file in files_below(&out) {
        if file.extension().is_some_and(|e| e == "pdf") {
            lopdf::Document::load(out.join(&file))
                .unwrap_or_else(|e| panic!("{} is not a whole PDF: {e}", file.display()));
        }
    }
}

fn check_register(path: &Path) {
    if !path.exists() {
        return;
    }
    let conn = rusqlite::Connection::open(path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // Signed decisions have their grants; drafts have none.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM grant_record g JOIN decision d ON d.id = g.decision \
             WHERE d.status <> 'signed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans, 0,
        "no register number belongs to an unsigned decision"
    );
    let empty: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM decision d WHERE d.status = 'signed' AND d.corrects IS NULL \
             AND NOT EXISTS (SELECT 1 FROM grant_record g WHERE g.decision = d.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(empty, 0, "no number is assigned to nothing");
}

fn check_no_half_written_output(campaign: &Path) {
    let out = campaign.join("output");
    if !out.exists() {
        return;
    }
    for file in files_below(&out) {
        let name = file.to_string_lossy();
        if name == tdkt::write::MARKER {
            // The mark of tdkt's own output folder, written first.
            continue;
        }
        assert!(
            !name.contains(".tmp") && !name.contains(".tdkt-"),
            "a half-written file is visible: {name}"
        );
    }
}

#[test]
fn earlier_campaigns_in_the_register_complete_a_persons_history() {
    let temp = tempfile::tempdir().unwrap();
    let first = campaign_copy(temp.path(), "dot-2025", "");
    assert_eq!(run(&["sign", "cstdcs", first.to_str().unwrap()]).0, 0);
    let conn = rusqlite::Connection::open(first.join("so-khen-thuong.sqlite")).unwrap();
    let (name, birth, year): (String, String, i32) = conn
        .query_row(
            "SELECT name, birth, year FROM grant_record WHERE honour = 'CSTĐCS' AND birth LIKE '__/__/____' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        year, 2025,
        "a title counts for the campaign's year, not the signing year"
    );
    drop(conn);

    // The next year's campaign shares the register; its workbook gives no history.
    let next = next_year_campaign(
        temp.path(),
        "register = \"../dot-2025/so-khen-thuong.sqlite\"",
        &name,
        &birth,
    );
    let status = bk_bo_status;
    // CSTĐCS in 2025 (the register) and 2026 (this campaign): two years running.
    assert_eq!(status(&next), "eligible");
    // Without the register, 2025 is unknown.
    std::fs::write(
        next.join("tdkt.toml"),
        "[campaign]\nyear = 2026\nregister = \"khong-co.sqlite\"\n",
    )
    .unwrap();
    assert_eq!(status(&next), "cannot-verify");
}

/// A 2026 campaign whose one workbook proposes `name` for CSTĐCS and BK-BỘ
/// without any history columns.
fn next_year_campaign(root: &Path, campaign_line: &str, name: &str, birth: &str) -> PathBuf {
    let next = root.join("dot-2026");
    std::fs::create_dir_all(next.join("inbox")).unwrap();
    std::fs::write(
        next.join("tdkt.toml"),
        format!("[campaign]\nyear = 2026\n{campaign_line}\n"),
    )
    .unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Đơn vị: Viện Triết học").unwrap();
    let header = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Xếp loại năm 2026",
        "Danh hiệu đề nghị",
        "Hình thức khen thưởng đề nghị",
    ];
    for (col, label) in header.iter().enumerate() {
        sheet.write_string(2, col as u16, *label).unwrap();
    }
    let row = ["1", name, birth, "HTXSNV", "CSTĐCS", "BK-BỘ"];
    for (col, value) in row.iter().enumerate() {
        sheet.write_string(3, col as u16, *value).unwrap();
    }
    book.save(next.join("inbox/vien-triet-hoc.xlsx")).unwrap();
    next
}

/// The status of the campaign's BK-BỘ proposal.
fn bk_bo_status(dir: &Path) -> String {
    let json = stdout_json(&tdkt(&["check", dir.to_str().unwrap(), "--json"]));
    json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["proposal"] == "BK-BỘ")
        .map(|v| v["status"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn an_earlier_list_imported_from_excel_feeds_the_rules() {
    let temp = tempfile::tempdir().unwrap();
    let first = campaign_copy(temp.path(), "dot-2025", "");
    let f = first.to_str().unwrap();
    assert_eq!(run(&["sign", "cstdcs", f]).0, 0);
    run(&["build", f]);
    let book = first.join("output/so-khen-thuong/so-khen-thuong-2026.xlsx");
    let conn = rusqlite::Connection::open(first.join("so-khen-thuong.sqlite")).unwrap();
    let (name, birth): (String, String) = conn
        .query_row(
            "SELECT name, birth FROM grant_record WHERE birth LIKE '__/__/____' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);

    // An office new to tdkt: its own register, last year's book imported.
    let next = next_year_campaign(temp.path(), "", &name, &birth);
    assert_eq!(bk_bo_status(&next), "cannot-verify");
    let (code, text) = run(&["import", book.to_str().unwrap(), next.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Đã nhập 24 lượt"), "{text}");
    let (_, again) = run(&["import", book.to_str().unwrap(), next.to_str().unwrap()]);
    assert!(
        again.contains("Đã nhập 0 lượt") && again.contains("24 lượt đã có"),
        "{again}"
    );
    assert_eq!(bk_bo_status(&next), "eligible");
    // The history came from the register, beside the workbook: what check
    // prints as the workbooks is what the unit wrote, as inspect reads it.
    let n = next.to_str().unwrap();
    let checked = stdout_json(&tdkt(&["check", n, "--json"]));
    let inspected = stdout_json(&tdkt(&["inspect", n, "--json"]));
    assert_eq!(checked["workbooks"], inspected["workbooks"]);
    // The unit's feedback shows that history too, marked as the register's.
    run(&["build", n]);
    let feedback = files_below(&next.join("output/phan-hoi"));
    let marked = feedback.iter().any(|f| {
        let workbook =
            tdkt::ingest::read_workbook(&next.join("output/phan-hoi").join(f), "f.xlsx").unwrap();
        workbook.sheets.iter().flat_map(|s| s.rows.iter().flatten()).any(
            |c| matches!(c, tdkt::ingest::Cell::Text(t) if t.ends_with("(theo sổ khen thưởng)")),
        )
    });
    assert!(marked, "no feedback cell shows the register's history");
}

/// Writes an .xlsx with a header row and rows of text.
fn write_table(path: &Path, header: &[&str], rows: &[Vec<&str>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, label) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *label).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, col as u16, *value)
                .unwrap();
        }
    }
    book.save(path).unwrap();
}

/// A campaign of 2026 with an empty inbox.
fn empty_campaign_2026(root: &Path) -> PathBuf {
    let campaign = root.join("dot-2026");
    std::fs::create_dir_all(campaign.join("inbox")).unwrap();
    std::fs::write(campaign.join("tdkt.toml"), "[campaign]\nyear = 2026\n").unwrap();
    campaign
}

/// The columns of an earlier year's list of grants, as `tdkt import` reads it.
const IMPORT_HEADER: [&str; 7] = [
    "Họ và tên",
    "Ngày sinh",
    "Đơn vị",
    "Danh hiệu",
    "Năm",
    "Quyết định số",
    "Ngày ký",
];

#[test]
fn two_spellings_a_clerk_merges_read_as_one_history() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = empty_campaign_2026(temp.path());
    let c = campaign.to_str().unwrap();
    // Earlier years, typed two ways.
    let earlier = temp.path().join("nam-truoc.xlsx");
    write_table(
        &earlier,
        &IMPORT_HEADER,
        &[
            vec![
                "Nguyễn Thị Thuy",
                "01/02/1980",
                "Viện Triết học",
                "CSTĐCS",
                "2024",
                "03/QĐ-HVCTQG",
                "15/01/2025",
            ],
            vec![
                "Nguyễn Thị Thủy",
                "01/02/1980",
                "Viện Triết học",
                "CSTĐCS",
                "2025",
                "02/QĐ-HVCTQG",
                "15/01/2026",
            ],
        ],
    );
    assert_eq!(run(&["import", earlier.to_str().unwrap(), c]).0, 0);
    write_table(
        &campaign.join("inbox/vien-triet-hoc.xlsx"),
        &[
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Xếp loại năm 2026",
            "Sáng kiến",
            "Danh hiệu đề nghị",
        ],
        &[vec![
            "1",
            "Nguyễn Thị Thủy",
            "01/02/1980",
            "HTXSNV",
            "Sáng kiến cấp bộ năm 2026",
            "CSTĐ-BỘ",
        ]],
    );
    let status = || {
        let json = stdout_json(&tdkt(&["check", c, "--json"]));
        json["verdicts"][0]["status"].as_str().unwrap().to_string()
    };
    // 2026 and 2025 are known, 2024 is not (under her name).
    assert_eq!(status(), "cannot-verify");

    let out = tdkt(&["people", c, "--find", "nguyen thi thu", "--json"]);
    let people = stdout_json(&out);
    let id = |name: &str| {
        people["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["full_name"] == name)
            .and_then(|p| p["id"].as_i64())
            .unwrap()
    };
    let (keep, other) = (id("Nguyễn Thị Thủy"), id("Nguyễn Thị Thuy"));
    assert_eq!(
        run(&["merge-people", &keep.to_string(), &other.to_string(), c]).0,
        0
    );
    let (code, text) = run(&["merge-people", &other.to_string(), &keep.to_string(), c]);
    assert_eq!(code, 1, "a merge that loops is refused: {text}");
    assert_eq!(
        status(),
        "eligible",
        "three years of CSTĐCS, 2024 under the other spelling"
    );
    // A merge made in error is undone.
    assert_eq!(run(&["split-person", &other.to_string(), c]).0, 0);
    assert_eq!(status(), "cannot-verify");
    assert_eq!(
        run(&["split-person", &other.to_string(), c]).0,
        1,
        "not merged any more"
    );
}

#[test]
fn a_signed_decisions_electronic_copy_carries_signature_and_seal() {
    if !have("pdfimages") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
    for image in ["chu-ky.png", "con-dau.png"] {
        std::fs::copy(images.join(image), campaign.join(image)).unwrap();
    }
    let toml = campaign.join("tdkt.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replacen(
        "[signer]\n",
        "[signer]\nsignature = \"chu-ky.png\"\nseal = \"con-dau.png\"\n",
        1,
    );
    std::fs::write(&toml, text).unwrap();
    let c = campaign.to_str().unwrap();
    assert_eq!(run(&["sign", "bk-bo", c]).0, 0);
    run(&["build", c]);
    let count_images = |pdf: &str| {
        let out = Command::new("pdfimages")
            .arg("-list")
            .arg(campaign.join("output").join(pdf))
            .output()
            .unwrap();
        // Each PNG with transparency is an image and its soft mask.
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(2)
            .filter(|line| line.split_whitespace().nth(2) == Some("image"))
            .count()
    };
    assert_eq!(
        count_images("quyet-dinh/qd-bk-bo.pdf"),
        2,
        "signature and seal on the signed decision"
    );
    assert_eq!(
        count_images("quyet-dinh/qd-ldtt.pdf"),
        0,
        "a draft is never signed"
    );
    assert_eq!(count_images("bang-khen/bk-bo/0003-vu-trong-hai.pdf"), 2);
}

#[test]
fn one_combined_decision_with_an_article_per_honour() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "decisions = \"combined\"");
    let c = campaign.to_str().unwrap();
    let listed = decisions(&campaign);
    let all = listed["decisions"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{listed}");
    assert_eq!(all[0]["id"], "tong-hop");
    assert_eq!(run(&["sign", "tong-hop", c]).0, 0);
    run(&["build", c]);
    let out = campaign.join("output");
    assert!(
        !out.join("quyet-dinh/qd-bk-bo.pdf").exists(),
        "no decision per honour"
    );
    // Every certificate carries the one decision's number and verifies.
    let gk = files_below(&out.join("giay-khen/gk"));
    let first = out.join("giay-khen/gk").join(&gk[0]);
    let (code, text) = run(&["verify", first.to_str().unwrap(), c]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("GK") && text.contains("01/QĐ-HVCTQG"),
        "{text}"
    );
    if !have("pdftotext") {
        return;
    }
    let decision = flat(&pdftotext(&out.join("quyet-dinh/qd-tong-hop.pdf")));
    assert!(decision.contains("Số: 01/QĐ-HVCTQG"), "{decision}");
    assert!(
        decision.contains("Điều 1. Công nhận danh hiệu “Lao động tiên tiến”"),
        "{decision}"
    );
    assert!(
        decision.contains("Tặng Bằng khen cấp bộ cho 2 tập thể và 17 cá nhân"),
        "{decision}"
    );
    assert!(decision.contains("DANH SÁCH 6"), "{decision}");
}

#[test]
fn import_reads_names_and_births_as_workbooks_are_read() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = empty_campaign_2026(temp.path());
    let c = campaign.to_str().unwrap();
    let earlier = temp.path().join("nam-truoc.xlsx");
    write_table(
        &earlier,
        &IMPORT_HEADER,
        &[
            vec![
                "NGUYỄN VĂN HÙNG",
                "5/3/79",
                "Viện Triết học",
                "CSTĐCS",
                "2025",
                "02/QĐ-HVCTQG",
                "15/01/2026",
            ],
            vec![
                "Trần Thị Lan",
                "31/02/1980",
                "Viện Triết học",
                "CSTĐCS",
                "2025",
                "02/QĐ-HVCTQG",
                "15/01/2026",
            ],
        ],
    );
    let (code, text) = run(&["import", earlier.to_str().unwrap(), c]);
    assert_eq!(code, 1, "the bad birth is reported: {text}");
    assert!(text.contains("31/02/1980"), "{text}");
    let people = stdout_json(&tdkt(&["people", c, "--json"]));
    let person = &people["people"][0];
    assert_eq!(person["full_name"], "Nguyễn Văn Hùng");
    assert_eq!(person["birth"], "05/03/1979");
}

/// After a conflict the report pays what the register signed, and its
/// per-unit bonuses still add up to its total.
#[test]
fn after_a_conflict_the_units_bonuses_add_up_to_the_total() {
    use tdkt::settings::{Flags, Settings};
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();
    assert_eq!(run(&["sign", "bk-bo", c]).0, 0);
    // Viện Triết học withdraws its workbook after its Bằng khen was signed.
    std::fs::remove_file(campaign.join("inbox/vien-triet-hoc.xlsx")).unwrap();
    let settings = Settings::resolve(&Flags {
        input: Some(campaign.clone()),
        ..Flags::default()
    })
    .unwrap();
    let built = tdkt::pipeline::build(&settings, &tdkt::progress::Silent).unwrap();
    let aggregate = &tdkt::pipeline::reconciled_lists(&settings).unwrap();
    let signed = aggregate
        .decisions
        .iter()
        .find(|d| d.id == "bk-bo")
        .unwrap();
    assert!(signed.sign_off.is_some());
    let withdrawn: Vec<_> = signed
        .grants()
        .filter(|g| g.name == "Vũ Trọng Hải")
        .collect();
    assert_eq!(withdrawn.len(), 1, "the signed list stays as signed");
    let unit_total: u64 = aggregate.units.iter().map(|u| u.bonus).sum();
    assert_eq!(unit_total, aggregate.total_bonus);
    let lists_total: u64 = aggregate.decisions.iter().map(|d| d.total_bonus).sum();
    assert_eq!(lists_total, aggregate.total_bonus);
    let row = aggregate
        .units
        .iter()
        .find(|u| *u.code == *withdrawn[0].unit_code)
        .expect("the withdrawn unit keeps a row while a signed decision pays it");
    assert!(row.bonus >= withdrawn[0].bonus.unwrap_or(0) && row.total.proposed == 0);

    // The report says so: its units' column adds up to its total line.
    if have("pdftotext") {
        let report = files_below(&built.output)
            .into_iter()
            .find(|f| f.starts_with("bao-cao"))
            .unwrap();
        let text = flat(&pdftotext(&built.output.join(report)));
        assert!(
            text.contains(&format!(
                "Tổng tiền thưởng dự kiến: {} đồng",
                tdkt::format::group_thousands(aggregate.total_bonus)
            )),
            "{text}"
        );
        let received = aggregate
            .units
            .iter()
            .filter(|u| !u.file.is_empty())
            .count();
        assert!(received < aggregate.units.len());
        assert!(
            text.contains(&format!("hồ sơ đề nghị của {received} đơn vị")),
            "{text}"
        );
    }
}

/// The drafts the register keeps, by list id: (honour, number of grants).
fn stored_drafts(campaign: &Path) -> BTreeMap<String, (String, usize)> {
    let register = rusqlite::Connection::open(campaign.join("so-khen-thuong.sqlite")).unwrap();
    let mut rows = register
        .prepare("SELECT list_id, honour, list_json FROM decision WHERE status = 'draft'")
        .unwrap();
    rows.query_map([], |r| {
        let json: String = r.get(2)?;
        let list: serde_json::Value = serde_json::from_str(&json).unwrap();
        let count = ["individuals", "collectives"]
            .iter()
            .map(|k| list[k].as_array().map_or(0, Vec::len))
            .sum();
        Ok((r.get(0)?, (r.get(1)?, count)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_rebuild_keeps_the_registers_drafts_in_step_with_the_workbooks() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = campaign_copy(temp.path(), "dot-xet", "");
    let c = campaign.to_str().unwrap();
    assert!(run(&["build", c]).0 <= 1);
    let first = stored_drafts(&campaign);
    assert!(first.len() >= 3, "{first:?}");
    // Nothing changed: the drafts stay as they were.
    assert!(run(&["build", c]).0 <= 1);
    assert_eq!(stored_drafts(&campaign), first);
    // A unit withdraws its workbook: every draft that listed its people
    // shrinks, the rest stay.
    std::fs::remove_file(campaign.join("inbox/vien-triet-hoc.xlsx")).unwrap();
    assert!(run(&["build", c]).0 <= 1);
    let after = stored_drafts(&campaign);
    let shrunk: Vec<&String> = first
        .iter()
        .filter(|(id, (_, count))| after.get(*id).is_some_and(|(_, now)| now < count))
        .map(|(id, _)| id)
        .collect();
    assert!(!shrunk.is_empty(), "{first:?} → {after:?}");
    for (id, (honour, count)) in &after {
        assert!(first.get(id).is_none_or(|(h, n)| h == honour && n >= count));
    }
}

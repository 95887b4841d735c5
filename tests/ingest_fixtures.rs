//! Workbooks as units really send them, made by other producers
//! (tests/fixtures/generate.py), read through `tdkt inspect --json`.

mod common;

use std::path::Path;

use common::*;

fn inspect(fixture: &str, extra: &[&str]) -> serde_json::Value {
    inspect_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture),
        extra,
    )
}

/// `tdkt inspect DIR --json --year 2025 EXTRA…`, which must run (exit 0 or 1).
fn inspect_dir(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["inspect", dir.to_str().unwrap(), "--json", "--year", "2025"];
    args.extend_from_slice(extra);
    let out = tdkt(&args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// The files `inspect` kept, in its order.
fn files(json: &serde_json::Value) -> Vec<&str> {
    json["workbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["file"].as_str().unwrap())
        .collect()
}

#[test]
fn one_sheet_with_merged_headers_sections_and_groups() {
    let json = inspect("mixed-sheet", &[]);
    let workbook = &json["workbooks"][0];
    assert_eq!(workbook["unit"]["name"], "VIỆN TRIẾT HỌC");
    let people = workbook["individuals"].as_array().unwrap();
    let names: Vec<&str> = people
        .iter()
        .map(|p| p["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Thị Ánh"],
        "section, group and total rows are not people"
    );

    // "Ngày sinh" over "Nam" | "Nữ": the year under the sex column.
    assert_eq!(
        (people[0]["birth"].as_str(), people[0]["sex"].as_str()),
        (Some("1975"), Some("Nam"))
    );
    assert_eq!(
        (people[1]["birth"].as_str(), people[1]["sex"].as_str()),
        (Some("1982-03-05"), Some("Nữ"))
    );
    assert_eq!(people[2]["birth"], "1990-11-12");

    // "Xếp loại" over "2024" | "2025".
    assert_eq!(people[2]["rating"], "HTXSNV");
    assert_eq!(people[2]["rating_history"]["2024"], "HTTNV");
    assert_eq!(people[0]["title_history"]["2024"], "CSTĐCS");

    // Group rows carry the sub-unit into the rows below them.
    assert_eq!(people[1]["sub_unit"], "Phòng Triết học Mác - Lênin");
    assert_eq!(people[2]["sub_unit"], "Phòng Lịch sử Triết học");

    // "II. TẬP THỂ" switches the same columns to collectives.
    let collectives = workbook["collectives"].as_array().unwrap();
    assert_eq!(collectives.len(), 1);
    assert_eq!(collectives[0]["name"], "Phòng Triết học Mác - Lênin");
    assert_eq!(collectives[0]["proposed_title"], "TTLĐXS");
    assert_eq!(collectives[0]["source"]["row"], 15);
}

#[test]
fn text_typed_in_legacy_fonts_becomes_unicode() {
    let json = inspect("legacy-fonts", &[]);
    let people = json["workbooks"][0]["individuals"].as_array().unwrap();
    let read: Vec<(&str, &str, &str)> = people
        .iter()
        .map(|p| {
            (
                p["full_name"].as_str().unwrap(),
                p["sub_unit"].as_str().unwrap(),
                p["sex"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("Nguyễn Thị Hồng Nhung", "Phòng Nghiên cứu Triết học", "Nữ"), // TCVN3
            ("Đặng Văn Ưng", "Khoa Lịch sử", "Nam"),                       // TCVN3
            ("Nguyễn Thị Ánh Tuyết", "Phòng Quản lý khoa học", "Nữ"),      // VNI
            ("Phạm Quốc Khánh", "Văn phòng Viện", "Nam"),                  // VNI
        ]
    );
    assert!(people.iter().all(|p| p["proposed_title"] == "LĐTT"));
    let warning = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ingest.legacy-font");
    assert!(
        warning.is_some(),
        "the clerk is told that text was converted"
    );
}

/// A small canonical workbook for `unit` with the given people (name, birth).
fn workbook(path: &Path, unit: &str, people: &[(&str, &str)]) {
    saved_workbook(path, unit, people, None);
}

/// The same, recording `saved` (y, m, d) as the workbook's last-saved date.
fn saved_workbook(path: &Path, unit: &str, people: &[(&str, &str)], saved: Option<(u16, u8, u8)>) {
    workbook_of_year(path, unit, people, saved, 2025);
}

/// The same, for `year`.
fn workbook_of_year(
    path: &Path,
    unit: &str,
    people: &[(&str, &str)],
    saved: Option<(u16, u8, u8)>,
    year: i32,
) {
    let mut book = rust_xlsxwriter::Workbook::new();
    if let Some((y, m, d)) = saved {
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).unwrap();
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date));
    }
    let info = book.add_worksheet();
    info.set_name("Thông tin đơn vị").unwrap();
    info.write_string(0, 0, "Tên đơn vị").unwrap();
    info.write_string(0, 1, unit).unwrap();
    info.write_string(1, 0, "Năm xét").unwrap();
    info.write_number(1, 1, f64::from(year)).unwrap();
    let list = book.add_worksheet();
    list.set_name("Cá nhân").unwrap();
    for (col, label) in [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        &format!("Xếp loại năm {year}"),
        "Danh hiệu đề nghị",
    ]
    .iter()
    .enumerate()
    {
        list.write_string(0, col as u16, *label).unwrap();
    }
    for (i, (name, birth)) in people.iter().enumerate() {
        let row = i as u32 + 1;
        list.write_number(row, 0, f64::from(row)).unwrap();
        list.write_string(row, 1, *name).unwrap();
        list.write_string(row, 2, *birth).unwrap();
        list.write_string(row, 3, "HTTNV").unwrap();
        list.write_string(row, 4, "LĐTT").unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn the_same_person_twice_and_the_same_unit_twice_are_reported() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    workbook(
        &dir.join("a.xlsx"),
        "Viện Triết học",
        &[
            ("Nguyễn Văn An", "01/02/1980"),
            ("Lê Thị Bình", "03/04/1985"),
        ],
    );
    workbook(
        &dir.join("b.xlsx"),
        "Viện Kinh tế",
        &[("NGUYỄN VĂN AN", "01/02/1980")],
    );
    // A correction from Viện Triết học, written later: it replaces a.xlsx.
    std::thread::sleep(std::time::Duration::from_millis(20));
    workbook(
        &dir.join("c.xlsx"),
        "Viện Triết học",
        &[("Lê Thị Bình", "03/04/1985")],
    );
    let json = inspect_dir(dir, &[]);
    let kept = files(&json);
    assert!(
        kept.contains(&"c.xlsx") && !kept.contains(&"a.xlsx"),
        "the newer workbook wins: {kept:?}"
    );
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let replaced = diagnostics
        .iter()
        .find(|d| d["code"] == "ingest.replaced")
        .expect("replacement said");
    assert_eq!(replaced["file"], "a.xlsx");

    // With both workbooks of a unit kept apart, the same person in two units is named.
    let temp = tempfile::tempdir().unwrap();
    workbook(
        &temp.path().join("a.xlsx"),
        "Viện Triết học",
        &[("Nguyễn Văn An", "01/02/1980")],
    );
    workbook(
        &temp.path().join("b.xlsx"),
        "Viện Kinh tế",
        &[("NGUYỄN VĂN AN", "01/02/1980")],
    );
    let json = inspect_dir(temp.path(), &[]);
    let duplicate = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ingest.duplicate-person")
        .expect("duplicate reported");
    assert_eq!(duplicate["file"], "b.xlsx");
    let message = duplicate["message"].as_str().unwrap();
    assert!(
        message.contains("a.xlsx") && message.contains("dòng 2"),
        "{message}"
    );
}

#[test]
fn values_as_units_type_them() {
    let json = inspect("values", &[]);
    let people = json["workbooks"][0]["individuals"].as_array().unwrap();
    let hai = &people[0];
    assert_eq!(hai["full_name"], "Trần Văn Hải");
    assert_eq!(hai["birth"], "1979-03-05", "a date cell in the 1904 system");
    assert_eq!(hai["job_title"], "Giảng viên chính");
    assert_eq!(hai["teaching_hours"], 312.5, "'312,5' typed as text");
    assert_eq!(hai["research_points"], 1.5);
    assert_eq!(hai["rating"], "HTXSNV");
    assert_eq!(hai["rating_history"]["2024"], "HTXSNV");
    assert_eq!(hai["proposed_title"], "CSTĐCS");
    assert_eq!(hai["proposed_award"], "BK-BỘ");
    let mai = &people[1];
    assert_eq!(
        (mai["birth"].as_str(), mai["sex"].as_str()),
        (Some("1979-03-05"), Some("Nữ")),
        "'5/3/79'"
    );
    assert_eq!(mai["teaching_hours"], 1250.5, "'1.250,5'");
    assert_eq!(mai["months_worked"], 12, "a formula, by its cached value");
    assert_eq!(
        people[2]["birth"], "1979-03-05",
        "'05-03-1979', on a hidden row"
    );
    assert_eq!(people[2]["full_name"], "Phạm Văn Toàn");
    assert_eq!(people.len(), 3, "rows with errors are not used");

    let diagnostics = json["diagnostics"].as_array().unwrap();
    let at = |cell: &str| {
        diagnostics
            .iter()
            .find(|d| d["cell"] == cell)
            .unwrap_or_else(|| panic!("no diagnostic at {cell}: {diagnostics:#?}"))
    };
    assert_eq!(at("I7")["code"], "ingest.bad-code");
    assert!(
        at("I7")["message"]
            .as_str()
            .unwrap()
            .contains("HTXSNV, HTTNV, HTNV, KHTNV"),
        "accepted values listed"
    );
    assert_eq!(at("D8")["code"], "ingest.bad-date");
    assert_eq!(at("G9")["code"], "ingest.bad-number");
    assert_eq!(at("K10")["code"], "ingest.bad-code");
    assert_eq!(at("M11")["code"], "ingest.error-cell");
    assert!(
        diagnostics
            .iter()
            .all(|d| d["sheet"] == "Sheet1" || d["cell"].is_null())
    );
}

#[test]
fn xls_ods_corrupt_and_lock_files() {
    let json = inspect("formats", &[]);
    assert_eq!(
        files(&json),
        ["vien-lich-su-dang.ods", "vien-triet-hoc.xls"]
    );
    for workbook in json["workbooks"].as_array().unwrap() {
        let people = workbook["individuals"].as_array().unwrap();
        assert_eq!(people[0]["full_name"], "Nguyễn Thị Lan");
        assert_eq!(people[0]["birth"], "1979-03-05");
        assert_eq!(people[1]["birth"], "1980");
        assert_eq!(people[1]["proposed_title"], "LĐTT");
    }
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let broken = diagnostics
        .iter()
        .find(|d| d["file"] == "hong.xlsx")
        .expect("the corrupt file is named");
    assert_eq!(broken["severity"], "error");
    assert!(diagnostics.iter().any(|d| d["code"] == "ingest.lock-file"));
    let locked = diagnostics
        .iter()
        .find(|d| d["file"] == "mat-khau.xlsx")
        .expect("the locked file is named");
    assert_eq!(locked["code"], "ingest.password");
    assert!(locked["message"].as_str().unwrap().contains("mật khẩu"));
}

#[test]
fn inspect_tells_a_clerk_how_each_row_was_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mixed-sheet");
    let out = tdkt(&["inspect", dir.to_str().unwrap(), "--year", "2025"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "trang 'DS khen thưởng': danh sách Cá nhân, dòng tiêu đề 5",
        "cột C   → Ngày sinh (Nam)",
        "cột G   → Xếp loại năm 2025",
        "dòng 9: tên nhóm 'Phòng Triết học Mác - Lênin'",
        "dòng 14: mục mới: danh sách tập thể",
        "dòng 16: dòng tổng cộng",
        "đọc được 3 cá nhân, 1 tập thể",
    ] {
        assert!(text.contains(expected), "missing '{expected}' in:\n{text}");
    }
}

#[test]
fn the_workbook_saved_last_wins_whatever_the_file_times_say() {
    let temp = tempfile::tempdir().unwrap();
    // The correction was saved in March but copied into the inbox first.
    saved_workbook(
        &temp.path().join("sua.xlsx"),
        "Viện Triết học",
        &[("Lê Thị Bình", "03/04/1985")],
        Some((2025, 3, 1)),
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    saved_workbook(
        &temp.path().join("cu.xlsx"),
        "Viện Triết học",
        &[("Lê Thị Bình", "03/04/1985")],
        Some((2025, 1, 1)),
    );
    assert_eq!(files(&inspect_dir(temp.path(), &[])), ["sua.xlsx"]);
}

#[test]
fn the_unit_named_only_in_the_title_block() {
    let temp = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "HỌC VIỆN CHÍNH TRỊ QUỐC GIA HỒ CHÍ MINH")
        .unwrap();
    sheet
        .write_string(1, 0, "VIỆN KINH TẾ CHÍNH TRỊ HỌC")
        .unwrap();
    sheet
        .write_string(2, 0, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025")
        .unwrap();
    for (col, label) in ["STT", "Họ và tên", "Xếp loại năm 2025", "Danh hiệu đề nghị"]
        .iter()
        .enumerate()
    {
        sheet.write_string(4, col as u16, *label).unwrap();
    }
    sheet.write_number(5, 0, 1.0).unwrap();
    sheet.write_string(5, 1, "Lê Văn Cường").unwrap();
    sheet.write_string(5, 2, "HTTNV").unwrap();
    sheet.write_string(5, 3, "LĐTT").unwrap();
    std::fs::create_dir(temp.path().join("inbox")).unwrap();
    book.save(temp.path().join("inbox/de-nghi-khen-thuong.xlsx"))
        .unwrap();
    let units = temp.path().join("units.csv");
    std::fs::write(
        &units,
        "code,name,aliases\nVTH,Viện Triết học,\nVKT,Viện Kinh tế chính trị học,\n",
    )
    .unwrap();
    let inbox = temp.path().join("inbox");
    let json = inspect_dir(&inbox, &["--units", units.to_str().unwrap()]);
    assert_eq!(json["workbooks"][0]["unit"]["code"], "VKT", "{json:#}");
    assert_eq!(
        json["workbooks"][0]["unit"]["name"],
        "Viện Kinh tế chính trị học"
    );
}

/// Each folder of tests/fixtures is one deviation of form-spec.md; its
/// snapshot (`tests/snapshots/inspect@<folder>.snap`, insta) holds every
/// record and diagnostic `inspect` must give. After a deliberate change,
/// `INSTA_UPDATE=always cargo test --test ingest_fixtures` (or `cargo insta
/// review`) rewrites them, and the diff is read before committing.
#[test]
fn every_deviation_folder_reads_as_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(folders.len() >= 7, "{folders:?}");
    for folder in folders {
        let units = folder.join("units.csv");
        let extra: Vec<&str> = if units.is_file() {
            vec!["--units", units.to_str().unwrap()]
        } else {
            Vec::new()
        };
        let got = inspect_dir(&folder, &extra);
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_suffix => name.as_str(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!("inspect", got);
        });
    }
}

/// Without a year in tdkt.toml or on the command line, the campaign's year
/// is the one most workbooks name, and a workbook of another year is
/// refused, naming its file. `check` maps each workbook as it is read, with
/// its own year, and reads a minority one again; `inspect` maps them all
/// once every one is read: both find the same.
#[test]
fn a_workbook_of_another_year_than_most_is_refused_however_it_is_read() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let people = [("Nguyễn Văn An", "01/02/1980")];
    workbook_of_year(&dir.join("a.xlsx"), "Viện Triết học", &people, None, 2025);
    workbook_of_year(&dir.join("b.xlsx"), "Viện Kinh tế", &people, None, 2025);
    workbook_of_year(&dir.join("c.xlsx"), "Viện Sử học", &people, None, 2024);
    let dir = dir.to_str().unwrap();
    let checked = stdout_json(&tdkt(&["check", dir, "--json"]));
    let inspected = stdout_json(&tdkt(&["inspect", dir, "--json"]));
    for json in [&checked, &inspected] {
        assert_eq!(files(json), ["a.xlsx", "b.xlsx"]);
        let codes: Vec<(&str, &str)> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
            .collect();
        assert!(codes.contains(&("ingest.year-assumed", "")), "{codes:?}");
        assert!(
            codes.contains(&("ingest.wrong-year", "c.xlsx")),
            "{codes:?}"
        );
    }
    assert_eq!(checked["workbooks"], inspected["workbooks"]);
    assert_eq!(checked["workbooks"][0]["year"], 2025);
    let refusal = |json: &serde_json::Value| {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "ingest.wrong-year")
            .cloned()
    };
    assert_eq!(refusal(&checked), refusal(&inspected));
}

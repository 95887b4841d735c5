//! Files a secretariat's inbox really collects, one class each: broken
//! downloads, files from other programs, absurd sizes, escape characters,
//! links. Each sits in an inbox beside a good workbook; each must be one
//! diagnostic naming it, and the good workbook must still be read.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;

const GOOD: &str = "vien-triet-hoc.xlsx";

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile-inputs/seeds")
        .join(name)
}

/// An inbox holding the good workbook.
fn inbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seed("openpyxl.xlsx"), dir.path().join(GOOD)).unwrap();
    dir
}

/// `tdkt inspect --json` on `dir`: it must run (exit 0 or 1), and the good
/// workbook must be there with its three people.
fn inspect(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["inspect", dir.to_str().unwrap(), "--json", "--year", "2025"];
    args.extend_from_slice(extra);
    let out = tdkt(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "exit {:?}: {stderr}",
        out.status
    );
    let json = stdout_json(&out);
    let good = json["workbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["file"] == GOOD)
        .unwrap_or_else(|| panic!("the good workbook is missing: {json:#}"));
    assert_eq!(good["individuals"].as_array().unwrap().len(), 3, "{good:#}");
    json
}

/// The diagnostics about `file`.
fn about<'j>(json: &'j serde_json::Value, file: &str) -> Vec<&'j serde_json::Value> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .collect()
}

/// The one diagnostic with `code` about `file`; its message.
fn diagnostic<'j>(json: &'j serde_json::Value, file: &str, code: &str) -> &'j serde_json::Value {
    about(json, file)
        .into_iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} for {file}: {:#}", json["diagnostics"]))
}

/// A minimal xlsx from its sheet XML and, when given, its shared strings.
fn raw_xlsx(path: &Path, sheet: &[u8], shared_strings: Option<&str>) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut part = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    let strings_rel = if shared_strings.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    part(
        "xl/_rels/workbook.xml.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>"#).as_bytes(),
    );
    if let Some(strings) = shared_strings {
        part("xl/sharedStrings.xml", strings.as_bytes());
    }
    part("xl/worksheets/sheet1.xml", sheet);
    zip.finish().unwrap();
}

fn sheet_xml(rows: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#).into_bytes()
}

fn text_cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn a_cut_short_xls_is_one_error_and_the_rest_is_read() {
    let dir = inbox();
    let bytes = std::fs::read(seed("libreoffice-biff8.xls")).unwrap();
    std::fs::write(dir.path().join("tai-do.xls"), &bytes[..bytes.len() / 2]).unwrap();
    let json = inspect(dir.path(), &[]);
    let problem = diagnostic(&json, "tai-do.xls", "ingest.unreadable");
    assert_eq!(problem["severity"], "error");
    assert!(
        problem["message"].as_str().unwrap().contains("tệp hỏng"),
        "{problem}"
    );
}

#[test]
fn a_stray_cell_at_the_last_row_costs_nothing_and_the_workbook_is_read() {
    let dir = inbox();
    let rows = format!(
        r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
        text_cell("A1", "Đơn vị: Viện Kinh tế"),
        text_cell("Z1048576", "x")
    );
    raw_xlsx(&dir.path().join("o-xa.xlsx"), &sheet_xml(&rows), None);
    let json = inspect(dir.path(), &[]);
    assert!(
        about(&json, "o-xa.xlsx")
            .iter()
            .all(|d| d["code"] != "ingest.unreadable" && d["code"] != "ingest.too-large"),
        "{:#}",
        json["diagnostics"]
    );
}

#[test]
fn a_cell_past_excels_last_row_is_a_warning_and_skipped() {
    let dir = inbox();
    let rows = format!(
        r#"<row r="1">{}</row><row r="99999999">{}</row>"#,
        text_cell("A1", "Đơn vị: Viện Kinh tế"),
        text_cell("A99999999", "x")
    );
    raw_xlsx(&dir.path().join("qua-dong.xlsx"), &sheet_xml(&rows), None);
    let json = inspect(dir.path(), &[]);
    let problem = diagnostic(&json, "qua-dong.xlsx", "ingest.out-of-range");
    assert!(
        problem["message"].as_str().unwrap().contains("99.999.999"),
        "{problem}"
    );
}

#[test]
fn an_absurd_shared_string_count_is_refused_before_it_is_reserved() {
    let dir = inbox();
    let strings = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000000000000"><si><t>Nguyễn Văn A</t></si></sst>"#;
    let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    raw_xlsx(
        &dir.path().join("sst.xlsx"),
        &sheet_xml(rows),
        Some(strings),
    );
    let json = inspect(dir.path(), &[]);
    let problem = diagnostic(&json, "sst.xlsx", "ingest.too-large");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("quá giới hạn 1.000.000"),
        "{problem}"
    );
}

/// A campaign folder whose `[limits]` are small, so that a large file is
/// quick to make.
fn limited_campaign(limits: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("inbox")).unwrap();
    std::fs::copy(seed("openpyxl.xlsx"), dir.path().join("inbox").join(GOOD)).unwrap();
    std::fs::write(
        dir.path().join("tdkt.toml"),
        format!("[campaign]\nyear = 2025\n\n[limits]\n{limits}\n"),
    )
    .unwrap();
    dir
}

fn inspect_campaign(dir: &Path) -> serde_json::Value {
    inspect(dir, &[])
}

#[test]
fn a_zip_bomb_stops_at_the_inflated_limit() {
    let dir = limited_campaign("inflated_mib = 4");
    // 6 MiB of padding that deflates to a few kilobytes.
    let mut sheet = sheet_xml(&format!(r#"<row r="1">{}</row>"#, text_cell("A1", "x")));
    sheet.splice(sheet.len() - 12..sheet.len() - 12, vec![b' '; 6 << 20]);
    raw_xlsx(&dir.path().join("inbox/bom.xlsx"), &sheet, None);
    assert!(
        std::fs::metadata(dir.path().join("inbox/bom.xlsx"))
            .unwrap()
            .len()
            < 200_000
    );
    let json = inspect_campaign(dir.path());
    let problem = diagnostic(&json, "bom.xlsx", "ingest.too-large");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("giới hạn 4 MiB"), "{message}");
    assert!(message.contains("inflated_mib"), "{message}");
}

#[test]
fn a_sheet_with_too_many_rows_names_the_limit_to_raise() {
    let dir = limited_campaign("rows = 1000");
    let rows: String = (1..=1500)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    raw_xlsx(
        &dir.path().join("inbox/trieu-dong.xlsx"),
        &sheet_xml(&rows),
        None,
    );
    let json = inspect_campaign(dir.path());
    let problem = diagnostic(&json, "trieu-dong.xlsx", "ingest.too-large");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("hơn 1.000 dòng"), "{message}");
    assert!(message.contains("[limits]"), "{message}");
}

#[test]
fn an_ods_with_huge_repeat_counts_is_one_error() {
    let dir = inbox();
    // The seed's own package (manifest, styles) with one table of a cell
    // repeated over every row and column of the sheet.
    let seed_bytes = std::fs::read(seed("libreoffice.ods")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(seed_bytes)).unwrap();
    let file = std::fs::File::create(dir.path().join("lap.ods")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
        if name == "content.xml" {
            let text = String::from_utf8(content).unwrap();
            let start = text.find("<table:table ").unwrap();
            let end = text.find("</table:table>").unwrap() + "</table:table>".len();
            let table = r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#;
            content = format!("{}{table}{}", &text[..start], &text[end..]).into_bytes();
        }
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        zip.start_file(
            name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zip.write_all(&content).unwrap();
    }
    zip.finish().unwrap();
    let json = inspect(dir.path(), &[]);
    let problem = diagnostic(&json, "lap.ods", "ingest.too-large");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("lặp dòng, cột"),
        "{problem}"
    );
}

#[test]
fn escape_sequences_are_removed_at_the_door_and_never_reach_the_terminal() {
    let dir = inbox();
    let rows = format!(
        r#"<row r="1">{}</row><row r="3">{}{}</row><row r="4">{}{}</row>"#,
        text_cell("A1", "Đơn vị: Viện Kinh tế"),
        text_cell("A3", "STT"),
        text_cell("B3", "Họ và tên"),
        text_cell("A4", "1"),
        text_cell("B4", "Nguyễn\u{1b}]0;owned\u{7} Văn\u{1b}[2J A"),
    );
    raw_xlsx(&dir.path().join("thoat.xlsx"), &sheet_xml(&rows), None);
    let json = inspect(dir.path(), &[]);
    let problem = diagnostic(&json, "thoat.xlsx", "ingest.control-characters");
    assert_eq!(problem["cell"], "B4");
    assert!(!json.to_string().contains("\\u001b"), "{json}");
    let human = tdkt(&["inspect", dir.path().to_str().unwrap(), "--year", "2025"]);
    let shown = [human.stdout, human.stderr].concat();
    assert!(
        !shown.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&shown)
    );
}

#[test]
fn links_and_special_files_are_said() {
    let dir = inbox();
    let elsewhere = tempfile::tempdir().unwrap();
    let kept = elsewhere.path().join("thu-muc-chung.xlsx");
    std::fs::copy(seed("../../fixtures/values/vien-kinh-te.xlsx"), &kept).unwrap();
    std::os::unix::fs::symlink(&kept, dir.path().join("lien-ket.xlsx")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("khong-co.xlsx"),
        dir.path().join("gay.xlsx"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("vong")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("vong/lap")).unwrap();
    let fifo = dir.path().join("ong.xlsx");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let json = inspect(dir.path(), &[]);
    let linked = diagnostic(&json, "lien-ket.xlsx", "ingest.symlink");
    assert!(
        linked["message"]
            .as_str()
            .unwrap()
            .contains("thu-muc-chung.xlsx"),
        "{linked}"
    );
    assert!(
        json["workbooks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["file"] == "lien-ket.xlsx"),
        "the linked workbook is read"
    );
    diagnostic(&json, "gay.xlsx", "ingest.broken-link");
    diagnostic(&json, "vong/lap", "ingest.link-loop");
    if made.is_ok_and(|s| s.success()) {
        diagnostic(&json, "ong.xlsx", "ingest.special-file");
    }
}

#[test]
fn a_file_over_the_size_limit_is_not_read_at_all() {
    let dir = limited_campaign("file_mib = 1");
    std::fs::write(dir.path().join("inbox/lon.xlsx"), vec![0u8; 2 << 20]).unwrap();
    let json = inspect_campaign(dir.path());
    let problem = diagnostic(&json, "lon.xlsx", "ingest.too-large");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("giới hạn 1 MiB"),
        "{problem}"
    );
}

#[test]
fn an_unknown_limit_in_tdkt_toml_is_refused() {
    let dir = limited_campaign("colums = 5");
    let out = tdkt(&["inspect", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("colums"));
}

#[test]
fn many_cleaned_cells_are_named_up_to_twenty_then_counted() {
    let dir = inbox();
    let rows: String = (1..=25)
        .map(|r| {
            format!(
                r#"<row r="{r}">{}</row>"#,
                text_cell(&format!("A{r}"), "x\u{7}y")
            )
        })
        .collect();
    raw_xlsx(&dir.path().join("chuong.xlsx"), &sheet_xml(&rows), None);
    let json = inspect(dir.path(), &[]);
    let cleaned: Vec<_> = about(&json, "chuong.xlsx")
        .into_iter()
        .filter(|d| d["code"] == "ingest.control-characters")
        .collect();
    assert_eq!(cleaned.len(), 21, "{cleaned:#?}");
    assert!(cleaned[20]["message"].as_str().unwrap().contains("Còn 5 ô"));
}

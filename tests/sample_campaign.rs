//! The whole run on the bundled sample campaign, through the real binary,
//! checked as a clerk (and a script following contracts.md) would.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

#[test]
fn inspect_json_reads_every_workbook_of_the_sample() {
    let out = tdkt(&["inspect", sample().to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    let workbooks = json["workbooks"].as_array().unwrap();
    assert_eq!(workbooks.len(), 9);
    let people: usize = workbooks
        .iter()
        .map(|w| w["individuals"].as_array().unwrap().len())
        .sum();
    let collectives: usize = workbooks
        .iter()
        .map(|w| w["collectives"].as_array().unwrap().len())
        .sum();
    assert_eq!((people, collectives), (150, 17));

    let vth = workbooks
        .iter()
        .find(|w| w["unit"]["code"] == "VTH")
        .expect("Viện Triết học identified");
    assert_eq!(vth["unit"]["name"], "Viện Triết học");
    assert_eq!(vth["year"], 2025);
    let first = &vth["individuals"][0];
    assert_eq!(first["source"]["sheet"], "Cá nhân");
    assert_eq!(first["source"]["row"], 4);
    assert!(
        first["birth"].as_str().unwrap().len() == 10,
        "birth as YYYY-MM-DD: {}",
        first["birth"]
    );
    assert!(
        first["rating_history"]
            .as_object()
            .unwrap()
            .contains_key("2024")
    );

    // The note in the inbox is skipped with a warning naming it, and good
    // Unicode is never taken for legacy-font text.
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["code"] == "ingest.legacy-font")
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d["file"] == "ghi-chu.txt" && d["severity"] == "warning")
    );
}

#[test]
fn dates_typed_as_text_read_like_real_dates() {
    let out = tdkt(&["inspect", sample().to_str().unwrap(), "--json"]);
    let json = stdout_json(&out);
    let vnn = json["workbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["unit"]["code"] == "VNN")
        .unwrap();
    for person in vnn["individuals"].as_array().unwrap() {
        let birth = person["birth"].as_str().unwrap();
        assert!(
            chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").is_ok(),
            "{birth}"
        );
    }
}

#[test]
fn check_json_gives_the_planted_verdicts() {
    let out = tdkt(&["check", sample().to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "proposals fail, so check exits 1"
    );
    let json = stdout_json(&out);
    let verdicts = json["verdicts"].as_array().unwrap();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for v in verdicts {
        *by_status
            .entry(v["status"].as_str().unwrap().to_string())
            .or_default() += 1;
        assert_eq!(v["eligible"].as_bool().unwrap(), v["status"] == "eligible");
    }
    assert_eq!(by_status["not-eligible"], 17);
    assert_eq!(by_status["held"], 1);
    assert_eq!(by_status["cannot-verify"], 1);

    let find = |file: &str, row: u64, proposal: &str| {
        verdicts
            .iter()
            .find(|v| v["file"] == file && v["row"] == row && v["proposal"] == proposal)
            .unwrap_or_else(|| panic!("no verdict for {file} row {row} {proposal}"))
    };
    let low_rating = find("vien-triet-hoc.xlsx", 22, "LĐTT");
    assert_eq!(low_rating["status"], "not-eligible");
    assert_eq!(low_rating["failed"][0]["rule"], "LĐTT.xep-loai");
    assert!(
        low_rating["failed"][0]["message"]
            .as_str()
            .unwrap()
            .contains("HTNV")
    );

    let missing_year = find("hvct-kv1.xlsx", 20, "BK-TTG");
    assert_eq!(missing_year["status"], "cannot-verify");
    assert!(
        missing_year["failed"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2021")
    );

    let held = find("vien-nha-nuoc-va-phap-luat.xlsx", 17, "CSTĐCS");
    assert_eq!(held["status"], "held");

    // Two proposals on one row give two verdicts; the award sees the title's fate.
    assert_eq!(
        find("vien-nha-nuoc-va-phap-luat.xlsx", 14, "CSTĐCS")["status"],
        "not-eligible"
    );
    assert_eq!(
        find("vien-nha-nuoc-va-phap-luat.xlsx", 14, "BK-BỘ")["status"],
        "not-eligible"
    );

    let quotas = json["quotas"].as_array().unwrap();
    let vqh = quotas
        .iter()
        .find(|q| q["unit"] == "VQH" && q["proposal"] == "HTXSNV")
        .unwrap();
    assert_eq!(
        (
            vqh["allowed"].as_u64(),
            vqh["proposed"].as_u64(),
            vqh["ok"].as_bool()
        ),
        (Some(2), Some(5), Some(false))
    );
}

#[test]
fn check_prints_problems_like_a_compiler() {
    let out = tdkt(&["check", sample().to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("vien-triet-hoc.xlsx › Cá nhân › dòng 22"),
        "{text}"
    );
    assert!(text.contains("[LĐTT.xep-loai]"));
    // The hint names the cell the rule read, with its column's label.
    assert!(
        text.contains("gợi ý: xem H22 (Xếp loại năm 2025)"),
        "{text}"
    );
    assert!(text.contains("vượt tỷ lệ: VQH"));
}

#[test]
fn a_folder_that_does_not_exist_is_exit_2() {
    let out = tdkt(&["check", "/nonexistent/tdkt/campaign", "--year", "2025"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Không tìm thấy"));
}

fn build_into(dir: &Path) -> serde_json::Value {
    // A copy: a build keeps the register beside the campaign.
    let copy = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&copy.path().join("hvctqg-2025"));
    let out = tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

#[test]
fn build_writes_decisions_certificates_and_report_that_outside_tools_accept() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("ket-qua");
    let json = build_into(&out);

    for path in [
        "quyet-dinh/qd-ldtt.pdf",
        "quyet-dinh/qd-cstdcs.pdf",
        "quyet-dinh/qd-gk.pdf",
        "quyet-dinh/qd-bk-bo.pdf",
        "quyet-dinh/qd-ttldtt.pdf",
        "quyet-dinh/qd-ttldxs.pdf",
        "to-trinh/ttr-bk-ttg.pdf",
        "to-trinh/ttr-hcld3.pdf",
        "bao-cao/bao-cao-tong-hop.pdf",
        "bang-khen/bk-bo-in-gop.pdf",
        "giay-khen/gk-in-gop.pdf",
        "phan-hoi/vth.xlsx",
    ] {
        assert!(out.join(path).is_file(), "{path} missing");
    }
    // The feedback workbook lists every record of the unit as read, one a row.
    let feedback = tdkt::ingest::read_workbook(&out.join("phan-hoi/vth.xlsx"), "vth.xlsx").unwrap();
    let names: Vec<&str> = feedback.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Tóm tắt", "Cá nhân", "Tập thể", "Lỗi khi đọc"]);
    let vth = json["workbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["unit"]["code"] == "VTH")
        .unwrap();
    let records =
        vth["individuals"].as_array().unwrap().len() + vth["collectives"].as_array().unwrap().len();
    let listed: usize = feedback.sheets[1..3]
        .iter()
        .map(|s| s.rows.iter().skip(1).filter(|r| !r.is_empty()).count())
        .sum();
    assert_eq!(listed, records);
    assert!(
        feedback.sheets[1]
            .rows
            .iter()
            .flatten()
            .any(|c| c.as_text() == "Không đủ điều kiện")
    );

    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(leftovers.len(), 1, "only the output folder remains");

    // Every person eligible for a Bằng khen has a certificate of their own.
    let eligible_bk: Vec<&serde_json::Value> = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["proposal"] == "BK-BỘ" && v["eligible"] == true)
        .collect();
    let certificates = files_below(&out.join("bang-khen/bk-bo"));
    assert_eq!(certificates.len(), eligible_bk.len());

    if !(have("pdftotext") && have("pdffonts") && have("qpdf")) {
        return;
    }
    let texts: Vec<String> = certificates
        .iter()
        .map(|c| flat(&pdftotext(&out.join("bang-khen/bk-bo").join(c))))
        .collect();
    for verdict in &eligible_bk {
        let name = verdict["subject"].as_str().unwrap();
        assert!(
            texts.iter().any(|t| t.contains(name)),
            "no certificate shows '{name}' exactly"
        );
    }
    for pdf in files_below(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
    {
        let path = out.join(&pdf);
        let fonts = std::process::Command::new("pdffonts")
            .arg(&path)
            .output()
            .unwrap();
        let listing = String::from_utf8_lossy(&fonts.stdout);
        for line in listing.lines().skip(2) {
            let columns: Vec<&str> = line.split_whitespace().collect();
            let emb = columns[columns.len() - 5];
            assert_eq!(emb, "yes", "font not embedded in {}: {line}", pdf.display());
        }
        assert_qpdf_accepts(&path);
    }

    // The decision names its list, its draft mark stays out of the text, and
    // the date line follows Nghị định 30/2020.
    let decision = pdftotext(&out.join("quyet-dinh/qd-bk-bo.pdf"));
    assert!(decision.contains("QUYẾT ĐỊNH"));
    assert!(decision.contains("Hà Nội, ngày 15 tháng 01 năm 2026"));
    assert!(decision.contains("Căn cứ Nghị định số 152/2025/NĐ-CP"));
    assert!(!decision.contains("98/2023"));
    assert!(decision.contains("DANH SÁCH"));
    assert!(
        !flat(&decision).contains("DỰ THẢO"),
        "the draft mark is drawn, not text"
    );
}

#[test]
fn workbook_text_full_of_typst_markup_prints_literally() {
    if !have("pdftotext") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    build_into(&out);
    let folder = out.join("giay-khen/gk");
    let certificate = files_below(&folder)
        .into_iter()
        .find(|f| f.to_string_lossy().contains("vu-thi-ngoc-anh"))
        .expect("a certificate for Vũ Thị Ngọc Ánh");
    let text = flat(&pdftotext(&folder.join(certificate)));
    let literal = r#"Đã có thành tích xuất sắc (đạt 100% chỉ tiêu) #1 *nổi bật* _[2025]_ $x$ @ref <tag> \ "trích dẫn""#;
    assert!(
        text.contains(literal),
        "markup was not printed literally: {text}"
    );
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let temp = tempfile::tempdir().unwrap();
    let (a, b) = (temp.path().join("a"), temp.path().join("b"));
    build_into(&a);
    build_into(&b);
    let files = files_below(&a);
    assert_eq!(files, files_below(&b));
    for file in files {
        assert!(
            std::fs::read(a.join(&file)).unwrap() == std::fs::read(b.join(&file)).unwrap(),
            "{} differs",
            file.display()
        );
    }
}

#[test]
fn init_scaffolds_a_campaign_that_builds_once_workbooks_arrive() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("dot-xet");
    let out = tdkt(&["init", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "tdkt.toml",
        "quy-dinh-2025.toml",
        "units.csv",
        "templates/quyet-dinh.typ",
        "templates/lib.typ",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    assert!(dir.join("inbox").is_dir());
    // A second init refuses to overwrite.
    assert_eq!(
        tdkt(&["init", dir.to_str().unwrap()]).status.code(),
        Some(2)
    );
    // The scaffold's settings and regulation load.
    let check = tdkt(&["check", dir.to_str().unwrap()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn form_writes_a_workbook_that_tdkt_reads_back() {
    let temp = tempfile::tempdir().unwrap();
    let form = temp.path().join("bieu-mau.xlsx");
    let out = tdkt(&["form", "--out", form.to_str().unwrap(), "--year", "2025"]);
    assert_eq!(out.status.code(), Some(0));
    let bytes = std::fs::read(&form).unwrap();
    let raw = tdkt::ingest::read_workbook_bytes(bytes, "bieu-mau.xlsx").unwrap();
    let names: Vec<&str> = raw.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Thông tin đơn vị", "Cá nhân", "Tập thể"]);
    let readings = tdkt::map::explain(&raw, 2025, &[]);
    assert_eq!(readings.len(), 2, "both lists recognised");
    assert_eq!(readings[0].header_row, 3);
    assert!(
        readings[0]
            .columns
            .iter()
            .any(|(_, f)| f == "Xếp loại năm 2024")
    );
}

#[test]
fn every_pdf_declares_pdf_a_2b() {
    let out = tempfile::tempdir().unwrap();
    build_into(out.path());
    let pdfs: Vec<_> = files_below(out.path())
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(pdfs.len() > 50);
    for pdf in pdfs {
        let bytes = std::fs::read(out.path().join(&pdf)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("<pdfaid:part>2</pdfaid:part>")
                && text.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
            "{} does not declare PDF/A-2b",
            pdf.display()
        );
        assert!(
            text.contains("/OutputIntents"),
            "{}: no output intent",
            pdf.display()
        );
    }
}

/// A campaign whose templates an older tdkt copied (Tera 1: a macro in the
/// certificate, positional test arguments in the decisions) still builds,
/// into the same PDFs as the built-in templates, and is told which files to
/// update and what was rewritten.
#[test]
fn templates_written_for_tera_1_still_build_the_same_documents_with_a_warning() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    let templates = campaign.join("templates");
    std::fs::create_dir(&templates).unwrap();
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/templates-tera1");
    for file in files_below(&old) {
        std::fs::copy(old.join(&file), templates.join(&file)).unwrap();
    }
    let with_old = temp.path().join("cu");
    let built = tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        with_old.to_str().unwrap(),
        "--json",
    ]);
    assert!(built.status.code().is_some_and(|c| c <= 1), "{built:?}");
    let json = stdout_json(&built);
    let warned: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "render.template-tera1")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        warned
            .iter()
            .any(|m| m.contains("chung-nhan.typ") && m.contains("macro → component")),
        "{warned:?}"
    );
    assert!(
        warned
            .iter()
            .any(|m| m.contains("quyet-dinh.typ") && m.contains("pat=")),
        "{warned:?}"
    );

    let with_new = temp.path().join("moi");
    build_into(&with_new);
    let pdfs: Vec<_> = files_below(&with_new)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(pdfs.len() > 50);
    for pdf in pdfs {
        assert!(
            std::fs::read(with_old.join(&pdf)).unwrap()
                == std::fs::read(with_new.join(&pdf)).unwrap(),
            "{} differs from the built-in templates' copy",
            pdf.display()
        );
    }
}

#[test]
fn a_campaigns_own_lib_typ_from_before_fit_name_prints_the_same_certificates() {
    // The built-in chung-nhan.typ with a campaign's own, older lib.typ whose
    // `certificate` has no `fit-name`: nothing new is passed to it.
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    let templates = campaign.join("templates");
    std::fs::create_dir(&templates).unwrap();
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/templates-tera1/lib.typ");
    std::fs::copy(old, templates.join("lib.typ")).unwrap();
    let with_own = temp.path().join("rieng");
    let built = tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        with_own.to_str().unwrap(),
    ]);
    assert_eq!(built.status.code(), Some(1), "{built:?}");
    let with_builtin = temp.path().join("co-san");
    build_into(&with_builtin);
    let certificates: Vec<_> = files_below(&with_builtin.join("bang-khen"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(certificates.len() > 10, "{certificates:?}");
    for pdf in certificates {
        let path = Path::new("bang-khen").join(&pdf);
        assert!(
            std::fs::read(with_own.join(&path)).unwrap()
                == std::fs::read(with_builtin.join(&path)).unwrap(),
            "{} differs with the campaign's own lib.typ",
            path.display()
        );
    }
}

/// Each page of `pdf` as pdftoppm draws it (PNG bytes).
fn pages_drawn(pdf: &Path, out: &Path) -> Vec<Vec<u8>> {
    std::fs::create_dir_all(out).unwrap();
    let made = std::process::Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(pdf)
        .arg(out.join("p"))
        .status()
        .unwrap();
    assert!(made.success(), "pdftoppm {}", pdf.display());
    files_below(out)
        .into_iter()
        .map(|page| std::fs::read(out.join(page)).unwrap())
        .collect()
}

/// The fonts documents carry leave TrueType hinting out (a third of a
/// certificate file); what is printed is what the fonts as shipped print,
/// which a campaign's own `fonts/` folder embeds as they are.
#[test]
fn documents_print_the_same_without_the_fonts_hinting() {
    if !have("pdftoppm") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let plain = copy_sample(&temp.path().join("plain"));
    let hinted = copy_sample(&temp.path().join("hinted"));
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    std::fs::create_dir(hinted.join("fonts")).unwrap();
    for font in files_below(&fonts) {
        std::fs::copy(fonts.join(&font), hinted.join("fonts").join(&font)).unwrap();
    }
    for campaign in [&plain, &hinted] {
        let out = tdkt(&["build", campaign.to_str().unwrap()]);
        assert!(
            out.status.code() <= Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let output = |campaign: &Path| campaign.join("output");
    let documents: Vec<_> = files_below(&output(&plain))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf") && !f.starts_with("so-khen-thuong"))
        .collect();
    let certificate = documents
        .iter()
        .find(|f| f.starts_with("bang-khen") && !f.to_string_lossy().contains("in-gop"))
        .expect("a Bằng khen");
    let size = |campaign: &Path| {
        std::fs::metadata(output(campaign).join(certificate))
            .unwrap()
            .len()
    };
    assert!(
        size(&plain) * 4 < size(&hinted) * 3,
        "a certificate without the fonts' hinting: {} bytes, with: {}",
        size(&plain),
        size(&hinted)
    );
    let decision = documents
        .iter()
        .find(|f| f.starts_with("quyet-dinh"))
        .expect("a decision");
    let report = documents
        .iter()
        .find(|f| f.starts_with("bao-cao"))
        .expect("the report");
    for (i, document) in [certificate, decision, report].into_iter().enumerate() {
        let drawn = |campaign: &Path, name: &str| {
            pages_drawn(
                &output(campaign).join(document),
                &temp.path().join(format!("{name}-{i}")),
            )
        };
        let (without, with) = (drawn(&plain, "plain"), drawn(&hinted, "hinted"));
        assert!(!without.is_empty());
        assert!(
            without == with,
            "{} is drawn differently",
            document.display()
        );
    }
}

/// The dark pixels of `pdf`'s first page in a rectangle (points), drawn by
/// pdftoppm in grey at 4 pixels a point.
fn dark_pixels(pdf: &Path, (x0, y0, x1, y1): (f64, f64, f64, f64), out: &Path) -> usize {
    const SCALE: f64 = 4.0;
    let px = |v: f64| ((v * SCALE) as i64).to_string();
    let made = std::process::Command::new("pdftoppm")
        .args(["-gray", "-f", "1", "-l", "1", "-r", "288", "-singlefile"])
        .args([
            "-x",
            &px(x0),
            "-y",
            &px(y0),
            "-W",
            &px(x1 - x0),
            "-H",
            &px(y1 - y0),
        ])
        .arg(pdf)
        .arg(out)
        .status()
        .unwrap();
    assert!(made.success());
    let pgm = std::fs::read(out.with_extension("pgm")).unwrap();
    // "P5\nW H\n255\n", then a byte a pixel.
    let mut fields = 0;
    let start = pgm
        .iter()
        .position(|&b| {
            fields += usize::from(b == b'\n');
            fields == 3
        })
        .unwrap()
        + 1;
    pgm[start..].iter().filter(|&&v| v < 128).count()
}

/// The marks above the motto's capitals (CỘNG HÒA XÃ HỘI CHỦ NGHĨA) are
/// printed on a certificate: its first line sits at the top of a block that
/// clips, and the marks rise above the line's top edge.
#[test]
fn a_certificates_motto_keeps_the_marks_above_its_capitals() {
    if !have("pdftoppm") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    build_into(&out);
    let certificate = files_below(&out.join("bang-khen"))
        .into_iter()
        .find(|f| !f.to_string_lossy().contains("in-gop"))
        .unwrap();
    let pdf = out.join("bang-khen").join(certificate);
    let (_, _, words) = pdf_words(&pdf, Some(1));
    let word = words.iter().find(|w| w.text == "CỘNG").expect("the motto");
    // Above the word's box (the font's ascent), where the circumflex of
    // Ộ rises: only marks are drawn there.
    let height = word.y1 - word.y0;
    let band = (word.x0, word.y0 - 0.25 * height, word.x1, word.y0);
    let marks = dark_pixels(&pdf, band, &temp.path().join("band"));
    assert!(marks > 20, "{marks} dark pixels above CỘNG's capitals");
}

//! Each stage alone, on data made in the test: no sample files needed.

use std::collections::BTreeMap;

mod common;

use chrono::NaiveDate;
use tdkt::aggregate::aggregate;
use tdkt::ingest::{Cell, RawSheet, RawWorkbook};
use tdkt::map::{MapContext, map_workbooks};
use tdkt::model::{Individual, Rating, Sex, Source, Submission, UnitRef};
use tdkt::regulation::Regulation;
use tdkt::render::Renderer;
use tdkt::settings::{Agency, DocumentSettings, DocumentStyle, Signer};
use tdkt::validate::{Status, validate};
use tdkt::write::Output;

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> RawSheet {
    RawSheet {
        name: name.to_string(),
        rows,
    }
}

/// A workbook as a unit might send it: a title row, a header on row 3 with
/// renamed columns in another order, a numbering row and a totals row.
fn messy_workbook() -> RawWorkbook {
    let rows = vec![
        vec![text("ĐƠN VỊ: VIỆN TRIẾT HỌC")],
        vec![text("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025")],
        vec![
            text("TT"),
            text("HỌ TÊN"),
            text("Năm sinh"),
            text("Nam/Nữ"),
            text("Ngạch"),
            text("Xếp loại 2025"),
            text("Xếp loại 2024"),
            text("Danh hiệu 2024"),
            text("Danh hiệu thi đua"),
            text("Sáng kiến"),
            text("Quê quán"),
        ],
        vec![
            text("(1)"),
            text("(2)"),
            text("(3)"),
            text("(4)"),
            text("(5)"),
        ],
        vec![
            Cell::Number(1.0),
            text("nguyễn thị lan"),
            text("05/03/1979"),
            text("Nữ"),
            text("Giảng viên chính"),
            text("Hoàn thành xuất sắc nhiệm vụ"),
            text("HTTNV"),
            text("LĐTT"),
            text("Chiến sĩ thi đua cơ sở"),
            Cell::Empty,
            text("Hà Nam"),
        ],
        vec![
            Cell::Number(2.0),
            text("Trần Văn Bình"),
            text("31/02/1980"),
            text("Nam"),
            text("Chuyên viên"),
            text("HTTNV"),
            Cell::Empty,
            Cell::Empty,
            text("LĐTT"),
        ],
        vec![Cell::Empty, text("Tổng cộng: 2 người")],
    ];
    RawWorkbook {
        file: "triet.xlsx".into(),
        modified: None,
        saved: None,
        sheets: vec![sheet("DS CN", rows)],
        legacy_cells: 0,
        diagnostics: Vec::new(),
    }
}

#[test]
fn map_finds_the_list_by_its_labels_and_names_bad_cells() {
    let regulation = Regulation::default_national().unwrap();
    let context = MapContext {
        regulation: &regulation,
        units: None,
        year: 2025,
    };
    let mapped = map_workbooks(&[messy_workbook()], context);
    let submission = &mapped.submissions[0];
    assert_eq!(submission.unit.as_ref().unwrap().name, "VIỆN TRIẾT HỌC");
    // The second row has an impossible date: an error at its cell, row left out.
    assert_eq!(submission.individuals.len(), 1);
    let lan = &submission.individuals[0];
    assert_eq!(lan.full_name, "Nguyễn Thị Lan");
    assert_eq!(lan.sex, Some(Sex::Female));
    assert_eq!(lan.rating, Some(Rating::Htxsnv));
    assert_eq!(lan.rating_history.get(&2024), Some(&Rating::Httnv));
    assert_eq!(
        lan.title_history.get(&2024).map(String::as_str),
        Some("LĐTT")
    );
    assert_eq!(lan.proposed_title.as_deref(), Some("CSTĐCS"));
    assert_eq!(
        lan.source,
        Source {
            sheet: "DS CN".into(),
            row: 5
        }
    );
    let bad_date = mapped
        .diagnostics
        .iter()
        .find(|d| d.code == "ingest.bad-date")
        .expect("bad date reported");
    assert_eq!(bad_date.cell.as_deref(), Some("C6"));
    assert_eq!(bad_date.sheet.as_deref(), Some("DS CN"));
    assert!(bad_date.message.contains("31/02/1980"));
}

fn person(name: &str, rating: Rating, title: &str, award: Option<&str>) -> Individual {
    Individual {
        full_name: name.to_string(),
        birth: None,
        sex: Some(Sex::Male),
        job_title: Some("Chuyên viên".into()),
        position: None,
        sub_unit: None,
        rating: Some(rating),
        rating_history: BTreeMap::from([(2024, Rating::Htxsnv), (2023, Rating::Httnv)]),
        title_history: BTreeMap::from([(2024, "CSTĐCS".to_string())]),
        prior_awards: Vec::new(),
        teaching_hours: None,
        research_points: None,
        initiative: None,
        months_worked: None,
        discipline: None,
        proposed_title: Some(title.to_string()),
        proposed_award: award.map(str::to_string),
        achievement: None,
        remark: None,
        extra: Default::default(),
        source: Source {
            sheet: "Cá nhân".into(),
            row: 4,
        },
    }
}

fn submission(people: Vec<Individual>) -> Submission {
    Submission {
        file: "u.xlsx".into(),
        unit: Some(UnitRef {
            code: "U".into(),
            name: "Viện U".into(),
        }),
        year: Some(2025),
        headcount: Some(40),
        individuals: people,
        collectives: Vec::new(),
        skipped: Vec::new(),
        columns: Default::default(),
        header_rows: Default::default(),
        outstanding: false,
    }
}

#[test]
fn validate_judges_the_title_before_the_award_of_a_row() {
    let regulation = Regulation::default_national().unwrap();
    let submissions = vec![submission(vec![
        person("Lê Văn An", Rating::Htxsnv, "CSTĐCS", Some("BK-BỘ")),
        person("Lê Văn Bảo", Rating::Httnv, "CSTĐCS", Some("BK-BỘ")),
    ])];
    let validation = validate(&submissions, &regulation, 2025);
    let status: Vec<(&str, &str, Status)> = validation
        .verdicts
        .iter()
        .map(|v| (v.subject.as_str(), v.proposal.as_str(), v.status))
        .collect();
    assert_eq!(
        status,
        [
            ("Lê Văn An", "CSTĐCS", Status::Eligible),
            // CSTĐCS in 2024 and again in 2025: two years running.
            ("Lê Văn An", "BK-BỘ", Status::Eligible),
            // HTTNV without an initiative: no CSTĐCS this year…
            ("Lê Văn Bảo", "CSTĐCS", Status::NotEligible),
            // …so the chain ends at 2024 with one year only.
            ("Lê Văn Bảo", "BK-BỘ", Status::NotEligible),
        ]
    );
}

fn documents() -> DocumentSettings {
    DocumentSettings {
        agency: Agency {
            parent: String::new(),
            name: "Học viện Thử nghiệm".into(),
            abbreviation: "HVTN".into(),
            place: "Hà Nội".into(),
        },
        signer: Signer {
            authority: "Giám đốc Học viện Thử nghiệm".into(),
            prefix: String::new(),
            title: "Giám đốc".into(),
            name: "Nguyễn Văn Ký".into(),
            signature: None,
            seal: None,
        },
        style: DocumentStyle::State,
        decision_date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        proposer: "Thường trực Hội đồng".into(),
        recipients: vec!["Như Điều 3".into()],
        archive: "VT, TĐKT".into(),
        certificates: Default::default(),
        decisions: Default::default(),
        emblem: String::new(),
        signature: String::new(),
        seal: String::new(),
        verify_url: None,
    }
}

#[test]
fn aggregate_sorts_lists_and_pays_the_bonus_in_force() {
    let regulation = Regulation::default_national().unwrap();
    let submissions = vec![submission(vec![
        person("Trần Văn Đức", Rating::Htxsnv, "LĐTT", None),
        person("Nguyễn Thị Ánh", Rating::Htxsnv, "LĐTT", None),
        person("Lê Văn Dũng", Rating::Htxsnv, "LĐTT", None),
    ])];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let ldtt = result.decisions.iter().find(|d| d.code == "LĐTT").unwrap();
    let names: Vec<&str> = ldtt.individuals.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Nguyễn Thị Ánh", "Lê Văn Dũng", "Trần Văn Đức"]);
    assert!(
        ldtt.individuals.iter().all(|g| g.bonus == Some(710_000)),
        "0.3 × 2,340,000 = 702,000 → 710,000"
    );
    assert_eq!(ldtt.total_bonus, 2_130_000);
    assert_eq!(
        ldtt.individuals
            .iter()
            .map(|g| g.ordinal)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn markup_in_names_can_never_run_as_code() {
    let regulation = Regulation::default_national().unwrap();
    let hostile = [
        "Nguyễn #pagebreak() Văn A",
        "Lê ]#pagebreak()[ Thị B",
        "Trần */ #set page(width: 1pt) /* C",
        "Phạm \\ $x^2$ @ref <lbl> `raw` = - + ~ ' \" D",
    ];
    let mut people: Vec<Individual> = hostile
        .iter()
        .map(|n| person(n, Rating::Htxsnv, "CSTĐCS", Some("GK")))
        .collect();
    for p in &mut people {
        p.achievement = Some("trong #emph[công tác] // không phải chú thích".into());
    }
    let submissions = vec![submission(people)];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let gk = result.decisions.iter().find(|d| d.code == "GK").unwrap();
    assert_eq!(gk.individuals.len(), 4);

    let renderer = Renderer::new(None, None).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let output = Output::begin(&temp.path().join("out"), &[]).unwrap();
    let written = renderer
        .render_certificates(gk, &documents(), &output)
        .unwrap();
    // One file per person plus the print file: no name added a page.
    assert_eq!(written, 5);
    let out = output.commit().unwrap();
    let combined = std::fs::read(out.join("giay-khen/gk-in-gop.pdf")).unwrap();
    let pages = tdkt::render::split_pages(&combined).unwrap();
    assert_eq!(pages.len(), 4, "one page per certificate");
}

/// The Giấy khen of `names` (each proposed CSTĐCS with a Giấy khen), in
/// an output folder committed inside the returned temporary folder.
fn giay_khen_of(names: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let regulation = Regulation::default_national().unwrap();
    let people = names
        .iter()
        .map(|n| person(n, Rating::Htxsnv, "CSTĐCS", Some("GK")))
        .collect();
    let submissions = vec![submission(people)];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let gk = result.decisions.iter().find(|d| d.code == "GK").unwrap();
    let temp = tempfile::tempdir().unwrap();
    let output = Output::begin(&temp.path().join("out"), &[]).unwrap();
    Renderer::new(None, None)
        .unwrap()
        .render_certificates(gk, &documents(), &output)
        .unwrap();
    let out = output.commit().unwrap();
    (temp, out)
}

/// Every "N 0 R"-able entry of `pdf`'s cross-reference table: (number,
/// offset), read from the table itself, not trusting a reader's repair.
fn xref_entries(pdf: &[u8]) -> Vec<(u32, usize)> {
    let tail = pdf.len().saturating_sub(64);
    let start: usize = String::from_utf8_lossy(&pdf[tail..])
        .rsplit("startxref")
        .next()
        .and_then(|tail| tail.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("startxref");
    let table = String::from_utf8_lossy(&pdf[start..]);
    assert!(table.starts_with("xref"), "startxref points at the table");
    let mut entries = Vec::new();
    let mut lines = table[4..].lines().filter(|l| !l.trim().is_empty());
    while let Some(line) = lines.next() {
        if line.starts_with("trailer") {
            break;
        }
        let mut head = line.split_whitespace();
        let first: u32 = head.next().unwrap().parse().expect("subsection start");
        let count: u32 = head.next().unwrap().parse().expect("subsection count");
        for number in first..first + count {
            let entry = lines.next().expect("an entry per object");
            assert_eq!(entry.len(), 19, "entries are 20 bytes: {entry:?}");
            if entry.trim_end().ends_with('n') {
                entries.push((number, entry[..10].parse().unwrap()));
            }
        }
    }
    entries
}

#[test]
fn each_certificate_file_is_a_whole_pdf_of_its_own_page() {
    let names = [
        "Nguyễn Thị Ánh",
        "Lê Văn Dũng",
        "Trần Quốc Đức",
        "Phạm Ngọc Ưng",
        "Hồ Thu Yến",
    ];
    let (_temp, out) = giay_khen_of(&names);
    let print = lopdf::Document::load(out.join("giay-khen/gk-in-gop.pdf")).unwrap();
    let mut files = common::files_below(&out.join("giay-khen/gk"));
    files.sort();
    assert_eq!(files.len(), names.len());
    for (page, file) in files.iter().enumerate() {
        let path = out.join("giay-khen/gk").join(file);
        let bytes = std::fs::read(&path).unwrap();
        let entries = xref_entries(&bytes);
        assert!(
            entries.len() > 10,
            "fonts, profiles, page: {}",
            entries.len()
        );
        for (number, offset) in entries {
            let at = String::from_utf8_lossy(&bytes[offset..offset + 16]);
            assert!(
                at.starts_with(&format!("{number} 0 obj")),
                "{}: object {number} is not at {offset}: {at:?}",
                file.display()
            );
        }
        let document = lopdf::Document::load_mem(&bytes).unwrap();
        assert_eq!(document.get_pages().len(), 1, "{}", file.display());
        let text = document.extract_text(&[1]).unwrap();
        assert_eq!(
            text,
            print.extract_text(&[page as u32 + 1]).unwrap(),
            "{}: the same page as in the print file",
            file.display()
        );
        assert!(text.contains(names[page]), "{text}");
        assert_eq!(
            document
                .get_page_fonts(document.page_iter().next().unwrap())
                .unwrap()
                .len(),
            4
        );
        if common::have("qpdf") {
            common::assert_qpdf_accepts(&path);
        }
    }
}

#[test]
fn a_name_nearly_as_wide_as_the_certificate_is_shrunk_onto_one_line() {
    if !common::have("pdftotext") {
        return;
    }
    let long = "Nguyễn Thị Phương Thảo Hoàng Lê Minh Khánh Ngọc Diệp Anh Thư Quỳnh Như";
    let (_temp, out) = giay_khen_of(&[long, "Lê Văn Dũng"]);
    // (lines, height) of the name's words on the certificate of `name`.
    let name_line = |name: &str| {
        let file = out.join("giay-khen/gk").join(
            common::files_below(&out.join("giay-khen/gk"))
                .into_iter()
                .find(|f| f.to_string_lossy().contains(&tdkt::text::slug(name)))
                .unwrap(),
        );
        let (width, _, words) = common::pdf_words(&file, Some(1));
        let parts: Vec<&str> = name.split_whitespace().collect();
        let start = words
            .windows(parts.len())
            .position(|w| w.iter().zip(&parts).all(|(word, part)| word.text == *part))
            .unwrap_or_else(|| panic!("{name} printed in order on one page"));
        let printed = &words[start..start + parts.len()];
        let mut lines: Vec<i64> = printed.iter().map(|w| w.y0.round() as i64).collect();
        lines.dedup();
        for word in printed {
            assert!(
                word.x0 > 0.0 && word.x1 < width,
                "{} off the page",
                word.text
            );
        }
        (lines.len(), printed[0].y1 - printed[0].y0)
    };
    let (long_lines, long_height) = name_line(long);
    let (short_lines, short_height) = name_line("Lê Văn Dũng");
    assert_eq!(long_lines, 1, "the long name on one line");
    assert_eq!(short_lines, 1);
    assert!(
        long_height < short_height * 0.95,
        "the long name is set smaller ({long_height:.1}) than a short one ({short_height:.1})"
    );
}

#[test]
fn a_failed_run_leaves_the_previous_output_untouched() {
    let temp = tempfile::tempdir().unwrap();
    let target = temp.path().join("out");
    let first = Output::begin(&target, &[]).unwrap();
    first
        .write(std::path::Path::new("a/old.txt"), b"old")
        .unwrap();
    first.commit().unwrap();

    let second = Output::begin(&target, &[]).unwrap();
    second
        .write(std::path::Path::new("a/new.txt"), b"new")
        .unwrap();
    drop(second); // the run fails before commit
    assert!(target.join("a/old.txt").is_file());
    assert!(!target.join("a/new.txt").exists());
    let entries = std::fs::read_dir(temp.path()).unwrap().count();
    assert_eq!(entries, 1, "the staging folder is cleaned up");
}

#[test]
fn a_broken_workbook_stops_only_itself() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("hong.xlsx"),
        b"PK\x03\x04 not really a zip",
    )
    .unwrap();
    std::fs::write(temp.path().join("~$dang-mo.xlsx"), b"lock").unwrap();
    let form =
        tdkt::form::blank_form(&Regulation::default_national().unwrap(), Some(2025)).unwrap();
    std::fs::write(temp.path().join("trong.xlsx"), form).unwrap();
    let inbox = tdkt::ingest::read_inbox(temp.path(), &tdkt::ingest::Reader::default()).unwrap();
    assert_eq!(inbox.workbooks.len(), 1);
    let broken = inbox
        .diagnostics
        .iter()
        .find(|d| d.file == "hong.xlsx")
        .expect("broken file reported");
    assert!(broken.is_error());
    assert!(
        inbox
            .diagnostics
            .iter()
            .any(|d| d.file == "~$dang-mo.xlsx" && d.code == "ingest.lock-file")
    );
}

fn collective(
    members: u32,
    htnv: u32,
    ldtt: u32,
    cstdcs: u32,
    rating: Rating,
    title: &str,
) -> tdkt::model::Collective {
    tdkt::model::Collective {
        name: "Phòng Thử nghiệm".into(),
        members: Some(members),
        members_htnv_or_better: Some(htnv),
        members_ldtt: Some(ldtt),
        members_cstdcs: Some(cstdcs),
        members_disciplined: None,
        rating: Some(rating),
        rating_history: BTreeMap::new(),
        title_history: BTreeMap::new(),
        proposed_title: Some(title.into()),
        proposed_award: None,
        achievement: None,
        remark: None,
        extra: Default::default(),
        source: Source {
            sheet: "Tập thể".into(),
            row: 4,
        },
    }
}

fn statuses(submission: Submission) -> Vec<Status> {
    let regulation = Regulation::default_national().unwrap();
    validate(&[submission], &regulation, 2025)
        .verdicts
        .iter()
        .map(|v| v.status)
        .collect()
}

#[test]
fn collective_titles_at_their_boundaries() {
    let mut unit = submission(Vec::new());
    unit.collectives = vec![
        collective(10, 10, 7, 1, Rating::Htxsnv, "TTLĐXS"), // exactly 70% LĐTT
        collective(10, 10, 6, 1, Rating::Htxsnv, "TTLĐXS"), // 60%
        collective(10, 9, 7, 1, Rating::Htxsnv, "TTLĐXS"),  // one member below HTNV
        collective(10, 10, 7, 0, Rating::Htxsnv, "TTLĐXS"), // no CSTĐCS
        collective(10, 10, 6, 0, Rating::Httnv, "TTLĐTT"),  // 60% > 50%
        collective(10, 10, 5, 0, Rating::Httnv, "TTLĐTT"),  // exactly 50% is not more than half
    ];
    use Status::*;
    assert_eq!(
        statuses(unit),
        [
            Eligible,
            NotEligible,
            NotEligible,
            NotEligible,
            Eligible,
            NotEligible
        ]
    );
}

#[test]
fn individual_rules_at_their_boundaries() {
    let mut six_months = person("A", Rating::Httnv, "LĐTT", None);
    six_months.months_worked = Some(6.0);
    let mut five_months = person("B", Rating::Httnv, "LĐTT", None);
    five_months.months_worked = Some(5.0);
    let mut under_review = person("C", Rating::Htxsnv, "CSTĐCS", None);
    under_review.remark = Some("Đang xem xét kỷ luật".into());
    let mut with_initiative = person("D", Rating::Httnv, "CSTĐCS", None);
    with_initiative.initiative = Some("Sáng kiến cấp cơ sở 2025".into());
    let mut bk_ttg = person("E", Rating::Httnv, "LĐTT", Some("BK-TTG"));
    bk_ttg.prior_awards = vec![tdkt::model::PriorAward {
        award: "BK-BỘ".into(),
        year: Some(2020),
    }];
    bk_ttg.rating_history = BTreeMap::from([
        (2024, Rating::Htxsnv),
        (2023, Rating::Httnv),
        (2022, Rating::Httnv),
    ]);
    bk_ttg.title_history = BTreeMap::from([
        (2024, "CSTĐCS".into()),
        (2023, "CSTĐCS".into()),
        (2022, "CSTĐCS".into()),
    ]);
    let people = vec![
        six_months,
        five_months,
        under_review,
        with_initiative,
        bk_ttg,
    ];
    use Status::*;
    // E: LĐTT passes; BK-TTG needs 2021, which the workbook does not give.
    assert_eq!(
        statuses(submission(people)),
        [
            Eligible,
            NotEligible,
            Held,
            Eligible,
            Eligible,
            CannotVerify
        ]
    );
}

/// `count` people proposed for LĐTT, the first `excellent` rated HTXSNV,
/// the rest HTTNV.
fn rated(count: usize, excellent: usize) -> Vec<Individual> {
    (0..count)
        .map(|i| {
            let rating = if i < excellent {
                Rating::Htxsnv
            } else {
                Rating::Httnv
            };
            person(&format!("P{i}"), rating, "LĐTT", None)
        })
        .collect()
}

#[test]
fn the_rating_quota_allows_exactly_twenty_percent() {
    let within = rated(5, 1);
    let regulation = Regulation::default_national().unwrap();
    let quota = &validate(&[submission(within.clone())], &regulation, 2025).quotas[0];
    assert_eq!((quota.allowed, quota.proposed, quota.ok), (1, 1, true));
    let mut over = within;
    over[1].rating = Some(Rating::Htxsnv);
    let quota = &validate(&[submission(over)], &regulation, 2025).quotas[0];
    assert_eq!((quota.allowed, quota.proposed, quota.ok), (1, 2, false));
}

#[test]
fn one_initiative_named_by_two_people_is_reported_at_the_second() {
    let regulation = Regulation::default_national().unwrap();
    let initiative = "Đổi mới phương pháp giảng dạy học phần Triết học";
    let mut first = person("Nguyễn Văn A", Rating::Htxsnv, "CSTĐCS", None);
    first.initiative = Some(initiative.into());
    let mut second = person("Trần Thị B", Rating::Httnv, "CSTĐCS", None);
    second.initiative = Some(initiative.to_uppercase());
    second.source.row = 9;
    // "Có" says there is an initiative, not which: never compared.
    let mut third = person("Lê Văn C", Rating::Httnv, "CSTĐCS", None);
    third.initiative = Some("Có".into());
    let mut fourth = person("Phạm Văn D", Rating::Httnv, "CSTĐCS", None);
    fourth.initiative = Some("Có".into());
    let validation = validate(
        &[submission(vec![first, second, third, fourth])],
        &regulation,
        2025,
    );
    let reused: Vec<_> = validation
        .diagnostics
        .iter()
        .filter(|d| d.code == "check.initiative-reused")
        .collect();
    assert_eq!(reused.len(), 1, "{reused:?}");
    assert_eq!(reused[0].cell.as_deref(), Some("A9"));
    assert!(
        reused[0].message.contains("Nguyễn Văn A"),
        "{}",
        reused[0].message
    );
}

#[test]
fn two_titles_of_one_person_pay_only_the_highest() {
    let regulation = Regulation::default_national().unwrap();
    let ldtt = person("Nguyễn Văn A", Rating::Htxsnv, "LĐTT", None);
    let mut cstdcs = person("Nguyễn Văn A", Rating::Htxsnv, "CSTĐCS", None);
    cstdcs.source.row = 7;
    let submissions = vec![submission(vec![ldtt, cstdcs])];
    let validation = validate(&submissions, &regulation, 2025);
    assert!(validation.verdicts.iter().all(|v| v.eligible));
    let warning = validation
        .diagnostics
        .iter()
        .find(|d| d.code == "check.one-paid-title")
        .expect("two titles reported");
    assert_eq!(warning.cell.as_deref(), Some("A4"), "the lower title's row");
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let bonus = |code: &str| {
        result
            .decisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.individuals[0].bonus)
    };
    assert_eq!(bonus("CSTĐCS"), Some(Some(2_340_000)), "1.0 × 2,340,000");
    assert_eq!(bonus("LĐTT"), Some(Some(0)), "granted, but not paid twice");
}

#[test]
fn council_votes_count_only_where_a_unit_gives_them() {
    use tdkt::model::ExtraValue::Number;
    let with = |name: &str, title: &str, votes: &[(&str, f64)]| {
        let mut p = person(name, Rating::Htxsnv, title, None);
        p.extra = votes
            .iter()
            .map(|(k, v)| (k.to_string(), Number(*v)))
            .collect();
        p.title_history = BTreeMap::from([(2024, "CSTĐCS".into()), (2023, "CSTĐCS".into())]);
        p.rating_history = BTreeMap::from([(2024, Rating::Htxsnv), (2023, Rating::Htxsnv)]);
        p.initiative = Some("Sáng kiến cấp bộ 2025".into());
        p
    };
    let people = vec![
        with("A", "CSTĐCS", &[]),
        with("B", "CSTĐCS", &[("vote_share", 80.0)]),
        with("C", "CSTĐCS", &[("vote_share", 79.9)]),
        with(
            "D",
            "CSTĐCS",
            &[("votes_for", 8.0), ("council_members", 10.0)],
        ),
        with(
            "E",
            "CSTĐCS",
            &[("votes_for", 7.0), ("council_members", 10.0)],
        ),
        with("F", "CSTĐ-BỘ", &[("vote_share", 90.0)]),
        with("G", "CSTĐ-BỘ", &[("vote_share", 89.0)]),
    ];
    use Status::*;
    assert_eq!(
        statuses(submission(people)),
        [
            Eligible,
            Eligible,
            NotEligible,
            Eligible,
            NotEligible,
            Eligible,
            NotEligible
        ]
    );
}

#[test]
fn a_condition_guarded_by_known_needs_no_applies() {
    use tdkt::model::ExtraValue::Number;
    let national = tdkt::regulation::DEFAULT_TOML;
    let old = r#"applies = "known(vote_share)", when = "vote_share >= 80""#;
    assert!(
        national.contains(old),
        "the national file changed: update this test"
    );
    let guarded = national.replacen(old, r#"when = "known(vote_share) && vote_share >= 80""#, 1);
    let regulation = Regulation::parse(&guarded, "quy-che.toml").unwrap();
    let with = |name: &str, votes: Option<f64>| {
        let mut p = person(name, Rating::Htxsnv, "CSTĐCS", None);
        p.extra = votes
            .map(|v| ("vote_share".to_string(), Number(v)))
            .into_iter()
            .collect();
        p.initiative = Some("Sáng kiến 2025".into());
        p
    };
    let people = vec![
        with("A", None),
        with("B", Some(80.0)),
        with("C", Some(79.9)),
    ];
    let verdicts = validate(&[submission(people)], &regulation, 2025).verdicts;
    let statuses: Vec<Status> = verdicts.iter().map(|v| v.status).collect();
    assert_eq!(
        statuses,
        [Status::NotEligible, Status::Eligible, Status::NotEligible],
        "no share given is a failed rule, not a condition that cannot be evaluated"
    );
    let failed = &verdicts[0].failed;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].rule, "CSTĐCS.phieu-bau");
    assert!(!failed[0].unverifiable, "{failed:?}");
    assert!(
        failed[0]
            .message
            .starts_with("Tỷ lệ phiếu đồng ý của Hội đồng là (trống)%"),
        "{failed:?}"
    );
}

/// A person with a whole history: ratings and titles by year, prior awards.
fn history(
    title: &str,
    award: Option<&str>,
    ratings: &[(i32, Rating)],
    titles: &[(i32, &str)],
    awards: &[(&str, i32)],
) -> Individual {
    let mut p = person("Người thử", Rating::Htxsnv, title, award);
    p.rating_history = ratings.iter().copied().collect();
    p.title_history = titles.iter().map(|(y, t)| (*y, t.to_string())).collect();
    p.prior_awards = awards
        .iter()
        .map(|(a, y)| tdkt::model::PriorAward {
            award: a.to_string(),
            year: Some(*y),
        })
        .collect();
    p
}

/// Someone proposed for the Prime Minister's Bằng khen: five years HTTNV
/// and three CSTĐCS up to 2024, with `awards` received before.
fn bk_ttg_candidate(awards: &[(&str, i32)]) -> Individual {
    let ratings: Vec<(i32, Rating)> = (2020..=2024).map(|y| (y, Rating::Httnv)).collect();
    history(
        "CSTĐCS",
        Some("BK-TTG"),
        &ratings,
        &[(2022, "CSTĐCS"), (2023, "CSTĐCS"), (2024, "CSTĐCS")],
        awards,
    )
}

/// The status of the last proposal of each person (the award where there is one).
fn last_statuses(people: Vec<Individual>) -> Vec<Status> {
    let regulation = Regulation::default_national().unwrap();
    let submissions = [submission(people)];
    let verdicts = validate(&submissions, &regulation, 2025).verdicts;
    let mut last: BTreeMap<usize, Status> = BTreeMap::new();
    for v in verdicts {
        last.insert(v.record.index, v.status);
    }
    last.into_values().collect()
}

#[test]
fn consecutive_year_chains_at_their_boundaries() {
    use Rating::{Htnv, Httnv, Htxsnv};
    let good = |from: i32| (from..2025).map(|y| (y, Httnv)).collect::<Vec<_>>();
    let people = vec![
        // BK-BỘ: CSTĐCS this year (granted now) and last year.
        history(
            "CSTĐCS",
            Some("BK-BỘ"),
            &[(2024, Htxsnv)],
            &[(2024, "CSTĐCS")],
            &[],
        ),
        // BK-BỘ: CSTĐCS in 2023 and 2024, LĐTT now: the chain ends at Y−1.
        history(
            "LĐTT",
            Some("BK-BỘ"),
            &[(2024, Htxsnv), (2023, Htxsnv)],
            &[(2024, "CSTĐCS"), (2023, "CSTĐCS")],
            &[],
        ),
        // BK-BỘ: LĐTT last year breaks the chain.
        history(
            "LĐTT",
            Some("BK-BỘ"),
            &[(2024, Httnv), (2023, Htxsnv)],
            &[(2024, "LĐTT"), (2023, "CSTĐCS")],
            &[],
        ),
        // CSTĐ-BỘ: CSTĐCS 2023, 2024 and now: three years.
        {
            let mut p = history(
                "CSTĐ-BỘ",
                None,
                &[(2024, Htxsnv), (2023, Htxsnv)],
                &[(2024, "CSTĐCS"), (2023, "CSTĐCS")],
                &[],
            );
            p.initiative = Some("Sáng kiến cấp bộ".into());
            p
        },
        // CSTĐ-BỘ: only two.
        {
            let mut p = history(
                "CSTĐ-BỘ",
                None,
                &[(2024, Htxsnv), (2023, Httnv)],
                &[(2024, "CSTĐCS"), (2023, "LĐTT")],
                &[],
            );
            p.initiative = Some("Sáng kiến cấp bộ".into());
            p
        },
        // BK-TTG: BK-BỘ 2020, then 2021–2025 HTTNV or better: the fifth year, CSTĐCS three times.
        history(
            "LĐTT",
            Some("BK-TTG"),
            &good(2021),
            &[
                (2022, "CSTĐCS"),
                (2023, "CSTĐCS"),
                (2024, "CSTĐCS"),
                (2021, "LĐTT"),
            ],
            &[("BK-BỘ", 2020)],
        ),
        // BK-TTG: BK-BỘ 2021: only four years since.
        history(
            "LĐTT",
            Some("BK-TTG"),
            &good(2022),
            &[(2022, "CSTĐCS"), (2023, "CSTĐCS"), (2024, "CSTĐCS")],
            &[("BK-BỘ", 2021)],
        ),
        // BK-TTG: a gap year (HTNV in 2022) restarts the chain.
        history(
            "LĐTT",
            Some("BK-TTG"),
            &[(2021, Httnv), (2022, Htnv), (2023, Httnv), (2024, Httnv)],
            &[(2021, "CSTĐCS"), (2023, "CSTĐCS"), (2024, "CSTĐCS")],
            &[("BK-BỘ", 2020)],
        ),
        // HCLĐ3: BK-TTG 2020, five years with one HTXSNV and CSTĐCS three times.
        history(
            "LĐTT",
            Some("HCLĐ3"),
            &[(2021, Httnv), (2022, Htxsnv), (2023, Httnv), (2024, Httnv)],
            &[
                (2021, "LĐTT"),
                (2022, "CSTĐCS"),
                (2023, "CSTĐCS"),
                (2024, "CSTĐCS"),
            ],
            &[("BK-TTG", 2020)],
        ),
        // HCLĐ3 without a BK-TTG.
        history(
            "LĐTT",
            Some("HCLĐ3"),
            &good(2021),
            &[
                (2022, "CSTĐCS"),
                (2023, "CSTĐCS"),
                (2024, "CSTĐCS"),
                (2021, "LĐTT"),
            ],
            &[("BK-BỘ", 2020)],
        ),
    ];
    use Status::*;
    assert_eq!(
        last_statuses(people),
        [
            Eligible,
            Eligible,
            NotEligible,
            Eligible,
            NotEligible,
            Eligible,
            NotEligible,
            NotEligible,
            Eligible,
            NotEligible
        ]
    );
}

#[test]
fn giay_khen_and_collective_bang_khen_at_their_boundaries() {
    let mut good = person("A", Rating::Httnv, "LĐTT", Some("GK"));
    good.proposed_title = None;
    let mut poor = person("B", Rating::Htnv, "LĐTT", Some("GK"));
    poor.proposed_title = None;
    let mut unit = submission(vec![good, poor]);
    let mut two_years = collective(10, 10, 8, 1, Rating::Htxsnv, "TTLĐXS");
    two_years.proposed_title = None;
    two_years.proposed_award = Some("BK-BỘ".into());
    two_years.rating_history = BTreeMap::from([(2024, Rating::Htxsnv)]);
    let mut one_year = two_years.clone();
    one_year.rating_history = BTreeMap::from([(2024, Rating::Httnv)]);
    one_year.title_history = BTreeMap::from([(2024, "TTLĐTT".to_string())]);
    unit.collectives = vec![two_years, one_year];
    use Status::*;
    assert_eq!(
        statuses(unit),
        [Eligible, NotEligible, Eligible, NotEligible]
    );
}

#[test]
fn a_template_error_names_the_file_line_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    let broken = tdkt::render::templates_builtin()
        .iter()
        .find(|(name, _)| *name == "to-trinh.typ")
        .unwrap()
        .1
        .replace("{{ honour_name }}", "{{ honour_nam }}");
    let line = broken
        .lines()
        .position(|l| l.contains("honour_nam"))
        .unwrap()
        + 1;
    std::fs::write(dir.path().join("to-trinh.typ"), &broken).unwrap();
    let templates = tdkt::render::Templates::load(Some(dir.path())).unwrap();
    let err = templates
        .render(
            "to-trinh.typ",
            &serde_json::json!({ "year": 2025, "honour_code": "BK-TTG" }),
        )
        .unwrap_err()
        .to_string();
    // The campaign's own file, the line and the column of the name.
    let file = dir.path().join("to-trinh.typ");
    let text_line = broken.lines().nth(line - 1).unwrap();
    let column = text_line[..text_line.find("honour_nam").unwrap()]
        .chars()
        .count()
        + 1;
    assert!(
        err.contains(&format!("{}, dòng {line}, cột {column}", file.display())),
        "{err}"
    );
    assert!(err.contains("không có biến 'honour_nam'"), "{err}");
    assert!(
        err.contains("honour_code"),
        "the variables there are are listed: {err}"
    );
}

#[test]
fn the_rating_quota_holds_within_each_group_of_similar_duties() {
    // Ten people: five lecturers (two HTXSNV), five officers (none).
    let mut people = rated(10, 2);
    for (i, p) in people.iter_mut().enumerate() {
        let title = if i < 5 {
            "Giảng viên chính"
        } else {
            "Chuyên viên"
        };
        p.job_title = Some(title.into());
    }
    let grouped = format!(
        "{}\n[[rating_group]]\nname = \"giảng viên\"\njob_titles = [\"Giảng viên\", \"Giảng viên chính\"]\n",
        tdkt::regulation::DEFAULT_TOML
    );
    let regulation = Regulation::parse(&grouped, "nhom.toml").unwrap();
    let quotas = validate(&[submission(people)], &regulation, 2025).quotas;
    let unit = quotas.iter().find(|q| q.proposal == "HTXSNV").unwrap();
    assert!(unit.ok, "2 of 10 is within 20% for the unit: {unit:?}");
    let lecturers = quotas
        .iter()
        .find(|q| q.proposal == "HTXSNV (giảng viên)")
        .unwrap();
    assert_eq!(
        (lecturers.allowed, lecturers.proposed, lecturers.ok),
        (1, 2, false)
    );
}

#[test]
fn a_glyph_no_font_has_still_prints_but_not_as_pdf_a() {
    let typesetter = tdkt::render::Typesetter::new(None).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let plain = typesetter
        .compile(
            "#set text(font: \"Liberation Serif\", fallback: false)\nNguyễn Thị Lan".into(),
            "a",
            date,
            false,
        )
        .unwrap();
    assert!(plain.not_archival.is_none(), "Vietnamese text is archival");
    let odd = typesetter
        .compile(
            "#set text(font: \"Liberation Serif\", fallback: false)\nLý 李 Lan".into(),
            "b",
            date,
            false,
        )
        .unwrap();
    assert!(
        odd.not_archival.is_some(),
        "a CJK glyph Liberation Serif lacks"
    );
    assert!(
        odd.bytes.starts_with(b"%PDF"),
        "the document is still written"
    );
}

#[test]
fn a_unit_declared_outstanding_may_rate_a_quarter_excellent() {
    let people = rated(8, 2);
    let regulation = Regulation::default_national().unwrap();
    let mut unit = submission(people);
    let quota = |unit: &Submission| {
        validate(std::slice::from_ref(unit), &regulation, 2025).quotas[0].clone()
    };
    // 20% × 8 = 1,6 → 1: two is one too many.
    assert_eq!((quota(&unit).allowed, quota(&unit).ok), (1, false));
    unit.outstanding = true;
    // 25% × 8 = 2.
    assert_eq!((quota(&unit).allowed, quota(&unit).ok), (2, true));
}

/// The decision for a list of `people` rows, rendered with `templates`
/// (None: the built-in ones); its pages' text.
fn decision_pages(people: usize, templates: Option<&std::path::Path>) -> Vec<String> {
    let long_title = "Phó Trưởng phòng Quản lý khoa học, hợp tác quốc tế và bồi dưỡng \
                      cán bộ trẻ của Viện Nghiên cứu";
    let people: Vec<Individual> = (1..=people)
        .map(|n| {
            let mut person = person(&format!("Nguyễn Văn Số{n:04}"), Rating::Httnv, "LĐTT", None);
            // Rows of one, two and three lines: pages hold different counts.
            // Now and then a row of a dozen lines, which pages split.
            person.job_title = Some(match (n % 7, n % 41) {
                (_, 0) => [long_title; 8].join(" "),
                (0, _) => long_title.to_string(),
                (3, _) => format!("{long_title} {long_title}"),
                _ => "Chuyên viên".to_string(),
            });
            person
        })
        .collect();
    ldtt_decision_pages(people, templates)
}

/// The LĐTT decision for `people`, rendered with `templates` (None: the
/// built-in ones) and checked by qpdf; its pages' text.
fn ldtt_decision_pages(
    people: Vec<Individual>,
    templates: Option<&std::path::Path>,
) -> Vec<String> {
    let regulation = Regulation::default_national().unwrap();
    let mut unit = submission(people);
    unit.headcount = Some(2000);
    let submissions = vec![unit];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    rendered_pages(&result, &regulation, templates, "quyet-dinh/qd-ldtt.pdf")
}

/// Renders `result`'s documents with `templates` (None: the built-in ones);
/// the pages' text of the one at `file`, checked by qpdf.
fn rendered_pages(
    result: &tdkt::aggregate::Aggregate,
    regulation: &Regulation,
    templates: Option<&std::path::Path>,
    file: &str,
) -> Vec<String> {
    let (_temp, out) = rendered(result, regulation, templates);
    let pdf = out.join(file);
    if common::have("qpdf") {
        common::assert_qpdf_accepts(&pdf);
    }
    common::pdftotext_pages(&pdf)
}

/// Renders `result`'s documents with `templates` (None: the built-in ones)
/// into a temporary folder: (the folder, the output in it).
fn rendered(
    result: &tdkt::aggregate::Aggregate,
    regulation: &Regulation,
    templates: Option<&std::path::Path>,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let renderer = Renderer::new(templates, None).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let output = Output::begin(&temp.path().join("out"), &[]).unwrap();
    renderer
        .render_campaign(
            result,
            regulation,
            &documents(),
            &output,
            &tdkt::progress::Silent,
        )
        .unwrap();
    let out = output.commit().unwrap();
    (temp, out)
}

#[test]
fn a_long_list_laid_out_in_pieces_reads_as_if_laid_out_whole() {
    if !common::have("pdftotext") {
        return;
    }
    const PEOPLE: usize = 700;
    let pieces = decision_pages(PEOPLE, None);
    // The same template without row marks is laid out whole, as before.
    let whole_templates = without_row_marks("quyet-dinh.typ");
    let whole = decision_pages(PEOPLE, Some(whole_templates.path()));

    assert!(pieces.len() > 25, "a list of {PEOPLE} spans many pages");
    assert_pages_as_laid_out_whole(&pieces, &whole);
    let text = pieces.join("\n");
    for n in 1..=PEOPLE {
        assert_eq!(
            text.matches(&format!("Nguyễn Văn Số{n:04}")).count(),
            1,
            "row {n} is printed exactly once"
        );
    }
    assert_eq!(text.matches("Tổng cộng").count(), 1);
    assert_eq!(text.matches("QUYẾT ĐỊNH:").count(), 1);
    for (index, page) in pieces.iter().enumerate().skip(1) {
        let first = page.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert_eq!(first.trim(), (index + 1).to_string(), "page number on top");
    }
}

/// The pages (their text) of a document laid out in pieces are those of
/// the document laid out whole, as many and each the same.
fn assert_pages_as_laid_out_whole(pieces: &[String], whole: &[String]) {
    assert_eq!(
        pieces.len(),
        whole.len(),
        "as many pages as the document laid out whole"
    );
    for (number, (piece, whole)) in pieces.iter().zip(whole).enumerate() {
        assert_eq!(
            piece,
            whole,
            "page {} differs from the whole layout",
            number + 1
        );
    }
}

/// A folder holding the built-in template `name` without its row marks:
/// tdkt lays such a template out whole, as it did before pieces.
fn without_row_marks(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let template = tdkt::render::templates_builtin()
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .unwrap()
        .1
        .replace("#metadata({{ row.mark }})<tdkt-row-end>", "")
        .replace("#metadata({{ section.mark }})<tdkt-row-end>", "")
        .replace("#metadata({{ row.mark }})<tdkt-row>", "")
        .replace("#metadata({{ section.mark }})<tdkt-row>", "")
        .replace("#metadata({{ p.mark + loop.index0 }})<tdkt-row>", "")
        .replace("#metadata({{ p.mark + p.to - p.from }})<tdkt-row>", "");
    assert!(
        !template.contains("<tdkt-row>"),
        "{name}: every mark removed"
    );
    std::fs::write(dir.path().join(name), template).unwrap();
    dir
}

/// A row taller than a page (a job title of thousands of characters) still
/// prints whole in a decision's list: no text is lost at a page's edge.
#[test]
fn a_list_row_taller_than_a_page_prints_whole() {
    if !common::have("pdftotext") {
        return;
    }
    let words: Vec<String> = (0..900).map(|n| format!("từ{n}")).collect();
    let mut people = vec![
        person("Trần Văn Đức", Rating::Httnv, "LĐTT", None),
        person("Nguyễn Thị Ánh", Rating::Httnv, "LĐTT", None),
    ];
    people[0].job_title = Some(words.join(" "));
    let flat = common::flat(&ldtt_decision_pages(people, None).join("\n"));
    for word in [&words[0], &words[450], &words[899]] {
        assert!(
            flat.contains(word.as_str()),
            "'{word}' is missing from the list"
        );
    }
    assert!(flat.contains("Nguyễn Thị Ánh"));
}

/// The Typst source the built-in templates make for a small campaign, as an
/// insta snapshot: a change of template, escaping or view shows here as a
/// diff to read (`INSTA_UPDATE=always cargo test --test stages` after a
/// deliberate one). The names carry markup characters, which must come out
/// escaped, and amounts and dates in Vietnamese form.
#[test]
fn generated_typst_source_of_a_decision_and_the_report() {
    use tdkt::render::views::{decision_view, report_view};
    let regulation = Regulation::default_national().unwrap();
    let mut hostile = person("Trần *Văn* #B [1]", Rating::Htxsnv, "LĐTT", None);
    hostile.source.row = 8;
    let people = vec![
        person("Nguyễn Thị An", Rating::Httnv, "LĐTT", None),
        hostile,
    ];
    let mut unit = submission(people);
    unit.collectives = vec![collective(10, 10, 7, 1, Rating::Htxsnv, "TTLĐXS")];
    let submissions = vec![unit];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let settings = documents();
    let templates = tdkt::render::Templates::load(None).unwrap();
    let ldtt = result.decisions.iter().find(|d| d.code == "LĐTT").unwrap();
    let view = decision_view(ldtt, &result, &regulation, &settings);
    let decision = templates
        .render(
            "quyet-dinh.typ",
            &tdkt::render::whole_view(view, ldtt).unwrap(),
        )
        .unwrap();
    assert!(
        decision.contains("Trần \\*Văn\\* \\#B \\[1\\]"),
        "{decision}"
    );
    let report = templates
        .render("bao-cao.typ", &report_view(&result, &regulation, &settings))
        .unwrap();
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("typst-quyet-dinh-ldtt", decision);
        insta::assert_snapshot!("typst-bao-cao", report);
    });
}

/// A Bằng khen of the Prime Minister proposed for someone without the
/// ministry's: one reason, that one, and no chain "since the award of year 0".
#[test]
fn without_the_earlier_award_the_chain_since_it_is_not_counted() {
    let regulation = Regulation::default_national().unwrap();
    let people = vec![history(
        "CSTĐCS",
        Some("BK-TTG"),
        &[(2024, Rating::Httnv), (2023, Rating::Httnv)],
        &[(2024, "CSTĐCS")],
        &[],
    )];
    let verdicts = validate(&[submission(people)], &regulation, 2025).verdicts;
    let award = verdicts.iter().find(|v| v.proposal == "BK-TTG").unwrap();
    let rules: Vec<&str> = award.failed.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["BK-TTG.da-co-bk-bo"], "{:?}", award.failed);
    assert!(award.failed.iter().all(|f| !f.message.contains("năm 0")));
}

/// The pages of a combined decision (one article and list per honour) for
/// `people`, rendered with `templates`; checked by qpdf.
fn combined_decision_pages(people: usize, templates: Option<&std::path::Path>) -> Vec<String> {
    let regulation = Regulation::default_national().unwrap();
    let people: Vec<Individual> = (1..=people)
        .map(|n| {
            let (rating, title) = if n % 3 == 0 {
                (Rating::Htxsnv, "CSTĐCS")
            } else {
                (Rating::Httnv, "LĐTT")
            };
            let mut person = person(&format!("Nguyễn Văn Số{n:04}"), rating, title, None);
            person.initiative = Some("Sáng kiến".into());
            if n % 29 == 0 {
                person.job_title = Some(["Chuyên viên chính phụ trách công tác"; 12].join(" "));
            }
            person
        })
        .collect();
    let mut unit = submission(people);
    unit.headcount = Some(5000);
    let submissions = vec![unit];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let mut result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
    let lists = std::mem::take(&mut result.decisions);
    result.decisions = vec![tdkt::aggregate::GrantList::combine(lists, 2025)];
    rendered_pages(
        &result,
        &regulation,
        templates,
        "quyet-dinh/qd-tong-hop.pdf",
    )
}

/// A combined decision whose lists run to hundreds of rows is laid out in
/// pieces across its articles, and reads as if laid out whole.
#[test]
fn a_long_combined_decision_laid_out_in_pieces_reads_as_if_laid_out_whole() {
    if !common::have("pdftotext") {
        return;
    }
    const PEOPLE: usize = 800;
    let pieces = combined_decision_pages(PEOPLE, None);
    let whole_templates = without_row_marks("quyet-dinh-tong-hop.typ");
    let whole = combined_decision_pages(PEOPLE, Some(whole_templates.path()));

    assert!(pieces.len() > 30, "{} pages", pieces.len());
    assert_eq!(pieces.len(), whole.len(), "as many pages as laid out whole");
    for (number, (piece, whole)) in pieces.iter().zip(&whole).enumerate() {
        assert_eq!(piece, whole, "page {} differs", number + 1);
    }
    let text = pieces.join("\n");
    for n in 1..=PEOPLE {
        assert_eq!(
            text.matches(&format!("Nguyễn Văn Số{n:04}")).count(),
            1,
            "row {n} is printed exactly once"
        );
    }
    assert_eq!(text.matches("Tổng cộng").count(), 2, "one total per list");
    assert_eq!(text.matches("DANH SÁCH 1").count(), 1);
    assert_eq!(text.matches("DANH SÁCH 2").count(), 1);
    assert_eq!(text.matches("QUYẾT ĐỊNH:").count(), 1);
    for (index, page) in pieces.iter().enumerate().skip(1) {
        let first = page.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert_eq!(first.trim(), (index + 1).to_string(), "page number on top");
    }
}

/// A submission upward listing hundreds (Bằng khen of the Prime Minister
/// for a ministry's staff) is laid out in pieces too, and reads as if whole.
#[test]
fn a_long_submission_laid_out_in_pieces_reads_as_if_laid_out_whole() {
    if !common::have("pdftotext") {
        return;
    }
    const PEOPLE: usize = 500;
    let pages = |templates: Option<&std::path::Path>| -> Vec<String> {
        let people: Vec<Individual> = (1..=PEOPLE)
            .map(|n| {
                let mut person = bk_ttg_candidate(&[("BK-BỘ", 2019)]);
                person.full_name = format!("Nguyễn Văn Số{n:04}");
                person.rating = Some(Rating::Htxsnv);
                person.initiative = Some("Sáng kiến".into());
                if n % 37 == 0 {
                    person.job_title = Some(["Chuyên viên chính phụ trách"; 20].join(" "));
                }
                person
            })
            .collect();
        let regulation = Regulation::default_national().unwrap();
        let mut unit = submission(people);
        unit.headcount = Some(5000);
        let submissions = vec![unit];
        let validation = validate(&submissions, &regulation, 2025);
        let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);
        rendered_pages(&result, &regulation, templates, "to-trinh/ttr-bk-ttg.pdf")
    };
    let pieces = pages(None);
    let whole_templates = without_row_marks("to-trinh.typ");
    let whole = pages(Some(whole_templates.path()));
    assert!(pieces.len() > 15, "{} pages", pieces.len());
    assert_eq!(pieces, whole, "the pages of the list laid out whole");
    let text = pieces.join("\n");
    for n in 1..=PEOPLE {
        assert_eq!(
            text.matches(&format!("Nguyễn Văn Số{n:04}")).count(),
            1,
            "row {n}"
        );
    }
    assert_eq!(text.matches("TỜ TRÌNH").count(), 1);
}

/// The ministry's Bằng khen received in a year nobody wrote down: the chains
/// counted since it cannot be verified, and the unit is told which fact is
/// missing (not "since the award of year 0").
#[test]
fn an_earlier_award_without_its_year_is_a_missing_fact() {
    let regulation = Regulation::default_national().unwrap();
    let mut person = bk_ttg_candidate(&[]);
    person.prior_awards = vec![tdkt::model::PriorAward {
        award: "BK-BỘ".into(),
        year: None,
    }];
    let verdicts = validate(&[submission(vec![person])], &regulation, 2025).verdicts;
    let award = verdicts.iter().find(|v| v.proposal == "BK-TTG").unwrap();
    assert_eq!(award.status, Status::CannotVerify, "{:?}", award.failed);
    assert!(
        award.failed.iter().all(|f| f.unverifiable
            && f.message.contains("năm nhận Bằng khen cấp bộ")
            && !f.message.contains("năm 0")),
        "{:?}",
        award.failed
    );
}

/// Random list rows: names, job titles and units of one to several lines,
/// many ending near a cell's edge, of Vietnamese syllables (every vowel with
/// every tone, capitals), numbers, commas, dashes, slashes and parentheses;
/// now and then text tdkt does not count (quotes, a doubled space), which
/// typst measures as before, among the counted rows.
struct RandomRows(common::Rng);

impl RandomRows {
    const INITIALS: &'static [&'static str] = &[
        "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
        "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
    ];
    const VOWELS: &'static [&'static str] = &[
        "a", "à", "á", "ả", "ã", "ạ", "ă", "ằ", "ắ", "ẳ", "ẵ", "ặ", "â", "ầ", "ấ", "ẩ", "ẫ", "ậ",
        "e", "è", "é", "ẻ", "ẽ", "ẹ", "ê", "ề", "ế", "ể", "ễ", "ệ", "i", "ì", "í", "ỉ", "ĩ", "ị",
        "o", "ò", "ó", "ỏ", "õ", "ọ", "ô", "ồ", "ố", "ổ", "ỗ", "ộ", "ơ", "ờ", "ớ", "ở", "ỡ", "ợ",
        "u", "ù", "ú", "ủ", "ũ", "ụ", "ư", "ừ", "ứ", "ử", "ữ", "ự", "y", "ỳ", "ý", "ỷ", "ỹ", "ỵ",
        "uyê", "ươ", "iê", "oa",
    ];
    const FINALS: &'static [&'static str] = &[
        "", "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y",
    ];
    // Capitals the font kerns against a space or a hyphen (A, L, P, T, V,
    // W, Y), at a line's end as often as anywhere.
    const WORDS: &'static [&'static str] = &[
        "WWW",
        "lllll",
        "12",
        "3A",
        "2025",
        "AVAV",
        "To",
        "Ty",
        "KHCN",
        "Đ.",
        "TP.HCM",
        "THPT",
        "TP",
        "VKSND",
        "A",
        "L",
        "P",
        "V",
        "W",
        "Y",
        "19/08/1974",
    ];
    const ODD: &'static [&'static str] = &[
        "\"Nhà giáo\"",
        "(-x)",
        "A  B",
        "a/1",
        "ăn,5",
        "(ghi chú)",
        "KH&CN",
        "10%",
        "“Tôn”",
    ];

    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    fn pick(&mut self, from: &[&'static str]) -> &'static str {
        from[self.below(from.len())]
    }

    fn word(&mut self) -> String {
        match self.below(200) {
            0 => self.pick(Self::ODD).to_string(),
            1..=30 => self.pick(Self::WORDS).to_string(),
            n => {
                let syllable = [Self::INITIALS, Self::VOWELS, Self::FINALS]
                    .map(|part| self.pick(part))
                    .concat();
                if n % 3 == 0 {
                    let mut chars = syllable.chars();
                    chars.next().map_or(syllable.clone(), |first| {
                        first.to_uppercase().chain(chars).collect()
                    })
                } else {
                    syllable
                }
            }
        }
    }

    fn text(&mut self, most_words: usize) -> String {
        let words = 1 + self.below(most_words);
        let mut text = String::new();
        for i in 0..words {
            if i > 0 {
                text.push_str(match self.below(16) {
                    0 => ", ",
                    1 => " - ",
                    2 => " (",
                    // Joined words: "Kế hoạch-Tài chính", "KH/CN", "2020–2025".
                    3 => "-",
                    4 => "–",
                    5 => "/",
                    _ => " ",
                });
            }
            text.push_str(&self.word());
            if text.ends_with('(') {
                text.push_str(&self.word());
                text.push(')');
            }
        }
        text
    }
}

/// The bytes of `files` among `result`'s documents rendered with `templates`.
fn rendered_pdf(
    result: &tdkt::aggregate::Aggregate,
    regulation: &Regulation,
    templates: Option<&std::path::Path>,
    files: &[&str],
) -> Vec<Vec<u8>> {
    let (_temp, out) = rendered(result, regulation, templates);
    files
        .iter()
        .map(|file| std::fs::read(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

/// tdkt counts the lines of its own templates' list rows and gives typst
/// their heights instead of letting it measure each row. A miscounted row
/// would print too short for its text (or too tall): every row of a decision
/// and of a submission, thousands of random names and job titles, lands
/// exactly where typst's own measuring puts it: the files are byte-identical
/// to those of the same templates as a campaign's own copy, which typst
/// measures as before.
#[test]
fn list_rows_given_their_counted_heights_print_as_typst_measures_them() {
    // TDKT_ROWS_SEED and TDKT_ROWS run it on other rows, and more of them.
    let seed = std::env::var("TDKT_ROWS_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let mut random = RandomRows(common::Rng(seed.unwrap_or(0x7d4b_1c2e_9a33_0f61)));
    let rows = std::env::var("TDKT_ROWS").ok().and_then(|s| s.parse().ok());
    let mut people = Vec::new();
    for n in 0..rows.unwrap_or(1500) {
        let mut person = person(&random.text(9), Rating::Httnv, "LĐTT", None);
        person.job_title = Some(random.text(24));
        person.sub_unit = (n % 3 == 0).then(|| random.text(6));
        people.push(person);
    }
    for n in 0..150u32 {
        let mut person = bk_ttg_candidate(&[("BK-BỘ", 2019)]);
        person.rating = Some(Rating::Htxsnv);
        person.initiative = Some("Sáng kiến".into());
        person.full_name = random.text(9);
        person.job_title = Some(random.text(30));
        person.birth = Some(tdkt::model::Birth::Date(
            NaiveDate::from_ymd_opt(1960 + n as i32 % 40, 1 + n % 12, 1 + n % 28).unwrap(),
        ));
        people.push(person);
    }
    let regulation = Regulation::default_national().unwrap();
    let mut unit = submission(people);
    unit.headcount = Some(5000);
    let submissions = vec![unit];
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let result = aggregate(&submissions, &validation, &regulation, 2025, date, &[]);

    let files = ["quyet-dinh/qd-ldtt.pdf", "to-trinh/ttr-bk-ttg.pdf"];
    let counted = rendered_pdf(&result, &regulation, None, &files);
    let copies = tempfile::tempdir().unwrap();
    for name in ["quyet-dinh.typ", "to-trinh.typ"] {
        let (_, text) = tdkt::render::templates_builtin()
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .unwrap();
        std::fs::write(
            copies.path().join(name),
            format!("{text}\n// the campaign's copy\n"),
        )
        .unwrap();
    }
    let measured = rendered_pdf(&result, &regulation, Some(copies.path()), &files);
    for ((file, counted), measured) in files.iter().zip(&counted).zip(&measured) {
        assert!(counted.len() > 100_000, "{file}: {} bytes", counted.len());
        assert!(
            counted == measured,
            "{file}: the list laid out with counted row heights differs from typst's own measuring"
        );
    }
}

/// The summary report of a campaign of many units: its chart of units goes
/// on over as many pages as it needs, every unit's bar on a page and
/// nothing printed into the bottom margin (the chart was once one block
/// that ran off its page after some 35 units, hiding the rest); its tables'
/// rows, given the heights tdkt counts, print as typst measures them.
#[test]
fn the_reports_chart_shows_every_unit_however_many() {
    const UNITS: usize = 200;
    let result = many_units(UNITS);
    let regulation = Regulation::default_national().unwrap();
    let temp = tempfile::tempdir().unwrap();
    let pdf = temp.path().join("bao-cao.pdf");
    let report = ["bao-cao/bao-cao-tong-hop.pdf"];
    let bytes = rendered_pdf(&result, &regulation, None, &report);
    std::fs::write(&pdf, &bytes[0]).unwrap();
    // Its tables' rows are given the heights tdkt counts: the same file as
    // the template's copy in a campaign, which typst measures.
    let copy = tempfile::tempdir().unwrap();
    let (_, text) = tdkt::render::templates_builtin()
        .iter()
        .find(|(name, _)| *name == "bao-cao.typ")
        .unwrap();
    std::fs::write(
        copy.path().join("bao-cao.typ"),
        format!("{text}\n// a copy\n"),
    )
    .unwrap();
    let measured = rendered_pdf(&result, &regulation, Some(copy.path()), &report);
    assert!(
        bytes[0] == measured[0],
        "counted row heights differ from typst's own measuring"
    );
    if !common::have("pdftotext") {
        return;
    }

    let pages = common::pdftotext_pages(&pdf).len();
    let mut labels = vec![0; UNITS + 1];
    for page in 1..=pages {
        let (_, height, words) = common::pdf_words(&pdf, Some(page));
        // The bottom margin is 20 mm (a last line's descenders may reach
        // a little below the text area).
        let bottom = height - 20.0 * 72.0 / 25.4 + 3.0;
        for word in &words {
            assert!(
                word.y1 <= bottom,
                "page {page}: '{}' printed in the bottom margin (y {:.0} > {bottom:.0})",
                word.text,
                word.y1
            );
            if let Some(n) = word
                .text
                .strip_prefix("Khoa")
                .and_then(|n| n.parse::<usize>().ok())
            {
                labels[n] += 1;
            }
        }
    }
    for (n, count) in labels.iter().enumerate().skip(1) {
        // In the table and in the chart.
        assert!(*count >= 2, "unit Khoa{n:03} is printed {count} times");
    }
}

/// The summary report of many units is laid out a hundred lines at a time
/// (its table of units, its chart and its table of quotas as one sequence
/// of lines), each piece ending at a page's end: the pages read exactly as
/// those of the report laid out whole, every unit in the table and in the
/// chart once, each section's heading, the total and the signature once.
#[test]
fn a_report_of_many_units_laid_out_in_pieces_reads_as_if_laid_out_whole() {
    if !common::have("pdftotext") {
        return;
    }
    const UNITS: usize = 150;
    let result = many_units(UNITS);
    let regulation = Regulation::default_national().unwrap();
    let file = "bao-cao/bao-cao-tong-hop.pdf";
    let pieces = rendered_pages(&result, &regulation, None, file);
    let whole_templates = without_row_marks("bao-cao.typ");
    let whole = rendered_pages(&result, &regulation, Some(whole_templates.path()), file);

    assert!(pieces.len() > 8, "{} pages", pieces.len());
    assert_pages_as_laid_out_whole(&pieces, &whole);
    let text = pieces.join("\n");
    for n in 1..=UNITS {
        assert_eq!(
            text.matches(&format!("Khoa{n:03}")).count(),
            2,
            "unit {n} in the table and in the chart"
        );
    }
    for once in [
        "BÁO CÁO",
        "1. Kết quả theo đơn vị",
        "2. Biểu đồ",
        "3. Quyết định và tờ trình",
        "4. Tỷ lệ, hạn mức",
        "Cộng",
        "Nơi nhận",
    ] {
        assert_eq!(text.matches(once).count(), 1, "'{once}' printed once");
    }
    for (index, page) in pieces.iter().enumerate().skip(1) {
        let first = page.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert_eq!(first.trim(), (index + 1).to_string(), "page number on top");
    }
}

/// A campaign of `units` units, a proposal each (titles and awards of
/// several kinds, unit names of one to three lines): its lists.
fn many_units(units: usize) -> tdkt::aggregate::Aggregate {
    let mut random = RandomRows(common::Rng(0x5eed_0f0a_11ba_5e00));
    let submissions: Vec<Submission> = (1..=units)
        .map(|n| {
            // Titles and awards of several kinds: a column each.
            let titles = ["LĐTT", "CSTĐCS"];
            let awards = [None, Some("GK"), Some("BK-BỘ")];
            let mut unit = submission(vec![person(
                &format!("Người Số{n}"),
                Rating::Htxsnv,
                titles[n % 2],
                awards[n % 3],
            )]);
            unit.file = format!("u{n}.xlsx");
            unit.unit = Some(UnitRef {
                code: format!("U{n}"),
                // Names of one to three lines in the table's unit column.
                name: format!("Khoa{n:03} {}", random.text(60)),
            });
            unit
        })
        .collect();
    let regulation = Regulation::default_national().unwrap();
    let validation = validate(&submissions, &regulation, 2025);
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    aggregate(&submissions, &validation, &regulation, 2025, date, &[])
}

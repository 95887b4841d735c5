//! Certificate throughput and peak memory over generated campaigns.
//!
//! `cargo bench --bench certificates [-- COUNTS…]` (default 1000 4000).
//! Each run writes a file per certificate (batches compiled, exported once,
//! split per page) and the combined print file (the batches merged). Peak memory is the process's
//! VmHWM after each run, so a flat figure across counts means memory does
//! not grow with the number of certificates. Peak heap counts live
//! allocations during the run (a counting allocator), apart from what the
//! system allocator keeps.

use std::time::Instant;

mod common;

use chrono::NaiveDate;
use tdkt::aggregate::{Grant, GrantList};
use tdkt::model::Sex;
use tdkt::regulation::{Certificate, Decider, HonourKind, Subject};
use tdkt::render::Renderer;
use tdkt::settings::{Agency, DocumentSettings, DocumentStyle, Signer};
use tdkt::validate::RecordRef;
use tdkt::write::Output;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Minh", "Thanh", "Ngọc", "Đức", "Quốc", "Thu", "Hữu", "Diệu",
];
const GIVEN: &[&str] = &[
    "Lan", "Hùng", "Đức", "Ánh", "Thủy", "Ngọc", "Quỳnh", "Ưng", "Ơn", "Yến", "Khải", "Nguyệt",
];

fn grant(i: usize) -> Grant {
    let name = format!(
        "{} {} {} {}",
        FAMILY[i % FAMILY.len()],
        MIDDLE[(i / 3) % MIDDLE.len()],
        MIDDLE[(i / 7) % MIDDLE.len()],
        GIVEN[(i / 11) % GIVEN.len()]
    );
    Grant {
        name,
        subject: Subject::Individual,
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth: None,
        position: Some("Phó Trưởng khoa".into()),
        job_title: Some("Giảng viên chính".into()),
        sub_unit: Some(format!("Khoa Lý luận số {}", i % 17)),
        unit_code: "VTH".into(),
        unit_name: "Viện Triết học".into(),
        achievement: Some(
            "Đã có thành tích xuất sắc trong công tác giảng dạy và nghiên cứu khoa học năm 2025"
                .into(),
        ),
        bonus: Some(3_510_000),
        ordinal: i as u32 + 1,
        file: "bench.xlsx".into(),
        row: i as u32 + 4,
        record: RecordRef {
            submission: 0,
            subject: Subject::Individual,
            index: i,
        },
        register_number: None,
        honour: "BK-BỘ".into(),
        verification: None,
    }
}

fn list(count: usize) -> GrantList {
    GrantList {
        id: "bk-bo".into(),
        code: "BK-BỘ".into(),
        name: "Bằng khen cấp bộ".into(),
        kind: HonourKind::Award,
        decided_by: Decider::Agency,
        decider: None,
        certificate: Some(Certificate {
            heading: "BẰNG KHEN".into(),
            verb: "TẶNG".into(),
        }),
        collectives: Vec::new(),
        individuals: (0..count).map(grant).collect(),
        total_bonus: 0,
        sign_off: None,
        correction: None,
        parts: Vec::new(),
        parked: None,
    }
}

fn settings() -> DocumentSettings {
    DocumentSettings {
        agency: Agency {
            parent: String::new(),
            name: "Học viện Chính trị quốc gia Hồ Chí Minh".into(),
            abbreviation: "HVCTQG".into(),
            place: "Hà Nội".into(),
        },
        signer: Signer {
            authority: "Giám đốc Học viện Chính trị quốc gia Hồ Chí Minh".into(),
            prefix: "KT. Giám đốc".into(),
            title: "Phó Giám đốc".into(),
            name: "Trần Văn Minh".into(),
            signature: None,
            seal: None,
        },
        style: DocumentStyle::State,
        decision_date: NaiveDate::from_ymd_opt(2026, 1, 15).expect("a valid date"),
        proposer: String::new(),
        recipients: Vec::new(),
        archive: "VT, TĐKT".into(),
        certificates: Default::default(),
        decisions: Default::default(),
        emblem: String::new(),
        signature: String::new(),
        seal: String::new(),
        verify_url: None,
    }
}

fn main() -> anyhow::Result<()> {
    common::as_the_binary_runs();
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counts = if counts.is_empty() {
        vec![1000, 4000]
    } else {
        counts
    };
    let settings = settings();
    let started = Instant::now();
    let renderer = Renderer::new(None, None)?;
    println!(
        "set-up (fonts, templates): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!("Each run writes one PDF per certificate and the combined print file.");
    println!(
        "{:>8} {:>8} {:>15} {:>14} {:>15} {:>11} {:>16}",
        "count",
        "seconds",
        "certificates/s",
        "peak RSS MiB",
        "peak heap MiB",
        "file KiB",
        "print file MiB"
    );
    // Every run's output stays until the end: on ext4 without a journal
    // (this machine's), creating a file scans the inodes freed in the last
    // minutes, so deleting one run's thousands of files would slow the next.
    // Under target/, away from the tests' temporary files, unless TMPDIR
    // says where (a RAM disk leaves the file system out of the measure).
    let base = std::env::var_os("TMPDIR").map_or_else(
        || env!("CARGO_TARGET_TMPDIR").into(),
        std::path::PathBuf::from,
    );
    let mut outputs = Vec::new();
    for &count in &counts {
        let list = list(count);
        let temp = tempfile::tempdir_in(&base)?;
        let output = Output::begin(&temp.path().join("out"), &[])?;
        common::reset_peak_heap();
        let started = Instant::now();
        let files = renderer.render_certificates(&list, &settings, &output)?;
        let seconds = started.elapsed().as_secs_f64();
        let peak_heap = common::mib(common::peak_heap());
        let out = output.commit()?;
        assert_eq!(files, count + 1);
        let mib = |path: &str| -> anyhow::Result<f64> {
            Ok(std::fs::metadata(out.join(path))?.len() as f64 / 1048576.0)
        };
        println!(
            "{:>8} {:>8.2} {:>15.0} {:>14.1} {:>15.1} {:>11.0} {:>16.1}",
            count,
            seconds,
            count as f64 / seconds,
            common::peak_rss_mib(),
            peak_heap,
            mib("bang-khen/bk-bo/0001-nguyen-van-van-lan.pdf")? * 1024.0,
            mib("bang-khen/bk-bo-in-gop.pdf")?,
        );
        outputs.push(temp);
    }
    Ok(())
}

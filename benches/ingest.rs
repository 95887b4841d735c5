//! Ingest throughput: rows per second through `ingest` + `map` on a large
//! generated inbox, beside the bare calamine read of the same cells; then
//! the time `check` adds to that: validating every proposal, with the
//! national rules and with the academy's (norms, extra titles).
//!
//! `cargo bench --bench ingest [-- WORKBOOKS ROWS]` (default 200 × 200).

use std::time::Instant;

use calamine::Reader;
use tdkt::map::{MapContext, map_workbooks};
use tdkt::regulation::Regulation;

const HEADERS: &[&str] = &[
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chức danh",
    "Xếp loại năm 2025",
    "Xếp loại năm 2024",
    "Danh hiệu năm 2024",
    "Giờ giảng thực hiện",
    "Sáng kiến",
    "Danh hiệu đề nghị",
    "Hình thức khen thưởng đề nghị",
    "Tóm tắt thành tích",
];

fn write_workbook(path: &std::path::Path, unit: usize, rows: usize) -> anyhow::Result<()> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let info = book.add_worksheet();
    info.set_name("Thông tin đơn vị")?;
    info.write_string(0, 0, "Tên đơn vị")?;
    info.write_string(0, 1, format!("Đơn vị số {unit}"))?;
    info.write_string(1, 0, "Năm xét")?;
    info.write_number(1, 1, 2025.0)?;
    let sheet = book.add_worksheet();
    sheet.set_name("Cá nhân")?;
    sheet.write_string(0, 0, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG CÁ NHÂN NĂM 2025")?;
    for (col, label) in HEADERS.iter().enumerate() {
        sheet.write_string(2, col as u16, *label)?;
    }
    for i in 0..rows {
        let row = i as u32 + 3;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, format!("Nguyễn Thị Ánh {unit}-{i}"))?;
        sheet.write_string(
            row,
            2,
            format!("{:02}/{:02}/19{}", i % 28 + 1, i % 12 + 1, 60 + i % 40),
        )?;
        sheet.write_string(row, 3, if i % 2 == 0 { "Nữ" } else { "Nam" })?;
        sheet.write_string(row, 4, "Giảng viên chính")?;
        sheet.write_string(row, 5, if i % 5 == 0 { "HTXSNV" } else { "HTTNV" })?;
        sheet.write_string(row, 6, "Hoàn thành tốt nhiệm vụ")?;
        sheet.write_string(row, 7, "LĐTT")?;
        sheet.write_string(row, 8, "312,5")?;
        sheet.write_string(
            row,
            9,
            if i % 3 == 0 {
                "Sáng kiến cấp cơ sở năm 2025"
            } else {
                ""
            },
        )?;
        sheet.write_string(row, 10, if i % 4 == 0 { "CSTĐCS" } else { "LĐTT" })?;
        sheet.write_string(row, 11, if i % 7 == 0 { "GK" } else { "" })?;
        sheet.write_string(row, 12, "Đã có thành tích xuất sắc trong công tác năm 2025")?;
    }
    book.save(path)?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (workbooks, rows) = (
        args.first().copied().unwrap_or(200),
        args.get(1).copied().unwrap_or(200),
    );
    let temp = tempfile::tempdir()?;
    for unit in 0..workbooks {
        write_workbook(
            &temp.path().join(format!("don-vi-{unit:03}.xlsx")),
            unit,
            rows,
        )?;
    }
    let total = (workbooks * rows) as f64;
    println!("{workbooks} workbooks × {rows} rows = {total} rows");

    // The bare read: calamine opening every file and visiting every cell.
    let started = Instant::now();
    let mut cells = 0usize;
    for entry in std::fs::read_dir(temp.path())? {
        let mut book = calamine::open_workbook_auto(entry?.path())?;
        for name in book.sheet_names() {
            cells += book.worksheet_range(&name)?.used_cells().count();
        }
    }
    let bare = started.elapsed().as_secs_f64();
    println!(
        "{:<34} {:>8.2} s {:>12.0} rows/s ({cells} cells)",
        "calamine alone (one thread)",
        bare,
        total / bare
    );

    let regulation = Regulation::default_national()?;
    let started = Instant::now();
    let inbox = tdkt::ingest::read_inbox(temp.path(), &tdkt::ingest::Reader::default())?;
    let read = started.elapsed().as_secs_f64();
    let context = MapContext {
        regulation: &regulation,
        units: None,
        year: 2025,
    };
    let mapped = map_workbooks(&inbox.workbooks, context);
    let all = started.elapsed().as_secs_f64();
    let records: usize = mapped.submissions.iter().map(|s| s.individuals.len()).sum();
    assert_eq!(records as f64, total);
    println!(
        "{:<34} {:>8.2} s {:>12.0} rows/s",
        "tdkt ingest (parallel)",
        read,
        total / read
    );
    println!(
        "{:<34} {:>8.2} s {:>12.0} rows/s",
        "tdkt ingest + map (parallel)",
        all,
        total / all
    );

    for name in ["quy-dinh-2025.toml", "hvctqg-2025.toml"] {
        let regulation = Regulation::load(std::path::Path::new(name))?;
        let started = Instant::now();
        let validation = tdkt::validate::validate(&mapped.submissions, &regulation, 2025);
        let took = started.elapsed().as_secs_f64();
        println!(
            "{:<34} {:>8.3} s {:>12.0} proposals/s ({} verdicts, {name})",
            "validate (one thread)",
            took,
            validation.verdicts.len() as f64 / took,
            validation.verdicts.len()
        );
    }
    Ok(())
}

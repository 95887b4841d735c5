//! A ministry-size campaign, generated and built.
//!
//! For each size: the wall time, throughput and peak memory of every stage
//! of `pipeline::build` in this process (workbooks read in-process; peak
//! RSS, and the heap live at the stage's peak and at its end, which is what
//! it leaves to the next stage), then
//! the real `tdkt build` binary's wall time and peak RSS (what
//! `/usr/bin/time -v` reports), and at the end the ratio of the largest run
//! to the smallest. BENCHMARKS.md keeps the table.
//!
//! ```sh
//! cargo bench --bench campaign                       # 20,000 and 80,000 proposals
//! cargo bench --bench campaign -- 20000              # one size
//! cargo bench --bench campaign -- --write DIR 20000  # only write the campaign
//! ```
//!
//! The campaign is seeded, so every run builds the same one: 200 proposals
//! per unit workbook (100 workbooks for 20,000), in the canonical form with
//! a unit sheet, individuals and collectives, a unit list, and a mix of
//! titles and awards like a ministry's (most proposals are LĐTT, about one
//! in five carries a certificate).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use tdkt::progress::{Progress, Stage};

mod common;

use common::{live_heap, mib, peak_heap, peak_rss_mib, reset_peak_heap};

const PER_WORKBOOK: usize = 200;
const YEAR: i32 = 2025;

/// A small deterministic generator (splitmix64): the same campaign every run.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Xuân",
    "Thu",
    "Thị Thanh",
    "Văn Hải",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
    "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phong", "Phương", "Quân", "Sơn",
    "Tâm", "Thảo", "Thủy", "Trang", "Trung", "Tuấn", "Việt", "Yến",
];
const JOBS: &[&str] = &[
    "Giảng viên",
    "Giảng viên chính",
    "Nghiên cứu viên",
    "Chuyên viên",
    "Chuyên viên chính",
    "Kế toán viên",
];
const KINDS: &[&str] = &["Viện", "Khoa", "Ban", "Trung tâm", "Vụ", "Cục"];
const FIELDS: &[&str] = &[
    "Triết học",
    "Kinh tế",
    "Lịch sử",
    "Pháp luật",
    "Xây dựng Đảng",
    "Quan hệ quốc tế",
    "Tuyên truyền",
    "Báo chí",
    "Hành chính",
    "Quản lý khoa học",
];

const HEADERS: &[&str] = &[
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chức danh",
    "Đơn vị công tác",
    "Xếp loại năm 2025",
    "Xếp loại năm 2024",
    "Xếp loại năm 2023",
    "Danh hiệu năm 2024",
    "Danh hiệu năm 2023",
    "Số tháng công tác",
    "Sáng kiến",
    "Danh hiệu đề nghị",
    "Hình thức khen thưởng đề nghị",
    "Tóm tắt thành tích",
];

const COLLECTIVE_HEADERS: &[&str] = &[
    "STT",
    "Tên tập thể",
    "Số thành viên",
    "Số hoàn thành nhiệm vụ trở lên",
    "Số đạt LĐTT",
    "Số đạt CSTĐCS",
    "Số bị kỷ luật",
    "Xếp loại năm 2025",
    "Danh hiệu đề nghị",
];

fn unit_name(unit: usize) -> String {
    format!(
        "{} {} {}",
        KINDS[unit % KINDS.len()],
        FIELDS[(unit / KINDS.len()) % FIELDS.len()],
        unit / (KINDS.len() * FIELDS.len()) + 1
    )
}

/// One unit's workbook: `rows` proposals, two of them collectives.
fn write_workbook(
    path: &Path,
    unit: usize,
    rows: usize,
    random: &mut Seeded,
) -> anyhow::Result<()> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let info = book.add_worksheet();
    info.set_name("Thông tin đơn vị")?;
    info.write_string(0, 0, "Tên đơn vị")?;
    info.write_string(0, 1, unit_name(unit))?;
    info.write_string(1, 0, "Năm xét")?;
    info.write_number(1, 1, f64::from(YEAR))?;
    info.write_string(2, 0, "Tổng số cán bộ")?;
    info.write_number(2, 1, (rows + rows / 4) as f64)?;

    let sheet = book.add_worksheet();
    sheet.set_name("Cá nhân")?;
    sheet.write_string(0, 0, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG CÁ NHÂN NĂM 2025")?;
    for (col, label) in HEADERS.iter().enumerate() {
        sheet.write_string(2, col as u16, *label)?;
    }
    let people = rows.saturating_sub(2);
    for i in 0..people {
        let row = i as u32 + 3;
        let excellent = random.chance(22);
        let rating = if excellent {
            "HTXSNV"
        } else if random.chance(92) {
            "HTTNV"
        } else {
            random.pick(&["HTNV", "KHTNV"])
        };
        let name = format!(
            "{} {} {}",
            random.pick(SURNAMES),
            random.pick(MIDDLE),
            random.pick(GIVEN)
        );
        let (title, award, history) = match random.below(100) {
            0..=62 => ("LĐTT", "", "LĐTT"),
            63..=79 => ("CSTĐCS", "", "CSTĐCS"),
            80..=94 => ("LĐTT", "GK", "LĐTT"),
            _ => ("CSTĐCS", "BK-BỘ", "CSTĐCS"),
        };
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, &name)?;
        sheet.write_string(
            row,
            2,
            format!(
                "{:02}/{:02}/{}",
                random.below(28) + 1,
                random.below(12) + 1,
                1962 + random.below(38)
            ),
        )?;
        sheet.write_string(row, 3, if random.chance(55) { "Nữ" } else { "Nam" })?;
        sheet.write_string(row, 4, random.pick(JOBS))?;
        sheet.write_string(row, 5, format!("Phòng {}", random.below(6) + 1))?;
        sheet.write_string(row, 6, rating)?;
        sheet.write_string(row, 7, if excellent { "HTXSNV" } else { "HTTNV" })?;
        sheet.write_string(row, 8, "HTTNV")?;
        sheet.write_string(row, 9, history)?;
        sheet.write_string(row, 10, history)?;
        sheet.write_number(row, 11, if random.chance(97) { 12.0 } else { 4.0 })?;
        if title == "CSTĐCS" {
            sheet.write_string(
                row,
                12,
                format!(
                    "Sáng kiến cấp cơ sở số {}/{YEAR} được công nhận",
                    random.below(90) + 1
                ),
            )?;
        }
        sheet.write_string(row, 13, title)?;
        sheet.write_string(row, 14, award)?;
        sheet.write_string(
            row,
            15,
            "Hoàn thành xuất sắc nhiệm vụ được giao, có nhiều đóng góp cho công tác chuyên môn của đơn vị",
        )?;
    }

    let collectives = book.add_worksheet();
    collectives.set_name("Tập thể")?;
    collectives.write_string(0, 0, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG TẬP THỂ NĂM 2025")?;
    for (col, label) in COLLECTIVE_HEADERS.iter().enumerate() {
        collectives.write_string(2, col as u16, *label)?;
    }
    for i in 0..rows - people {
        let row = i as u32 + 3;
        let members = 12 + random.below(20);
        collectives.write_number(row, 0, (i + 1) as f64)?;
        collectives.write_string(row, 1, format!("Phòng {}", i + 1))?;
        collectives.write_number(row, 2, members as f64)?;
        collectives.write_number(row, 3, members as f64)?;
        collectives.write_number(row, 4, (members * 4 / 5) as f64)?;
        collectives.write_number(row, 5, (members / 6) as f64)?;
        collectives.write_number(row, 6, 0.0)?;
        collectives.write_string(row, 7, "HTXSNV")?;
        collectives.write_string(row, 8, if i == 0 { "TTLĐXS" } else { "TTLĐTT" })?;
    }
    book.save(path)?;
    Ok(())
}

/// A campaign folder of `proposals` proposals at `dir`.
fn write_campaign(dir: &Path, proposals: usize) -> anyhow::Result<()> {
    let workbooks = proposals.div_ceil(PER_WORKBOOK).max(1);
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox)?;
    let mut units = String::from("code,name,aliases\n");
    let mut random = Seeded(20_251_231);
    for unit in 0..workbooks {
        units.push_str(&format!("DV{unit:03},\"{}\",\"\"\n", unit_name(unit)));
        let rows = PER_WORKBOOK.min(proposals - unit * PER_WORKBOOK);
        write_workbook(
            &inbox.join(format!("don-vi-{unit:03}.xlsx")),
            unit,
            rows,
            &mut random,
        )?;
    }
    std::fs::write(dir.join("units.csv"), units)?;
    std::fs::write(
        dir.join("tdkt.toml"),
        format!(
            "[campaign]\nyear = {YEAR}\ninbox = \"inbox\"\noutput = \"output\"\nunits_file = \"units.csv\"\n\
             decision_date = {}-01-15\n\n[agency]\nname = \"Bộ Thử nghiệm\"\nabbreviation = \"BTN\"\nplace = \"Hà Nội\"\n\n\
             [signer]\nauthority = \"Bộ trưởng Bộ Thử nghiệm\"\nprefix = \"KT. Bộ trưởng\"\ntitle = \"Thứ trưởng\"\nname = \"Nguyễn Văn A\"\n",
            YEAR + 1
        ),
    )?;
    Ok(())
}

/// Starts counting the peak anew (Linux: `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One stage as measured.
struct Measured {
    stage: Stage,
    seconds: f64,
    units: u64,
    peak_mib: f64,
    /// Heap bytes live at its peak and when it ends (what it leaves).
    peak_heap: usize,
    live_heap: usize,
}

/// A `Progress` that times each stage and keeps its peak memory.
#[derive(Default)]
struct Stopwatch {
    current: std::sync::Mutex<Option<(Stage, Instant, u64)>>,
    done: std::sync::Mutex<Vec<Measured>>,
}

impl Stopwatch {
    fn close(&self, current: &mut Option<(Stage, Instant, u64)>) {
        if let Some((stage, started, units)) = current.take() {
            let measured = Measured {
                stage,
                seconds: started.elapsed().as_secs_f64(),
                units,
                peak_mib: peak_rss_mib(),
                peak_heap: peak_heap(),
                live_heap: live_heap(),
            };
            if let Ok(mut done) = self.done.lock() {
                done.push(measured);
            }
        }
    }
}

impl Progress for Stopwatch {
    fn begin(&self, stage: Stage, total: u64) {
        if let Ok(mut current) = self.current.lock() {
            self.close(&mut current);
            reset_peak();
            reset_peak_heap();
            *current = Some((stage, Instant::now(), total));
        }
    }

    fn advance(&self, _: u64) {}

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            self.close(&mut current);
        }
    }
}

/// The whole binary's wall time and peak RSS, as `/usr/bin/time -v` gives
/// them (the build process's own peak; its reader processes are smaller).
fn time_binary(campaign: &Path) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_tdkt"))
        .arg("build")
        .arg(campaign)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 reaps our own child and writes only the two values it
    // is given; `child` is not waited on again.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        usage
    };
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "tdkt build failed ({status})"
    );
    Ok((seconds, usage.ru_maxrss as f64 / 1024.0))
}

/// Where the runs write. On a RAM disk (`/dev/shm` with room for both
/// sizes, some 5 GB; removed when the bench ends) unless `TDKT_BENCH_DIR`
/// names a folder: a build's time is then tdkt's work, not the file
/// system's. On ext4 the kernel writes back, on the same two cores, what a
/// build wrote more than 30 seconds earlier (the 80,000 build's 1.3 GB, not
/// the 20,000 build's 334 MB, which is done before that), and creating files
/// within minutes of tens of thousands being deleted (the previous run's)
/// scans the inodes freed meanwhile: seconds more at 80,000, which made the
/// ratio of the two sizes a measure of the disk. Without a RAM disk, under
/// target/: kept after the bench ends and removed when it next starts
/// (deleting at the end would slow whatever runs next).
fn bench_folder() -> (std::path::PathBuf, Kept) {
    if let Some(dir) = std::env::var_os("TDKT_BENCH_DIR") {
        return (dir.into(), Kept::AfterTheRun);
    }
    let ram = Path::new("/dev/shm");
    if free_bytes(ram).is_some_and(|free| free > 8 << 30) {
        let dir = ram.join(format!("tdkt-campaign-bench-{}", std::process::id()));
        return (dir, Kept::WhileRunning);
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("campaign-bench");
    (dir, Kept::AfterTheRun)
}

/// Whether the bench's folder outlives it.
#[derive(Clone, Copy, PartialEq)]
enum Kept {
    AfterTheRun,
    WhileRunning,
}

/// The bytes free on the file system holding `dir`.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes only into the struct it is given, and the path
    // is a NUL-terminated string that outlives the call.
    let stat = unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        (libc::statvfs(path.as_ptr(), &mut stat) == 0).then_some(stat)
    }?;
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Builds a campaign of `proposals` in its own folder; returns the binary's
/// wall time and peak RSS.
fn run(folder: &Path, proposals: usize) -> anyhow::Result<(f64, f64)> {
    let temp = folder.join(proposals.to_string());
    std::fs::create_dir_all(&temp)?;
    let campaign = temp.join("dot-xet");
    let started = Instant::now();
    write_campaign(&campaign, proposals)?;
    println!(
        "\n## {} proposals, {} workbooks (written in {:.1} s)\n",
        proposals,
        proposals.div_ceil(PER_WORKBOOK),
        started.elapsed().as_secs_f64()
    );

    let flags = tdkt::settings::Flags {
        input: Some(campaign.clone()),
        out: Some(temp.join("in-process")),
        ..Default::default()
    };
    let settings = tdkt::settings::Settings::resolve(&flags)?;
    let stopwatch = Stopwatch::default();
    let started = Instant::now();
    let built = tdkt::pipeline::build(&settings, &stopwatch)?;
    let total = started.elapsed().as_secs_f64();
    println!("| stage | wall | throughput | peak RSS | peak heap | heap after |");
    println!("|---|---:|---:|---:|---:|---:|");
    let measured = stopwatch.done.into_inner().unwrap_or_default();
    for Measured {
        stage,
        seconds,
        units,
        peak_mib: peak,
        peak_heap,
        live_heap,
    } in measured
    {
        let throughput = if units > 0 && seconds > 0.0 {
            format!("{:.0} {}/s", units as f64 / seconds, stage.unit_vi())
        } else {
            String::new()
        };
        println!(
            "| {stage:?} | {seconds:.2} s | {throughput} | {peak:.0} MiB | {:.0} MiB | {:.0} MiB |",
            mib(peak_heap),
            mib(live_heap)
        );
    }
    let certificates = built.certificates;
    println!(
        "| **in-process build** | **{total:.2} s** | {} files, {certificates} certificates | | | |",
        built.files
    );
    drop(built);

    let (seconds, peak) = time_binary(&campaign)?;
    println!("| **`tdkt build` (binary)** | **{seconds:.2} s** | | **{peak:.0} MiB** | | |");
    Ok((seconds, peak))
}

fn main() -> anyhow::Result<()> {
    common::as_the_binary_runs();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(position) = args.iter().position(|a| a == "--write") {
        let dir = args
            .get(position + 1)
            .ok_or_else(|| anyhow::anyhow!("--write DIR"))?;
        let proposals = args
            .get(position + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(20_000);
        write_campaign(Path::new(dir), proposals)?;
        println!("{proposals} proposals written to {dir}");
        return Ok(());
    }
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![20_000, 80_000];
    }
    let (folder, kept) = bench_folder();
    if folder.exists() {
        std::fs::remove_dir_all(&folder)?;
    }
    println!("Outputs in {}", folder.display());
    let mut runs = Vec::new();
    let mut failed = None;
    for &size in &sizes {
        match run(&folder, size) {
            Ok(measured) => runs.push((size, measured)),
            Err(error) => {
                failed = Some(error);
                break;
            }
        }
    }
    if kept == Kept::WhileRunning {
        std::fs::remove_dir_all(&folder)?;
    }
    if let Some(error) = failed {
        return Err(error);
    }
    if let (Some((small, (t0, m0))), Some((large, (t1, m1)))) = (runs.first(), runs.last())
        && large > small
    {
        println!(
            "\n{large} / {small} proposals: {:.2}× the time, {:.2}× the peak RSS",
            t1 / t0,
            m1 / m0
        );
    }
    Ok(())
}

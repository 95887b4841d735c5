//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod browser;
pub mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hvctqg-2025")
}

/// Runs the real `tdkt` binary.
pub fn tdkt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tdkt"))
        .args(args)
        .output()
        .expect("tdkt runs")
}

pub fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Whether an outside tool is installed; says so loudly when it is not.
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        eprintln!(
            "\n!!! SKIPPED: '{tool}' is not installed (apt-get install poppler-utils qpdf); .ci/run installs it\n"
        );
    }
    found
}

pub fn pdftotext(pdf: &Path) -> String {
    pdftotext_with(pdf, &[])
}

/// The text of each page of `pdf`, laid out as printed (`-layout`).
pub fn pdftotext_pages(pdf: &Path) -> Vec<String> {
    let text = pdftotext_with(pdf, &["-layout"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Asserts that `qpdf --check` finds nothing wrong with `pdf`.
pub fn assert_qpdf_accepts(pdf: &Path) {
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf runs");
    assert!(
        check.status.success(),
        "qpdf --check fails on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&check.stdout)
    );
}

fn pdftotext_with(pdf: &Path, options: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(options)
        .arg("-enc")
        .arg("UTF-8")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// Every file below `dir`, relative, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

/// The text of every cell of every sheet of a workbook (calamine).
pub fn xlsx_cells(path: &Path) -> Vec<String> {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path)
        .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
    let mut text = Vec::new();
    for sheet in workbook.sheet_names() {
        let cells = workbook.worksheet_range(&sheet).unwrap();
        text.extend(cells.cells().map(|(_, _, v)| v.to_string()));
    }
    text
}

/// Text with line breaks and repeated spaces folded, as pdftotext may wrap.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A copy of the sample campaign at `to`, without its output or register.
pub fn copy_sample(to: &Path) -> PathBuf {
    copy_campaign(&sample(), to)
}

/// A copy of the campaign folder `from` at `to`, without its output or
/// register: builds keep a register beside the campaign, and tests must not
/// write into the repository's folders.
pub fn copy_campaign(from: &Path, to: &Path) -> PathBuf {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(from).unwrap();
        if relative.starts_with("output")
            || relative.to_string_lossy().starts_with("so-khen-thuong")
        {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    to.to_path_buf()
}

/// Rewrites a campaign's tdkt.toml.
pub fn edit_campaign_file(campaign: &Path, edit: impl FnOnce(String) -> String) {
    let path = campaign.join("tdkt.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, edit(text)).unwrap();
}

/// A word box from `pdftotext -bbox`, in points from the top left.
#[derive(Debug, Clone)]
pub struct Word {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub text: String,
}

/// (width, height, words) of one page (1-based) of `pdf`, or of its first
/// page's size and every page's words when `page` is `None`.
pub fn pdf_words(pdf: &Path, page: Option<usize>) -> (f64, f64, Vec<Word>) {
    let mut command = Command::new("pdftotext");
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let out = command.arg("-bbox").arg(pdf).arg("-").output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attribute = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let page_tag = html.split("<page ").nth(1).unwrap();
    let (width, height) = (attribute(page_tag, "width"), attribute(page_tag, "height"));
    let text = |w: &str| {
        w.split('>')
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    };
    let words = html
        .split("<word ")
        .skip(1)
        .map(|w| Word {
            x0: attribute(w, "xMin"),
            y0: attribute(w, "yMin"),
            x1: attribute(w, "xMax"),
            y1: attribute(w, "yMax"),
            text: text(w),
        })
        .collect();
    (width, height, words)
}

/// xorshift64*: small, seeded, the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

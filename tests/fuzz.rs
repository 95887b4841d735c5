//! Seeded mutation fuzzing of ingest, on stable Rust, through the real
//! binary: every format tdkt reads (tests/hostile-inputs/seeds, made by other
//! producers) is mutated (bytes flipped, cut short, records inserted,
//! declared counts and lengths inflated) and the mutants are dropped into
//! inboxes beside a good workbook. `tdkt inspect --json` must run on each
//! inbox (exit 0 or 1, JSON out), read the good workbook in full, and
//! account for every mutant as a workbook or a diagnostic naming it.
//!
//! `TDKT_FUZZ_RUNS` sets how many mutants (default 3,000) and
//! `TDKT_FUZZ_SEED` the first seed, so a failure is replayed exactly. A
//! failing inbox is kept under `target/fuzz-failures/`; copy its culprit
//! into tests/hostile-inputs/found/, where `found_inputs_stay_harmless`
//! keeps it as a regression test.

mod common;

use common::Rng;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::*;

/// The good workbook: a unit none of the seeds names, so no mutant can
/// stand in for it.
const GOOD: &str = "00-good.xlsx";
const GOOD_SOURCE: &str = "values/vien-kinh-te.xlsx";
const PER_INBOX: usize = 300;

fn hostile_inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile-inputs")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The seeds: one valid workbook in each format.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(hostile_inputs().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "py"))
        .map(|p| {
            let extension = p.extension().unwrap().to_string_lossy().into_owned();
            (extension, std::fs::read(&p).unwrap())
        })
        .collect();
    seeds.sort();
    for extra in [
        "formats/vien-triet-hoc.xls",
        "formats/vien-lich-su-dang.ods",
    ] {
        let path = fixtures().join(extra);
        let extension = path.extension().unwrap().to_string_lossy().into_owned();
        seeds.push((extension, std::fs::read(path).unwrap()));
    }
    seeds
}

/// One mutant of `bytes`. Zip-based formats are mutated inside one entry
/// (and re-zipped, so the damage reaches the parser, not only the zip
/// reader) or as raw bytes.
fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    if bytes.starts_with(b"PK")
        && rng.below(3) > 0
        && let Some(mutant) = mutate_entry(bytes, rng)
    {
        return mutant;
    }
    mutate_bytes(bytes.to_vec(), rng)
}

fn mutate_bytes(mut bytes: Vec<u8>, rng: &mut Rng) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    match rng.below(6) {
        // Flip a few bytes.
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        // Cut short, as a broken download.
        1 => bytes.truncate(rng.below(bytes.len())),
        // Insert a run of bytes (a record out of nowhere).
        2 => {
            let at = rng.below(bytes.len());
            let run: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, run);
        }
        // Inflate a length or count: four bytes set to a huge value.
        3 => {
            let at = rng.below(bytes.len().saturating_sub(4));
            let value: u32 = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x0001_0000, 0xFFFF][rng.below(4)];
            for (i, b) in value.to_le_bytes().iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + i) {
                    *slot = *b;
                }
            }
        }
        // Duplicate a chunk (a record repeated).
        4 => {
            let from = rng.below(bytes.len());
            let to = (from + 1 + rng.below(256)).min(bytes.len());
            let chunk = bytes[from..to].to_vec();
            bytes.splice(from..from, chunk);
        }
        // Zero a stretch.
        _ => {
            let from = rng.below(bytes.len());
            let to = (from + 1 + rng.below(512)).min(bytes.len());
            bytes[from..to].fill(0);
        }
    }
    bytes
}

/// Re-zips `bytes` with one entry mutated: as bytes, or in its XML (a
/// number made huge, a cell reference moved far away).
fn mutate_entry(bytes: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let victim = rng.below(archive.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).ok()?;
        let name = entry.name().ok()?.into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        if index == victim {
            content = if rng.below(2) == 0 {
                inflate_numbers(&content, rng)
            } else {
                mutate_bytes(content, rng)
            };
        }
        out.start_file(name, options).ok()?;
        out.write_all(&content).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// Replaces a few numbers in XML text (counts, cell references, repeat
/// counts, style indices) with absurd ones.
fn inflate_numbers(content: &[u8], rng: &mut Rng) -> Vec<u8> {
    let text = String::from_utf8_lossy(content);
    let huge = [
        "4294967295",
        "99999999999999999999",
        "1048577",
        "0",
        "-1",
        "2147483648",
    ];
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            if rng.below(12) == 0 {
                out.push_str(huge[rng.below(huge.len())]);
            } else {
                out.push_str(&digits);
            }
            digits.clear();
        }
        out.push(c);
    }
    out.push_str(&digits);
    out.into_bytes()
}

/// The good workbook as `inspect` reads it alone.
fn good_alone() -> serde_json::Value {
    let inbox = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join(GOOD_SOURCE), inbox.path().join(GOOD)).unwrap();
    let out = tdkt(&[
        "inspect",
        inbox.path().to_str().unwrap(),
        "--json",
        "--year",
        "2025",
    ]);
    stdout_json(&out)["workbooks"][0].clone()
}

/// Runs `inspect` on `inbox` and checks what a clerk would rely on.
fn check_inbox(
    inbox: &Path,
    mutants: &[String],
    alone: &serde_json::Value,
    tally: &mut std::collections::BTreeMap<String, usize>,
) -> Result<(), String> {
    let out = tdkt(&[
        "inspect",
        inbox.to_str().unwrap(),
        "--json",
        "--year",
        "2025",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code().is_none_or(|c| c > 1) {
        return Err(format!("exit {:?}: {stderr}", out.status));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON ({e}): {stderr}"))?;
    let workbooks = json["workbooks"].as_array().ok_or("no workbooks")?;
    let good = workbooks
        .iter()
        .find(|w| w["file"] == GOOD)
        .ok_or("the good workbook is missing")?;
    if good != alone {
        return Err(format!("the good workbook was read differently: {good}"));
    }
    let diagnostics = json["diagnostics"].as_array().ok_or("no diagnostics")?;
    for mutant in mutants {
        let read = workbooks.iter().any(|w| w["file"] == mutant.as_str());
        let said = diagnostics.iter().any(|d| d["file"] == mutant.as_str());
        if !read && !said {
            return Err(format!("{mutant} vanished without a word"));
        }
        let outcome = if read {
            "read".to_string()
        } else {
            let refusal = diagnostics
                .iter()
                .find(|d| d["file"] == mutant.as_str() && d["severity"] == "error");
            let message = refusal.map_or("", |d| d["message"].as_str().unwrap_or(""));
            let how = if message.contains("lỗi trong trình đọc") {
                " (reader panicked)"
            } else if message.contains("dừng bất thường") || message.contains("bộ nhớ") {
                " (reader process died)"
            } else {
                ""
            };
            format!(
                "{}{how}",
                refusal.map_or("warned", |d| d["code"].as_str().unwrap_or(""))
            )
        };
        if outcome.contains("(reader") {
            keep_finding(&inbox.join(mutant));
        }
        *tally.entry(outcome).or_default() += 1;
    }
    Ok(())
}

/// With `TDKT_FUZZ_KEEP=DIR`, a mutant that made the reader panic or die
/// is copied there, to be kept in tests/hostile-inputs/found/.
fn keep_finding(mutant: &Path) {
    if let Ok(dir) = std::env::var("TDKT_FUZZ_KEEP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(mutant, Path::new(&dir).join(mutant.file_name().unwrap())).unwrap();
    }
}

#[test]
fn mutated_workbooks_of_every_format_stop_only_themselves() {
    let runs: usize = std::env::var("TDKT_FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let first_seed: u64 = std::env::var("TDKT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_102_075_429);
    let seeds = seeds();
    let good = std::fs::read(fixtures().join(GOOD_SOURCE)).unwrap();
    let alone = good_alone();
    let mut rng = Rng(first_seed);
    let mut done = 0;
    let mut inbox_number = 0;
    let mut tally = std::collections::BTreeMap::new();
    while done < runs {
        let inbox = tempfile::tempdir().unwrap();
        std::fs::write(inbox.path().join(GOOD), &good).unwrap();
        let mut mutants = Vec::new();
        for i in 0..PER_INBOX.min(runs - done) {
            let (extension, bytes) = &seeds[rng.below(seeds.len())];
            let name = format!("m{inbox_number:03}-{i:03}.{extension}");
            std::fs::write(inbox.path().join(&name), mutate(bytes, &mut rng)).unwrap();
            mutants.push(name);
        }
        done += mutants.len();
        if let Err(failure) = check_inbox(inbox.path(), &mutants, &alone, &mut tally) {
            let kept = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("fuzz-failures")
                .join(format!("inbox-{inbox_number}"));
            std::fs::create_dir_all(&kept).unwrap();
            for entry in std::fs::read_dir(inbox.path()).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, kept.join(path.file_name().unwrap())).unwrap();
            }
            panic!(
                "inbox {inbox_number} (seed {first_seed}): {failure}\nkept in {}",
                kept.display()
            );
        }
        inbox_number += 1;
    }
    eprintln!(
        "fuzz: {done} mutated workbooks in {inbox_number} inboxes, none took the run down: {tally:?}"
    );
}

#[test]
fn found_inputs_stay_harmless() {
    let found = hostile_inputs().join("found");
    let names: Vec<String> = std::fs::read_dir(&found)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    assert!(!names.is_empty());
    let inbox = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join(GOOD_SOURCE), inbox.path().join(GOOD)).unwrap();
    for name in &names {
        std::fs::copy(found.join(name), inbox.path().join(name)).unwrap();
    }
    check_inbox(inbox.path(), &names, &good_alone(), &mut Default::default()).unwrap();
}

/// The same through `build`: an inbox of mutants beside the good workbook
/// builds (exit 0 or 1), and the good unit's feedback and the overview are
/// written.
#[test]
fn a_build_among_mutants_writes_the_good_units_output() {
    let seeds = seeds();
    let mut rng = Rng(0x5EED_B017);
    let inbox = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join(GOOD_SOURCE), inbox.path().join(GOOD)).unwrap();
    for i in 0..60 {
        let (extension, bytes) = &seeds[rng.below(seeds.len())];
        let name = format!("m-{i:03}.{extension}");
        std::fs::write(inbox.path().join(name), mutate(bytes, &mut rng)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let built = tdkt(&[
        "build",
        inbox.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--year",
        "2025",
    ]);
    assert!(
        built.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let files = files_below(out.path());
    assert!(
        files.iter().any(|f| f.ends_with("ket-qua-xet.xlsx")),
        "{files:?}"
    );
    let unit = good_alone()["unit"]["code"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("phan-hoi") && f.to_string_lossy().contains(&unit)),
        "no feedback for {unit}: {files:?}"
    );
}

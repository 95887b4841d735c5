//! Every row is read or reported: in every list sheet of every fixture
//! workbook, each non-empty row below the header is a record or a skipped
//! row with its reason (rows in = records + reported skips).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tdkt::ingest::{Reader, read_inbox};
use tdkt::map::{MapContext, explain, map_workbooks};
use tdkt::regulation::Regulation;

fn inboxes() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| {
            if p.join("inbox").is_dir() {
                p.join("inbox")
            } else {
                p
            }
        })
        .collect();
    dirs.push(root.join("samples/hvctqg-2025/inbox"));
    dirs.push(root.join("tests/hostile-inputs/seeds"));
    dirs.sort();
    dirs
}

#[test]
fn every_non_empty_row_is_a_record_or_a_reported_skip() {
    let regulation = Regulation::default_national().unwrap();
    let mut sheets_checked = 0;
    for dir in inboxes() {
        let inbox = read_inbox(&dir, &Reader::default()).unwrap();
        let mapped = map_workbooks(
            &inbox.workbooks,
            MapContext {
                regulation: &regulation,
                units: None,
                year: 2025,
            },
        );
        for submission in &mapped.submissions {
            let raw = inbox
                .workbooks
                .iter()
                .find(|w| w.file == submission.file)
                .unwrap();
            let mut accounted: BTreeSet<(String, u32)> = submission
                .skipped
                .iter()
                .map(|s| (s.sheet.clone(), s.row))
                .collect();
            accounted.extend(
                submission
                    .individuals
                    .iter()
                    .map(|p| &p.source)
                    .chain(submission.collectives.iter().map(|c| &c.source))
                    .map(|s| (s.sheet.clone(), s.row)),
            );
            for reading in explain(raw, 2025, &regulation.columns) {
                let sheet = raw.sheets.iter().find(|s| s.name == reading.sheet).unwrap();
                sheets_checked += 1;
                for (r, row) in sheet.rows.iter().enumerate() {
                    let row_number = r as u32 + 1;
                    if row_number < reading.first_data_row || row.iter().all(|c| c.is_empty()) {
                        continue;
                    }
                    assert!(
                        accounted.contains(&(reading.sheet.clone(), row_number)),
                        "{} › {} › row {row_number} was neither read nor reported: {row:?}",
                        dir.display(),
                        reading.sheet
                    );
                }
            }
        }
    }
    assert!(sheets_checked >= 20, "{sheets_checked} sheets");
}

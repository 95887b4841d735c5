//! `build` replaces its output folder whole, so it writes only into a
//! folder it made (marked `.tdkt-ket-qua`) or an empty one. Pointed at the
//! campaign, its inbox or a folder of the clerk's own, it refuses with exit
//! 2 before a single file is touched.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn build_into(campaign: &Path, out: &Path) -> std::process::Output {
    tdkt(&[
        "build",
        campaign.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn refused(campaign: &Path, out: &Path, watched: &Path) {
    let before = snapshot(watched);
    let result = build_into(campaign, out);
    assert_eq!(result.status.code(), Some(2), "{result:?}");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("Không ghi kết quả vào"), "{stderr}");
    assert_eq!(snapshot(watched), before, "something was touched");
    assert!(
        !campaign.join("so-khen-thuong.sqlite").exists(),
        "the register was written before the refusal"
    );
}

#[test]
fn out_at_the_campaign_itself_is_refused_and_nothing_is_touched() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    refused(&campaign, &campaign, &campaign);
}

#[test]
fn out_at_the_inbox_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    refused(&campaign, &campaign.join("inbox"), &campaign);
}

#[test]
fn out_at_a_folder_of_the_clerks_own_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    let documents = temp.path().join("Documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(
        documents.join("bao-cao-quy-3.docx"),
        b"the clerk's own work",
    )
    .unwrap();
    refused(&campaign, &documents, temp.path());
}

#[test]
fn an_empty_folder_becomes_tdkts_and_files_are_readable_by_colleagues() {
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    let out = temp.path().join("ket-qua");
    std::fs::create_dir(&out).unwrap();
    let first = build_into(&campaign, &out);
    assert!(first.status.code().is_some_and(|c| c <= 1), "{first:?}");
    assert!(out.join(".tdkt-ket-qua").is_file());
    // Built again: the folder is tdkt's now.
    let second = build_into(&campaign, &out);
    assert!(second.status.code().is_some_and(|c| c <= 1), "{second:?}");
    // Under the usual umask 022 (the test harness's), files are 0644.
    let umask_022 = {
        let probe = temp.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777 == 0o644
    };
    if umask_022 {
        let report = out.join("ket-qua-xet.json");
        let mode = std::fs::metadata(report).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}

/// A rebuild links the files that came out the same instead of writing
/// them again (same bytes, same inode: no new file for the disk to make),
/// and writes afresh any whose previous copy differs, here one the clerk
/// edited in place.
#[test]
fn a_rebuild_keeps_unchanged_files_and_rewrites_the_rest() {
    use std::os::unix::fs::MetadataExt;
    let temp = tempfile::tempdir().unwrap();
    let campaign = copy_sample(&temp.path().join("dot-xet"));
    let out = temp.path().join("ket-qua");
    let first = build_into(&campaign, &out);
    assert!(first.status.code().is_some_and(|c| c <= 1), "{first:?}");
    let built = snapshot(&out);
    let inode = |file: &Path| std::fs::metadata(out.join(file)).unwrap().ino();
    let inodes: BTreeMap<_, _> = built.keys().map(|f| (f.clone(), inode(f))).collect();
    let edited = built
        .keys()
        .find(|f| f.starts_with("bao-cao"))
        .unwrap()
        .clone();
    let mut bytes = built[&edited].clone();
    bytes.extend_from_slice(b"% sua tay\n");
    std::fs::write(out.join(&edited), &bytes).unwrap();

    let second = build_into(&campaign, &out);
    assert!(second.status.code().is_some_and(|c| c <= 1), "{second:?}");
    assert_eq!(
        snapshot(&out),
        built,
        "the same input gives the same output"
    );
    let kept = built
        .keys()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .filter(|f| inode(f) == inodes[*f])
        .count();
    // Every PDF but the edited one and the print files (streamed as they
    // are made, so written afresh).
    let pdfs = built
        .keys()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .filter(|f| !f.to_string_lossy().contains("in-gop"))
        .count();
    assert_eq!(kept + 1, pdfs, "{kept} of {pdfs} PDFs kept their file");
    assert_ne!(
        inode(&edited),
        inodes[&edited],
        "the edited file is written anew"
    );
    for file in built.keys() {
        let links = std::fs::metadata(out.join(file)).unwrap().nlink();
        assert_eq!(links, 1, "{} is shared with the old output", file.display());
    }
}

//! Stage 6, write: the only place outputs touch the disk.
//!
//! A whole run is built in a staging folder that replaces the output folder
//! only when everything succeeded: a failed or killed run never leaves a
//! half-written file or a half-updated folder. A file the previous output
//! already holds byte for byte is linked, not written again.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The file that marks a folder as tdkt's output: only such a folder (or
/// an empty one) is ever replaced.
pub const MARKER: &str = ".tdkt-ket-qua";

/// What an output folder of an older tdkt, without the marker, holds.
const EARLIER_OUTPUT: &str = "ket-qua-xet.json";

/// An output folder being built.
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// Held while a file is created and written: threads creating files in
    /// one folder at once spin on the kernel's lock of that folder, and
    /// waiting here instead leaves the processor to the other's typesetting.
    disk: std::sync::Mutex<()>,
}

impl Output {
    /// Starts a run that will replace `target` on [`Output::commit`].
    /// `target` must be tdkt's own output folder, an empty folder or a new
    /// one, and must not hold any of `kept` (the campaign folder, the inbox,
    /// the register): anything else is refused before a file is touched.
    pub fn begin(target: &Path, kept: &[&Path]) -> Result<Output> {
        ensure_ours(target, kept)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output")
            .to_string();
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("Không tạo được thư mục {}", parent.display()))?;
        recover_killed_runs(&parent, &name, target);
        let staging = parent.join(format!(".{name}.tdkt-dang-ghi-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).ok();
        }
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("Không tạo được thư mục tạm {}", staging.display()))?;
        write_atomic(
            &staging.join(MARKER),
            "Thư mục này do tdkt tạo: mỗi lần chạy tdkt build, nội dung của nó được thay toàn bộ.\n"
                .as_bytes(),
        )?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
            committed: false,
            disk: std::sync::Mutex::new(()),
        })
    }

    /// Writes `bytes` at `relative` inside the output. The staging folder
    /// is this run's alone and becomes the output only whole, at
    /// [`Output::commit`], so a file is written in place, without a
    /// temporary name of its own.
    pub fn write(&self, relative: &Path, bytes: &[u8]) -> Result<()> {
        let unchanged = self.unchanged(relative, bytes);
        let _disk = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(previous) = unchanged
            && self.link_unlocked(&previous, relative)
        {
            return Ok(());
        }
        self.create_unlocked(relative)?
            .write_all(bytes)
            .with_context(|| format!("Không ghi được {}", relative.display()))
    }

    /// The previous output's file at `relative` when it holds exactly
    /// `bytes` and nothing else shares it (one link): a rebuild then links
    /// it into the new output instead of writing it again. Same bytes, no
    /// new inode (creating thousands of files right after the last run
    /// deleted thousands is most of a rebuild's time on ext4), and the old
    /// file is never changed: the previous output stays whole until commit.
    fn unchanged(&self, relative: &Path, bytes: &[u8]) -> Option<PathBuf> {
        use std::os::unix::fs::MetadataExt as _;
        let previous = self.target.join(relative);
        let metadata = std::fs::symlink_metadata(&previous).ok()?;
        let same_size = metadata.is_file() && metadata.len() == bytes.len() as u64;
        if !same_size || metadata.nlink() != 1 {
            return None;
        }
        let old = std::fs::read(&previous).ok()?;
        (old == bytes).then_some(previous)
    }

    /// Links `previous` at `relative`; false where the file system cannot
    /// (the caller then writes the file).
    fn link_unlocked(&self, previous: &Path, relative: &Path) -> bool {
        self.staged(relative)
            .is_ok_and(|path| std::fs::hard_link(previous, path).is_ok())
    }

    /// A new file at `relative` inside the output, buffered, to be written
    /// piece by piece (a print file of thousands of pages, the JSON of a
    /// ministry's campaign); the caller flushes it.
    pub fn create(&self, relative: &Path) -> Result<std::io::BufWriter<std::fs::File>> {
        let _disk = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        Ok(std::io::BufWriter::new(self.create_unlocked(relative)?))
    }

    fn create_unlocked(&self, relative: &Path) -> Result<std::fs::File> {
        std::fs::File::create(self.staged(relative)?)
            .with_context(|| format!("Không tạo được tệp {}", relative.display()))
    }

    /// A temporary file for tdkt's own use while the run lasts, on the
    /// output's disk (not the system's temporary folder, which may be
    /// memory): nameless, gone when closed, however the run ends.
    pub fn scratch_file(&self) -> Result<std::fs::File> {
        tempfile::tempfile_in(&self.staging)
            .with_context(|| format!("Không tạo được tệp tạm trong {}", self.staging.display()))
    }

    /// The staging path of `relative`, its folder made and nothing at it: a
    /// file written twice in one run may be a link to the previous output's,
    /// and is unlinked rather than written through into the old file.
    fn staged(&self, relative: &Path) -> Result<PathBuf> {
        let path = self.staging.join(relative);
        let dir = parent_of(&path);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("Không tạo được thư mục {}", dir.display()))?;
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path)
                .with_context(|| format!("Không thay được tệp {}", relative.display()))?;
        }
        Ok(path)
    }

    /// Replaces the output folder with what this run wrote.
    pub fn commit(mut self) -> Result<PathBuf> {
        let parent = parent_of(&self.target);
        let old = parent.join(format!(
            ".{}.tdkt-cu-{}",
            self.staging_name(),
            std::process::id()
        ));
        if self.target.exists() {
            std::fs::rename(&self.target, &old).with_context(|| {
                format!("Không thay được thư mục kết quả {}", self.target.display())
            })?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("Không ghi được thư mục kết quả {}", self.target.display()))?;
        self.committed = true;
        if old.exists() {
            std::fs::remove_dir_all(&old).ok();
        }
        Ok(self.target.clone())
    }

    fn staging_name(&self) -> String {
        self.target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output")
            .to_string()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.staging).ok();
        }
    }
}

/// Refuses an output folder that is not tdkt's to replace; `build` asks
/// before it reads anything, so a refusal touches nothing.
pub fn ensure_ours(target: &Path, kept: &[&Path]) -> Result<()> {
    let shown = target.display();
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| absolute(p));
    let target_abs = canonical(target);
    for &inside in kept {
        let inside_abs = canonical(inside);
        if inside_abs.starts_with(&target_abs) {
            anyhow::bail!(
                "Không ghi kết quả vào {shown}: thư mục này chứa {} (hồ sơ, tdkt.toml hoặc sổ khen \
                 thưởng), mỗi lần dựng tdkt thay toàn bộ thư mục kết quả. Hãy chọn --out là một thư \
                 mục mới, ví dụ {}",
                inside.display(),
                target.join("output").display()
            );
        }
    }
    let Ok(metadata) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !metadata.is_dir() {
        anyhow::bail!("Không ghi kết quả vào {shown}: đây là một tệp, không phải thư mục");
    }
    let mut entries =
        std::fs::read_dir(target).with_context(|| format!("Không đọc được thư mục {shown}"))?;
    let owned = target.join(MARKER).is_file() || target.join(EARLIER_OUTPUT).is_file();
    if owned || entries.next().is_none() {
        return Ok(());
    }
    anyhow::bail!(
        "Không ghi kết quả vào {shown}: thư mục đã có tệp không do tdkt tạo, và mỗi lần dựng tdkt \
         thay toàn bộ thư mục kết quả. tdkt chỉ ghi vào thư mục nó đã tạo (có tệp {MARKER}) hoặc \
         một thư mục trống; hãy chọn --out khác"
    )
}

/// Tidies after runs that were killed: a previous output set aside just
/// before the swap is put back if the new one never arrived, and staging
/// folders of processes that no longer run are removed.
fn recover_killed_runs(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let set_aside = format!(".{name}.tdkt-cu-");
    let staging = format!(".{name}.tdkt-dang-ghi-");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let (pid, is_old_output) = match (
            file_name.strip_prefix(&set_aside),
            file_name.strip_prefix(&staging),
        ) {
            (Some(pid), _) => (pid.to_string(), true),
            (_, Some(pid)) => (pid.to_string(), false),
            _ => continue,
        };
        if process_runs(&pid) {
            continue;
        }
        if is_old_output && !target.exists() {
            std::fs::rename(entry.path(), target).ok();
        } else {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
}

/// Whether process `pid` still runs (Linux: /proc); elsewhere, assume so
/// and leave its folders alone.
fn process_runs(pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return false;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid).exists()
    } else {
        true
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a file through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Không tạo được thư mục {}", dir.display()))?;
    // Created 0666 less the user's umask (0644 under 022), like any file
    // the user makes: colleagues on a shared folder can open the decisions.
    let mut file = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(&dir)
        .with_context(|| format!("Không tạo được tệp tạm trong {}", dir.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("Không ghi được {}", path.display()))?;
    file.persist(path)
        .map_err(|e| anyhow::anyhow!("Không ghi được {}: {}", path.display(), e.error))?;
    Ok(())
}

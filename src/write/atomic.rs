//! A set of output files that appear together or not at all: bytes -> temp files -> renames.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Temp files written so far; dropped uncommitted, they are removed.
pub struct AtomicFiles {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
}

impl AtomicFiles {
    pub fn new(dir: &Path) -> Self {
        AtomicFiles {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
        }
    }

    /// Writes `bytes` to a temp file in the target's folder (same file system, so the final
    /// rename is atomic).
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let target = self.dir.join(name);
        let temp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let failed = |source| Error::Write {
            path: temp.clone(),
            source,
        };
        let mut file = std::fs::File::create(&temp).map_err(failed)?;
        self.pending.push((temp.clone(), target));
        file.write_all(bytes).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        Ok(())
    }

    /// Renames every temp file onto its target; returns the targets.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let pending = std::mem::take(&mut self.pending);
        let mut written = Vec::with_capacity(pending.len());
        for (index, (temp, target)) in pending.iter().enumerate() {
            if let Err(source) = std::fs::rename(temp, target) {
                for (left, _) in &pending[index..] {
                    let _ = std::fs::remove_file(left);
                }
                return Err(Error::Write {
                    path: target.clone(),
                    source,
                });
            }
            written.push(target.clone());
        }
        Ok(written)
    }
}

impl Drop for AtomicFiles {
    fn drop(&mut self) {
        for (temp, _) in &self.pending {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_only_on_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = AtomicFiles::new(dir.path());
        files.add("a.csv", b"one").expect("write");
        assert!(!dir.path().join("a.csv").exists());
        let written = files.commit().expect("commit");
        assert_eq!(written, [dir.path().join("a.csv")]);
        assert_eq!(
            std::fs::read(dir.path().join("a.csv")).expect("read"),
            b"one"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.csv"), "old").expect("seed");
        {
            let mut files = AtomicFiles::new(dir.path());
            files.add("a.csv", b"new").expect("write");
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).expect("read"),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}

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

    /// Renames every temp file onto its target; returns the targets. If any rename fails, the
    /// targets already replaced get their earlier contents back, so the set changes as a whole.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        // A folder in a target's place would fail the rename midway: refuse before any change
        // (the temp files go when `self` is dropped).
        if let Some((_, target)) = self.pending.iter().find(|(_, target)| target.is_dir()) {
            return Err(Error::Write {
                path: target.clone(),
                source: std::io::Error::other("a folder is in the way"),
            });
        }
        let pending = std::mem::take(&mut self.pending);
        let mut done: Vec<(&PathBuf, Option<PathBuf>)> = Vec::with_capacity(pending.len());
        for (temp, target) in &pending {
            let backup = match keep_copy(target) {
                Ok(backup) => backup,
                Err(source) => {
                    restore(&done);
                    return Err(Error::Write {
                        path: target.clone(),
                        source,
                    });
                }
            };
            if let Err(source) = std::fs::rename(temp, target) {
                if let Some(backup) = &backup {
                    let _ = std::fs::remove_file(backup);
                }
                restore(&done);
                for (left, _) in &pending {
                    let _ = std::fs::remove_file(left);
                }
                return Err(Error::Write {
                    path: target.clone(),
                    source,
                });
            }
            done.push((target, backup));
        }
        for (_, backup) in &done {
            if let Some(backup) = backup {
                let _ = std::fs::remove_file(backup);
            }
        }
        Ok(pending.into_iter().map(|(_, target)| target).collect())
    }
}

/// A hard link (or, where links fail, a copy) of an existing target, to restore on failure.
fn keep_copy(target: &Path) -> std::io::Result<Option<PathBuf>> {
    if !target.exists() {
        return Ok(None);
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let backup = target.with_file_name(format!(".{name}.{}.old", std::process::id()));
    let _ = std::fs::remove_file(&backup);
    if std::fs::hard_link(target, &backup).is_err() {
        std::fs::copy(target, &backup)?;
    }
    Ok(Some(backup))
}

/// Puts back what earlier renames replaced; targets that did not exist before are removed.
fn restore(done: &[(&PathBuf, Option<PathBuf>)]) {
    for (target, backup) in done {
        match backup {
            Some(backup) => {
                let _ = std::fs::rename(backup, target);
            }
            None => {
                let _ = std::fs::remove_file(target);
            }
        }
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
    fn a_failed_commit_changes_no_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.csv"), "old").expect("seed");
        std::fs::create_dir(dir.path().join("b.csv")).expect("folder in the way");
        let mut files = AtomicFiles::new(dir.path());
        files.add("a.csv", b"new").expect("write");
        files.add("b.csv", b"new").expect("write");
        assert!(files.commit().is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).expect("read"),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
    }

    #[test]
    fn restore_puts_back_replaced_targets() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a.csv");
        std::fs::write(&target, "old").expect("seed");
        let backup = keep_copy(&target).expect("copy").expect("exists");
        std::fs::write(dir.path().join("t"), "new").expect("temp");
        std::fs::rename(dir.path().join("t"), &target).expect("rename");
        let fresh = dir.path().join("b.csv");
        std::fs::write(&fresh, "new").expect("fresh");
        restore(&[(&target, Some(backup)), (&fresh, None)]);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "old");
        assert!(!fresh.exists());
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

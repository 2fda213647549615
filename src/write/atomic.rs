//! A set of output files that appear together or not at all: bytes (or a stream) -> temp files
//! -> renames.
//! An interrupted process can remove the temp files of every unfinished set
//! ([`abandon_pending`]) without ever cutting a set's renames in half.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};

/// The temp files that uncommitted sets have on disk. Its lock is held while a file is created
/// and while a set is renamed into place, so whoever holds it sees every temp file that exists
/// and no set halfway through its renames.
pub(crate) struct Registry {
    temp_files: Mutex<Vec<PathBuf>>,
}

impl Registry {
    pub(crate) const fn new() -> Self {
        Registry {
            temp_files: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<PathBuf>> {
        // The list is changed by single pushes and retains, so a panic elsewhere while the lock
        // was held cannot have left it half-updated.
        self.temp_files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Removes every registered temp file and holds the lock for as long as the result lives.
    pub(crate) fn abandon(&'static self) -> Abandoned {
        let mut temp_files = self.lock();
        for temp in temp_files.drain(..) {
            let _ = std::fs::remove_file(&temp);
        }
        Abandoned { _held: temp_files }
    }
}

/// Every [`AtomicFiles`] of the process registers here.
static PROCESS_TEMP_FILES: Registry = Registry::new();

/// For a process that must stop now (Ctrl-C): removes the temp files of every output set not yet
/// committed, and stops every set from creating, renaming or restoring a file for as long as the
/// result lives; exit while holding it. A set in the middle of its renames finishes them (or
/// rolls them back) before this returns, so each set's targets are all old or all new.
pub fn abandon_pending() -> Abandoned {
    PROCESS_TEMP_FILES.abandon()
}

/// While this lives, no output set can change a file: see [`abandon_pending`].
pub struct Abandoned {
    _held: MutexGuard<'static, Vec<PathBuf>>,
}

/// Writes the one file `target` through `write` (given a buffered stream and the name of the
/// file being written, for messages). A regular file or a new path is written into a temp file
/// beside it that is synced and renamed into place once `write` succeeds: an error or an
/// interruption leaves no partial file. A symlink is followed (the link stays, its target is
/// replaced that way); a device, FIFO or socket is written through, as `sort -o` does, since
/// renaming over it would replace `/dev/stdout` or a pipe's reader's end with a regular file.
/// Returns what `write` returned and the file written.
pub fn write_whole<T>(
    target: &Path,
    write: impl FnOnce(&mut dyn Write, &str) -> Result<T>,
) -> Result<(T, PathBuf)> {
    // The file type through any links first: `/dev/stdout` is a link to a link to a pipe,
    // which only the kernel can follow.
    let target = match std::fs::metadata(target) {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::Write {
                path: target.to_path_buf(),
                source: std::io::Error::other("a folder is in the way: name a file"),
            })
        }
        Ok(meta) if !meta.is_file() => return write_through(target, write),
        Ok(_) => std::fs::canonicalize(target).map_err(|source| Error::Write {
            path: target.to_path_buf(),
            source,
        })?,
        Err(_) => follow_links(target)?,
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Write {
            path: target.clone(),
            source: std::io::Error::other("not a file name"),
        })?;
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Named here, or the error would name the temp file that could not be created.
    if !dir.is_dir() {
        return Err(Error::Write {
            path: dir,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    let mut files = AtomicFiles::new(&dir);
    let (file, _temp) = files.create(&name)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let shown = target.display().to_string();
    let value = write(&mut out, &shown)?;
    let file = out.into_inner().map_err(|e| Error::Write {
        path: target.clone(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(|source| Error::Write {
        path: target.clone(),
        source,
    })?;
    drop(file);
    let written = files.commit()?.pop().unwrap_or(target);
    Ok((value, written))
}

/// `path` with its symlinks followed to the file they name, which need not exist yet (a
/// dangling link names the file to create). Loops are refused, as the kernel refuses them.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|source| Error::Write {
                    path: current.clone(),
                    source,
                })?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other("too many levels of symbolic links"),
    })
}

/// Writes straight into a device, FIFO or socket: there is nothing to rename into place.
fn write_through<T>(
    target: &Path,
    write: impl FnOnce(&mut dyn Write, &str) -> Result<T>,
) -> Result<(T, PathBuf)> {
    let failed = |source| Error::Write {
        path: target.to_path_buf(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map_err(failed)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let value = write(&mut out, &target.display().to_string())?;
    out.flush().map_err(failed)?;
    Ok((value, target.to_path_buf()))
}

/// Temp files written so far; dropped uncommitted, they are removed.
pub struct AtomicFiles {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
    registry: &'static Registry,
}

impl AtomicFiles {
    pub fn new(dir: &Path) -> Self {
        Self::with_registry(dir, &PROCESS_TEMP_FILES)
    }

    pub(crate) fn with_registry(dir: &Path, registry: &'static Registry) -> Self {
        AtomicFiles {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
            registry,
        }
    }

    /// Writes `bytes` to a temp file in the target's folder (same file system, so the final
    /// rename is atomic).
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let (mut file, temp) = self.create(name)?;
        let failed = |source| Error::Write {
            path: temp.clone(),
            source,
        };
        file.write_all(bytes).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        Ok(())
    }

    /// Creates the temp file of `name` for the caller to write (a stream), with its path for
    /// messages; [`AtomicFiles::commit`] renames it into place once it is whole.
    pub fn create(&mut self, name: &str) -> Result<(std::fs::File, PathBuf)> {
        let target = self.dir.join(name);
        let temp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let failed = |source| Error::Write {
            path: temp.clone(),
            source,
        };
        // Created and registered in one step: an interruption either sees the file and
        // removes it, or stops this set before the file exists. The bytes are written after,
        // outside the lock: a file removed meanwhile just takes them nowhere.
        let file = {
            let mut temp_files = self.registry.lock();
            let file = std::fs::File::create(&temp).map_err(failed)?;
            temp_files.push(temp.clone());
            file
        };
        self.pending.push((temp.clone(), target));
        Ok((file, temp))
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
        // Held across all the renames, so an interruption waits until the set is whole.
        let mut temp_files = self.registry.lock();
        let renamed = rename_all(&pending);
        temp_files.retain(|path| pending.iter().all(|(temp, _)| temp != path));
        drop(temp_files);
        renamed?;
        Ok(pending.into_iter().map(|(_, target)| target).collect())
    }
}

/// Renames each temp file onto its target, keeping a copy of each replaced target until all are
/// done. If one fails, every target gets its earlier contents back and the temp files go.
fn rename_all(pending: &[(PathBuf, PathBuf)]) -> Result<()> {
    let mut done: Vec<(&PathBuf, Option<PathBuf>)> = Vec::with_capacity(pending.len());
    // Puts back what was replaced so far and removes every temp file.
    let roll_back = |done: &[(&PathBuf, Option<PathBuf>)], target: &PathBuf, source| {
        restore(done);
        for (left, _) in pending {
            let _ = std::fs::remove_file(left);
        }
        Error::Write {
            path: target.clone(),
            source,
        }
    };
    for (temp, target) in pending {
        let backup = keep_copy(target).map_err(|source| roll_back(&done, target, source))?;
        if let Err(source) = std::fs::rename(temp, target) {
            if let Some(backup) = &backup {
                let _ = std::fs::remove_file(backup);
            }
            return Err(roll_back(&done, target, source));
        }
        done.push((target, backup));
    }
    for (_, backup) in &done {
        if let Some(backup) = backup {
            let _ = std::fs::remove_file(backup);
        }
    }
    Ok(())
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
        if self.pending.is_empty() {
            return;
        }
        let mut temp_files = self.registry.lock();
        for (temp, _) in &self.pending {
            let _ = std::fs::remove_file(temp);
        }
        temp_files.retain(|path| self.pending.iter().all(|(temp, _)| temp != path));
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

    /// File names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn abandoning_removes_temp_files_and_holds_back_the_commit() {
        // A registry of its own, so that tests running beside this one keep their temp files.
        static REGISTRY: Registry = Registry::new();
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.csv"), "old").expect("seed");
        let mut files = AtomicFiles::with_registry(dir.path(), &REGISTRY);
        files.add("a.csv", b"new").expect("write");
        files.add("b.csv", b"new").expect("write");
        assert_eq!(names_in(dir.path()).len(), 3, "two temp files beside a.csv");

        let held = REGISTRY.abandon();
        assert_eq!(names_in(dir.path()), ["a.csv"]);
        let (finished, done) = std::sync::mpsc::channel();
        let committer = std::thread::spawn(move || {
            let committed = files.commit().is_ok();
            let _ = finished.send(());
            committed
        });
        assert!(
            done.recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "a commit went ahead while the files were abandoned"
        );
        drop(held);
        // Let go (only tests do), the commit finds its temp files gone and changes nothing.
        assert!(!committer.join().expect("committer"));
        assert_eq!(names_in(dir.path()), ["a.csv"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).expect("read"),
            "old"
        );
    }

    #[test]
    fn abandoning_after_a_commit_leaves_the_committed_set() {
        static REGISTRY: Registry = Registry::new();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = AtomicFiles::with_registry(dir.path(), &REGISTRY);
        files.add("a.csv", b"new").expect("write");
        files.add("b.csv", b"new").expect("write");
        files.commit().expect("commit");
        let mut unfinished = AtomicFiles::with_registry(dir.path(), &REGISTRY);
        unfinished.add("c.csv", b"new").expect("write");
        let held = REGISTRY.abandon();
        assert_eq!(names_in(dir.path()), ["a.csv", "b.csv"]);
        drop(held);
        drop(unfinished);
        assert_eq!(names_in(dir.path()), ["a.csv", "b.csv"]);
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

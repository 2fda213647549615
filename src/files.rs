//! Whole files read with a cap: a path and the most bytes the file may hold -> its bytes, or an
//! error before memory is spent. A regular file larger than the cap is refused before any of it
//! is read; a device, FIFO or socket, whose size cannot be known ahead, is read only up to the
//! cap (`/dev/zero` given as a model, a stop-word list or a model folder's file would otherwise
//! be read until memory runs out).

use std::io::{self, Read};
use std::path::Path;

/// One mebibyte, for writing caps.
pub const MIB: u64 = 1 << 20;

/// The bytes of `path`, at most `cap` of them: a larger file is an error of kind
/// [`io::ErrorKind::FileTooLarge`] that says the cap. Symbolic links are followed.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a directory, not a file"));
    }
    if meta.is_file() && meta.len() > cap {
        return Err(too_large(cap));
    }
    // A regular file's size is a good first guess of the buffer; anything else grows as bytes
    // arrive, so a FIFO that sends little costs little.
    let guess = if meta.is_file() { meta.len() } else { 0 };
    let mut bytes = Vec::with_capacity(guess.min(cap) as usize);
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(cap));
    }
    Ok(bytes)
}

/// Whether `path` (its links followed) is a regular file: the files of a sentence-model folder
/// or of the vector cache must be, as nothing sensible comes out of a device or a FIFO there.
pub fn require_regular(path: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(())
    } else if meta.is_dir() {
        Err(io::Error::other("is a directory, not a file"))
    } else {
        Err(io::Error::other(
            "is not a regular file (a device, a FIFO or a socket)",
        ))
    }
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than {}, the most this file may hold", size(cap)),
    )
}

/// `cap` in words: `64 MiB`, `4 GiB`, `512 bytes`.
pub fn size(bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_cap_is_read_whole_and_a_larger_one_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read_capped(&path, 10).expect("fits"), b"0123456789");
        let error = read_capped(&path, 9).expect_err("too large");
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            error.to_string(),
            "larger than 9 bytes, the most this file may hold"
        );
        assert!(read_capped(dir.path(), 100).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_that_never_ends_is_read_only_up_to_the_cap() {
        let error = read_capped(Path::new("/dev/zero"), 4 * MIB).expect_err("endless");
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("4 MiB"), "{error}");
        let error = require_regular(Path::new("/dev/zero")).expect_err("a device");
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(64 * MIB), "64 MiB");
        assert_eq!(size(4 << 30), "4 GiB");
        assert_eq!(size(1536 * 1024), "1.5 MiB");
        assert_eq!(size(512), "512 bytes");
    }
}

//! Sentence vectors kept on disk between runs: (the model's content hash, a text's SHA-256) ->
//! the vector's exact f32 bits, so that changing k or re-running a report does not embed again.
//!
//! Each run that embeds something adds one segment file under `ROOT/<model hash>/`, written to a
//! temporary name and renamed into place, so runs sharing a cache never see each other's half
//! files. A segment is `MAGIC`, the vector length (u32), the record count (u64), the records
//! (32-byte key, then the f32s, little-endian) and a CRC32 of all that; a segment that fails any
//! check is skipped with a warning and its texts are embedded again.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"TTVEC\x00\x00\x01";
/// Bumped whenever the encoder's arithmetic changes, so old bits are never mixed with new.
const ENGINE: &str = "bert-f32-1";

/// A text's cache key.
pub type Key = [u8; 32];

/// A cached text: its vector, and whether it was cut at the model's token limit.
pub type Entry = (Vec<f32>, bool);

/// The key of one text.
pub fn key(text: &str) -> Key {
    Sha256::digest(text.as_bytes()).into()
}

/// The default cache folder: `$TOPICTAG_CACHE`, else `$XDG_CACHE_HOME/topictag`, else
/// `~/.cache/topictag`; `None` when none of them is set.
pub fn default_root() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("TOPICTAG_CACHE")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("topictag")))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("topictag")))
}

/// The cached vectors of one model.
#[derive(Debug, Clone)]
pub struct VectorCache {
    dir: PathBuf,
    dims: usize,
}

impl VectorCache {
    /// The cache of the model with content hash `model_hash` under `root`.
    pub fn new(root: &Path, model_hash: &str, dims: usize) -> Self {
        let folder = format!("{}-{ENGINE}", &model_hash[..model_hash.len().min(32)]);
        VectorCache {
            dir: root.join(folder),
            dims,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cached vectors of the `wanted` keys, and a warning per unreadable segment.
    pub fn load(&self, wanted: &[Key]) -> (HashMap<Key, Entry>, Vec<String>) {
        let mut found = HashMap::new();
        let mut warnings = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return (found, warnings);
        };
        let wanted: std::collections::HashSet<&Key> = wanted.iter().collect();
        let mut segments: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "vec"))
            .collect();
        segments.sort();
        for segment in segments {
            match self.read_segment(&segment, &wanted, &mut found) {
                Ok(()) => {}
                Err(problem) => warnings.push(format!(
                    "{}: {problem}; ignored (its texts are embedded again)",
                    segment.display()
                )),
            }
        }
        (found, warnings)
    }

    fn read_segment(
        &self,
        path: &Path,
        wanted: &std::collections::HashSet<&Key>,
        found: &mut HashMap<Key, Entry>,
    ) -> Result<(), String> {
        // The cache's own files: regular ones only, and no larger than a segment can be (a
        // store writes one run's new vectors; 4 GiB is 2.7 million 384-float records).
        let bytes = crate::files::require_regular(path)
            .and_then(|()| crate::files::read_capped(path, 4 << 30))
            .map_err(|e| format!("cannot read: {e}"))?;
        let header = MAGIC.len() + 4 + 8;
        if bytes.len() < header + 4 || &bytes[..MAGIC.len()] != MAGIC {
            return Err("not a vector cache segment".into());
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return Err("damaged (checksum mismatch)".into());
        }
        let dims = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes")) as usize;
        let count = u64::from_le_bytes(body[12..20].try_into().expect("8 bytes")) as usize;
        if dims != self.dims {
            return Err(format!(
                "holds {dims}-dimensional vectors, the model makes {}",
                self.dims
            ));
        }
        let record = 33 + 4 * dims;
        if count
            .checked_mul(record)
            .and_then(|n| n.checked_add(header))
            != Some(body.len())
        {
            return Err("damaged (its length does not match its record count)".into());
        }
        // A checksum proves the bytes are the ones written, not that what was written is a
        // vector: a segment with a NaN, an infinite or an all-zero vector, or a flag that is not
        // 0 or 1, is refused whole (and its texts embedded again) rather than trusted.
        let mut read = Vec::new();
        for (index, rec) in body[header..].chunks_exact(record).enumerate() {
            let key: Key = rec[..32].try_into().expect("32 bytes");
            if rec[32] > 1 {
                return Err(format!("damaged (record {} has a bad flag)", index + 1));
            }
            let vector: Vec<f32> = rec[33..]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if vector.iter().any(|v| !v.is_finite()) || vector.iter().all(|&v| v == 0.0) {
                return Err(format!(
                    "damaged (record {} is not a usable vector: NaN, infinite or all zeros)",
                    index + 1
                ));
            }
            if wanted.contains(&key) {
                read.push((key, (vector, rec[32] == 1)));
            }
        }
        found.extend(read);
        Ok(())
    }

    /// Adds `records` as a new segment. Failing to write the cache never fails a run: the
    /// caller reports the error as a warning.
    pub fn store(&self, records: &[(Key, bool, &[f32])]) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let mut body = Vec::with_capacity(20 + records.len() * (33 + 4 * self.dims));
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&(self.dims as u32).to_le_bytes());
        body.extend_from_slice(&(records.len() as u64).to_le_bytes());
        for (key, cut, vector) in records {
            assert_eq!(
                vector.len(),
                self.dims,
                "cached vectors have the model's length"
            );
            body.extend_from_slice(key);
            body.push(u8::from(*cut));
            for v in *vector {
                body.extend_from_slice(&v.to_le_bytes());
            }
        }
        let crc = crc32fast::hash(&body);
        // A name no other run picks: the content's own hash.
        let name: String = Sha256::digest(&body)[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self.dir.join(format!("{name}.vec"));
        let temp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&body)?;
        file.write_all(&crc.to_le_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_vectors_come_back_bit_for_bit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = VectorCache::new(dir.path(), "abc123", 3);
        let a = [0.1f32, -0.2, 1.0 / 3.0];
        let b = [f32::MIN_POSITIVE, 0.0, -0.0];
        cache
            .store(&[(key("first"), false, &a), (key("second"), true, &b)])
            .expect("store");
        let (found, warnings) = cache.load(&[key("second"), key("absent")]);
        assert!(warnings.is_empty());
        assert_eq!(found.len(), 1);
        let (got, cut) = &found[&key("second")];
        assert!(cut);
        assert!(got.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn a_damaged_segment_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = VectorCache::new(dir.path(), "abc123", 2);
        let path = cache
            .store(&[(key("t"), false, &[1.0, 2.0])])
            .expect("store");
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[30] ^= 1;
        std::fs::write(&path, bytes).expect("write");
        let (found, warnings) = cache.load(&[key("t")]);
        assert!(found.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("checksum mismatch"), "{}", warnings[0]);
    }

    #[test]
    fn another_model_has_its_own_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        VectorCache::new(dir.path(), "model-a", 2)
            .store(&[(key("t"), false, &[1.0, 2.0])])
            .expect("store");
        let (found, _) = VectorCache::new(dir.path(), "model-b", 2).load(&[key("t")]);
        assert!(found.is_empty());
    }
}

//! The vector-cache segments (`topictag::embed::cache::VectorCache::load`): arbitrary bytes as a
//! segment file in a cache folder. The first byte's bits: 1, the rest is a segment body and its
//! CRC-32 is appended here (so mutations get past the checksum); 2, the cache is opened for the
//! vector length the segment announces (else for 16). Every record's key is asked for. What
//! loads must store and load back the same.

use super::super as fuzz;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use topictag::embed::cache::{Entry, Key, VectorCache};

const MODEL_HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| fuzz::scratch("vector_cache"))
}

/// The keys at each record's place, for a segment of `dims`-long vectors.
fn keys(segment: &[u8], dims: usize) -> Vec<Key> {
    let record = 33 + 4 * dims;
    let mut keys = vec![topictag::embed::cache::key("galaxy")];
    if let Some(records) = segment.get(20..) {
        keys.extend(
            records
                .chunks(record)
                .filter(|r| r.len() >= 32)
                .map(|r| <Key>::try_from(&r[..32]).expect("32 bytes")),
        );
    }
    keys
}

fn bits(found: &HashMap<Key, Entry>) -> Vec<(Key, Vec<u32>, bool)> {
    let mut out: Vec<_> = found
        .iter()
        .map(|(k, (v, cut))| (*k, v.iter().map(|x| x.to_bits()).collect(), *cut))
        .collect();
    out.sort();
    out
}

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut segment = rest.to_vec();
    if flags & 1 == 1 {
        let crc = crc32fast::hash(&segment);
        segment.extend_from_slice(&crc.to_le_bytes());
    }
    let announced = segment
        .get(8..12)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
    let dims = match announced {
        Some(d) if flags & 2 == 2 && d <= 1 << 16 => d,
        _ => 16,
    };
    let root = root();
    let cache = VectorCache::new(&root.join("in"), MODEL_HASH, dims);
    std::fs::create_dir_all(cache.dir()).expect("cache folder");
    std::fs::write(cache.dir().join("segment.vec"), &segment).expect("write segment");
    let wanted = keys(&segment, dims);
    let (found, warnings) = cache.load(&wanted);
    assert!(
        found.is_empty() || warnings.is_empty(),
        "one segment both read and refused"
    );
    if found.is_empty() || dims == 0 {
        return;
    }
    for (vector, _) in found.values() {
        assert_eq!(vector.len(), dims);
    }
    // Stored again, the entries load back bit for bit.
    let out = VectorCache::new(&root.join("out"), MODEL_HASH, dims);
    let _ = std::fs::remove_dir_all(out.dir());
    let records: Vec<(Key, bool, &[f32])> = found
        .iter()
        .map(|(k, (v, cut))| (*k, *cut, v.as_slice()))
        .collect();
    out.store(&records).expect("store");
    let keys: Vec<Key> = found.keys().copied().collect();
    let (again, warnings) = out.load(&keys);
    assert!(
        warnings.is_empty(),
        "a stored segment is refused: {warnings:?}"
    );
    assert!(
        bits(&again) == bits(&found),
        "stored entries load back different"
    );
}

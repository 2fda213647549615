//! A chunk's table of word forms: words as written (borrowed from the text) -> the value first
//! given for them. Every token of the input is looked up here once, so it is built for that: the
//! full 64-bit hash is kept beside each word and compared before any byte, and short words are
//! hashed in two machine words.

/// Open addressing with linear probing over a power-of-two array of entry numbers.
pub struct WordTable<'a, V> {
    /// Entry number + 1 of each slot; 0 marks an empty slot.
    slots: Vec<u32>,
    entries: Vec<(u64, &'a str, V)>,
}

impl<'a, V: Copy> WordTable<'a, V> {
    /// A table that holds `capacity` words before it first grows.
    pub fn with_capacity(capacity: usize) -> Self {
        WordTable {
            slots: vec![0; (capacity * 2).next_power_of_two().max(16)],
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The value of `word`, calling `make` for it the first time the word is seen.
    #[inline]
    pub fn get_or_insert_with(&mut self, word: &'a str, make: impl FnOnce() -> V) -> V {
        let hash = hash(word.as_bytes());
        let mask = self.slots.len() - 1;
        let mut slot = (hash as usize) & mask;
        loop {
            match self.slots[slot] {
                0 => break,
                entry => {
                    let (stored, text, value) = self.entries[entry as usize - 1];
                    if stored == hash && text == word {
                        return value;
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
        let value = make();
        self.entries.push((hash, word, value));
        self.slots[slot] = self.entries.len() as u32;
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        value
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        self.slots = vec![0; size];
        for (number, &(hash, _, _)) in self.entries.iter().enumerate() {
            let mut slot = (hash as usize) & mask;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = number as u32 + 1;
        }
    }
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A multiplicative hash of the bytes, eight at a time, finished so that the low bits (which pick
/// the slot) depend on every input bit.
#[inline]
fn hash(bytes: &[u8]) -> u64 {
    let mut h = (bytes.len() as u64).wrapping_mul(SEED);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    h ^ (h >> 29) ^ (h >> 47)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_wins_and_lookups_survive_growth() {
        let words: Vec<String> = (0..5_000).map(|i| format!("w{i}")).collect();
        let mut table = WordTable::with_capacity(4);
        for (i, word) in words.iter().enumerate() {
            assert_eq!(table.get_or_insert_with(word, || i), i);
        }
        for (i, word) in words.iter().enumerate() {
            assert_eq!(table.get_or_insert_with(word, || usize::MAX), i);
        }
        assert_eq!(table.entries.len(), words.len());
    }

    #[test]
    fn words_differing_after_eight_bytes_or_by_a_padding_byte_are_distinct() {
        let mut table = WordTable::with_capacity(8);
        let words = ["abcdefgh", "abcdefghi", "abcdefghj", "a", "a\0", "", "\0"];
        for (i, word) in words.iter().enumerate() {
            assert_eq!(table.get_or_insert_with(word, || i), i, "{word:?}");
        }
        assert_eq!(table.entries.len(), words.len());
    }
}

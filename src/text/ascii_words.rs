//! Word boundaries of pure-ASCII text: a chunk without whitespace -> the same segments as the
//! Unicode word-boundary rules (UAX #29) give, several times faster. Most abstracts are ASCII.

/// Character classes of UAX #29 restricted to ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Numeric,
    /// `_` joins words and numbers on both sides.
    ExtendNumLet,
    /// `:` between letters.
    MidLetter,
    /// `,` and `;` between digits.
    MidNum,
    /// `.` and `'` between letters or between digits.
    MidNumLet,
    /// The six whitespace bytes: they end a chunk.
    Space,
    /// `@`: marks an e-mail address (as `:` marks a URL).
    At,
    Other,
}

/// The class of every byte, looked up rather than matched: this runs once per byte of input.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
            b'0'..=b'9' => Class::Numeric,
            b'_' => Class::ExtendNumLet,
            b':' => Class::MidLetter,
            b',' | b';' => Class::MidNum,
            b'.' | b'\'' => Class::MidNumLet,
            b'\t'..=b'\r' | b' ' => Class::Space,
            b'@' => Class::At,
            _ => Class::Other,
        };
        byte += 1;
    }
    table
};

fn class(byte: u8) -> Class {
    CLASSES[usize::from(byte)]
}

/// The six ASCII whitespace bytes, exactly the ASCII characters `char::is_whitespace` accepts.
pub fn is_space(byte: u8) -> bool {
    class(byte) == Class::Space
}

/// Letters, digits and `_`: the characters a word is made of.
fn is_word(class: Class) -> bool {
    matches!(class, Class::Letter | Class::Numeric | Class::ExtendNumLet)
}

/// Whether a word continues from `prev` (the class of the previous word character) over the
/// character of class `next`, looking one further ahead (`after`) for the mid-word rules.
fn continues(prev: Class, next: Class, after: Option<Class>) -> bool {
    use Class::*;
    match (prev, next) {
        (Letter | Numeric | ExtendNumLet, Letter | Numeric | ExtendNumLet) => true,
        // WB6/7: letter (MidLetter | MidNumLet) letter.
        (Letter, MidLetter | MidNumLet) => after == Some(Letter),
        // WB11/12: digit (MidNum | MidNumLet) digit.
        (Numeric, MidNum | MidNumLet) => after == Some(Numeric),
        _ => false,
    }
}

/// Pushes the word-boundary segments of an ASCII chunk (no whitespace) onto `segments`.
pub fn split<'a>(chunk: &'a str, segments: &mut Vec<&'a str>) {
    let (length, _) = split_until_space(chunk, segments);
    debug_assert_eq!(length, chunk.len(), "a chunk has no whitespace");
}

/// Pushes the word-boundary segments of ASCII `text` up to its first whitespace byte onto
/// `segments`, and returns that part's length and whether it has an `@` or a `:` (the marks of
/// an address). Finding the chunk and its words in one pass saves a pass over every byte.
pub fn split_until_space<'a>(text: &'a str, segments: &mut Vec<&'a str>) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut marked = false;
    let mut start = 0;
    while start < bytes.len() {
        let first = class(bytes[start]);
        let mut end = start + 1;
        if is_word(first) {
            loop {
                // Runs of word characters are the common case: no look-ahead needed.
                while end < bytes.len() && is_word(class(bytes[end])) {
                    end += 1;
                }
                let Some(&next) = bytes.get(end) else { break };
                let next = class(next);
                let after = bytes.get(end + 1).map(|&b| class(b));
                if !continues(class(bytes[end - 1]), next, after) {
                    break;
                }
                // The joining middle character and the letter or digit it needs.
                marked |= next == Class::MidLetter;
                end += 2;
            }
        } else {
            match first {
                Class::Space => return (start, marked),
                Class::MidLetter | Class::At => marked = true,
                _ => {}
            }
        }
        segments.push(&text[start..end]);
        start = end;
    }
    (bytes.len(), marked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn unicode(chunk: &str) -> Vec<&str> {
        chunk.split_word_bounds().collect()
    }

    fn fast(chunk: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split(chunk, &mut out);
        out
    }

    #[test]
    fn stops_at_whitespace_and_reports_address_marks() {
        let mut segments = Vec::new();
        assert_eq!(split_until_space("a:b, c@d", &mut segments), (4, true));
        assert_eq!(segments, ["a:b", ","]);
        segments.clear();
        assert_eq!(split_until_space("x@y.z", &mut segments), (5, true));
        segments.clear();
        assert_eq!(split_until_space("plain.\tnext", &mut segments), (6, false));
        assert_eq!(segments, ["plain", "."]);
        segments.clear();
        assert_eq!(split_until_space(" lead", &mut segments), (0, false));
        assert!(segments.is_empty());
    }

    #[test]
    fn matches_unicode_rules_on_typical_tokens() {
        for chunk in [
            "GPT-4",
            "llama-2's",
            "e.g.,",
            "3.5",
            "10,000",
            "1;2",
            "(LoRA)",
            "don't",
            "a:b",
            "x_1",
            "U.S.A.",
            "1.2.3",
            "..",
            "'quoted'",
            "v2.0-beta",
            "f(x)=y",
            "co-author's",
            "3d",
            "_a_",
            "a.1",
            "1.a",
            "2,",
            ",2",
            "a'",
            "'a",
            "http://x.y/z",
            "50%",
            "[1,2]",
            "1:2",
        ] {
            assert_eq!(fast(chunk), unicode(chunk), "{chunk}");
        }
    }

    #[test]
    fn matches_unicode_rules_on_generated_chunks() {
        // Every string of length up to 4 over an alphabet with one member of each class, plus
        // pseudo-random longer ones.
        let alphabet: &[u8] = b"aZ09_:,;.'-(";
        let mut chunk = Vec::new();
        let check = |chunk: &[u8]| {
            let text = std::str::from_utf8(chunk).expect("ascii");
            assert_eq!(fast(text), unicode(text), "{text:?}");
        };
        for length in 1..=4u32 {
            for mut code in 0..alphabet.len().pow(length) {
                chunk.clear();
                for _ in 0..length {
                    chunk.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                check(&chunk);
            }
        }
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            chunk.clear();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let length = 5 + (state % 12) as usize;
            for step in 0..length {
                let bits = state.rotate_right((step * 4) as u32);
                chunk.push(alphabet[(bits % alphabet.len() as u64) as usize]);
            }
            check(&chunk);
        }
    }
}

//! Splitting one text field into word tokens (Unicode word boundaries, hyphenated compounds kept
//! whole) -> a stream of [`Token`]s borrowed from the text, with phrase breaks between them.

use unicode_segmentation::UnicodeSegmentation;

use super::ascii_words;

/// What the tokenizer reports, in text order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A word or a hyphenated compound (`GPT-4`, `multi-modal`), as written. `case_vote` says
    /// whether its capitalisation tells how the word is usually written: a capital at the start of
    /// a sentence or of a title word does not, but `LoRA` anywhere does.
    Word { text: &'a str, case_vote: bool },
    /// One piece of the compound just reported (`multi`, `modal`): indexed, never part of a phrase.
    Part { text: &'a str, case_vote: bool },
    /// Punctuation, a URL or an e-mail address: no phrase spans it.
    Break,
}

/// Where a field comes from, which changes how much its capital letters say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Titles are Title Case: an initial capital says nothing.
    Title,
    Body,
}

/// Calls `emit` for every token of `field`. `split_compounds` also reports compound pieces.
pub fn tokenize<'a>(
    field: &'a str,
    kind: FieldKind,
    split_compounds: bool,
    segments: &mut Vec<&'a str>,
    emit: impl FnMut(Token<'a>),
) {
    tokenize_with(field, kind, split_compounds, segments, emit, true);
}

/// [`tokenize`], with the plain-word shortcut on or off (tests compare the two).
fn tokenize_with<'a>(
    field: &'a str,
    kind: FieldKind,
    split_compounds: bool,
    segments: &mut Vec<&'a str>,
    mut emit: impl FnMut(Token<'a>),
    shortcut: bool,
) {
    let mut sentence_start = true;
    // Most fields are pure ASCII: their whitespace is found byte by byte, without decoding
    // characters, and every chunk is known to be ASCII.
    let ascii = field.is_ascii();
    let mut rest = field;
    while !rest.is_empty() {
        if ascii && shortcut {
            // Most chunks of prose are a plain word, perhaps with one closing punctuation mark
            // (`models`, `data,`, `results.`): they give one word, then a break, without the
            // general segmentation below, which gives the same tokens for them.
            if let Some((word, mark, after)) = plain_word(rest) {
                emit(Token::Word {
                    text: word,
                    case_vote: case_vote(kind, sentence_start, word),
                });
                sentence_start = false;
                if let Some(mark) = mark {
                    emit(Token::Break);
                    sentence_start = matches!(mark, b'.' | b'!' | b'?');
                }
                rest = after;
                continue;
            }
        }
        segments.clear();
        let (chunk, marked) = if ascii {
            // Chunk and segments in one pass; the whitespace byte after the chunk is skipped.
            let (length, marked) = ascii_words::split_until_space(rest, segments);
            let chunk = &rest[..length];
            rest = rest.get(length + 1..).unwrap_or("");
            (chunk, marked)
        } else {
            let (chunk, marked, after) = next_chunk(rest);
            rest = after;
            (chunk, marked)
        };
        if chunk.is_empty() {
            continue;
        }
        if is_address(chunk, marked) {
            emit(Token::Break);
            sentence_start = false;
            continue;
        }
        if !ascii {
            if chunk.is_ascii() {
                ascii_words::split(chunk, segments);
            } else {
                segments.extend(chunk.split_word_bounds());
            }
        }
        let mut i = 0;
        while i < segments.len() {
            let segment = segments[i];
            if !is_wordlike(segment) {
                emit(Token::Break);
                if matches!(segment, "." | "!" | "?") {
                    sentence_start = true;
                }
                i += 1;
                continue;
            }
            // Extend over `-word` pairs written without spaces: `llama-2`, `state-of-the-art`.
            let mut last = i;
            while last + 2 < segments.len()
                && is_hyphen(segments[last + 1])
                && is_wordlike(segments[last + 2])
            {
                last += 2;
            }
            let start = offset(chunk, segment);
            let end = offset(chunk, segments[last]) + segments[last].len();
            let text = strip_possessive(&chunk[start..end]);
            let case_vote = case_vote(kind, sentence_start, text);
            emit(Token::Word { text, case_vote });
            if last > i && split_compounds {
                for piece in segments[i..=last].iter().step_by(2) {
                    let text = strip_possessive(piece);
                    emit(Token::Part {
                        text,
                        case_vote: case_vote
                            && (has_inner_capital(text) || !text.chars().any(char::is_uppercase)),
                    });
                }
            }
            sentence_start = false;
            i = last + 1;
        }
    }
}

/// A chunk at the start of ASCII `text` made of letters and digits only, followed by whitespace,
/// the end, or one punctuation mark that cannot join it to anything and then whitespace or the
/// end: (the word, the mark, the text after the chunk and its whitespace byte).
fn plain_word(text: &str) -> Option<(&str, Option<u8>, &str)> {
    let bytes = text.as_bytes();
    let length = bytes
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(bytes.len());
    if length == 0 {
        return None;
    }
    let is_space = |at: usize| bytes.get(at).is_none_or(|&b| ascii_words::is_space(b));
    let after = |at: usize| text.get(at + 1..).unwrap_or("");
    if is_space(length) {
        return Some((&text[..length], None, after(length)));
    }
    let mark = bytes[length];
    // `:` and `.` join letters, `,` `;` `.` join digits, but only with a letter or digit after.
    if matches!(mark, b',' | b'.' | b';' | b':' | b')' | b'!' | b'?') && is_space(length + 1) {
        return Some((&text[..length], Some(mark), after(length + 1)));
    }
    None
}

/// The text up to the first whitespace character, whether that part has an `@` or a `:` (the
/// marks of an address), and the text after the whitespace character.
fn next_chunk(text: &str) -> (&str, bool, &str) {
    let (chunk, rest) = match text.find(char::is_whitespace) {
        None => (text, ""),
        Some(end) => {
            let width = text[end..].chars().next().map_or(1, char::len_utf8);
            (&text[..end], &text[end + width..])
        }
    };
    (chunk, chunk.contains(['@', ':']), rest)
}

fn offset(chunk: &str, piece: &str) -> usize {
    piece.as_ptr() as usize - chunk.as_ptr() as usize
}

fn is_wordlike(segment: &str) -> bool {
    if segment.is_ascii() {
        segment.bytes().any(|b| b.is_ascii_alphanumeric())
    } else {
        segment.chars().any(char::is_alphanumeric)
    }
}

fn is_hyphen(segment: &str) -> bool {
    matches!(segment, "-" | "\u{2010}" | "\u{2011}")
}

/// URLs and e-mail addresses are one opaque chunk: their pieces would become junk terms.
/// `marked`: whether the chunk has an `@` or a `:` at all, which nearly no chunk has.
fn is_address(chunk: &str, marked: bool) -> bool {
    chunk.starts_with("www.") || (marked && (chunk.contains('@') || chunk.contains("://")))
}

fn strip_possessive(word: &str) -> &str {
    if !word.ends_with(['s', 'S']) {
        return word;
    }
    for suffix in ["'s", "'S", "\u{2019}s", "\u{2019}S"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    word
}

/// Whether a word's capitalisation tells how it is usually written: anywhere in running text
/// but at a sentence start; in a Title Case title or at a sentence start only an inner capital.
fn case_vote(kind: FieldKind, sentence_start: bool, word: &str) -> bool {
    match kind {
        FieldKind::Body if !sentence_start => true,
        _ => has_inner_capital(word),
    }
}

/// `LoRA`, `GPT-4`, `iPhone`: a capital after the first letter is deliberate.
fn has_inner_capital(word: &str) -> bool {
    if word.is_ascii() {
        word.bytes().skip(1).any(|b| b.is_ascii_uppercase())
    } else {
        word.chars().skip(1).any(char::is_uppercase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_word_shortcut_gives_the_same_tokens_as_full_segmentation() {
        let alphabet: &[u8] = b"aZq09 ..,;:)!?(-_'@/\n";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..30_000 {
            let mut segments = Vec::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let length = (state % 24) as usize;
            let text: String = (0..length)
                .map(|i| {
                    let bits = state.rotate_right((i * 5) as u32);
                    alphabet[(bits % alphabet.len() as u64) as usize] as char
                })
                .collect();
            for kind in [FieldKind::Title, FieldKind::Body] {
                let mut fast = Vec::new();
                tokenize_with(&text, kind, true, &mut segments, |t| fast.push(t), true);
                let mut full = Vec::new();
                tokenize_with(&text, kind, true, &mut segments, |t| full.push(t), false);
                assert_eq!(fast, full, "{text:?}");
            }
        }
        for text in [
            "Results. We train models, then test: done!",
            "a 3. b",
            "x www.y.z",
        ] {
            let mut segments = Vec::new();
            let mut fast = Vec::new();
            tokenize_with(
                text,
                FieldKind::Body,
                true,
                &mut segments,
                |t| fast.push(t),
                true,
            );
            let mut full = Vec::new();
            tokenize_with(
                text,
                FieldKind::Body,
                true,
                &mut segments,
                |t| full.push(t),
                false,
            );
            assert_eq!(fast, full, "{text:?}");
        }
    }

    fn tokens(field: &str, kind: FieldKind) -> Vec<Token<'_>> {
        let mut out = Vec::new();
        let mut segments = Vec::new();
        tokenize(field, kind, true, &mut segments, |t| out.push(t));
        out
    }

    fn words(field: &str) -> Vec<&str> {
        tokens(field, FieldKind::Body)
            .into_iter()
            .filter_map(|t| match t {
                Token::Word { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn keeps_hyphenated_and_alphanumeric_terms_whole() {
        assert_eq!(
            words("GPT-4 beats llama-2 on 3d tasks, with LoRA."),
            ["GPT-4", "beats", "llama-2", "on", "3d", "tasks", "with", "LoRA"]
        );
    }

    #[test]
    fn compound_pieces_follow_the_compound() {
        let out = tokens("state-of-the-art", FieldKind::Body);
        assert_eq!(out.len(), 5);
        assert_eq!(
            out[1],
            Token::Part {
                text: "state",
                case_vote: false
            }
        );
        assert_eq!(
            out[4],
            Token::Part {
                text: "art",
                case_vote: false
            }
        );
    }

    #[test]
    fn punctuation_breaks_and_possessives_are_stripped() {
        let out = tokens("the model's output (sic)", FieldKind::Body);
        assert!(out.contains(&Token::Word {
            text: "model",
            case_vote: true
        }));
        assert_eq!(out.iter().filter(|t| **t == Token::Break).count(), 2);
    }

    #[test]
    fn urls_and_emails_are_skipped() {
        assert_eq!(
            words("see https://github.com/x/y-z or mail me@x.org now"),
            ["see", "or", "mail", "now"]
        );
    }

    #[test]
    fn sentence_starts_and_titles_do_not_vote_for_capitals() {
        let out = tokens("Large models. Gaussian noise", FieldKind::Body);
        assert_eq!(
            out[0],
            Token::Word {
                text: "Large",
                case_vote: false
            }
        );
        assert_eq!(
            out[1],
            Token::Word {
                text: "models",
                case_vote: true
            }
        );
        assert_eq!(
            out[3],
            Token::Word {
                text: "Gaussian",
                case_vote: false
            }
        );
        let title = tokens("Efficient LoRA Training", FieldKind::Title);
        assert_eq!(
            title[0],
            Token::Word {
                text: "Efficient",
                case_vote: false
            }
        );
        assert_eq!(
            title[1],
            Token::Word {
                text: "LoRA",
                case_vote: true
            }
        );
    }

    #[test]
    fn handles_non_latin_scripts() {
        assert_eq!(
            words("Übersetzung für Straße"),
            ["Übersetzung", "für", "Straße"]
        );
        assert_eq!(words("模型 и модели"), ["模", "型", "и", "модели"]);
    }
}

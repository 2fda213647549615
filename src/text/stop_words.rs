//! Stop words: the built-in English list plus the user's own file -> one lookup set.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use crate::error::{Error, Result};

/// Function words of English. The boilerplate of abstracts ("we propose", "results show") is
/// not here: measured on the arXiv corpus, removing it before clustering costs ~0.02 NMI, so it
/// is kept out of topic labels only (see `label`).
const ENGLISH: &str = "
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere
are around as at be became because become becomes becoming been before beforehand behind being
below beside besides between beyond both but by can cannot could did do does doing done down
due during each either else elsewhere enough etc even ever every everyone everything everywhere
except few for former formerly from further furthermore had has have having he hence her here
hereafter hereby herein hers herself him himself his how however i if in indeed into is it its
itself just last latter latterly least less many may me meanwhile might mine more moreover most
mostly much must my myself namely neither never nevertheless next no nobody none noone nor not
nothing now nowhere of off often on once one only onto or other others otherwise our ours
ourselves out over own per perhaps please rather re same seem seemed seeming seems several she
should since so some somehow someone something sometime sometimes somewhere still such than that
the their theirs them themselves then thence there thereafter thereby therefore therein thereupon
these they this those though through throughout thru thus to together too toward towards under
until up upon us very via was we well were what whatever when whence whenever where whereafter
whereas whereby wherein whereupon wherever whether which while whither who whoever whole whom
whose why will with within without would yet you your yours yourself yourselves
ain aren can't couldn didn doesn don don't hadn hasn haven isn it's let's mightn mustn needn
shan shouldn wasn weren won won't wouldn i'm i've i'd i'll we're we've you're they're
e.g i.e et al cf vs viz ie eg
";

/// The set of lowercase words that never become terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopWords {
    words: FxHashSet<String>,
}

/// The largest stop-word file read.
const STOP_WORDS_CAP: u64 = 64 * crate::files::MIB;

impl StopWords {
    /// The built-in list only.
    pub fn english() -> Self {
        StopWords {
            words: ENGLISH.split_whitespace().map(str::to_string).collect(),
        }
    }

    /// No stop words at all.
    pub fn none() -> Self {
        StopWords::default()
    }

    /// Adds the words of a file: one or more per line, whitespace-separated; `#` starts a comment.
    pub fn extend_from_file(&mut self, path: &Path) -> Result<usize> {
        let name = path.display().to_string();
        // A list of stop words is kilobytes; the cap keeps `--stop-words /dev/zero` (or a FIFO
        // that never ends) from reading until memory runs out.
        let bytes =
            crate::files::read_capped(path, STOP_WORDS_CAP).map_err(|source| Error::Read {
                path: PathBuf::from(&name),
                source,
            })?;
        let mut added = 0;
        for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = std::str::from_utf8(line).map_err(|_| Error::StopWords {
                path: PathBuf::from(&name),
                line: index as u64 + 1,
                message: "invalid UTF-8".into(),
            })?;
            let content = line.split('#').next().unwrap_or_default();
            for word in content.split_whitespace() {
                added += usize::from(self.words.insert(word.to_lowercase()));
            }
        }
        Ok(added)
    }

    pub fn contains(&self, lowercase_word: &str) -> bool {
        self.words.contains(lowercase_word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Every word, sorted: the order a saved model writes them in.
    pub fn sorted(&self) -> Vec<&str> {
        let mut words: Vec<&str> = self.words.iter().map(String::as_str).collect();
        words.sort_unstable();
        words
    }
}

// Saved as a sorted list, so the same set always gives the same bytes.
impl serde::Serialize for StopWords {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.sorted())
    }
}

impl<'de> serde::Deserialize<'de> for StopWords {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let words = Vec::<String>::deserialize(deserializer)?;
        Ok(StopWords {
            words: words.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_list_covers_function_words_not_content() {
        let stop = StopWords::english();
        for word in ["the", "and", "we", "e.g"] {
            assert!(stop.contains(word), "{word}");
        }
        for word in ["model", "language", "quantum", "graph"] {
            assert!(!stop.contains(word), "{word}");
        }
    }

    #[test]
    fn file_words_are_lowercased_and_comments_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stop.txt");
        std::fs::write(&path, "# domain words\nLLM benchmark  # trailing\n\n").expect("write");
        let mut stop = StopWords::none();
        assert_eq!(stop.extend_from_file(&path).expect("read"), 2);
        assert!(stop.contains("llm") && stop.contains("benchmark"));
        assert!(!stop.contains("domain"));
    }
}

//! How many topics: a fixed number or `auto`, and the range `auto` tries -> parsed and resolved
//! for a corpus. Shared by the clustering, the k sweep and the command line.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How many topics: a number, or `auto` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TopicCount {
    /// Chosen by the k sweep ([`super::choose::ChooseParams::choose`]).
    #[default]
    Auto,
    Fixed(usize),
}

impl FromStr for TopicCount {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        if text.eq_ignore_ascii_case("auto") {
            return Ok(TopicCount::Auto);
        }
        text.parse::<usize>()
            .map(TopicCount::Fixed)
            .map_err(|_| format!("'{text}' is neither auto nor a whole number"))
    }
}

/// `A..B`: the k tried by `auto`, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KRange {
    pub low: usize,
    pub high: usize,
}

impl FromStr for KRange {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let bad = || format!("'{text}' is not a range like 2..40");
        let (low, high) = text.split_once("..").ok_or_else(bad)?;
        let high = high.strip_prefix('=').unwrap_or(high);
        let low: usize = low.trim().parse().map_err(|_| bad())?;
        let high: usize = high.trim().parse().map_err(|_| bad())?;
        if low < 2 || high < low {
            return Err(format!(
                "'{text}' must go from at least 2 up to a number no smaller than its start"
            ));
        }
        Ok(KRange { low, high })
    }
}

impl fmt::Display for KRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.low, self.high)
    }
}

/// The default range's upper end: no more than 40 topics, and at least five documents per topic.
const DEFAULT_HIGHEST_K: usize = 40;
const DOCUMENTS_PER_TOPIC: usize = 5;

impl KRange {
    /// The range tried for `documents` documents with terms: the user's, or
    /// 2..=min(40, documents / 5); never more topics than documents.
    pub fn for_documents(range: Option<KRange>, documents: usize) -> KRange {
        let range = range.unwrap_or(KRange {
            low: 2,
            high: DEFAULT_HIGHEST_K
                .min(documents / DOCUMENTS_PER_TOPIC)
                .max(2),
        });
        let most = documents.max(1);
        KRange {
            low: range.low.min(most),
            high: range.high.min(most),
        }
    }
}

//! Choosing k: LSA rows -> the number of topics ([`KSelection`]), by trying every k of a range
//! on a seeded sample and scoring each with a label-free criterion; the whole curve is kept for
//! `k_selection.csv`.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// `--k`: a fixed number of topics, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicCount {
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

/// `--k-range A..B`: the k tried by `--k auto`, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Settings for choosing k.
#[derive(Debug, Clone, PartialEq)]
pub struct ChooseParams {
    /// The k tried; `None`: 2..=min(40, documents / 5).
    pub range: Option<KRange>,
    /// Documents each trial clusters: a seeded sample of the corpus, so the sweep costs the same
    /// on any corpus size.
    pub sample: usize,
    pub seed: u64,
}

impl Default for ChooseParams {
    fn default() -> Self {
        ChooseParams {
            range: None,
            sample: 3000,
            seed: 0,
        }
    }
}

impl ChooseParams {
    pub fn check(&self) -> Result<()> {
        if self.sample < 2 {
            return Err(Error::setting("k selection sample", "must be at least 2"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_auto_numbers_and_ranges() {
        assert_eq!("auto".parse(), Ok(TopicCount::Auto));
        assert_eq!("AUTO".parse(), Ok(TopicCount::Auto));
        assert_eq!("12".parse(), Ok(TopicCount::Fixed(12)));
        assert!("twelve".parse::<TopicCount>().is_err());
        assert_eq!("3..9".parse(), Ok(KRange { low: 3, high: 9 }));
        assert_eq!("3..=9".parse(), Ok(KRange { low: 3, high: 9 }));
        for bad in ["9..3", "1..5", "3-9", "..9", "a..b"] {
            assert!(bad.parse::<KRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn default_range_keeps_five_documents_per_topic_and_at_most_forty() {
        assert_eq!(
            KRange::for_documents(None, 110),
            KRange { low: 2, high: 22 }
        );
        assert_eq!(
            KRange::for_documents(None, 18_000),
            KRange { low: 2, high: 40 }
        );
        assert_eq!(KRange::for_documents(None, 6), KRange { low: 2, high: 2 });
        assert_eq!(KRange::for_documents(None, 1), KRange { low: 1, high: 1 });
        let asked = Some(KRange { low: 5, high: 60 });
        assert_eq!(
            KRange::for_documents(asked, 30),
            KRange { low: 5, high: 30 }
        );
    }
}

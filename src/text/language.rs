//! The stemming language: a name from the command line -> a `rust-stemmers` algorithm (or none).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_stemmers::{Algorithm, Stemmer};

/// Every algorithm `rust-stemmers` ships, under its lowercase English name, plus `none`.
const LANGUAGES: [(&str, Option<Algorithm>); 19] = [
    ("arabic", Some(Algorithm::Arabic)),
    ("danish", Some(Algorithm::Danish)),
    ("dutch", Some(Algorithm::Dutch)),
    ("english", Some(Algorithm::English)),
    ("finnish", Some(Algorithm::Finnish)),
    ("french", Some(Algorithm::French)),
    ("german", Some(Algorithm::German)),
    ("greek", Some(Algorithm::Greek)),
    ("hungarian", Some(Algorithm::Hungarian)),
    ("italian", Some(Algorithm::Italian)),
    ("norwegian", Some(Algorithm::Norwegian)),
    ("portuguese", Some(Algorithm::Portuguese)),
    ("romanian", Some(Algorithm::Romanian)),
    ("russian", Some(Algorithm::Russian)),
    ("spanish", Some(Algorithm::Spanish)),
    ("swedish", Some(Algorithm::Swedish)),
    ("tamil", Some(Algorithm::Tamil)),
    ("turkish", Some(Algorithm::Turkish)),
    ("none", None),
];

/// A stemming language; `none` keeps words as they are (lowercased).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    name: &'static str,
    algorithm: Option<Algorithm>,
}

impl Default for Language {
    fn default() -> Self {
        Language {
            name: "english",
            algorithm: Some(Algorithm::English),
        }
    }
}

impl Language {
    /// All accepted names, for help texts and errors.
    pub fn names() -> Vec<&'static str> {
        LANGUAGES.iter().map(|(name, _)| *name).collect()
    }

    pub fn stemmer(&self) -> WordStemmer {
        WordStemmer(self.algorithm.map(Stemmer::create))
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let wanted = input.trim().to_lowercase();
        LANGUAGES
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|&(name, algorithm)| Language { name, algorithm })
            .ok_or_else(|| {
                format!(
                    "unknown language '{input}'; choose one of: {}",
                    Language::names().join(", ")
                )
            })
    }
}

// Saved by name: the name is what a person and a later version both understand.
impl serde::Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

impl<'de> serde::Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Stems lowercase words; a no-op for `none`.
pub struct WordStemmer(Option<Stemmer>);

impl WordStemmer {
    pub fn stem(&self, lowercase_word: &str) -> String {
        match &self.0 {
            Some(stemmer) => match stemmer.stem(lowercase_word) {
                Cow::Borrowed(stem) => stem.to_string(),
                Cow::Owned(stem) => stem,
            },
            None => lowercase_word.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_algorithm_is_reachable_by_name() {
        assert_eq!(Language::names().len(), 19);
        let german: Language = "German".parse().expect("known");
        assert_eq!(german.stemmer().stem("häuser"), "haus");
        let english = Language::default();
        assert_eq!(english.stemmer().stem("models"), "model");
        let none: Language = "none".parse().expect("known");
        assert_eq!(none.stemmer().stem("models"), "models");
    }

    #[test]
    fn unknown_language_lists_the_choices() {
        let error = "klingon".parse::<Language>().expect_err("unknown");
        assert!(
            error.contains("english") && error.contains("turkish"),
            "{error}"
        );
    }
}

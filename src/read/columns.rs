//! Which input columns hold the id, the title and the text: user choices -> resolved column names.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Param, Result};

/// Text columns tried, in order, when no text column is named.
pub const DEFAULT_TEXT_COLUMNS: [&str; 3] = ["abstract", "text", "body"];
const DEFAULT_ID_COLUMN: &str = "id";
const DEFAULT_TITLE_COLUMN: &str = "title";

/// The columns the user named; `None` / empty means "use the defaults".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub id: Option<String>,
    pub title: Option<String>,
    pub text: Vec<String>,
    /// Ground-truth labels, read for evaluation only: they never reach the clustering.
    pub label: Option<String>,
    /// Dates, for the report's topics over time only.
    pub date: Option<String>,
}

/// Column names that exist in the input. An absent id means "use the row number".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedColumns {
    pub id: Option<String>,
    pub title: Option<String>,
    pub text: Vec<String>,
    pub label: Option<String>,
    pub date: Option<String>,
}

impl ResolvedColumns {
    /// The same columns as a choice, without the label: what a model records, so that `tag`
    /// reads its input the way the fit read its own.
    pub fn as_choice(&self) -> ColumnChoice {
        ColumnChoice {
            id: self.id.clone(),
            title: self.title.clone(),
            text: self.text.clone(),
            label: None,
            date: None,
        }
    }
}

impl ColumnChoice {
    /// Matches the choice against the columns the input has. Named columns must exist; defaults
    /// are taken only when present, except that some text column must be found.
    pub fn resolve(&self, available: &[String], path: &str) -> Result<ResolvedColumns> {
        let has = |name: &str| available.iter().any(|a| a == name);
        let missing = |column: &str, param: Param| Error::MissingColumn {
            path: path.into(),
            column: column.to_string(),
            param,
            available: available.join(", "),
        };
        let named_or_default = |named: &Option<String>, default: &str, flag| match named {
            Some(name) if has(name) => Ok(Some(name.clone())),
            Some(name) => Err(missing(name, flag)),
            None => Ok(has(default).then(|| default.to_string())),
        };
        let id = named_or_default(&self.id, DEFAULT_ID_COLUMN, Param::IdColumn)?;
        let title = named_or_default(&self.title, DEFAULT_TITLE_COLUMN, Param::TitleColumn)?;
        let text = if self.text.is_empty() {
            let found = DEFAULT_TEXT_COLUMNS.iter().find(|name| has(name));
            match found {
                Some(name) => vec![name.to_string()],
                None => {
                    return Err(Error::NoTextColumn {
                        path: path.into(),
                        tried: DEFAULT_TEXT_COLUMNS.join(", "),
                        available: available.join(", "),
                    })
                }
            }
        } else {
            for name in &self.text {
                if !has(name) {
                    return Err(missing(name, Param::TextColumn));
                }
            }
            self.text.clone()
        };
        let label = match &self.label {
            Some(name) if has(name) => Some(name.clone()),
            Some(name) => return Err(missing(name, Param::LabelColumn)),
            None => None,
        };
        let date = match &self.date {
            Some(name) if has(name) => Some(name.clone()),
            Some(name) => return Err(missing(name, Param::DateColumn)),
            None => None,
        };
        for name in id
            .iter()
            .chain(&title)
            .chain(&text)
            .chain(&label)
            .chain(&date)
        {
            let count = available.iter().filter(|a| *a == name).count();
            if count > 1 {
                return Err(Error::DuplicateColumn {
                    path: path.into(),
                    column: name.clone(),
                    count,
                });
            }
        }
        Ok(ResolvedColumns {
            id,
            title,
            text,
            label,
            date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_pick_id_title_and_first_text_column() {
        let resolved = ColumnChoice::default()
            .resolve(&names(&["id", "title", "text", "body"]), "f.csv")
            .expect("resolves");
        assert_eq!(resolved.id.as_deref(), Some("id"));
        assert_eq!(resolved.title.as_deref(), Some("title"));
        assert_eq!(resolved.text, names(&["text"]));
    }

    #[test]
    fn missing_defaults_fall_back_to_row_numbers_and_no_title() {
        let resolved = ColumnChoice::default()
            .resolve(&names(&["body"]), "f.csv")
            .expect("resolves");
        assert_eq!(resolved.id, None);
        assert_eq!(resolved.title, None);
        assert_eq!(resolved.text, names(&["body"]));
    }

    #[test]
    fn a_named_column_that_does_not_exist_lists_the_real_ones() {
        let choice = ColumnChoice {
            text: names(&["summary"]),
            ..Default::default()
        };
        let message = choice
            .resolve(&names(&["id", "abstract"]), "f.csv")
            .expect_err("fails")
            .to_string();
        assert_eq!(
            message,
            "f.csv: no column 'summary' (given by text_column); the columns are: id, abstract"
        );
    }

    #[test]
    fn a_chosen_column_named_twice_is_ambiguous() {
        let error = ColumnChoice::default()
            .resolve(&names(&["id", "text", "text"]), "f.csv")
            .expect_err("ambiguous");
        assert_eq!(
            error.to_string(),
            "f.csv: column 'text' appears 2 times in the header; rename one so the choice is clear"
        );
        // Repeats among columns nobody reads do not matter.
        assert!(ColumnChoice::default()
            .resolve(&names(&["text", "x", "x"]), "f.csv")
            .is_ok());
    }

    #[test]
    fn no_text_column_is_an_error() {
        let error = ColumnChoice::default()
            .resolve(&names(&["id", "title"]), "f.csv")
            .expect_err("fails");
        assert!(error.to_string().contains("abstract, text, body"));
    }
}

//! The input-column flags (`--id-column`, `--title-column`, `--text-column`) -> the library's
//! [`ColumnChoice`]. One declaration for the fit, `tag` and `embed`, so that the same flags read
//! the same input the same way in each command.

use clap::Args;
use topictag::read::ColumnChoice;

/// The columns the documents are read from. The helps give the library's defaults, which the
/// fit and `embed` use; `tag` restates them, since it falls back to the model's columns.
#[derive(Debug, Args)]
pub struct ColumnArgs {
    /// Column holding document ids [default: id if present, else the row number]
    #[arg(long, value_name = "C")]
    pub id_column: Option<String>,

    /// Column holding titles, analysed with the text [default: title if present]
    #[arg(long, value_name = "C")]
    pub title_column: Option<String>,

    /// Column holding text; repeat for several [default: abstract, else text, else body]
    #[arg(long, value_name = "C")]
    pub text_column: Vec<String>,
}

impl ColumnArgs {
    /// The columns named, without the fit-only label and date columns; a column not named is
    /// left to the library's defaults.
    pub fn choice(&self) -> ColumnChoice {
        ColumnChoice {
            id: self.id_column.clone(),
            title: self.title_column.clone(),
            text: self.text_column.clone(),
            label: None,
            date: None,
        }
    }
}

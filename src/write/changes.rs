//! What became of the previous model's topics -> `topic_changes.csv`
//! (`old_topic,new_topic,status,similarity,old_label,new_label`).

use serde::Serialize;

use super::rows::to_csv;
use crate::error::Result;
use crate::model::TopicChange;

#[derive(Serialize)]
struct ChangeRow<'a> {
    old_topic: Option<usize>,
    new_topic: Option<usize>,
    status: &'static str,
    similarity: String,
    old_label: &'a str,
    new_label: &'a str,
}

/// One row per change, in the order given (new and gone first); an empty topic is a topic the
/// other model does not have.
pub(super) fn topic_changes_csv(changes: &[TopicChange]) -> Result<Vec<u8>> {
    let rows: Vec<ChangeRow<'_>> = changes
        .iter()
        .map(|c| ChangeRow {
            old_topic: c.old_topic,
            new_topic: c.new_topic,
            status: c.status.as_str(),
            similarity: format!("{:.4}", c.similarity),
            old_label: &c.old_label,
            new_label: &c.new_label,
        })
        .collect();
    to_csv(&rows)
}

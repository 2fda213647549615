//! The report's data files: the topic tree -> `topic_tree.csv`
//! (`node,left,right,distance,size,label,topic`), the trends -> `topic_trends.csv`
//! (`period,topic,documents,share`); topics by id.

use serde::Serialize;

use super::rows::to_csv;
use crate::error::Result;
use crate::report::tree::TreeNode;
use crate::report::trends::Trends;

/// A `topic_tree.csv` row; a topic's `left` and `right` are empty, a merge's `topic`.
#[derive(Serialize)]
struct TreeRow<'a> {
    node: usize,
    left: Option<usize>,
    right: Option<usize>,
    distance: String,
    size: usize,
    label: &'a str,
    topic: Option<usize>,
}

/// A `topic_trends.csv` row.
#[derive(Serialize)]
struct TrendRow<'a> {
    period: &'a str,
    topic: usize,
    documents: usize,
    share: String,
}

pub(super) fn topic_tree_csv(nodes: &[TreeNode]) -> Result<Vec<u8>> {
    let rows: Vec<TreeRow<'_>> = nodes
        .iter()
        .map(|n| TreeRow {
            node: n.node,
            left: n.children.map(|c| c.0),
            right: n.children.map(|c| c.1),
            distance: format!("{:.6}", n.distance),
            size: n.size,
            label: &n.label,
            topic: n.topic,
        })
        .collect();
    to_csv(&rows)
}

/// `ids`: each topic position's id.
pub(super) fn topic_trends_csv(trends: &Trends, ids: &[usize]) -> Result<Vec<u8>> {
    let topics = trends.periods.first().map_or(0, |p| p.topics.len());
    let mut rows = Vec::with_capacity(trends.periods.len() * topics);
    for (index, period) in trends.periods.iter().enumerate() {
        for (topic, &documents) in period.topics.iter().enumerate() {
            rows.push(TrendRow {
                period: &period.period,
                topic: ids[topic],
                documents,
                share: format!("{:.4}", trends.share(index, topic)),
            });
        }
    }
    to_csv(&rows)
}

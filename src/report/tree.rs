//! The topic tree: the topics' centroids and term weights -> the order in which topics merge
//! (agglomerative, average linkage: the distance of two groups is the size-weighted mean of the
//! cosine distances between their topics, so a later merge is never closer than an earlier one),
//! each merged group labelled by the terms most distinctive of it, for `topic_tree.csv` and the
//! dendrogram. It answers "how many topics?": the broad themes and the fine ones at once.

use ndarray::{Array1, ArrayView2};
use serde::Serialize;

use crate::label::distinct::{self, Candidate};
use crate::label::top_columns;

/// Terms joined into a merged group's label.
const LABEL_TERMS: usize = 3;

/// Best terms of a group looked at for its label: enough that, once near-duplicates are merged
/// (`tuning` / `fine-tuning`), three distinct ones remain.
const LABEL_POOL: usize = 8 * LABEL_TERMS;

/// One node: topics are nodes 0..k, merges k.. in merge order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeNode {
    pub node: usize,
    /// The two merged nodes; `None` for a topic.
    pub children: Option<(usize, usize)>,
    /// Mean 1 - cosine between the merged groups' topics, weighted by size (0 for a topic).
    pub distance: f64,
    /// Documents in the group.
    pub size: usize,
    pub label: String,
    /// The topics in the group, ascending (positions).
    pub topics: Vec<usize>,
    /// A topic's id (`None` for a merge); set by [`crate::report::topic_tree`].
    pub topic: Option<usize>,
}

/// Merges the `centroids` (topics x dims, unit rows) into one tree. `term_tf` is each topic's
/// summed sublinear count per term, `labels` each term's display form, `shown` whether it may be
/// shown; `topic_labels` label the leaves.
pub fn build(
    centroids: ArrayView2<'_, f64>,
    sizes: &[usize],
    topic_labels: &[String],
    term_tf: &[Vec<f64>],
    term_labels: &[String],
    shown: &[bool],
) -> Vec<TreeNode> {
    let k = centroids.nrows();
    let mut nodes: Vec<TreeNode> = (0..k)
        .map(|topic| TreeNode {
            node: topic,
            children: None,
            distance: 0.0,
            size: sizes.get(topic).copied().unwrap_or(0),
            label: topic_labels.get(topic).cloned().unwrap_or_default(),
            topics: vec![topic],
            topic: Some(topic),
        })
        .collect();
    // Each open group: its node and its term sums; distances between open groups by node.
    let mut open: Vec<(usize, Vec<f64>)> = (0..k)
        .map(|topic| (topic, term_tf.get(topic).cloned().unwrap_or_default()))
        .collect();
    let mut distance = vec![vec![0.0f64; 2 * k.max(1)]; 2 * k.max(1)];
    for (a, row) in distance.iter_mut().enumerate().take(k) {
        for (b, cell) in row.iter_mut().enumerate().take(k) {
            *cell = 1.0 - cosine(&centroids.row(a).to_owned(), &centroids.row(b).to_owned());
        }
    }
    let totals = column_totals(term_tf);
    while open.len() > 1 {
        // The closest pair; ties: the pair of lower node ids.
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..open.len() {
            for b in (a + 1)..open.len() {
                let d = distance[open[a].0][open[b].0];
                if best.is_none_or(|(bd, ba, bb)| {
                    d < bd || (d == bd && (open[a].0, open[b].0) < (open[ba].0, open[bb].0))
                }) {
                    best = Some((d, a, b));
                }
            }
        }
        let Some((merged_distance, a, b)) = best else {
            break;
        };
        let (second, first) = (open.remove(b), open.remove(a));
        let node = nodes.len();
        let (left, right) = (first.0.min(second.0), first.0.max(second.0));
        let (left_size, right_size) = (
            nodes[left].size.max(1) as f64,
            nodes[right].size.max(1) as f64,
        );
        for other in &open {
            let d = (left_size * distance[left][other.0] + right_size * distance[right][other.0])
                / (left_size + right_size);
            distance[node][other.0] = d;
            distance[other.0][node] = d;
        }
        let mut topics: Vec<usize> = nodes[left]
            .topics
            .iter()
            .chain(&nodes[right].topics)
            .copied()
            .collect();
        topics.sort_unstable();
        let tf: Vec<f64> = first.1.iter().zip(&second.1).map(|(x, y)| x + y).collect();
        let label = group_label(&tf, &totals, term_labels, shown);
        nodes.push(TreeNode {
            node,
            children: Some((left, right)),
            distance: (merged_distance.max(0.0) * 1e6).round() / 1e6,
            size: nodes[left].size + nodes[right].size,
            label,
            topics,
            topic: None,
        });
        open.push((node, tf));
    }
    nodes
}

fn column_totals(term_tf: &[Vec<f64>]) -> Vec<f64> {
    let terms = term_tf.first().map_or(0, Vec::len);
    let mut totals = vec![0.0; terms];
    for topic in term_tf {
        for (total, value) in totals.iter_mut().zip(topic) {
            *total += value;
        }
    }
    totals
}

fn cosine(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    let norms = a.dot(a).sqrt() * b.dot(b).sqrt();
    if norms > 0.0 {
        a.dot(b) / norms
    } else {
        0.0
    }
}

/// A group's label: the terms that set the group apart from the rest of the corpus — frequent in
/// the group, rare outside it (a term's share of the group's weight times the log of how much
/// larger that share is than outside). Against the whole corpus, as a topic is labelled, large
/// groups would all be named by the corpus' commonest terms.
fn group_label(tf: &[f64], totals: &[f64], term_labels: &[String], shown: &[bool]) -> String {
    let group_total: f64 = tf.iter().sum();
    let rest_total: f64 = totals.iter().sum::<f64>() - group_total;
    let floor = 1.0 / rest_total.max(1.0);
    let weight = |term: usize| {
        let inside = tf[term] / group_total.max(1e-12);
        let outside = ((totals[term] - tf[term]).max(0.0) / rest_total.max(1e-12)).max(floor);
        inside * (1.0 + inside / outside).ln()
    };
    let weights = (0..tf.len().min(totals.len()))
        .filter(|&term| shown.get(term).copied().unwrap_or(false))
        .map(|term| (term, weight(term)));
    let mut candidates: Vec<Candidate> = top_columns(weights, LABEL_POOL)
        .into_iter()
        .filter_map(|term| {
            Some(Candidate {
                display: term_labels.get(term)?.clone(),
                stems: Vec::new(),
                tf: tf[term],
                score: weight(term),
            })
        })
        .collect();
    // The same near-duplicate control as a topic's label: "tuning, fine-tuning, fine" reads as
    // one term three times.
    distinct::rank(&mut candidates);
    distinct::pick(&candidates, LABEL_TERMS)
        .into_iter()
        .map(|candidate| candidate.display)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_closest_topics_merge_first_and_every_topic_ends_in_one_root() {
        let s = 0.5f64.sqrt();
        let centroids = array![[1.0, 0.0, 0.0], [s, s, 0.0], [0.0, 0.0, 1.0]];
        let tf = vec![
            vec![5.0, 0.0, 0.0],
            vec![4.0, 3.0, 0.0],
            vec![0.0, 0.0, 6.0],
        ];
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let nodes = build(
            centroids.view(),
            &[10, 8, 5],
            &["t0".into(), "t1".into(), "t2".into()],
            &tf,
            &labels,
            &[true, true, true],
        );
        assert_eq!(nodes.len(), 5);
        assert_eq!(nodes[3].children, Some((0, 1)));
        assert_eq!(nodes[3].size, 18);
        assert!((nodes[3].distance - (1.0 - s)).abs() < 1e-6);
        assert!(nodes[3].label.starts_with('a'), "{}", nodes[3].label);
        assert_eq!(nodes[4].children, Some((2, 3)));
        assert_eq!(nodes[4].topics, [0, 1, 2]);
        assert_eq!(nodes[4].size, 23);
    }
}

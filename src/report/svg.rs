//! The report's static charts: topics, the topic tree, the k sweep, the trends and the map ->
//! small SVG documents, inline in the page and as files beside `report.md`. Hand-written: five
//! plain charts whose label placement we control (no text measuring, no font files), where a
//! chart crate would add a font stack for the same few rectangles and lines.

use std::fmt::Write;

use super::layout::{MapLayout, HEIGHT, WIDTH};
use super::tree::TreeNode;
use super::trends::Trends;
use crate::cluster::choose::{KSelection, STABLE_AGREEMENT};

/// Colour-blind-safe as far as any palette of this many can be: the Okabe-Ito palette, then
/// Paul Tol's muted and light ones; more topics than colours repeat them (the map's labels and
/// the sections name each topic anyway).
pub const PALETTE: [&str; 21] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499", "#EE8866", "#BBCC33", "#77AADD", "#FFAABB",
];

pub fn color(topic: usize) -> &'static str {
    PALETTE[topic % PALETTE.len()]
}

const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\"";
/// Rough width of a character at 12px, for laying out text without measuring it.
const CHAR_WIDTH: f64 = 6.6;
/// Height of a line of the tree's merge labels (11 px text).
const LINE: f64 = 14.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cuts `text` to about `width` pixels at 12px, with an ellipsis.
fn fit(text: &str, width: f64) -> String {
    let most = (width / CHAR_WIDTH).floor().max(3.0) as usize;
    if text.chars().count() <= most {
        return text.to_string();
    }
    let kept: String = text.chars().take(most - 1).collect();
    format!("{}…", kept.trim_end())
}

fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\" {FONT} font-size=\"12\">\n<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n",
        escape(title)
    )
}

/// Topics at a glance: one bar per topic, largest first, labelled on the left.
pub fn topic_bars(topics: &[(usize, String, usize)]) -> String {
    let (label_width, bar_width, row) = (360.0, 520.0, 22.0);
    let width = label_width + bar_width + 70.0;
    let height = 20.0 + row * topics.len() as f64 + 10.0;
    let largest = topics.iter().map(|t| t.2).max().unwrap_or(1).max(1) as f64;
    let mut svg = open(width, height, "Topics by size");
    for (i, (id, label, size)) in topics.iter().enumerate() {
        let y = 20.0 + row * i as f64;
        let length = (*size as f64 / largest * bar_width).max(1.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{length:.1}\" height=\"{:.1}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{size}</text>",
            label_width - 8.0,
            y + 13.0,
            escape(&fit(&format!("{id}  {label}"), label_width - 12.0)),
            label_width,
            y + 2.0,
            row - 6.0,
            color(*id),
            label_width + length + 6.0,
            y + 13.0,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The topic tree as a dendrogram: topics on the left in the tree's order, merges to the right
/// at their distance; the last merges (the broad themes) carry their labels.
pub fn dendrogram(nodes: &[TreeNode], topic_count: usize) -> String {
    let (label_width, plot_width, row) = (330.0, 430.0, 22.0);
    let width = label_width + plot_width + 260.0;
    let height = 24.0 + row * topic_count as f64 + 20.0;
    let mut svg = open(width, height, "Topic tree");
    let Some(root) = nodes.last() else {
        svg.push_str("</svg>\n");
        return svg;
    };
    let largest = nodes
        .iter()
        .map(|n| n.distance)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let x_of = |distance: f64| label_width + distance / largest * plot_width;
    let mut y = vec![0.0f64; nodes.len()];
    for (i, &leaf) in leaf_order(nodes, root.node).iter().enumerate() {
        y[leaf] = 24.0 + row * i as f64 + row / 2.0;
        let id = nodes[leaf].topic.unwrap_or(leaf);
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_width - 14.0,
            y[leaf] - 5.0,
            color(id),
            label_width - 18.0,
            y[leaf] + 4.0,
            escape(&fit(&format!("{id}  {}", nodes[leaf].label), label_width - 24.0))
        );
    }
    let labelled = topic_count.saturating_sub(1).min(5);
    let merges = nodes.len().saturating_sub(topic_count);
    // Merge labels already drawn, as (left, right, baseline): a merge sits halfway between its
    // children, so the root and a child can share a height (on data/ two labels were drawn over
    // each other); a label that would overlap one before it moves a line down or up.
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    for node in nodes.iter().skip(topic_count) {
        let Some((left, right)) = node.children else {
            continue;
        };
        y[node.node] = (y[left] + y[right]) / 2.0;
        let x = x_of(node.distance);
        let (xl, xr) = (x_of(nodes[left].distance), x_of(nodes[right].distance));
        let _ = writeln!(
            svg,
            "<path d=\"M{xl:.1},{:.1}H{x:.1}V{:.1}H{xr:.1}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\"/>",
            y[left], y[right]
        );
        if node.node - topic_count + labelled >= merges {
            let text = format!("{} ({})", fit(&node.label, 250.0), node.size);
            let (left, right) = (x + 6.0, x + 6.0 + text.chars().count() as f64 * CHAR_WIDTH);
            let natural = y[node.node] + 4.0;
            let baseline = free_baseline(&placed, (left, right), natural, topic_count, height);
            placed.push((left, right, baseline));
            if (baseline - natural).abs() > 0.5 {
                // A thin leader from the merge point to its moved label.
                let _ = writeln!(
                    svg,
                    "<path d=\"M{x:.1},{:.1}L{:.1},{:.1}\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.8\"/>",
                    y[node.node],
                    left - 2.0,
                    baseline - 4.0
                );
            }
            let _ = writeln!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#555\"/><text x=\"{left:.1}\" y=\"{baseline:.1}\" font-size=\"11\" fill=\"#333\">{}</text>",
                y[node.node],
                escape(&text)
            );
        }
    }
    let _ = writeln!(
        svg,
        "<text x=\"{label_width:.1}\" y=\"14\" fill=\"#555\">distance between merged groups (1 − cosine): 0 … {largest:.2}</text>"
    );
    svg.push_str("</svg>\n");
    svg
}

/// The leaves under `root` depth-first, left before right: the dendrogram's top-to-bottom order,
/// in which every merge joins neighbours.
fn leaf_order(nodes: &[TreeNode], root: usize) -> Vec<usize> {
    let mut order = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match nodes[node].children {
            Some((left, right)) => {
                stack.push(right);
                stack.push(left);
            }
            None => order.push(node),
        }
    }
    order
}

/// The baseline for a merge label spanning (left, right) that would sit at `natural`: the first
/// of `natural`, a line below, a line above, two lines below and so on, up to `lines` lines away,
/// that stays inside the chart's `height` and clears every label in `placed` (left, right,
/// baseline); `natural` when none does.
fn free_baseline(
    placed: &[(f64, f64, f64)],
    (left, right): (f64, f64),
    natural: f64,
    lines: usize,
    height: f64,
) -> f64 {
    let clear = |baseline: f64| {
        placed
            .iter()
            .all(|&(a, b, other)| (other - baseline).abs() >= LINE || b <= left || right <= a)
    };
    (0..lines * 2)
        .flat_map(|step| {
            let shift = LINE * (step / 2 + step % 2) as f64;
            [natural + shift, natural - shift]
        })
        .find(|&b| b > 24.0 && b < height - 4.0 && clear(b))
        .unwrap_or(natural)
}

/// The k sweep: stability of each k tried, the threshold, the chosen k.
pub fn k_curve(selection: &KSelection) -> String {
    let (width, height, left, bottom) = (640.0, 260.0, 50.0, 36.0);
    let plot = (width - left - 20.0, height - bottom - 20.0);
    let mut svg = open(width, height, "k selection");
    let (low, high) = (
        selection.range.low as f64,
        selection.range.high.max(selection.range.low + 1) as f64,
    );
    let x_of = |k: f64| left + (k - low) / (high - low) * plot.0;
    let y_of = |v: f64| 20.0 + (1.0 - v.clamp(-0.1, 1.0)) / 1.1 * plot.1;
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#D55E00\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#D55E00\" text-anchor=\"end\">stable at {STABLE_AGREEMENT}</text>",
        y_of(STABLE_AGREEMENT),
        left + plot.0,
        y_of(STABLE_AGREEMENT),
        left + plot.0,
        y_of(STABLE_AGREEMENT) - 4.0
    );
    let points: Vec<String> = selection
        .trials
        .iter()
        .map(|t| format!("{:.1},{:.1}", x_of(t.k as f64), y_of(t.stability)))
        .collect();
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\"/>",
        points.join(" ")
    );
    for trial in &selection.trials {
        let chosen = trial.k == selection.k;
        let _ = writeln!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\" fill=\"{}\"/>",
            x_of(trial.k as f64),
            y_of(trial.stability),
            if chosen { 5 } else { 2 },
            if chosen { "#D55E00" } else { "#0072B2" }
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">k (chosen: {})</text><text x=\"12\" y=\"{:.1}\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">stability (adjusted Rand)</text>",
        left + plot.0 / 2.0,
        height - 6.0,
        selection.k,
        20.0 + plot.1 / 2.0,
        20.0 + plot.1 / 2.0
    );
    for k in [low, (low + high) / 2.0, high] {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x_of(k.round()),
            height - bottom + 14.0,
            k.round()
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Topics over time: each topic's share of each period, stacked, with a legend of the topics.
pub fn trends(trends: &Trends, topics: &[(usize, String, usize)]) -> String {
    let (width, left, top, plot_height) = (900.0, 44.0, 16.0, 300.0);
    let legend_rows = topics.len().div_ceil(2);
    let height = top + plot_height + 40.0 + 18.0 * legend_rows as f64;
    let plot_width = width - left - 20.0;
    let mut svg = open(width, height, "Topics over time");
    let periods = trends.periods.len();
    let x_of = |i: usize| {
        left + if periods > 1 {
            i as f64 / (periods - 1) as f64 * plot_width
        } else {
            plot_width / 2.0
        }
    };
    let y_of = |share: f64| top + (1.0 - share) * plot_height;
    let mut below = vec![0.0f64; periods];
    for (topic, &(id, _, _)) in topics.iter().enumerate() {
        let above: Vec<f64> = (0..periods)
            .map(|p| below[p] + trends.share(p, topic))
            .collect();
        let mut path = String::new();
        for (p, &top) in above.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if p == 0 { "M" } else { "L" },
                x_of(p),
                y_of(top)
            );
        }
        for p in (0..periods).rev() {
            let _ = write!(path, "L{:.1},{:.1}", x_of(p), y_of(below[p]));
        }
        let _ = writeln!(
            svg,
            "<path d=\"{path}Z\" fill=\"{}\" fill-opacity=\"0.85\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
            color(id)
        );
        below = above;
    }
    let step = periods.div_ceil(12).max(1);
    for (p, counts) in trends.periods.iter().enumerate().step_by(step) {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x_of(p),
            top + plot_height + 16.0,
            escape(&counts.period)
        );
    }
    for share in [0.0, 0.5, 1.0] {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{:.0}%</text>",
            left - 6.0,
            y_of(share) + 4.0,
            share * 100.0
        );
    }
    for (i, (id, label, _)) in topics.iter().enumerate() {
        let (column, line) = (i % 2, i / 2);
        let x = left + column as f64 * (plot_width / 2.0);
        let y = top + plot_height + 36.0 + 18.0 * line as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            y - 9.0,
            color(*id),
            x + 14.0,
            y,
            escape(&fit(&format!("{id}  {label}"), plot_width / 2.0 - 24.0))
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The document map as a static picture (for `report.md`): at most `most` points, labels at the
/// topic centres; `ids` each topic position's id.
pub fn map(layout: &MapLayout, labels: &[String], ids: &[usize], most: usize) -> String {
    let mut svg = open(WIDTH, HEIGHT, "Document map");
    let step = layout.points.len().div_ceil(most.max(1)).max(1);
    for &(x, y, topic, _) in layout.points.iter().step_by(step) {
        let _ = writeln!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.2\" fill=\"{}\" fill-opacity=\"0.7\"/>",
            color(ids.get(topic).copied().unwrap_or(topic))
        );
    }
    for (topic, &(x, y)) in layout.centers.iter().enumerate() {
        let text = escape(&fit(
            &format!(
                "{} {}",
                ids.get(topic).copied().unwrap_or(topic),
                labels.get(topic).map_or("", String::as_str)
            ),
            200.0,
        ));
        let _ = writeln!(
            svg,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-weight=\"bold\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{text}</text>"
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(node: usize, children: Option<(usize, usize)>, distance: f64, label: &str) -> TreeNode {
        TreeNode {
            node,
            children,
            distance,
            size: 2,
            label: label.to_string(),
            topics: Vec::new(),
            topic: children.is_none().then_some(node),
        }
    }

    #[test]
    fn merge_labels_never_overlap() {
        // Merge 6 sits at y 90 and the root at y 95.5, and 6's long label reaches the root's x.
        let long = "a long label for this group";
        let nodes = vec![
            node(0, None, 0.0, "t0"),
            node(1, None, 0.0, "t1"),
            node(2, None, 0.0, "t2"),
            node(3, None, 0.0, "t3"),
            node(4, None, 0.0, "t4"),
            node(5, Some((0, 1)), 0.1, long),
            node(6, Some((2, 3)), 0.2, long),
            node(7, Some((5, 6)), 0.3, long),
            node(8, Some((7, 4)), 0.35, long),
        ];
        let svg = dendrogram(&nodes, 5);
        let boxes: Vec<(f64, f64, f64)> = svg
            .lines()
            .filter_map(|line| {
                let text = line.split("<text x=\"").nth(1)?;
                if !text.contains("font-size=\"11\"") {
                    return None;
                }
                let x: f64 = text.split('"').next()?.parse().ok()?;
                let y: f64 = text.split("y=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let content = text.split('>').nth(1)?.split('<').next()?;
                Some((x, x + content.chars().count() as f64 * CHAR_WIDTH, y))
            })
            .collect();
        assert_eq!(boxes.len(), 4, "{svg}");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = (a.2 - b.2).abs() >= LINE || a.1 <= b.0 || b.1 <= a.0;
                assert!(apart, "labels at {a:?} and {b:?} overlap");
            }
        }
    }
}

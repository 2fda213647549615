//! The topic report: a fit's topics, metrics, map, tree and documents -> `report.html` (one
//! self-contained page: CSS, script and data inline, nothing fetched) and `report.md` with its
//! charts as SVG files. Pages are rendered from templates in `templates/` (minijinja); the page's
//! own script (`assets/report.js`) draws the map and runs the documents table.

pub mod layout;
pub mod svg;
pub mod tree;
pub mod trends;

use minijinja::{context, Environment};
use serde::Serialize;

use crate::cluster::choose::KSelection;
use crate::cluster::Centroids;
use crate::error::{Error, Result};
use crate::evaluate::{metric_text, Metrics};
use crate::label::{Tagged, Topics};
use crate::model::{Fit, TopicChange};
use crate::params::TopicParams;
use crate::read::Document;
use crate::seed::Seed;
use layout::MapLayout;
use tree::TreeNode;
use trends::Trends;

const HTML_TEMPLATE: &str = include_str!("../../templates/report.html.j2");
const MARKDOWN_TEMPLATE: &str = include_str!("../../templates/report.md.j2");
const CSS: &str = include_str!("../../assets/report.css");
const SCRIPT: &str = include_str!("../../assets/report.js");

/// Documents embedded in the page's table at most; the rest are in `documents.csv`.
pub const TABLE_ROWS: usize = 20_000;
/// Points of the static map beside `report.md`.
const MARKDOWN_MAP_POINTS: usize = 4_000;
/// Representative documents, tags and nearest topics listed per topic.
const LISTED: usize = 5;
/// Characters of a representative document's first sentence shown.
pub const SNIPPET_CHARACTERS: usize = 220;

/// Everything the report is made from.
pub struct ReportInput<'a> {
    pub source: &'a str,
    pub documents: &'a [Document],
    /// The first sentence of each document (see [`first_sentence`]), when kept.
    pub snippets: &'a [String],
    /// Topics over time and the date column they come from, with a date column.
    pub trends: Option<(&'a str, &'a Trends)>,
    pub topics: &'a Topics,
    /// Every document's place, in input order.
    pub placed: &'a [Tagged],
    pub centroids: &'a Centroids,
    pub metrics: &'a Metrics,
    pub k_selection: Option<&'a KSelection>,
    pub params: &'a TopicParams,
    /// The order each topic's terms are in ([`crate::TopicModel::term_order`]).
    pub term_order: crate::label::TermOrder,
    /// With sentence vectors: where they came from and their weight, in words.
    pub sentence_vectors: Option<String>,
    pub map: &'a MapLayout,
    pub tree: &'a [TreeNode],
    pub terms: usize,
    pub dims: usize,
    pub without_terms: usize,
    pub warnings: &'a [String],
    /// With a previous model: what became of its topics, new and gone first.
    pub changes: Option<&'a [TopicChange]>,
}

/// One row of the "since the previous model" section.
#[derive(Serialize)]
struct ChangeView {
    status: &'static str,
    old_topic: Option<usize>,
    old_label: String,
    new_topic: Option<usize>,
    new_label: String,
    similarity: String,
    /// The new topic's colour (the old one's for a gone topic: the colour it had).
    color: &'static str,
}

/// The topics of a fit merged pairwise into one tree (`topic_tree.csv` and the report's
/// dendrogram), each merge labelled from the summed terms of its topics.
pub fn topic_tree(fit: &Fit) -> Vec<TreeNode> {
    let labels: Vec<String> = fit.topics.topics.iter().map(|t| t.label.clone()).collect();
    let sizes: Vec<usize> = fit.topics.topics.iter().map(|t| t.size).collect();
    let mut nodes = tree::build(
        fit.model.centroids().rows(),
        &sizes,
        &labels,
        &fit.topics.term_tf,
        &fit.model.vectorizer().vocabulary().labels,
        &fit.model.tagger().shown,
    );
    for node in nodes.iter_mut().filter(|n| n.children.is_none()) {
        node.topic = Some(fit.model.topic_id(node.node));
    }
    nodes
}

/// The documents of a fit on a 2D map, `seed` drawing the sample above the map's size; `None`
/// unless the fit kept its rows ([`crate::FitInput::keep_rows`]).
pub fn document_map(fit: &Fit, seed: Seed) -> Option<MapLayout> {
    let rows = fit.rows.as_ref()?;
    let sizes: Vec<usize> = fit.topics.topics.iter().map(|t| t.size).collect();
    Some(MapLayout::build(
        rows.rows.view(),
        &rows.documents,
        &fit.row_topics(),
        &sizes,
        seed,
    ))
}

/// The rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    pub html: String,
    pub markdown: String,
    /// (file name, SVG) of each chart `report.md` shows.
    pub charts: Vec<(String, String)>,
}

/// The start of a text up to its first sentence end (`.`, `?` or `!` before a space and a
/// capital, or at the end; or a line break), at most [`SNIPPET_CHARACTERS`] characters. Only the
/// text's first few hundred bytes are looked at: this runs on every document of a corpus.
pub fn first_sentence(text: &str) -> String {
    let text = text.trim_start();
    // Four bytes a character at most: nothing past this can be shown.
    let mut window = text.len().min(SNIPPET_CHARACTERS * 4 + 8);
    while !text.is_char_boundary(window) {
        window -= 1;
    }
    let head = &text[..window];
    let mut end = head.len();
    for (at, c) in head.char_indices() {
        if c == '\n' {
            end = at;
            break;
        }
        if matches!(c, '.' | '?' | '!') {
            let rest = &text[at + c.len_utf8()..];
            let after = rest.trim_start();
            // `e.g. this` and `3.5 times` go on; `done. Next` ends.
            let spaced = rest.len() > after.len();
            if rest.is_empty() || (spaced && after.chars().next().is_some_and(char::is_uppercase)) {
                end = at + c.len_utf8();
                break;
            }
        }
    }
    let mut sentence = String::with_capacity(end.min(SNIPPET_CHARACTERS * 2));
    for word in head[..end].split_whitespace() {
        if !sentence.is_empty() {
            sentence.push(' ');
        }
        sentence.push_str(word);
    }
    let cut_needed = sentence.chars().count() > SNIPPET_CHARACTERS
        || (end == head.len() && end < text.trim_end().len());
    if cut_needed {
        let cut: String = sentence.chars().take(SNIPPET_CHARACTERS - 1).collect();
        // At the last word boundary, unless that would drop most of the text.
        let cut = match cut.rfind(' ') {
            Some(at) if at > cut.len() / 2 => &cut[..at],
            _ => cut.as_str(),
        };
        format!("{}…", cut.trim_end())
    } else {
        sentence
    }
}

/// [`first_sentence`] of every document, in parallel.
pub fn first_sentences(documents: &[Document]) -> Vec<String> {
    use rayon::prelude::*;
    documents
        .par_iter()
        .map(|d| first_sentence(&d.text))
        .collect()
}

#[derive(Serialize)]
struct TopicView {
    id: usize,
    label: String,
    size: usize,
    share: String,
    color: &'static str,
    terms: Vec<TermView>,
    representatives: Vec<DocumentView>,
    tags: Vec<(String, usize)>,
    nearest: Vec<(usize, String, String)>,
    coherence: String,
}

#[derive(Serialize)]
struct TermView {
    term: String,
    weight: String,
    width: String,
}

#[derive(Serialize)]
struct DocumentView {
    id: String,
    title: String,
    snippet: String,
}

#[derive(Serialize)]
struct MetricView {
    name: &'static str,
    value: String,
    meaning: &'static str,
}

/// The page's data for its script (see `assets/report.js`). Topics by id: `topics` and the
/// map's `centers` are indexed by it (`null` for an id no topic of this model has, one that is
/// gone since the previous model), and points and rows name it.
#[derive(Serialize)]
struct PageData<'a> {
    topics: Vec<Option<TopicData<'a>>>,
    map: MapData<'a>,
    documents: TableData<'a>,
}

#[derive(Serialize)]
struct TopicData<'a> {
    id: usize,
    label: &'a str,
    size: usize,
    color: &'static str,
}

#[derive(Serialize)]
struct MapData<'a> {
    points: Vec<(f64, f64, usize, usize)>,
    titles: Vec<&'a str>,
    centers: Vec<Option<(f64, f64)>>,
    total: usize,
    sampled: bool,
}

/// A table row: id, title, topic, topic label, score, tags.
type TableRow<'a> = (&'a str, &'a str, i64, &'a str, Option<f64>, String);

#[derive(Serialize)]
struct TableData<'a> {
    columns: [&'static str; 6],
    rows: Vec<TableRow<'a>>,
    total: usize,
}

impl ReportInput<'_> {
    /// Renders the page, the Markdown and the charts.
    pub fn render(&self) -> Result<Report> {
        let topic_list: Vec<(usize, String, usize)> = self
            .topics
            .topics
            .iter()
            .map(|t| (t.id, t.label.clone(), t.size))
            .collect();
        let labels: Vec<String> = topic_list.iter().map(|t| t.1.clone()).collect();
        let trends = self.trends.map(|(_, trends)| trends);
        let bars = svg::topic_bars(&topic_list);
        let tree_svg = svg::dendrogram(self.tree, topic_list.len());
        let k_svg = self.k_selection.map(svg::k_curve);
        let trends_svg = trends.map(|t| svg::trends(t, &topic_list));
        let ids: Vec<usize> = self.topics.topics.iter().map(|t| t.id).collect();
        let map_svg = svg::map(self.map, &labels, &ids, MARKDOWN_MAP_POINTS);
        let topics = self.topic_views();
        let data = serde_json::to_string(&self.page_data())
            .map_err(|e| Error::compute_from("cannot encode the report's data", e))?
            // Inside a script element `</script` or `<!--` could end or confuse it: no `<` at all.
            .replace('<', "\\u003c");
        let trends_view = self.trends_context();
        let summary = self.summary_context();
        let mut env = Environment::new();
        // report.html escapes as HTML (the default for its name); report.md escapes every value
        // for Markdown, where a title's raw `<svg onload=…>` would otherwise run when rendered.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") {
                minijinja::AutoEscape::Custom(MARKDOWN_ESCAPE)
            } else if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Custom(MARKDOWN_ESCAPE) {
                if value.is_safe() {
                    out.write_str(&value.to_string())
                } else {
                    out.write_str(&markdown_text(&value.to_string()))
                }
                .map_err(|e| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
                })
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        env.add_template("report.html", HTML_TEMPLATE)
            .and_then(|()| env.add_template("report.md", MARKDOWN_TEMPLATE))
            .map_err(template_failed)?;
        let changes: Option<Vec<ChangeView>> = self.changes.map(|changes| {
            changes
                .iter()
                .map(|c| ChangeView {
                    status: c.status.as_str(),
                    old_topic: c.old_topic,
                    old_label: c.old_label.clone(),
                    new_topic: c.new_topic,
                    new_label: c.new_label.clone(),
                    similarity: format!("{:.2}", c.similarity),
                    color: svg::color(c.new_topic.or(c.old_topic).unwrap_or(0)),
                })
                .collect()
        });
        let shared = context! {
            changes => changes,
            summary => summary,
            topics => topics,
            tree_nodes => self.tree.iter().skip(topic_list.len()).collect::<Vec<_>>(),
            has_k_curve => k_svg.is_some(),
            trends => trends_view,
            map => self.map_context(),
            table => context! {
                embedded => self.documents.len().min(TABLE_ROWS),
                total => self.documents.len(),
            },
        };
        let html = env
            .get_template("report.html")
            .and_then(|t| {
                t.render(context! {
                    css => CSS,
                    js => SCRIPT,
                    data => data,
                    bars_svg => bars,
                    tree_svg => tree_svg,
                    k_svg => k_svg,
                    trends_svg => trends_svg,
                    ..shared.clone()
                })
            })
            .map_err(template_failed)?;
        let mut charts = vec![
            ("report-topics.svg".to_string(), bars),
            ("report-map.svg".to_string(), map_svg),
            ("report-tree.svg".to_string(), tree_svg),
        ];
        if let Some(svg) = k_svg {
            charts.push(("report-k.svg".to_string(), svg));
        }
        if let Some(svg) = trends_svg {
            charts.push(("report-trends.svg".to_string(), svg));
        }
        let chart_names: Vec<&str> = charts.iter().map(|(name, _)| name.as_str()).collect();
        let markdown = env
            .get_template("report.md")
            .and_then(|t| t.render(context! { charts => chart_names, ..shared }))
            .map_err(template_failed)?;
        Ok(Report {
            html,
            markdown,
            charts,
        })
    }

    /// The trends section's facts for the templates (period, their number, the first and last,
    /// a note on unreadable dates, the date column); `None` without a date column.
    fn trends_context(&self) -> Option<minijinja::Value> {
        self.trends.map(|(column, t)| {
            let note = if t.unparsed > 0 {
                let (row, value) = t.first_unparsed.clone().unwrap_or_default();
                format!(
                    "{} date(s) could not be read and are left out (first: row {row}, '{}').",
                    t.unparsed, value
                )
            } else {
                String::new()
            };
            context! {
                period => t.period_name(),
                periods => t.periods.len(),
                first => t.periods.first().map(|p| p.period.clone()),
                last => t.periods.last().map(|p| p.period.clone()),
                note => note,
                column => column,
            }
        })
    }

    /// The map section's facts for the templates: points drawn of the total, and how well the
    /// map and a plain PCA map keep topics apart and neighbours together.
    fn map_context(&self) -> minijinja::Value {
        context! {
            drawn => self.map.points.len(),
            total => self.map.total,
            sampled => self.map.sampled,
            separation => format!("{:.3}", self.map.separation),
            separation_pca => format!("{:.3}", self.map.separation_pca),
            preservation => format!("{:.3}", self.map.preservation),
            preservation_pca => format!("{:.3}", self.map.preservation_pca),
        }
    }

    fn summary_context(&self) -> minijinja::Value {
        let p = self.params;
        let k_how = match (p.k, self.k_selection) {
            (crate::cluster::TopicCount::Fixed(k), _) => format!("fixed at {k} (--k)"),
            (_, Some(selection)) => selection.summary(),
            _ => "auto".to_string(),
        };
        let m = self.metrics;
        let mut metrics = vec![
            MetricView {
                name: "coherence (NPMI)",
                value: metric_text(m.coherence_npmi),
                meaning: "how often a topic's top terms occur together in documents (−1 … 1; higher: the terms belong together)",
            },
            MetricView {
                name: "diversity",
                value: format!("{:.3}", m.diversity),
                meaning: "share of distinct terms among all topics' top 25 (1: no topic repeats another's terms)",
            },
            MetricView {
                name: "silhouette",
                value: metric_text(m.silhouette),
                meaning: "how much closer documents are to their own topic than to the next one (−1 … 1), cosine, on a sample",
            },
            MetricView {
                name: "map separation",
                value: format!("{:.3}", self.map.separation),
                meaning: "share of each map point's 10 nearest neighbours on the page that share its topic (a plain PCA map: see the map)",
            },
        ];
        if let Some(labels) = &m.labels {
            let a = &labels.documents_with_terms;
            metrics.push(MetricView {
                name: "NMI against the labels",
                value: format!("{:.3}", a.nmi),
                meaning: "information the topics share with the label column (0 … 1)",
            });
            metrics.push(MetricView {
                name: "ARI against the labels",
                value: format!("{:.3}", a.ari),
                meaning: "agreement of topics and labels beyond chance (0: chance, 1: identical)",
            });
            metrics.push(MetricView {
                name: "purity",
                value: format!("{:.3}", a.purity),
                meaning: "share of documents in their topic's most common label",
            });
        }
        let weighting = p.vectorize.weighting.to_string();
        let params: Vec<(&str, String)> = vec![
            ("seed", p.seed.0.to_string()),
            ("weighting", weighting),
            (
                "min_df / max_df",
                format!("{} / {}", p.vectorize.min_df, p.vectorize.max_df),
            ),
            ("ngrams", p.vectorize.ngrams.to_string()),
            ("LSA dimensions", self.dims.to_string()),
            ("vocabulary", format!("{} terms", self.terms)),
            (
                "k-means restarts / refinement passes",
                format!("{} / {}", p.cluster.runs, p.cluster.refine_iterations),
            ),
            (
                "spectral",
                if p.spectral.is_some() { "yes" } else { "no" }.to_string(),
            ),
            ("language", p.text.language.to_string()),
            ("label terms", self.term_order.to_string()),
            (
                "sentence vectors",
                self.sentence_vectors
                    .clone()
                    .unwrap_or_else(|| "none (words only)".to_string()),
            ),
        ];
        context! {
            source => self.source,
            documents => self.documents.len(),
            without_terms => self.without_terms,
            topics => self.topics.topics.len(),
            k_how => k_how,
            params => params,
            term_order => self.term_order,
            metrics => metrics,
            label_column => m.labels.as_ref().map(|l| l.column.clone()),
            warnings => self.warnings,
        }
    }

    fn topic_views(&self) -> Vec<TopicView> {
        let total: usize = self.topics.topics.iter().map(|t| t.size).sum();
        let centroids = self.centroids.rows();
        let mut common_tags = self.common_tags();
        self.topics
            .topics
            .iter()
            .enumerate()
            .map(|(position, topic)| {
                let terms = term_views(&topic.top_terms, &topic.term_weights);
                let representatives = topic
                    .representatives
                    .iter()
                    .take(LISTED)
                    .map(|&doc| DocumentView {
                        id: self.documents[doc].id.clone(),
                        title: self.documents[doc].title.clone(),
                        snippet: self.snippets.get(doc).cloned().unwrap_or_default(),
                    })
                    .collect();
                let mut nearest: Vec<(usize, f64)> = (0..centroids.nrows())
                    .filter(|&other| other != position)
                    .map(|other| (other, centroids.row(position).dot(&centroids.row(other))))
                    .collect();
                nearest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let nearest = nearest
                    .into_iter()
                    .take(3)
                    .map(|(other, similarity)| {
                        (
                            self.topics.topics[other].id,
                            self.topics.topics[other].label.clone(),
                            format!("{similarity:.2}"),
                        )
                    })
                    .collect();
                TopicView {
                    id: topic.id,
                    label: topic.label.clone(),
                    size: topic.size,
                    share: format!("{:.1}", 100.0 * topic.size as f64 / total.max(1) as f64),
                    color: svg::color(topic.id),
                    terms,
                    representatives,
                    tags: std::mem::take(&mut common_tags[position]),
                    nearest,
                    coherence: metric_text(
                        self.metrics
                            .per_topic
                            .get(position)
                            .and_then(|t| t.coherence_npmi),
                    ),
                }
            })
            .collect()
    }

    /// Each topic's most common tags, with their counts (ties: alphabetical), counted in one
    /// pass over the documents.
    fn common_tags(&self) -> Vec<Vec<(String, usize)>> {
        // Hash maps, sorted once at the end: a million documents make five million counts.
        let mut counts: Vec<rustc_hash::FxHashMap<&str, usize>> =
            vec![Default::default(); self.topics.topics.len()];
        for placed in self.placed {
            if let Some(topic) = placed.topic {
                for tag in &placed.tags {
                    *counts[topic].entry(tag.as_str()).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .map(|topic| {
                let mut topic: Vec<(&str, usize)> = topic.into_iter().collect();
                topic.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                topic
                    .into_iter()
                    .take(8)
                    .map(|(tag, count)| (tag.to_string(), count))
                    .collect()
            })
            .collect()
    }

    fn page_data(&self) -> PageData<'_> {
        let ids: Vec<usize> = self.topics.topics.iter().map(|t| t.id).collect();
        let slots = ids.iter().max().map_or(0, |&id| id + 1);
        let mut topics: Vec<Option<TopicData<'_>>> = (0..slots).map(|_| None).collect();
        let mut centers: Vec<Option<(f64, f64)>> = vec![None; slots];
        for (position, t) in self.topics.topics.iter().enumerate() {
            topics[t.id] = Some(TopicData {
                id: t.id,
                label: &t.label,
                size: t.size,
                color: svg::color(t.id),
            });
            centers[t.id] = self.map.centers.get(position).copied();
        }
        let titles = self
            .map
            .points
            .iter()
            .map(|&(_, _, _, doc)| self.documents[doc].title.as_str())
            .collect();
        let points = self
            .map
            .points
            .iter()
            .enumerate()
            .map(|(row, &(x, y, topic, _))| (x, y, ids[topic], row))
            .collect();
        let rows = self
            .documents
            .iter()
            .zip(self.placed)
            .take(TABLE_ROWS)
            .map(|(doc, placed)| {
                let tags = &placed.tags;
                let (topic, label, score) = match placed.topic {
                    Some(topic) => (
                        ids[topic] as i64,
                        self.topics.topics[topic].label.as_str(),
                        Some((placed.score * 1e4).round() / 1e4),
                    ),
                    None => (-1, "", None),
                };
                (
                    doc.id.as_str(),
                    doc.title.as_str(),
                    topic,
                    label,
                    score,
                    tags.join("; "),
                )
            })
            .collect();
        PageData {
            topics,
            map: MapData {
                points,
                titles,
                centers,
                total: self.map.total,
                sampled: self.map.sampled,
            },
            documents: TableData {
                columns: ["id", "title", "topic", "topic_label", "score", "tags"],
                rows,
                total: self.documents.len(),
            },
        }
    }
}

/// A topic's terms with their weights and bar widths, in the topic's order. Widths are shares of
/// the heaviest term, not of the first: terms re-ranked by meaning are not in weight order.
fn term_views(terms: &[String], weights: &[f64]) -> Vec<TermView> {
    let top = weights.iter().copied().fold(0.0f64, f64::max).max(1e-12);
    terms
        .iter()
        .zip(weights)
        .map(|(term, &weight)| TermView {
            term: term.clone(),
            weight: format!("{weight:.4}"),
            width: format!("{:.1}", (weight / top * 100.0).clamp(0.0, 100.0)),
        })
        .collect()
}

fn template_failed(error: minijinja::Error) -> Error {
    Error::compute_from("cannot render the report", error)
}

/// The auto-escape mode of report.md.
const MARKDOWN_ESCAPE: &str = "markdown";

/// `text` as literal Markdown text on one line: every ASCII punctuation mark that CommonMark or
/// GitHub's renderer could read as markup here (HTML tags and entities, emphasis, links, code,
/// table cells, math, a heading) is backslash-escaped, and line breaks become spaces. Brackets
/// are escaped, so parentheses cannot make a link and stay as they are.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_shares_of_the_heaviest_term_in_any_order() {
        let terms = ["galaxies".to_string(), "stars".to_string()];
        let views = term_views(&terms, &[0.5, 2.0]);
        assert_eq!(views[0].term, "galaxies");
        assert_eq!(views[0].width, "25.0");
        assert_eq!(views[1].width, "100.0");
        assert_eq!(views[1].weight, "2.0000");
        assert!(term_views(&[], &[]).is_empty());
    }

    #[test]
    fn the_first_sentence_ends_at_a_full_stop_a_line_break_or_the_limit() {
        assert_eq!(first_sentence("One two. Three."), "One two.");
        assert_eq!(first_sentence("GPT-4.5 is big! Next"), "GPT-4.5 is big!");
        assert_eq!(first_sentence("  first line\nsecond"), "first line");
        assert_eq!(first_sentence("e.g. this stays"), "e.g. this stays");
        let long = "word ".repeat(100);
        let cut = first_sentence(&long);
        assert!(cut.chars().count() <= SNIPPET_CHARACTERS, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
    }
}

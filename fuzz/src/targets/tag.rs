//! `tag` end to end on arbitrary documents with a fixed model: the model fitted on
//! `data/papers.csv` (`fuzz/models/papers.topictag`, written by `cargo run --example
//! make_seeds`; fitted at first use when missing). The input, as UTF-8 (lossy), is split into
//! documents at U+001E, each into title and text at U+001F. Documents are independent: each
//! must be tagged alone as it is among the others.

use super::super as fuzz;

use std::num::NonZeroUsize;

use topictag::{Document, TagInput};

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    let model = fuzz::papers_model();
    let input = String::from_utf8_lossy(data);
    let documents: Vec<Document> = input
        .split('\u{1e}')
        .take(64)
        .enumerate()
        .map(|(i, doc)| {
            let (title, text) = doc.split_once('\u{1f}').unwrap_or(("", doc));
            Document::new(i.to_string(), title, text)
        })
        .collect();
    let options = TagInput {
        top: NonZeroUsize::new(3),
        ..TagInput::default()
    };
    let tagged = model.tag_with(&documents, &options).expect("tag");
    assert_eq!(tagged.len(), documents.len());
    for (document, t) in documents.iter().zip(&tagged) {
        match t.topic {
            Some(topic) => {
                assert!(topic < model.topics().len(), "topic {topic} out of range");
                assert!(t.score.is_finite(), "score {} for {:?}", t.score, document);
                assert!(t.top.len() <= 3 && !t.top.is_empty());
                assert_eq!(t.top[0].0, topic, "the best of the top topics is the topic");
                if let Some(fit) = t.fit {
                    assert!((0.0..=1.0 + 1e-9).contains(&fit), "fit {fit} outside 0..1");
                }
            }
            None => assert!(t.top.is_empty() && t.fit.is_none()),
        }
    }
    if documents.len() > 1 {
        let alone = model.tag_with(&documents[..1], &options).expect("tag one");
        assert_eq!(
            alone[0], tagged[0],
            "a document's tags depend on the others"
        );
    }
}

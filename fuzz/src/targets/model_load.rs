//! The model loader (`TopicModel::from_bytes`, as `TopicModel::load` reads a file). The first
//! byte's low bit picks the framing: 0, the rest is a whole model file; 1, the rest is the
//! postcard content, framed here with a valid header, length and checksum so that mutations
//! reach the decoder and the consistency checks. A model that loads must tag documents without
//! panicking, and its bytes must load back into the same bytes.

use super::super as fuzz;

use std::num::NonZeroUsize;

use topictag::embed::SentenceVectors;
use topictag::{TagInput, TopicModel};

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let framed;
    let bytes = if flags & 1 == 1 {
        framed = fuzz::model_file(rest);
        &framed[..]
    } else {
        rest
    };
    let Ok(model) = TopicModel::from_bytes(bytes) else {
        return;
    };
    let documents = fuzz::fixed_documents();
    // A model fitted with sentence vectors is given vectors of the kind it was fitted with.
    let vectors = match model.semantic() {
        Some(semantic) if semantic.source.dims() <= 4096 => {
            let rows =
                ndarray::Array2::from_elem((documents.len(), semantic.source.dims()), 0.5f32);
            Some(SentenceVectors::new(rows, semantic.source.clone()))
        }
        Some(_) => return,
        None => None,
    };
    if model.check_taggable().is_ok() {
        let input = TagInput {
            vectors: vectors.as_ref(),
            ..TagInput::default()
        };
        let tagged = model
            .tag_with(&documents, &input)
            .expect("a loaded, taggable model tags");
        assert_eq!(tagged.len(), documents.len());
        for t in &tagged {
            if let Some(topic) = t.topic {
                assert!(topic < model.topics().len(), "topic {topic} out of range");
            }
        }
        let input = TagInput {
            vectors: vectors.as_ref(),
            top: NonZeroUsize::new(3),
            novel_below: Some(0.5),
            ..TagInput::default()
        };
        let _ = model.tag_with(&documents, &input);
    }
    // Accessors a caller uses after loading.
    let _ = (
        model.topic_ids(),
        model.next_id(),
        model.dims(),
        model.vocabulary_size(),
    );
    let again = model.to_bytes().expect("a loaded model encodes");
    let reloaded = TopicModel::from_bytes(&again).expect("a model's own bytes load");
    assert!(
        reloaded.to_bytes().expect("encodes") == again,
        "a model's bytes do not load back into the same bytes"
    );
}

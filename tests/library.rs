//! The library as a binding uses it, in-process: fit, tag, model bytes in and out, a cancel
//! token, and every kind of error, without the command line.

use std::num::NonZeroUsize;

use topictag::read::{InputSource, ReadParams};
use topictag::write::WriteParams;
use topictag::{
    Cancel, Document, Error, ErrorKind, FitInput, RunConfig, TagInput, TopicCount, TopicModel,
    TopicParams,
};

/// Sixty short documents on three themes.
fn documents() -> Vec<Document> {
    let themes = [
        "galaxy telescope stars orbit nebula",
        "protein gene cell enzyme genome",
        "guitar melody chords concert violin",
    ];
    (0..60)
        .map(|i| {
            let words: Vec<&str> = themes[i % 3].split(' ').collect();
            let text = (0..8)
                .map(|j| words[(i + j * 2) % 5])
                .collect::<Vec<_>>()
                .join(" ");
            Document::new(format!("d{i}"), "", text)
        })
        .collect()
}

fn params(k: usize) -> TopicParams {
    let mut params = TopicParams {
        k: TopicCount::Fixed(k),
        ..TopicParams::default()
    };
    params.vectorize.max_df = 0.9;
    params
}

#[test]
fn a_fit_places_every_document_as_tag_does() {
    let documents = documents();
    let fit = TopicModel::fit(&documents, &params(3)).expect("fit");
    assert_eq!(fit.model.topics().len(), 3);
    assert_eq!(fit.documents.len(), documents.len());
    assert_eq!(fit.topics.topics.len(), 3);
    assert!(fit.rows.is_none(), "rows are kept only when asked for");
    // The fit's rows are the ones tag gives the same documents, bit for bit.
    assert_eq!(fit.model.tag(&documents).expect("tag"), fit.documents);
    // Each theme is one topic.
    for theme in 0..3 {
        let topic = fit.documents[theme].topic;
        assert!(topic.is_some());
        assert!((theme..60)
            .step_by(3)
            .all(|doc| fit.documents[doc].topic == topic));
    }
}

#[test]
fn best_topics_come_only_when_asked_for() {
    let documents = documents();
    let fit = TopicModel::fit(&documents, &params(3)).expect("fit");
    let input = TagInput {
        top: NonZeroUsize::new(2),
        ..TagInput::default()
    };
    let tagged = fit.model.tag_with(&documents, &input).expect("tag");
    for (with_top, plain) in tagged.iter().zip(&fit.documents) {
        assert_eq!(with_top.top.len(), 2);
        assert_eq!(
            with_top.top[0],
            (plain.topic.expect("a topic"), plain.score)
        );
        assert_eq!(with_top.topic, plain.topic);
    }
    assert!(fit.documents.iter().all(|t| t.top.is_empty()));
}

#[test]
fn kept_rows_are_one_per_document_with_terms() {
    let mut documents = documents();
    documents.push(Document::new("empty", "", ""));
    let input = FitInput::new().keep_rows();
    let fit = TopicModel::fit_with(&documents, &params(3), &input).expect("fit");
    let rows = fit.rows.as_ref().expect("kept rows");
    assert_eq!(rows.rows.nrows(), documents.len() - 1);
    assert_eq!(rows.documents, (0..documents.len() - 1).collect::<Vec<_>>());
    assert_eq!(fit.row_topics().len(), rows.rows.nrows());
    assert_eq!(fit.without_terms(), 1);
    assert_eq!(fit.documents.last().expect("last").topic, None);
}

#[test]
fn model_bytes_load_back_identical_and_tag_the_same() {
    let documents = documents();
    let fit = TopicModel::fit(&documents, &params(3)).expect("fit");
    let bytes = fit.model.to_bytes().expect("bytes");
    let loaded = TopicModel::from_bytes(&bytes).expect("from bytes");
    assert_eq!(loaded, fit.model);
    assert_eq!(loaded.to_bytes().expect("bytes again"), bytes);
    assert_eq!(loaded.tag(&documents).expect("tag"), fit.documents);
    // The same checks as a file: a flipped byte is named as corruption.
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let error = TopicModel::from_bytes(&flipped).expect_err("corrupted");
    assert_eq!(error.kind(), ErrorKind::ModelFile);
    assert!(error.to_string().contains("<model bytes>"), "{error}");
    assert!(error.to_string().contains("checksum"), "{error}");
    let error = TopicModel::from_bytes(&bytes[..bytes.len() / 2]).expect_err("truncated");
    assert!(error.to_string().contains("truncated"), "{error}");
    // A file and its bytes load to the same model.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.topictag");
    fit.model.save(&path).expect("save");
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    assert_eq!(TopicModel::load(&path).expect("load"), loaded);
}

#[test]
fn a_set_token_stops_fit_tag_and_run_with_nothing_written() {
    let documents = documents();
    let cancel = Cancel::new();
    cancel.cancel();
    let input = FitInput::new().cancel(&cancel);
    let error = TopicModel::fit_with(&documents, &params(3), &input).expect_err("cancelled");
    assert!(matches!(error, Error::Cancelled), "{error}");
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(error.kind().exit_code(), 130);

    let fit = TopicModel::fit(&documents, &params(3)).expect("fit");
    let input = TagInput {
        cancel: Some(&cancel),
        ..TagInput::default()
    };
    let error = fit
        .model
        .tag_with(&documents, &input)
        .expect_err("cancelled");
    assert!(matches!(error, Error::Cancelled), "{error}");

    let dir = tempfile::tempdir().expect("temp dir");
    let input_file = dir.path().join("docs.csv");
    let mut csv = String::from("id,text\n");
    for document in &documents {
        csv.push_str(&format!("{},{}\n", document.id, document.text));
    }
    std::fs::write(&input_file, csv).expect("write input");
    let config = RunConfig {
        read: ReadParams {
            source: InputSource::File(input_file),
            ..ReadParams::default()
        },
        params: params(3),
        write: WriteParams {
            dir: dir.path().join("out"),
            ..WriteParams::default()
        },
        ..RunConfig::default()
    };
    let error = topictag::run_with(&config, &cancel.watch(&topictag::Silent)).expect_err("run");
    assert!(matches!(error, Error::Cancelled), "{error}");
    assert!(
        !dir.path().join("out").exists(),
        "a cancelled run writes nothing"
    );
    // The same run without the token writes the whole set.
    let summary = topictag::run(&config).expect("run");
    assert!(summary.files.iter().all(|f| f.exists()));
}

#[test]
fn every_kind_of_error_is_named_and_mapped() {
    let documents = documents();
    // Param: a setting the fit cannot use, named as the library calls it.
    let mut bad = params(3);
    bad.vectorize.min_df = 0;
    let error = TopicModel::fit(&documents, &bad).expect_err("min_df 0");
    assert_eq!(error.kind(), ErrorKind::Param);
    assert!(error.to_string().contains("min_df"), "{error}");
    let error = TopicModel::fit(&documents, &params(500)).expect_err("k too large");
    assert_eq!(error.kind(), ErrorKind::Param);
    // Input: documents with no term left, named as documents in memory.
    let blank = vec![Document::new("a", "", "the of and"); 5];
    let error = TopicModel::fit(&blank, &params(2)).expect_err("no terms");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(error.to_string().starts_with("<documents>:"), "{error}");
    let named = error.for_input(std::path::Path::new("papers.csv"));
    assert!(named.to_string().starts_with("papers.csv:"), "{named}");
    // ModelFile: bytes that are not a model.
    let error = TopicModel::from_bytes(b"not a model").expect_err("foreign");
    assert_eq!(error.kind(), ErrorKind::ModelFile);
    // Input: a model path that does not exist is an input that cannot be read.
    let error =
        TopicModel::load(std::path::Path::new("/nonexistent/model.topictag")).expect_err("missing");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(
        std::error::Error::source(&error).is_some(),
        "the io error is kept"
    );
    // Io: a model saved where no file can be made.
    let fit = TopicModel::fit(&documents, &params(3)).expect("fit");
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").expect("write");
    let error = fit
        .model
        .save(&blocker.join("model.topictag"))
        .expect_err("under a file");
    assert_eq!(error.kind(), ErrorKind::Io);
    assert!(
        std::error::Error::source(&error).is_some(),
        "the io error is kept"
    );
    // One function maps kinds to what the command line does.
    let codes: Vec<u8> = [
        ErrorKind::Param,
        ErrorKind::Input,
        ErrorKind::ModelFile,
        ErrorKind::Io,
        ErrorKind::Compute,
        ErrorKind::Cancelled,
    ]
    .iter()
    .map(|kind| kind.exit_code())
    .collect();
    assert_eq!(codes, [2, 2, 2, 1, 1, 130]);
}

#[test]
fn errors_cross_threads_for_bindings() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Error>();
    send_sync::<TopicModel>();
    send_sync::<Cancel>();
}

/// Sets its token when a named stage starts: a cancel that lands inside that stage.
struct CancelAt {
    stage: &'static str,
    cancel: Cancel,
}

impl topictag::Progress for CancelAt {
    fn stage(&self, name: &'static str) {
        if name == self.stage {
            self.cancel.cancel();
        }
    }
    fn measure(&self, _work: topictag::progress::Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

#[test]
fn a_cancel_inside_any_stage_stops_the_fit() {
    let documents = documents();
    let mut auto = params(3);
    auto.k = TopicCount::Auto;
    let mut spectral = params(3);
    spectral.spectral = Some(Default::default());
    for (stage, params) in [
        ("text", params(3)),
        ("vectorize", params(3)),
        ("reduce", params(3)),
        ("choose k", auto),
        ("spectral", spectral),
        ("cluster", params(3)),
        ("label", params(3)),
        ("evaluate", params(3)),
    ] {
        let progress = CancelAt {
            stage,
            cancel: Cancel::new(),
        };
        let input = FitInput::new().progress(&progress);
        let outcome = TopicModel::fit_with(&documents, &params, &input);
        assert!(
            matches!(outcome, Err(Error::Cancelled)),
            "a cancel in {stage} gave {:?}",
            outcome.map(|fit| fit.model.topics().len())
        );
    }
}

#[test]
fn the_model_says_how_its_terms_were_ordered() {
    use topictag::embed::{SentenceVectors, VectorSource};
    use topictag::label::TermOrder;
    let documents = documents();
    let words = TopicModel::fit(&documents, &params(3)).expect("fit");
    assert_eq!(words.model.term_order(), TermOrder::ByCooccurrence);
    let mut in_order = params(3);
    in_order.label.rerank = false;
    let fit = TopicModel::fit(&documents, &in_order).expect("fit");
    assert_eq!(fit.model.term_order(), TermOrder::ClassBased);
    // One vector per document, by theme.
    let rows =
        ndarray::Array2::from_shape_fn(
            (documents.len(), 4),
            |(i, j)| {
                if i % 3 == j {
                    1.0
                } else {
                    0.1
                }
            },
        );
    let from_file = SentenceVectors::new(rows.clone(), VectorSource::File { dims: 4 });
    let fit = TopicModel::fit_with(&documents, &params(3), &FitInput::new().vectors(&from_file))
        .expect("fit");
    assert_eq!(fit.model.term_order(), TermOrder::ByCooccurrence);
    // A sentence model's vectors without the model to embed terms with: nothing re-ranks them
    // by meaning, so they stay in class-based order, as the model says.
    let source = VectorSource::Model {
        name: "tiny".into(),
        hash: "0".repeat(64),
        dims: 4,
    };
    let from_model = SentenceVectors::new(rows, source);
    let fit = TopicModel::fit_with(
        &documents,
        &params(3),
        &FitInput::new().vectors(&from_model),
    )
    .expect("fit");
    assert_eq!(fit.model.term_order(), TermOrder::ClassBased);
}

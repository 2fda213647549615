//! topictag: documents in, topics out, and a saved model that puts new documents into the same
//! topics.
//!
//! The fit, stage by stage, each a params struct whose `fit` returns a fitted stage that
//! transforms new input: text ([`text::Analyzer`]) -> vectorize ([`vectorize::Vectorizer`]) ->
//! reduce ([`reduce::Lsa`]) -> cluster ([`cluster::Centroids`]) -> label -> evaluate. The fitted
//! stages together are a [`TopicModel`], which [`TopicModel::fit`] returns in a [`Fit`] beside every
//! document's place and the metrics; [`run()`] adds reading the input and writing the output
//! files, as the command line does.
//!
//! ```
//! use topictag::{Document, TopicCount, TopicModel, TopicParams};
//!
//! let texts = ["galaxy stars telescope orbit", "protein gene cell enzyme"];
//! let documents: Vec<Document> = (0..40)
//!     .map(|i| Document::new(i.to_string(), "", texts[i % 2]))
//!     .collect();
//! let params = TopicParams { k: TopicCount::Fixed(2), ..TopicParams::default() };
//! let mut params = params;
//! params.vectorize.max_df = 1.0;
//! let fit = TopicModel::fit(&documents, &params)?;
//! let tagged = fit.model.tag(&[Document::new("new", "", "a telescope sees stars")])?;
//! assert_eq!(tagged[0].topic, fit.documents[0].topic);
//! # Ok::<(), topictag::Error>(())
//! ```

pub(crate) mod class_tfidf;
pub mod cluster;
pub mod embed;
pub mod error;
pub mod evaluate;
pub mod files;
pub mod label;
pub(crate) mod linalg;
pub mod memory;
pub(crate) mod metrics;
pub mod model;
pub mod params;
pub mod progress;
pub mod read;
pub mod reduce;
pub mod report;
pub mod run;
pub mod seed;
pub mod simd;
pub(crate) mod sparse;
pub mod text;
pub mod vectorize;
pub mod write;

pub use cluster::{KRange, TopicCount};
pub use error::{Error, ErrorKind, ModelProblem, Param, Result};
pub use model::{
    Analyzed, Fit, FitInput, FitRows, Lineage, Previous, Status, TagInput, Tagged, TopicChange,
    TopicModel, TopicSummary, Untaggable,
};
pub use params::{CheckedParams, TopicParams};
pub use progress::{Cancel, Progress, Silent};
pub use read::{ColumnChoice, Document, InputSource};
pub use run::{run, run_with, RunConfig, Summary};
pub use seed::Seed;

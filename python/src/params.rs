//! Keyword arguments -> [`TopicParams`]: one keyword per fit flag of the command line, named as
//! the library names the setting, defaults the library's; an unknown keyword is a TypeError that
//! lists the known ones.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use topictag::cluster::spectral::SpectralParams;
use topictag::text::StopWords;
use topictag::{KRange, Seed, TopicCount, TopicParams};

use crate::errors::{to_py, ParamError};

/// The keywords `fit` takes for its settings.
pub const KEYWORDS: &[&str] = &[
    "k",
    "k_range",
    "seed",
    "language",
    "stop_words",
    "markup",
    "min_df",
    "max_df",
    "max_terms",
    "ngrams",
    "weighting",
    "dims",
    "refine",
    "runs",
    "spectral",
    "neighbors",
    "top_terms",
    "label_rerank",
    "fit_sample_rows",
    "embedding_weight",
];

/// The params `kwargs` set over the defaults, checked.
pub fn from_kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<TopicParams> {
    let mut params = TopicParams::default();
    let mut spectral = SpectralParams::default();
    let mut use_spectral = false;
    if let Some(kwargs) = kwargs {
        for (key, value) in kwargs.iter() {
            let key: String = key.extract()?;
            if value.is_none() {
                continue;
            }
            set(&mut params, &mut spectral, &mut use_spectral, &key, &value)?;
        }
    }
    params.spectral = use_spectral.then_some(spectral);
    params.check().map_err(to_py)?;
    Ok(params)
}

fn set(
    params: &mut TopicParams,
    spectral: &mut SpectralParams,
    use_spectral: &mut bool,
    key: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    match key {
        "k" => params.k = parse::<TopicCount>(key, &text_or_number(value)?)?,
        "k_range" => params.choose.range = Some(k_range(value)?),
        "seed" => params.seed = Seed(value.extract()?),
        "language" => params.text.language = parse(key, &value.extract::<String>()?)?,
        "stop_words" => {
            let path: PathBuf = value.extract()?;
            let mut words = StopWords::english();
            words.extend_from_file(&path).map_err(to_py)?;
            params.text.stop_words = words;
        }
        "markup" => params.text.markup = value.extract()?,
        "min_df" => params.vectorize.min_df = value.extract()?,
        "max_df" => params.vectorize.max_df = value.extract()?,
        "max_terms" => params.vectorize.max_terms = Some(value.extract()?),
        "ngrams" => params.vectorize.ngrams = value.extract()?,
        "weighting" => params.vectorize.weighting = parse(key, &value.extract::<String>()?)?,
        "dims" => params.reduce.dims = value.extract()?,
        "refine" => params.cluster.refine_iterations = value.extract()?,
        "runs" => params.cluster.runs = value.extract()?,
        "spectral" => *use_spectral = value.extract()?,
        "neighbors" => spectral.neighbors = value.extract()?,
        "top_terms" => params.label.top_terms = value.extract()?,
        "label_rerank" => params.label.rerank = value.extract()?,
        "fit_sample_rows" => params.cluster.fit_sample_rows = value.extract()?,
        "embedding_weight" => params.embedding_weight = value.extract()?,
        other => {
            return Err(PyTypeError::new_err(format!(
                "fit() got an unexpected keyword argument '{other}'; the settings are: {}",
                KEYWORDS.join(", ")
            )))
        }
    }
    Ok(())
}

/// `k` as the command line reads it: `"auto"` or a number.
fn text_or_number(value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.extract::<usize>() {
        Ok(k) => Ok(k.to_string()),
        Err(_) => value.extract::<String>(),
    }
}

/// `k_range` as `"A..B"` or a pair `(A, B)`.
fn k_range(value: &Bound<'_, PyAny>) -> PyResult<KRange> {
    let text = match value.extract::<(usize, usize)>() {
        Ok((low, high)) => format!("{low}..{high}"),
        Err(_) => value.extract::<String>()?,
    };
    parse("k_range", &text)
}

fn parse<T: std::str::FromStr>(key: &str, text: &str) -> PyResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse::<T>()
        .map_err(|e| ParamError::new_err(format!("invalid {key}: {e}")))
}

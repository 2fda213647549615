//! A sentence-transformers model folder -> [`SentenceModel`] (tokenizer, BERT encoder, pooling,
//! normalisation, all as the folder's files say); texts -> one sentence vector each.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::bert::{Bert, BertConfig};
use super::VectorSource;
use crate::error::{Error, Result};
use crate::progress::{Progress, Work};

/// Texts per batch of the forward pass, per unit of parallel work and per progress report.
/// Measured on 300 arXiv abstracts (documents/s, two runs each): 4 texts 41.3 / 40.2, 8 texts
/// 41.4 / 41.5, 16 texts 38.9 / 38.1 (larger activations fall out of cache).
const EMBED_CHUNK: usize = 8;

/// How token vectors become one sentence vector (sentence-transformers' `Pooling` module).
/// Several modes may be on at once; their results are joined in this order, as there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
struct Pooling {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode_weightedmean_tokens: bool,
    #[serde(default)]
    pooling_mode_lasttoken: bool,
}

impl Pooling {
    fn mean() -> Self {
        Pooling {
            pooling_mode_mean_tokens: true,
            ..Pooling::default()
        }
    }

    fn check(&self) -> std::result::Result<usize, String> {
        if self.pooling_mode_weightedmean_tokens || self.pooling_mode_lasttoken {
            return Err(
                "pooling config: weighted-mean and last-token pooling are not supported (cls, max, mean, mean_sqrt_len are)"
                    .into(),
            );
        }
        let modes = [
            self.pooling_mode_cls_token,
            self.pooling_mode_max_tokens,
            self.pooling_mode_mean_tokens,
            self.pooling_mode_mean_sqrt_len_tokens,
        ]
        .iter()
        .filter(|&&on| on)
        .count();
        if modes == 0 {
            return Err("pooling config: no pooling mode is switched on".into());
        }
        Ok(modes)
    }

    /// The sentence vector of `states` (tokens x hidden).
    fn pool(&self, states: &[f32], hidden: usize) -> Vec<f32> {
        let tokens = states.len() / hidden;
        let mut out = Vec::new();
        if self.pooling_mode_cls_token {
            out.extend_from_slice(&states[..hidden]);
        }
        if self.pooling_mode_max_tokens {
            let mut max = vec![f32::NEG_INFINITY; hidden];
            for row in states.chunks_exact(hidden) {
                for (m, &v) in max.iter_mut().zip(row) {
                    *m = m.max(v);
                }
            }
            out.extend(max);
        }
        if self.pooling_mode_mean_tokens || self.pooling_mode_mean_sqrt_len_tokens {
            let mut sum = vec![0.0f32; hidden];
            for row in states.chunks_exact(hidden) {
                for (s, &v) in sum.iter_mut().zip(row) {
                    *s += v;
                }
            }
            if self.pooling_mode_mean_tokens {
                out.extend(sum.iter().map(|s| s / tokens as f32));
            }
            if self.pooling_mode_mean_sqrt_len_tokens {
                let root = (tokens as f32).sqrt();
                out.extend(sum.iter().map(|s| s / root));
            }
        }
        out
    }
}

#[derive(Deserialize)]
struct ModuleEntry {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct TokenizerConfig {
    model_max_length: Option<f64>,
}

/// One text's vector and whether the text was cut.
type OneVector = (Vec<f32>, bool);

/// A sentence-transformers model of the BERT family, loaded from its folder.
pub struct SentenceModel {
    dir: PathBuf,
    tokenizer: Tokenizer,
    bert: Bert,
    pooling: Pooling,
    normalize: bool,
    max_tokens: usize,
    dims: usize,
    hash: String,
}

impl std::fmt::Debug for SentenceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceModel")
            .field("dir", &self.dir)
            .field("dims", &self.dims)
            .field("max_tokens", &self.max_tokens)
            .field("hash", &self.hash)
            .finish()
    }
}

/// Vectors for a list of texts, and how many of the texts were cut at the model's limit.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// One row per text.
    pub rows: Array2<f32>,
    /// Per text, whether it was cut at the model's token limit.
    pub cut: Vec<bool>,
}

impl Embedded {
    /// Texts cut at the model's token limit.
    pub fn truncated(&self) -> usize {
        self.cut.iter().filter(|&&c| c).count()
    }
}

/// Reads the folder's files, hashing each (name, length, bytes) into the model's identity.
struct Folder<'a> {
    dir: &'a Path,
    hasher: Sha256,
}

impl Folder<'_> {
    fn read(&mut self, name: &str) -> std::result::Result<Option<Vec<u8>>, String> {
        let path = self.dir.join(name);
        // Links are followed (a Hugging Face cache links every file into its blobs); what they
        // reach must be a regular file of a sane size, never a device that reads forever.
        let read = crate::files::require_regular(&path)
            .and_then(|()| crate::files::read_capped(&path, file_cap(name)));
        match read {
            Ok(bytes) => {
                self.hasher.update(name.as_bytes());
                self.hasher.update((bytes.len() as u64).to_le_bytes());
                self.hasher.update(&bytes);
                Ok(Some(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{name}: cannot read: {e}")),
        }
    }

    fn require(&mut self, name: &str, what: &str) -> std::result::Result<Vec<u8>, String> {
        self.read(name)?
            .ok_or_else(|| format!("missing {name} ({what})"))
    }

    /// `modules.json`, and the pooling config it names -> the pooling and whether vectors are
    /// normalised; without `modules.json`, mean pooling and no normalisation.
    fn modules(&mut self) -> std::result::Result<(Pooling, bool), String> {
        let modules: Option<Vec<ModuleEntry>> = self
            .read("modules.json")?
            .map(|b| json("modules.json", &b))
            .transpose()?;
        let mut pooling = Pooling::mean();
        let mut normalize = false;
        for module in modules.iter().flatten() {
            let kind = module.kind.rsplit('.').next().unwrap_or_default();
            match kind {
                "Transformer" => {}
                "Pooling" => {
                    // Written with '/' on every system, so the folder hashes the same anywhere.
                    let name = if module.path.is_empty() {
                        "config.json".to_string()
                    } else {
                        format!("{}/config.json", module.path.trim_end_matches('/'))
                    };
                    pooling = json(&name, &self.require(&name, "the pooling settings")?)?;
                }
                "Normalize" => normalize = true,
                _ => {
                    return Err(format!(
                        "modules.json: module {} is not supported (Transformer, Pooling and Normalize are)",
                        module.kind
                    ))
                }
            }
        }
        Ok((pooling, normalize))
    }

    /// `sentence_bert_config.json` and `tokenizer_config.json`, when present -> the tokens a
    /// text is cut to, never past the `config`'s positions.
    fn text_limit(&mut self, config: &BertConfig) -> std::result::Result<usize, String> {
        let sbert: Option<SentenceBertConfig> = self
            .read("sentence_bert_config.json")?
            .map(|b| json("sentence_bert_config.json", &b))
            .transpose()?;
        let tokenizer_config: Option<TokenizerConfig> = self
            .read("tokenizer_config.json")?
            .map(|b| json("tokenizer_config.json", &b))
            .transpose()?;
        let limit = sbert
            .and_then(|s| s.max_seq_length)
            .or_else(|| {
                tokenizer_config
                    .and_then(|t| t.model_max_length)
                    .filter(|&m| m >= 2.0 && m <= config.max_position_embeddings as f64)
                    .map(|m| m as usize)
            })
            .unwrap_or(config.max_position_embeddings)
            .min(config.max_position_embeddings);
        if limit < 2 {
            return Err(format!(
                "a text limit of {limit} tokens (max_seq_length, or config.json's max_position_embeddings) leaves no room for text"
            ));
        }
        Ok(limit)
    }

    /// `tokenizer.json` -> the tokenizer, cutting at `limit` tokens and padding nothing; its
    /// vocabulary must fit the `config`'s.
    fn tokenizer(
        &mut self,
        config: &BertConfig,
        limit: usize,
    ) -> std::result::Result<Tokenizer, String> {
        let tokenizer_bytes = self.require("tokenizer.json", "the tokenizer")?;
        // The tokenizers crate panics on some malformed files (an `expect` in its decoder's
        // deserializer met a broken value: not JSON, or a string that is not UTF-8; both found
        // by fuzzing): the JSON is parsed whole here first, its strings checked as UTF-8, and a
        // panic left in its parser is turned into this error rather than a crash.
        let json = serde_json::from_slice::<serde_json::Value>(&tokenizer_bytes)
            .map_err(|e| format!("tokenizer.json: not JSON ({e})"))?;
        // Its template post-processor indexes its special tokens by name when it encodes, and
        // panics on one it does not list (found by fuzzing): every name a template uses must be
        // listed.
        check_templates(&json["post_processor"])?;
        let parsed =
            std::panic::catch_unwind(|| Tokenizer::from_bytes(&tokenizer_bytes)).map_err(|_| {
                "tokenizer.json: not a readable tokenizer (its parser failed)".to_string()
            })?;
        let mut tokenizer =
            parsed.map_err(|e| format!("tokenizer.json: not a readable tokenizer ({e})"))?;
        // The file may carry its own truncation and fixed padding (MiniLM's pads every text to
        // 128): the model's limit and no padding are what sentence-transformers applies.
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: limit,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| format!("tokenizer.json: {e}"))?;
        tokenizer.with_padding(None);
        if tokenizer.get_vocab_size(true) > config.vocab_size {
            return Err(format!(
                "tokenizer.json has {} tokens, more than config.json's vocab_size {}",
                tokenizer.get_vocab_size(true),
                config.vocab_size
            ));
        }
        // Checked here, not at the first text that meets them: a vocabulary without tokens, or
        // an id past the model's embedding table, would fail at embedding time, far from the
        // folder's cause.
        let vocab = tokenizer.get_vocab(true);
        if vocab.is_empty() {
            return Err("tokenizer.json has an empty vocabulary".into());
        }
        if let Some((token, id)) = vocab
            .iter()
            .filter(|(_, &id)| id as usize >= config.vocab_size)
            .min_by_key(|(token, &id)| (id, token.as_str()))
        {
            return Err(format!(
                "tokenizer.json gives the token {token:?} the id {id}, outside config.json's vocab_size {}",
                config.vocab_size
            ));
        }
        Ok(tokenizer)
    }
}

/// The largest size read of each file of a model folder: the weights of the largest BERT-family
/// sentence models are a few GB; a tokenizer is at most tens of MB (a multilingual one, 17 MB);
/// the other files are a few hundred bytes of settings.
/// A `TemplateProcessing` post-processor (alone or in a `Sequence`) whose `single` or `pair`
/// template names a special token its `special_tokens` does not list.
fn check_templates(processor: &serde_json::Value) -> std::result::Result<(), String> {
    match processor["type"].as_str() {
        Some("Sequence") => {
            for inner in processor["processors"].as_array().into_iter().flatten() {
                check_templates(inner)?;
            }
            Ok(())
        }
        Some("TemplateProcessing") => {
            let listed = processor["special_tokens"].as_object();
            for template in ["single", "pair"] {
                for piece in processor[template].as_array().into_iter().flatten() {
                    if let Some(name) = piece["SpecialToken"]["id"].as_str() {
                        if !listed.is_some_and(|l| l.contains_key(name)) {
                            return Err(format!(
                                "tokenizer.json: the post-processor's {template} template uses the special token {name:?}, which its special_tokens do not list"
                            ));
                        }
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn file_cap(name: &str) -> u64 {
    use crate::files::MIB;
    match name {
        "model.safetensors" => 16 * 1024 * MIB,
        // The largest published ones are some 35 MB; the JSON is parsed whole before use.
        "tokenizer.json" => 128 * MIB,
        _ => 16 * MIB,
    }
}

fn json<T: for<'de> Deserialize<'de>>(name: &str, bytes: &[u8]) -> std::result::Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{name}: {e}"))
}

impl SentenceModel {
    /// Loads the model in `dir`: `config.json`, `tokenizer.json`, `model.safetensors`, and
    /// when present `modules.json`, the pooling config, `sentence_bert_config.json` and
    /// `tokenizer_config.json`. A missing or broken file, an architecture other than BERT or a
    /// weight of the wrong shape is an [`Error::SentenceModel`] naming the folder.
    pub fn load(dir: &Path) -> Result<SentenceModel> {
        Self::load_inner(dir).map_err(|problem| Error::SentenceModel {
            path: dir.to_path_buf(),
            problem,
        })
    }

    fn load_inner(dir: &Path) -> std::result::Result<SentenceModel, String> {
        if !dir.is_dir() {
            return Err(if dir.exists() {
                "is a file; give the model's folder (with config.json, tokenizer.json and model.safetensors)".into()
            } else {
                "no such folder".into()
            });
        }
        let mut folder = Folder {
            dir,
            hasher: Sha256::new(),
        };
        let config: BertConfig = json(
            "config.json",
            &folder.require("config.json", "the model's architecture")?,
        )?;
        config.check()?;
        // The files are read, and so hashed, in this order.
        let (pooling, normalize) = folder.modules()?;
        let pooled = pooling.check()?;
        let limit = folder.text_limit(&config)?;
        let tokenizer = folder.tokenizer(&config, limit)?;
        let weights = folder.require("model.safetensors", "the weights")?;
        let bert = Bert::load(&config, &weights)?;
        let hash: String = folder
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(SentenceModel {
            dir: dir.to_path_buf(),
            tokenizer,
            dims: pooled * bert.hidden(),
            bert,
            pooling,
            normalize,
            max_tokens: limit,
            hash,
        })
    }

    /// Who made the vectors: the folder's name and content hash, and their length.
    pub fn source(&self) -> VectorSource {
        VectorSource::Model {
            name: self
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.dir.display().to_string()),
            hash: self.hash.clone(),
            dims: self.dims,
        }
    }

    /// SHA-256 of the files the model was loaded from, in hex.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Tokens a text is cut to (special tokens included).
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// One text's vector, and whether the text was cut at the model's limit.
    pub fn embed_one(&self, text: &str) -> Result<(Vec<f32>, bool)> {
        let mut one = self.embed_batch(&[text], 0)?;
        Ok(one.pop().expect("one vector per text"))
    }

    /// A text's token ids, and whether they were cut at the model's limit; the problem, when
    /// the folder's tokenizer cannot give the model something to read.
    fn tokenize(&self, text: &str) -> std::result::Result<(Vec<u32>, bool), String> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| format!("the tokenizer fails on it ({e})"))?;
        let ids = encoding.get_ids();
        if ids.is_empty() {
            return Err(
                "the tokenizer gives no tokens for it (tokenizer.json adds no [CLS]/[SEP] tokens)"
                    .into(),
            );
        }
        if ids.len() > self.bert.max_positions() {
            return Err(format!(
                "the tokenizer gives {} tokens for it, more than the model's {} positions",
                ids.len(),
                self.bert.max_positions()
            ));
        }
        if let Some(&id) = ids
            .iter()
            .find(|&&id| id as usize >= self.bert.vocab_size())
        {
            return Err(format!(
                "the tokenizer gives the token id {id}, outside the model's vocabulary of {}",
                self.bert.vocab_size()
            ));
        }
        Ok((ids.to_vec(), !encoding.get_overflowing().is_empty()))
    }

    /// Several texts' vectors through one batched forward pass; each vector has the same bits
    /// as the text's alone. `first` is the place of `texts[0]` among the texts given, for errors.
    fn embed_batch(&self, texts: &[&str], first: usize) -> Result<Vec<OneVector>> {
        let tokens = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.tokenize(t).map_err(|problem| Error::EmbedText {
                    path: self.dir.to_path_buf(),
                    row: (first + i + 1) as u64,
                    problem,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<&[u32]> = tokens.iter().map(|(ids, _)| ids.as_slice()).collect();
        let states = self.bert.forward(&ids);
        states
            .iter()
            .zip(&tokens)
            .map(|(states, (_, cut))| {
                let mut vector = self.pooling.pool(states, self.bert.hidden());
                if self.normalize {
                    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                    for v in &mut vector {
                        *v /= norm;
                    }
                }
                (vector, *cut)
            })
            .map(|(vector, cut)| {
                if vector.iter().all(|v| v.is_finite()) {
                    Ok((vector, cut))
                } else {
                    Err(Error::SentenceModel {
                        path: self.dir.to_path_buf(),
                        problem: "the model gives NaN or infinite values (its weights or layer_norm_eps are unusable)".into(),
                    })
                }
            })
            .collect()
    }

    /// Every text's vector, in parallel across batches of texts. A text that cannot be embedded
    /// is an [`Error::EmbedText`] naming its place among `texts` (1-based). A vector has the same bits in
    /// any batch and on any number of threads. `progress` counts documents.
    pub fn embed(&self, texts: &[&str], progress: &dyn Progress) -> Result<Embedded> {
        progress.measure(Work::items("documents", texts.len()));
        let chunks: Vec<Result<Vec<OneVector>>> = texts
            .par_chunks(EMBED_CHUNK)
            .enumerate()
            .map(|(at, chunk)| {
                crate::progress::check(progress)?;
                let out = self.embed_batch(chunk, at * EMBED_CHUNK);
                progress.advance(chunk.len() as u64);
                out
            })
            .collect();
        let mut rows = Array2::<f32>::zeros((texts.len(), self.dims));
        let mut cut = Vec::with_capacity(texts.len());
        let mut at = 0;
        for chunk in chunks {
            for (vector, was_cut) in chunk? {
                rows.row_mut(at)
                    .as_slice_mut()
                    .expect("rows of a fresh array are contiguous")
                    .copy_from_slice(&vector);
                cut.push(was_cut);
                at += 1;
            }
        }
        Ok(Embedded { rows, cut })
    }
}

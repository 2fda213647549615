//! A tiny random BERT sentence-transformers folder, made by the tests: a few KB of safetensors,
//! a WordPiece `tokenizer.json` whose vocabulary holds the fixture's words, and the
//! sentence-transformers config files. Its vectors mean nothing; they exercise every part of
//! the embedding path (loading, tokenizing, truncating, pooling, caching, tagging) quickly.

use std::collections::BTreeMap;
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};

pub const HIDDEN: usize = 16;
const HEADS: usize = 2;
const INTERMEDIATE: usize = 32;
const LAYERS: usize = 2;
const POSITIONS: usize = 64;
/// Texts are cut to this many tokens (sentence_bert_config.json).
pub const MAX_TOKENS: usize = 10;

/// What to break in the folder, for the error tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    None,
    MissingWeights,
    MissingTensor,
    WrongShape,
    Architecture,
    BrokenConfig,
    MissingTokenizer,
    /// `layer_norm_eps` 1e300: every vector the same, were it run.
    HugeEpsilon,
    /// A WordPiece vocabulary with no tokens.
    EmptyVocabulary,
    /// A token whose id is past config.json's `vocab_size`.
    IdPastVocabulary,
    /// No [CLS]/[SEP] added: a text with no words gives no tokens at all.
    NoSpecialTokens,
}

fn vocabulary() -> Vec<String> {
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ".", ",", "-", "'"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let text = std::fs::read_to_string(super::fixture("themes/docs.csv")).expect("fixture");
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    vocab.extend(words);
    for c in 'a'..='z' {
        vocab.push(c.to_string());
        vocab.push(format!("##{c}"));
    }
    vocab.sort_by_key(|w| !w.starts_with('['));
    let mut seen = std::collections::HashSet::new();
    vocab.retain(|w| seen.insert(w.clone()));
    vocab
}

fn tokenizer_json(vocab: &[String], flaw: Flaw) -> String {
    let mut ids: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), serde_json::json!(i)))
        .collect();
    match flaw {
        Flaw::EmptyVocabulary => ids.clear(),
        Flaw::IdPastVocabulary => {
            // As many tokens as the model has rows, one of them numbered past the last row.
            ids.remove(vocab.last().expect("a vocabulary"));
            ids.insert("zzzz".into(), serde_json::json!(vocab.len() + 5));
        }
        _ => {}
    }
    let special = |id: usize, content: &str| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    let cls = vocab.iter().position(|w| w == "[CLS]").expect("cls");
    let sep = vocab.iter().position(|w| w == "[SEP]").expect("sep");
    let mut json = serde_json::json!({
        "version": "1.0",
        // As all-MiniLM-L6-v2's file does: truncation and fixed padding that the loader replaces.
        "truncation": {"direction": "Right", "max_length": 8, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": 8}, "direction": "Right", "pad_to_multiple_of": null,
            "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(cls, "[CLS]"), special(sep, "[SEP]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": ids}
    });
    if flaw == Flaw::EmptyVocabulary {
        json["added_tokens"] = serde_json::json!([]);
    }
    if flaw == Flaw::NoSpecialTokens {
        json["post_processor"] = serde_json::Value::Null;
    }
    json.to_string()
}

/// Deterministic small weights (xorshift), different for each `seed`.
struct Weights(u64);

impl Weights {
    fn take(&mut self, n: usize, scale: f32) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 * n);
        for _ in 0..n {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let unit = (self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            out.extend_from_slice(&(unit * scale).to_le_bytes());
        }
        out
    }
}

/// Writes the folder; `seed` changes the weights (and so the model's identity).
pub fn write(dir: &Path, seed: u64, flaw: Flaw) {
    std::fs::create_dir_all(dir.join("1_Pooling")).expect("mkdir");
    for (name, bytes) in files(seed, flaw) {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

/// The folder's files (path inside the folder, bytes), as [`write`] writes them.
pub fn files(seed: u64, flaw: Flaw) -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let vocab = vocabulary();
    let model_type = if flaw == Flaw::Architecture {
        "roberta"
    } else {
        "bert"
    };
    let config = serde_json::json!({
        "architectures": ["BertModel"], "model_type": model_type, "hidden_act": "gelu",
        "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
        "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2, "vocab_size": vocab.len(),
        "layer_norm_eps": if flaw == Flaw::HugeEpsilon { 1e300 } else { 1e-12 },
    });
    let config = if flaw == Flaw::BrokenConfig {
        "{\"model_type\": \"bert\",".to_string()
    } else {
        config.to_string()
    };
    files.push(("config.json", config.into_bytes()));
    if flaw != Flaw::MissingTokenizer {
        files.push(("tokenizer.json", tokenizer_json(&vocab, flaw).into_bytes()));
    }
    files.push((
        "modules.json",
        br#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#
            .to_vec(),
    ));
    files.push((
        "1_Pooling/config.json",
        format!(r#"{{"word_embedding_dimension": {HIDDEN}, "pooling_mode_mean_tokens": true}}"#)
            .into_bytes(),
    ));
    files.push((
        "sentence_bert_config.json",
        format!(r#"{{"max_seq_length": {MAX_TOKENS}, "do_lower_case": false}}"#).into_bytes(),
    ));
    if flaw == Flaw::MissingWeights {
        return files;
    }
    let mut rng = Weights(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
    let mut add = |name: &str, shape: Vec<usize>, scale: f32, rng: &mut Weights| {
        let n = shape.iter().product();
        tensors.insert(name.to_string(), (shape, rng.take(n, scale)));
    };
    let ones = |n: usize| -> Vec<u8> { (0..n).flat_map(|_| 1.0f32.to_le_bytes()).collect() };
    add(
        "embeddings.word_embeddings.weight",
        vec![vocab.len(), HIDDEN],
        2.0,
        &mut rng,
    );
    add(
        "embeddings.position_embeddings.weight",
        vec![POSITIONS, HIDDEN],
        0.2,
        &mut rng,
    );
    add(
        "embeddings.token_type_embeddings.weight",
        vec![2, HIDDEN],
        0.2,
        &mut rng,
    );
    let layer_norm = |base: &str, rng: &mut Weights, tensors: &mut BTreeMap<_, _>| {
        tensors.insert(format!("{base}.weight"), (vec![HIDDEN], ones(HIDDEN)));
        tensors.insert(
            format!("{base}.bias"),
            (vec![HIDDEN], rng.take(HIDDEN, 0.1)),
        );
    };
    layer_norm("embeddings.LayerNorm", &mut rng, &mut tensors);
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        for part in ["query", "key", "value"] {
            let shape = if flaw == Flaw::WrongShape && part == "key" {
                vec![HIDDEN, HIDDEN + 1]
            } else {
                vec![HIDDEN, HIDDEN]
            };
            let n: usize = shape.iter().product();
            tensors.insert(
                format!("{p}.attention.self.{part}.weight"),
                (shape, rng.take(n, 0.5)),
            );
            tensors.insert(
                format!("{p}.attention.self.{part}.bias"),
                (vec![HIDDEN], rng.take(HIDDEN, 0.1)),
            );
        }
        tensors.insert(
            format!("{p}.attention.output.dense.weight"),
            (vec![HIDDEN, HIDDEN], rng.take(HIDDEN * HIDDEN, 0.5)),
        );
        tensors.insert(
            format!("{p}.attention.output.dense.bias"),
            (vec![HIDDEN], rng.take(HIDDEN, 0.1)),
        );
        layer_norm(
            &format!("{p}.attention.output.LayerNorm"),
            &mut rng,
            &mut tensors,
        );
        tensors.insert(
            format!("{p}.intermediate.dense.weight"),
            (
                vec![INTERMEDIATE, HIDDEN],
                rng.take(INTERMEDIATE * HIDDEN, 0.5),
            ),
        );
        tensors.insert(
            format!("{p}.intermediate.dense.bias"),
            (vec![INTERMEDIATE], rng.take(INTERMEDIATE, 0.1)),
        );
        tensors.insert(
            format!("{p}.output.dense.weight"),
            (
                vec![HIDDEN, INTERMEDIATE],
                rng.take(HIDDEN * INTERMEDIATE, 0.5),
            ),
        );
        tensors.insert(
            format!("{p}.output.dense.bias"),
            (vec![HIDDEN], rng.take(HIDDEN, 0.1)),
        );
        layer_norm(&format!("{p}.output.LayerNorm"), &mut rng, &mut tensors);
    }
    if flaw == Flaw::MissingTensor {
        tensors.remove("encoder.layer.1.output.dense.bias");
    }
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, (shape, data))| {
            (
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), data).expect("tensor view"),
            )
        })
        .collect();
    let bytes = safetensors::serialize(views, None).expect("serialize");
    files.push(("model.safetensors", bytes));
    files
}

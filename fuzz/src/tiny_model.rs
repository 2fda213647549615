//! A tiny random BERT sentence-transformers folder, as the integration tests make it
//! (tests/common/tiny_model.rs): a few KB of safetensors, a WordPiece `tokenizer.json` whose
//! vocabulary holds the themes fixture's words, and the sentence-transformers config files.

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

/// The folder's files, by their path inside the folder, in the order the fuzz target numbers
/// them. `tokenizer_config.json` is not in the tests' folder; it is added (empty object) so its
/// parser is reachable.
pub const FILES: [&str; 8] = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "modules.json",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
    "tokenizer_config.json",
    // Not a file: the safetensors header alone, spliced in front of the valid tensor data.
    "model.safetensors#header",
];

fn vocabulary() -> Vec<String> {
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ".", ",", "-", "'"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let text = std::fs::read_to_string(super::repo_dir().join("tests/fixtures/themes/docs.csv"))
        .expect("themes fixture");
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

fn tokenizer_json(vocab: &[String]) -> String {
    let ids: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), serde_json::json!(i)))
        .collect();
    let special = |id: usize, content: &str| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    let cls = vocab.iter().position(|w| w == "[CLS]").expect("cls");
    let sep = vocab.iter().position(|w| w == "[SEP]").expect("sep");
    serde_json::json!({
        "version": "1.0",
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
    })
    .to_string()
}

/// Deterministic small weights (xorshift).
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

fn safetensors(vocab_len: usize) -> Vec<u8> {
    let mut rng = Weights(0x9E37_79B9_7F4A_7C15);
    let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
    let ones = |n: usize| -> Vec<u8> { (0..n).flat_map(|_| 1.0f32.to_le_bytes()).collect() };
    let mut add = |tensors: &mut BTreeMap<_, _>, name: String, shape: Vec<usize>, scale: f32| {
        let n = shape.iter().product();
        tensors.insert(name, (shape, rng.take(n, scale)));
    };
    add(
        &mut tensors,
        "embeddings.word_embeddings.weight".into(),
        vec![vocab_len, HIDDEN],
        2.0,
    );
    add(
        &mut tensors,
        "embeddings.position_embeddings.weight".into(),
        vec![POSITIONS, HIDDEN],
        0.2,
    );
    add(
        &mut tensors,
        "embeddings.token_type_embeddings.weight".into(),
        vec![2, HIDDEN],
        0.2,
    );
    let mut layer_norm = |tensors: &mut BTreeMap<_, _>, base: &str| {
        tensors.insert(format!("{base}.weight"), (vec![HIDDEN], ones(HIDDEN)));
        add(tensors, format!("{base}.bias"), vec![HIDDEN], 0.1);
    };
    layer_norm(&mut tensors, "embeddings.LayerNorm");
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        layer_norm(&mut tensors, &format!("{p}.attention.output.LayerNorm"));
        layer_norm(&mut tensors, &format!("{p}.output.LayerNorm"));
    }
    let mut rng = Weights(0x2545_F491_4F6C_DD1D);
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        let mut put = |name: String, shape: Vec<usize>, scale: f32| {
            let n = shape.iter().product();
            tensors.insert(name, (shape, rng.take(n, scale)));
        };
        for part in ["query", "key", "value"] {
            put(
                format!("{p}.attention.self.{part}.weight"),
                vec![HIDDEN, HIDDEN],
                0.5,
            );
            put(format!("{p}.attention.self.{part}.bias"), vec![HIDDEN], 0.1);
        }
        put(
            format!("{p}.attention.output.dense.weight"),
            vec![HIDDEN, HIDDEN],
            0.5,
        );
        put(
            format!("{p}.attention.output.dense.bias"),
            vec![HIDDEN],
            0.1,
        );
        put(
            format!("{p}.intermediate.dense.weight"),
            vec![INTERMEDIATE, HIDDEN],
            0.5,
        );
        put(
            format!("{p}.intermediate.dense.bias"),
            vec![INTERMEDIATE],
            0.1,
        );
        put(
            format!("{p}.output.dense.weight"),
            vec![HIDDEN, INTERMEDIATE],
            0.5,
        );
        put(format!("{p}.output.dense.bias"), vec![HIDDEN], 0.1);
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
    safetensors::serialize(views, None).expect("serialize")
}

/// The folder's files, `FILES[..7]` in order: name and bytes.
pub fn files() -> Vec<(&'static str, Vec<u8>)> {
    let vocab = vocabulary();
    let config = serde_json::json!({
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
        "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2, "vocab_size": vocab.len(), "layer_norm_eps": 1e-12,
    });
    vec![
        (FILES[0], config.to_string().into_bytes()),
        (FILES[1], tokenizer_json(&vocab).into_bytes()),
        (FILES[2], safetensors(vocab.len())),
        (
            FILES[3],
            br#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#
                .to_vec(),
        ),
        (
            FILES[4],
            format!(r#"{{"word_embedding_dimension": {HIDDEN}, "pooling_mode_mean_tokens": true}}"#)
                .into_bytes(),
        ),
        (
            FILES[5],
            format!(r#"{{"max_seq_length": {MAX_TOKENS}, "do_lower_case": false}}"#).into_bytes(),
        ),
        (FILES[6], b"{}".to_vec()),
    ]
}

/// Writes the folder's files into `dir`.
pub fn write(dir: &Path, files: &[(&str, Vec<u8>)]) {
    std::fs::create_dir_all(dir.join("1_Pooling")).expect("mkdir");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

/// A safetensors file split into its JSON header and the data after it.
pub fn split_safetensors(bytes: &[u8]) -> (&[u8], &[u8]) {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    (&bytes[8..8 + n], &bytes[8 + n..])
}

/// A safetensors file from a header and the data after it.
pub fn join_safetensors(header: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(data);
    out
}

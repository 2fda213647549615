//! A BERT encoder's `config.json` and `model.safetensors` -> [`Bert`] (weights checked against
//! the config, laid out for the matrix products); one text's token ids -> its last hidden states
//! (tokens x hidden).
//!
//! One text at a time, with no padding and no mask: the shapes depend only on the text, so a
//! text's vector has the same bits whichever thread computes it and whatever else is in the run.
//! Weights are transposed once at load to `in x out` (the layout the sgemm kernels stream
//! fastest: ~100 vs ~93 GFLOP/s on the encoder's shapes here) and Q, K, V are joined into one
//! product per layer.

use safetensors::tensor::{Dtype, SafeTensors};
use serde::Deserialize;

use super::kernels::{self, Activation};

/// The fields of a Hugging Face `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BertConfig {
    #[serde(default)]
    pub model_type: Option<String>,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}

impl BertConfig {
    /// What this encoder cannot run, in one sentence, if anything.
    pub(crate) fn check(&self) -> Result<Activation, String> {
        match self.model_type.as_deref() {
            Some("bert") => {}
            Some(other) => {
                return Err(format!(
                    "config.json: model_type \"{other}\" is not supported (only the BERT family, model_type \"bert\": all-MiniLM, bge, e5 and the like)"
                ))
            }
            None => return Err("config.json: no model_type (expected \"bert\")".into()),
        }
        if let Some(kind) = &self.position_embedding_type {
            if kind != "absolute" {
                return Err(format!(
                    "config.json: position_embedding_type \"{kind}\" is not supported (only \"absolute\")"
                ));
            }
        }
        let sizes = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, v)| *v == 0) {
            return Err(format!("config.json: {name} is 0"));
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "config.json: hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        // BERT-family models use 1e-12 to 1e-5; an epsilon near the activations' variance
        // flattens every vector towards the layer's bias (1e300 gave every document the same
        // vector), so anything past 0.01 is refused as a broken config, not run.
        if !(self.layer_norm_eps.is_finite()
            && (self.layer_norm_eps as f32) > 0.0
            && self.layer_norm_eps <= MAX_LAYER_NORM_EPS)
        {
            return Err(format!(
                "config.json: layer_norm_eps {:e} is not a usable epsilon (a positive number of at most {MAX_LAYER_NORM_EPS})",
                self.layer_norm_eps
            ));
        }
        Activation::from_config(&self.hidden_act).ok_or_else(|| {
            format!(
                "config.json: hidden_act \"{}\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)",
                self.hidden_act
            )
        })
    }
}

/// The largest `layer_norm_eps` accepted.
const MAX_LAYER_NORM_EPS: f64 = 0.01;

struct Layer {
    /// hidden x 3·hidden: the query, key and value projections side by side.
    qkv_w: Vec<f32>,
    qkv_b: Vec<f32>,
    attn_out_w: Vec<f32>,
    attn_out_b: Vec<f32>,
    attn_ln_g: Vec<f32>,
    attn_ln_b: Vec<f32>,
    inter_w: Vec<f32>,
    inter_b: Vec<f32>,
    out_w: Vec<f32>,
    out_b: Vec<f32>,
    out_ln_g: Vec<f32>,
    out_ln_b: Vec<f32>,
}

/// A loaded BERT encoder.
pub(crate) struct Bert {
    hidden: usize,
    heads: usize,
    intermediate: usize,
    max_positions: usize,
    eps: f32,
    activation: Activation,
    word: Vec<f32>,
    position: Vec<f32>,
    /// Token type 0's embedding: every text is a single segment.
    token_type: Vec<f32>,
    emb_ln_g: Vec<f32>,
    emb_ln_b: Vec<f32>,
    layers: Vec<Layer>,
}

/// Reads tensors by their BERT names, with or without a `bert.` prefix, checking each shape.
struct Tensors<'a> {
    file: SafeTensors<'a>,
    prefix: &'static str,
}

impl Tensors<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        self.get_any(&[name], shape)
    }

    /// The first of `names` that exists (older files say `gamma`/`beta` for layer norms).
    fn get_any(&self, names: &[&str], shape: &[usize]) -> Result<Vec<f32>, String> {
        let found = names
            .iter()
            .map(|n| format!("{}{n}", self.prefix))
            .find_map(|full| self.file.tensor(&full).ok().map(|t| (full, t)));
        let Some((full, view)) = found else {
            return Err(format!(
                "model.safetensors: missing tensor '{}{}'",
                self.prefix, names[0]
            ));
        };
        if view.shape() != shape {
            return Err(format!(
                "model.safetensors: tensor '{full}' has shape {:?}, but config.json implies {shape:?}",
                view.shape()
            ));
        }
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(format!(
                    "model.safetensors: tensor '{full}' is {other:?}; only F32, F16 and BF16 weights are supported"
                ))
            }
        };
        if values.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "model.safetensors: tensor '{full}' holds NaN or infinite values"
            ));
        }
        Ok(values)
    }
}

/// `w` (out x in, as PyTorch stores a linear layer) -> in x out.
fn transpose(w: &[f32], out: usize, inp: usize) -> Vec<f32> {
    let mut t = vec![0.0; w.len()];
    for o in 0..out {
        for i in 0..inp {
            t[i * out + o] = w[o * inp + i];
        }
    }
    t
}

impl Bert {
    /// The encoder from a checked `config` and the bytes of `model.safetensors`.
    pub(crate) fn load(config: &BertConfig, bytes: &[u8]) -> Result<Bert, String> {
        let activation = config.check()?;
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| format!("model.safetensors: not a readable safetensors file ({e})"))?;
        let prefix = if file
            .tensor("bert.embeddings.word_embeddings.weight")
            .is_ok()
        {
            "bert."
        } else {
            ""
        };
        let t = Tensors { file, prefix };
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let ln = |base: &str| -> Result<(Vec<f32>, Vec<f32>), String> {
            Ok((
                t.get_any(&[&format!("{base}.weight"), &format!("{base}.gamma")], &[h])?,
                t.get_any(&[&format!("{base}.bias"), &format!("{base}.beta")], &[h])?,
            ))
        };
        let word = t.get("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let position = t.get(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let types = t.get(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab_size, h],
        )?;
        let (emb_ln_g, emb_ln_b) = ln("embeddings.LayerNorm")?;
        // Grown layer by layer: a config.json that claims absurdly many layers fails at the
        // first missing tensor, not at an allocation.
        let mut layers = Vec::new();
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            // Each weight is read (and its shape checked) before the joined matrix is allocated.
            let mut parts = Vec::with_capacity(3);
            let mut qkv_b = Vec::with_capacity(3 * h);
            for name in ["query", "key", "value"] {
                let w = t.get(&format!("{p}.attention.self.{name}.weight"), &[h, h])?;
                parts.push(transpose(&w, h, h));
                qkv_b.extend(t.get(&format!("{p}.attention.self.{name}.bias"), &[h])?);
            }
            let mut qkv_w = vec![0.0; h * 3 * h];
            for (part, w) in parts.iter().enumerate() {
                for row in 0..h {
                    qkv_w[row * 3 * h + part * h..row * 3 * h + (part + 1) * h]
                        .copy_from_slice(&w[row * h..(row + 1) * h]);
                }
            }
            let (attn_ln_g, attn_ln_b) = ln(&format!("{p}.attention.output.LayerNorm"))?;
            let (out_ln_g, out_ln_b) = ln(&format!("{p}.output.LayerNorm"))?;
            layers.push(Layer {
                qkv_w,
                qkv_b,
                attn_out_w: transpose(
                    &t.get(&format!("{p}.attention.output.dense.weight"), &[h, h])?,
                    h,
                    h,
                ),
                attn_out_b: t.get(&format!("{p}.attention.output.dense.bias"), &[h])?,
                attn_ln_g,
                attn_ln_b,
                inter_w: transpose(
                    &t.get(&format!("{p}.intermediate.dense.weight"), &[i, h])?,
                    i,
                    h,
                ),
                inter_b: t.get(&format!("{p}.intermediate.dense.bias"), &[i])?,
                out_w: transpose(&t.get(&format!("{p}.output.dense.weight"), &[h, i])?, h, i),
                out_b: t.get(&format!("{p}.output.dense.bias"), &[h])?,
                out_ln_g,
                out_ln_b,
            });
        }
        Ok(Bert {
            hidden: h,
            heads: config.num_attention_heads,
            intermediate: i,
            max_positions: config.max_position_embeddings,
            eps: config.layer_norm_eps as f32,
            activation,
            word,
            position,
            token_type: types[..h].to_vec(),
            emb_ln_g,
            emb_ln_b,
            layers,
        })
    }

    pub(crate) fn hidden(&self) -> usize {
        self.hidden
    }

    pub(crate) fn vocab_size(&self) -> usize {
        self.word.len() / self.hidden
    }

    pub(crate) fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// The last hidden states of several texts at once: per text, `ids.len()` x hidden,
    /// row-major. The caller keeps every id within the vocabulary and every text at most
    /// [`Bert::max_positions`] long.
    ///
    /// The linear layers run on all the texts' tokens stacked, so each weight matrix is packed
    /// for the kernel once per batch rather than once per text (packing was 16% of the time
    /// one text at a time); attention runs text by text. A token's row comes out with the same
    /// bits whatever else is in the batch: the kernel sums each output element over the same
    /// k blocks in the same order whatever the number of rows (checked by the tests).
    pub(crate) fn forward(&self, texts: &[&[u32]]) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let longest = texts.iter().map(|t| t.len()).max().unwrap_or(0);
        let mut x = self.embed(texts, total);
        let mut scratch = Scratch {
            qkv: vec![0.0f32; total * 3 * h],
            scores: vec![0.0f32; longest * longest],
            context: vec![0.0f32; total * h],
            projected: vec![0.0f32; total * h],
            inter: vec![0.0f32; total * self.intermediate],
        };
        for layer in &self.layers {
            self.encode(layer, texts, &mut x, &mut scratch);
        }
        let mut out = Vec::with_capacity(texts.len());
        let mut first = 0;
        for ids in texts {
            out.push(x[first * h..(first + ids.len()) * h].to_vec());
            first += ids.len();
        }
        out
    }

    /// The texts' `total` tokens -> their input rows (tokens x hidden): word, position and token
    /// type embeddings summed, then layer-normed.
    fn embed(&self, texts: &[&[u32]], total: usize) -> Vec<f32> {
        let h = self.hidden;
        let mut x = vec![0.0f32; total * h];
        let mut rows = x.chunks_exact_mut(h);
        for ids in texts {
            // `ids` first: zip stops on it without taking a row from the next text.
            for (pos, (&id, row)) in ids.iter().zip(rows.by_ref()).enumerate() {
                let word = &self.word[id as usize * h..(id as usize + 1) * h];
                let position = &self.position[pos * h..(pos + 1) * h];
                for (((v, w), p), t) in row.iter_mut().zip(word).zip(position).zip(&self.token_type)
                {
                    *v = w + t + p;
                }
            }
        }
        kernels::layer_norm(&mut x, &self.emb_ln_g, &self.emb_ln_b, self.eps);
        x
    }

    /// One encoder layer over the stacked rows `x` of `texts`, in place: attention, then the
    /// feed-forward block, each added back and layer-normed.
    fn encode(&self, layer: &Layer, texts: &[&[u32]], x: &mut Vec<f32>, s: &mut Scratch) {
        let h = self.hidden;
        kernels::linear(x, h, &layer.qkv_w, &layer.qkv_b, &mut s.qkv);
        let mut first = 0;
        for ids in texts {
            let len = ids.len();
            self.attend(
                len,
                &s.qkv[first * 3 * h..(first + len) * 3 * h],
                &mut s.scores[..len * len],
                &mut s.context[first * h..(first + len) * h],
            );
            first += len;
        }
        kernels::linear(
            &s.context,
            h,
            &layer.attn_out_w,
            &layer.attn_out_b,
            &mut s.projected,
        );
        kernels::add_layer_norm(
            &mut s.projected,
            x,
            &layer.attn_ln_g,
            &layer.attn_ln_b,
            self.eps,
        );
        std::mem::swap(x, &mut s.projected);
        kernels::linear(x, h, &layer.inter_w, &layer.inter_b, &mut s.inter);
        self.activation.apply(&mut s.inter);
        kernels::linear(
            &s.inter,
            self.intermediate,
            &layer.out_w,
            &layer.out_b,
            &mut s.projected,
        );
        kernels::add_layer_norm(
            &mut s.projected,
            x,
            &layer.out_ln_g,
            &layer.out_ln_b,
            self.eps,
        );
        std::mem::swap(x, &mut s.projected);
    }

    /// Self-attention within one text of `len` tokens: its `qkv` rows (len x 3·hidden) -> its
    /// `context` rows (len x hidden), head by head, with `scores` (len x len) as room for the
    /// weights.
    fn attend(&self, len: usize, qkv: &[f32], scores: &mut [f32], context: &mut [f32]) {
        let h = self.hidden;
        let heads = self.heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let row3 = 3 * h as isize;
        for head in 0..heads {
            let q = &qkv[head * d..];
            let k = &qkv[h + head * d..];
            let v = &qkv[2 * h + head * d..];
            // scores = Q · Kᵀ / √d: K read transposed through its strides.
            kernels::matmul(
                len,
                d,
                len,
                scale,
                q,
                (row3, 1),
                k,
                (1, row3),
                0.0,
                scores,
                (len as isize, 1),
            );
            kernels::softmax_rows(scores, len);
            kernels::matmul(
                len,
                len,
                d,
                1.0,
                scores,
                (len as isize, 1),
                v,
                (row3, 1),
                0.0,
                &mut context[head * d..],
                (h as isize, 1),
            );
        }
    }
}

/// The buffers a batch's forward pass reuses from layer to layer, sized for its tokens.
struct Scratch {
    /// tokens x 3·hidden: each token's query, key and value.
    qkv: Vec<f32>,
    /// longest text x longest text: one head's attention weights within one text.
    scores: Vec<f32>,
    /// tokens x hidden: the heads' attention outputs side by side.
    context: Vec<f32>,
    /// tokens x hidden: a block's output before it becomes the next input.
    projected: Vec<f32>,
    /// tokens x intermediate: the feed-forward block's inner activations.
    inter: Vec<f32>,
}

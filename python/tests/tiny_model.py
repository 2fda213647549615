"""A tiny random BERT sentence-transformers folder for the tests: a WordPiece tokenizer over the
digest's words, a few KB of float32 safetensors, the sentence-transformers config files. Its
vectors mean nothing; they exercise loading, tokenizing, pooling and tagging quickly."""

import json
import re
import struct
from pathlib import Path

import numpy

HIDDEN, HEADS, INTERMEDIATE, LAYERS, POSITIONS, MAX_TOKENS = 16, 2, 32, 2, 64, 10


def _vocabulary(corpus: Path):
    words = sorted(set(re.findall(r"[a-z0-9]+", corpus.read_text(encoding="utf-8").lower())))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ".", ",", "-", "'"]
    for c in "abcdefghijklmnopqrstuvwxyz":
        words += [c, "##" + c]
    seen = set(vocab)
    for word in words:
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    return vocab


def _tokenizer(vocab):
    special = lambda i, t: {"id": i, "content": t, "single_word": False, "lstrip": False,
                            "rstrip": False, "normalized": False, "special": True}
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    token = lambda t, type_id: {"SpecialToken": {"id": t, "type_id": type_id}}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(cls, "[CLS]"), special(sep, "[SEP]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [token("[CLS]", 0), {"Sequence": {"id": "A", "type_id": 0}}, token("[SEP]", 0)],
            "pair": [token("[CLS]", 0), {"Sequence": {"id": "A", "type_id": 0}}, token("[SEP]", 0),
                     {"Sequence": {"id": "B", "type_id": 1}}, token("[SEP]", 1)],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {w: i for i, w in enumerate(vocab)}},
    }


def _safetensors(tensors: dict) -> bytes:
    header, data, offset = {}, b"", 0
    for name in sorted(tensors):
        raw = numpy.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(folder: Path, corpus: Path, seed: int = 0) -> Path:
    """Writes the model folder (the words of `corpus` in its vocabulary) and returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1_Pooling").mkdir(exist_ok=True)
    vocab = _vocabulary(corpus)
    (folder / "config.json").write_text(json.dumps({
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
        "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2, "vocab_size": len(vocab), "layer_norm_eps": 1e-12}))
    (folder / "tokenizer.json").write_text(json.dumps(_tokenizer(vocab)))
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": HIDDEN, "pooling_mode_mean_tokens": True}))
    (folder / "sentence_bert_config.json").write_text(json.dumps(
        {"max_seq_length": MAX_TOKENS, "do_lower_case": False}))
    rng = numpy.random.default_rng(seed)
    w = lambda *shape, scale=0.5: (rng.random(shape) - 0.5) * scale
    tensors = {
        "embeddings.word_embeddings.weight": w(len(vocab), HIDDEN, scale=2.0),
        "embeddings.position_embeddings.weight": w(POSITIONS, HIDDEN, scale=0.2),
        "embeddings.token_type_embeddings.weight": w(2, HIDDEN, scale=0.2),
    }

    def layer_norm(base):
        tensors[f"{base}.weight"] = numpy.ones(HIDDEN)
        tensors[f"{base}.bias"] = w(HIDDEN, scale=0.1)

    layer_norm("embeddings.LayerNorm")
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"
        for part in ("query", "key", "value"):
            tensors[f"{p}.attention.self.{part}.weight"] = w(HIDDEN, HIDDEN)
            tensors[f"{p}.attention.self.{part}.bias"] = w(HIDDEN, scale=0.1)
        tensors[f"{p}.attention.output.dense.weight"] = w(HIDDEN, HIDDEN)
        tensors[f"{p}.attention.output.dense.bias"] = w(HIDDEN, scale=0.1)
        layer_norm(f"{p}.attention.output.LayerNorm")
        tensors[f"{p}.intermediate.dense.weight"] = w(INTERMEDIATE, HIDDEN)
        tensors[f"{p}.intermediate.dense.bias"] = w(INTERMEDIATE, scale=0.1)
        tensors[f"{p}.output.dense.weight"] = w(HIDDEN, INTERMEDIATE)
        tensors[f"{p}.output.dense.bias"] = w(HIDDEN, scale=0.1)
        layer_norm(f"{p}.output.LayerNorm")
    (folder / "model.safetensors").write_bytes(_safetensors(tensors))
    return folder

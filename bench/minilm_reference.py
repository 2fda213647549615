"""Reference sentence vectors from sentence-transformers, for tests/embeddings.rs.

Encodes a fixed list of texts with the all-MiniLM-L6-v2 folder (bench/fetch_model.sh) and writes
tests/fixtures/minilm_reference.json: the texts and their vectors (float32 printed in full). Run
once with bench/.venv-st (bench/setup_st_venv.sh); the test compares topictag's vectors to these
to 1e-4.

Usage: bench/.venv-st/bin/python bench/minilm_reference.py [MODEL_DIR] [OUT]
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sentence_transformers import SentenceTransformer  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "models", "all-MiniLM-L6-v2")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "tests", "fixtures", "minilm_reference.json")

long_text = " ".join(
    "Sparse attention lets transformers read long documents by attending to a few chosen positions"
    for _ in range(30)
)
texts = [
    "Low-rank adaptation fine-tunes large language models with few trainable parameters.",
    "A galaxy survey measures the expansion of the universe.",
    "Café owners in Zürich report naïve résumé formats!",
    "GPU kernels for mixed-precision matrix multiplication",
    "x",
    "Protein folding predicted from sequence alone, with attention over residue pairs; "
    "results on CASP targets (2020–2021) show a 12.5% gain.",
    long_text,
]

model = SentenceTransformer(model_dir, device="cpu")
vectors = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=False)
tokens = [len(model.tokenizer(t, truncation=False)["input_ids"]) for t in texts]
with open(out, "w", encoding="utf-8") as f:
    json.dump(
        {
            "model": "all-MiniLM-L6-v2",
            "max_seq_length": model.max_seq_length,
            "texts": texts,
            "tokens_untruncated": tokens,
            "vectors": [[float(v) for v in row] for row in vectors],
        },
        f,
        ensure_ascii=False,
    )
    f.write("\n")
print(f"wrote {out}: {len(texts)} texts, {vectors.shape[1]} dims, tokens {tokens}")

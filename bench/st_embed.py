"""sentence-transformers' side of bench/embed_speed.sh: embed the first N documents of a corpus
CSV (title + ". " + text, as topictag does) and print the embedding time and documents/s.

Usage: bench/.venv-st/bin/python bench/st_embed.py CORPUS.csv N MODEL_DIR [OUT.npy]
"""
import csv
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402


def text_of(row):
    title, text = (row.get("title") or "").strip(), (row.get("text") or "").strip()
    if not title:
        return text
    if not text:
        return title
    return f"{title} {text}" if title[-1] in ".?!:" else f"{title}. {text}"


corpus, n, model_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(corpus, newline="", encoding="utf-8") as f:
    texts = [text_of(r) for _, r in zip(range(n), csv.DictReader(f))]
torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
model = SentenceTransformer(model_dir, device="cpu")
start = time.perf_counter()
vectors = model.encode(texts, batch_size=32, convert_to_numpy=True)
seconds = time.perf_counter() - start
if len(sys.argv) > 4:
    np.save(sys.argv[4], vectors.astype(np.float32))
print(f"sentence-transformers: {len(texts)} documents in {seconds:.2f} s ({len(texts) / seconds:.1f} documents/s), torch threads {torch.get_num_threads()}")

#!/usr/bin/env python3
"""The scikit-learn reference pipeline that topictag is measured against.

TfidfVectorizer(stop_words='english', sublinear_tf=True, min_df=2, max_df=0.5) on
``title + ". " + text`` (documents whose text is empty are dropped), then LSA
(TruncatedSVD(100) + Normalizer) and KMeans(k, n_init=10), all seeded.

Run as a script it reads a labeled corpus CSV, clusters it and writes ``id,topic``
(one row per input document, in input order, topic -1 for dropped documents).
Its process wall time is therefore the end-to-end time, reading the file included.
It is also imported by quality.py and speed_report.py for the shared helpers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Fields hold whole newsgroup posts; the csv module's default cap (128 KiB) is too small.
csv.field_size_limit(sys.maxsize)

LSA_DIMENSIONS = 100
NO_TOPIC = -1


@dataclass(frozen=True)
class Corpus:
    ids: list[str]
    titles: list[str]
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def label_count(self) -> int:
        return len(set(self.labels))

    def has_text(self) -> list[bool]:
        """Which documents the reference keeps: those whose text is not blank."""
        return [bool(text.strip()) for text in self.texts]


def read_corpus(path: Path) -> Corpus:
    """Read an ``id,title,text,label`` CSV (RFC 4180, fields may hold newlines)."""
    ids, titles, texts, labels = [], [], [], []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "title", "text", "label"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            ids.append(row["id"])
            titles.append(row["title"])
            texts.append(row["text"])
            labels.append(row["label"])
    return Corpus(ids, titles, texts, labels)


def cluster(corpus: Corpus, k: int, seed: int, timings: dict[str, float] | None = None) -> list[int]:
    """Run the reference pipeline; return one topic per document, -1 for dropped ones."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer

    timings = timings if timings is not None else {}
    kept = [i for i, keep in enumerate(corpus.has_text()) if keep]
    documents = [corpus.titles[i] + ". " + corpus.texts[i] for i in kept]

    start = time.perf_counter()
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, max_df=0.5)
    tfidf = vectorizer.fit_transform(documents)
    timings["tfidf"] = time.perf_counter() - start

    start = time.perf_counter()
    lsa = make_pipeline(TruncatedSVD(n_components=LSA_DIMENSIONS, random_state=seed), Normalizer(copy=False))
    embedding = lsa.fit_transform(tfidf)
    timings["lsa"] = time.perf_counter() - start

    start = time.perf_counter()
    kmeans = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(embedding)
    timings["kmeans"] = time.perf_counter() - start

    topics = [NO_TOPIC] * len(corpus)
    for position, topic in zip(kept, kmeans.labels_, strict=True):
        topics[position] = int(topic)
    return topics


def blas_description() -> str:
    """Which BLAS / OpenMP kernels numpy and scikit-learn run, as threadpoolctl sees them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = []
    for pool in threadpool_info():
        details = [pool.get("architecture"), f"{pool.get('num_threads')} threads"]
        parts.append(f"{pool.get('internal_api')}({', '.join(d for d in details if d)})")
    return ", ".join(parts) or "no thread pools found"


def write_topics(path: Path, corpus: Corpus, topics: list[int]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "topic"])
        writer.writerows(zip(corpus.ids, topics, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="labeled corpus CSV (id,title,text,label)")
    parser.add_argument("--output", type=Path, required=True, help="where to write id,topic CSV")
    parser.add_argument("--k", type=int, help="number of clusters (default: number of distinct labels)")
    parser.add_argument("--seed", type=int, default=0, help="random_state for TruncatedSVD and KMeans")
    args = parser.parse_args()

    start = time.perf_counter()
    corpus = read_corpus(args.corpus)
    read_seconds = time.perf_counter() - start
    k = args.k if args.k is not None else corpus.label_count

    timings: dict[str, float] = {"read": read_seconds}
    topics = cluster(corpus, k, args.seed, timings)
    write_topics(args.output, corpus, topics)

    dropped = topics.count(NO_TOPIC)
    stages = " ".join(f"{name}={seconds:.2f}s" for name, seconds in timings.items())
    print(
        f"sklearn_pipeline: {len(corpus)} docs ({dropped} dropped), k={k}, seed={args.seed}; {stages}", file=sys.stderr
    )
    print(f"sklearn_pipeline: kernels: {blas_description()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

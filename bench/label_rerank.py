#!/usr/bin/env python3
"""Label terms re-ranked, measured: the topics' terms in class-based TF-IDF order
(--no-label-rerank) against the same fit's terms re-ranked: with a sentence model (--embeddings)
by their closeness to the topic's documents, without one by how often they occur with the terms
already chosen (the default either way).

Both variants are one fit each with the same seed, k = number of labels and the same sentence
vectors, so the topics are the same documents and only their terms differ. For each it reports,
on the corpus' raw text (lower-cased words; a phrase occurs where its words stand in a row):

- shared NPMI of each topic's 10 top terms (as bench/labels.py counts it, the same for both);
- diversity: the share of distinct terms among all topics' 10 top terms;
- label coverage: the share of a topic's documents whose title or text holds at least one of the
  topic's label terms (a label should say what its documents say), over all documents in topics;
- label precision: of the documents holding a label term of a topic, the share that the topic
  holds (a label should not be just as true of the other topics), mean over topics.

Usage: bench/label_rerank.py [--embeddings DIR] [--corpora NAME ...] [--seeds 0 1 2]
Corpora are looked up as bench/labels.py does (derived corpora included). Writes
bench/results/label_rerank.json (label_rerank_words.json without --embeddings) and prints a Markdown table. The vectors come from the
cache after the first run (see the README's Sentence vectors).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labels as common  # noqa: E402  (the corpora, raw-text words and shared NPMI)

VARIANTS = {
    "c-TF-IDF order": ["--no-label-rerank"],
    "re-ranked by meaning": [],
}
WORDS_VARIANTS = {
    "c-TF-IDF order": ["--no-label-rerank"],
    "re-ranked by co-occurrence": [],
}
DEFAULT_CORPORA = [
    "arxiv_2007_4fields",
    "arxiv_2007_18archives",
    "20newsgroups_4cat",
    "medical_abstracts",
    "arxiv_latex",
]


def fit(corpus: Path, k: int, seed: int, model: Path | None, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        sentences = ["--embeddings", str(model)] if model else []
        cmd = [str(common.AFTER), str(corpus), "--k", str(k), "--seed", str(seed),
               *sentences, "--no-report", "--quiet", "-o", out, *extra]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(Path(out, "topics.csv"), newline="", encoding="utf-8") as f:
            topics = list(csv.DictReader(f))
        with open(Path(out, "documents.csv"), newline="", encoding="utf-8") as f:
            assigned = [int(r["topic"]) for r in csv.DictReader(f)]
    return {
        "topics": [[t for t in topic["top_terms"].split(";") if t] for topic in topics],
        "labels": [[t.strip() for t in topic["label"].split(", ") if t.strip()]
                   for topic in topics],
        "ids": [int(topic["topic"]) for topic in topics],
        "assigned": assigned,
    }


def holds(term: str, doc: str) -> bool:
    return " " + " ".join(common.WORD.findall(term.lower())) + " " in doc


def label_scores(run: dict, docs: list[str]) -> tuple[float, float]:
    covered = total = 0
    precisions = []
    for topic, label in zip(run["ids"], run["labels"]):
        members = [i for i, t in enumerate(run["assigned"]) if t == topic]
        with_term = [i for i, d in enumerate(docs) if any(holds(t, d) for t in label)]
        inside = sum(1 for i in with_term if run["assigned"][i] == topic)
        covered += sum(1 for i in members if any(holds(t, docs[i]) for t in label))
        total += len(members)
        if with_term:
            precisions.append(inside / len(with_term))
    return covered / max(total, 1), statistics.mean(precisions) if precisions else 0.0


def summarise(runs: list[dict], docs: list[str]) -> dict:
    scores = [label_scores(r, docs) for r in runs]
    firsts = [[t for terms in r["topics"] for t in terms[:10]] for r in runs]
    return {
        "shared_npmi": statistics.mean(common.shared_npmi(r["topics"], docs) for r in runs),
        "diversity": statistics.mean(len(set(f)) / max(len(f), 1) for f in firsts),
        "coverage": statistics.mean(c for c, _ in scores),
        "precision": statistics.mean(p for _, p in scores),
        "labels": [", ".join(label) for label in runs[0]["labels"]][:6],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", type=Path,
                        help="sentence-model folder (without: words only, by co-occurrence)")
    parser.add_argument("--corpora", nargs="+", default=DEFAULT_CORPORA)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.corpora:
            path = common.corpus_path(name) or common.derive(name, Path(folder))
            if path is None:
                print(f"skipping {name}: not found", file=sys.stderr)
                continue
            rows = common.read_rows(path)
            docs = common.document_texts(rows)
            k = len({r["label"] for r in rows})
            results[name] = {}
            for variant, extra in (VARIANTS if args.embeddings else WORDS_VARIANTS).items():
                runs = [fit(path, k, seed, args.embeddings, extra) for seed in args.seeds]
                results[name][variant] = summarise(runs, docs)
                print(f"{name} k={k} {variant}: {results[name][variant]}", file=sys.stderr)
    name = "label_rerank.json" if args.embeddings else "label_rerank_words.json"
    out = common.ROOT / "bench" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print("| corpus | terms | shared NPMI | diversity | label coverage | label precision |")
    print("|---|---|---|---|---|---|")
    for name, variants in results.items():
        for variant, r in variants.items():
            print(f"| {name} | {variant} | {r['shared_npmi']:.3f} | {r['diversity']:.3f} | "
                  f"{r['coverage']:.3f} | {r['precision']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Novelty in `tag`, measured: does a document of a theme the model never saw get flagged?

For each labeled corpus and each held-out class (every class of a corpus with at most 4, else
the --classes largest), and each seed:

1. the documents of the other classes are shuffled (seeded) and split 70/30;
2. a model is fitted on the 70% (k = the number of other classes, --no-report);
3. `tag` is run on the other 30% ("known": unseen documents of known themes) and on the
   held-out class ("novel", at most as many documents as "known");
4. reported: the share of each group that `tag` flags `novel` (the model's own threshold),
   and the ROC AUC of 1 - fit (and, for comparison, of 1 - score, the cosine to the assigned
   topic) as a detector of the novel group. Documents with no term of the model (topic -1)
   have no fit and are left out of the rates and the AUC; their count is reported.

Usage: bench/novelty.py [--corpora NAME ...] [--seeds 0 1] [--classes 4] [--bin PATH]
Corpora are looked up in ../shared/corpora (TOPICTAG_CORPORA) and in bench/corpora.
Writes bench/results/novelty.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TOPICTAG_CORPORA", ROOT.parent / "shared" / "corpora"))
LOCAL = ROOT / "bench" / "corpora"
BIN = ROOT / "target" / "release" / "topictag"
DEFAULT_CORPORA = [
    "arxiv_2007_4fields",
    "20newsgroups_4cat",
    "arxiv_2007_18archives",
    "medical_abstracts",
]
FIELDS = ["id", "title", "text", "label"]


def corpus_path(name: str) -> Path:
    for folder in (SHARED, LOCAL):
        path = folder / f"{name}.csv"
        if path.exists():
            return path
    sys.exit(f"no corpus {name} in {SHARED} or {LOCAL}")


def read_rows(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: row.get(k, "") for k in FIELDS} for row in csv.DictReader(f)]


def write_rows(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def run(binary: Path, *args: str) -> str:
    done = subprocess.run([str(binary), *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def tagged(binary: Path, model: Path, rows: list[dict], work: Path, name: str) -> list[dict]:
    path = work / f"{name}.csv"
    write_rows(path, rows)
    out = run(binary, "tag", "--quiet", "--model", str(model), "--text-column", "text", str(path))
    return list(csv.DictReader(out.splitlines()))


def auc(positives: list[float], negatives: list[float]) -> float:
    """ROC AUC of `value` as a detector of the positives (ties count half): the share of
    (positive, negative) pairs in which the positive is higher, by ranks."""
    ranked = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # mean of ranks i+1..j
        rank_sum += mid * sum(1 for _, p in ranked[i:j] if p)
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def one(binary: Path, rows: list[dict], held: str, seed: int, work: Path) -> dict:
    others = [r for r in rows if r["label"] != held]
    novel_rows = [r for r in rows if r["label"] == held]
    rng = random.Random(seed)
    rng.shuffle(others)
    cut = int(len(others) * 0.7)
    train, known_rows = others[:cut], others[cut:]
    rng.shuffle(novel_rows)
    novel_rows = novel_rows[: len(known_rows)]
    k = len({r["label"] for r in train})
    train_path = work / "train.csv"
    write_rows(train_path, train)
    out = work / "fit"
    run(binary, str(train_path), "--text-column", "text", "--k", str(k), "--seed", str(seed),
        "--no-report", "--quiet", "-o", str(out))
    model = out / "model.topictag"
    known = tagged(binary, model, known_rows, work, "known")
    novel = tagged(binary, model, novel_rows, work, "novel")
    placed = lambda got: [r for r in got if r["topic"] != "-1"]  # noqa: E731
    kp, nv = placed(known), placed(novel)
    rate = lambda got: sum(r["novel"] == "true" for r in got) / len(got)  # noqa: E731
    inverse = lambda got, col: [1 - float(r[col]) for r in got]  # noqa: E731
    return {
        "held_out": held,
        "seed": seed,
        "train": len(train),
        "known": len(known),
        "novel": len(novel),
        "without_terms": len(known) - len(kp) + len(novel) - len(nv),
        "novel_rate_known": rate(kp),
        "novel_rate_held_out": rate(nv),
        "auc_fit": auc(inverse(nv, "fit"), inverse(kp, "fit")),
        "auc_score": auc(inverse(nv, "score"), inverse(kp, "score")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=DEFAULT_CORPORA)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--classes", type=int, default=4,
                        help="held-out classes per corpus: the largest N")
    parser.add_argument("--bin", type=Path, default=BIN)
    args = parser.parse_args()
    results = []
    for name in args.corpora:
        rows = read_rows(corpus_path(name))
        classes = [c for c, _ in Counter(r["label"] for r in rows).most_common(args.classes)]
        for held in classes:
            for seed in args.seeds:
                with tempfile.TemporaryDirectory() as work:
                    result = {"corpus": name, **one(args.bin, rows, held, seed, Path(work))}
                print(json.dumps(result), file=sys.stderr)
                results.append(result)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "novelty.json").write_text(json.dumps(results, indent=1) + "\n")

    print("| corpus | held-out class | flagged novel: held-out class | flagged novel: known themes"
          " | AUC of fit | AUC of score |")
    print("|---|---|---|---|---|---|")
    keyed: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        keyed.setdefault((r["corpus"], r["held_out"]), []).append(r)
    for (name, held), group in keyed.items():
        mean = lambda key: statistics.mean(r[key] for r in group)  # noqa: E731
        print(f"| {name} | {held} | {mean('novel_rate_held_out'):.1%} | "
              f"{mean('novel_rate_known'):.1%} | {mean('auc_fit'):.2f} | {mean('auc_score'):.2f} |")
    mean = lambda key: statistics.mean(r[key] for r in results)  # noqa: E731
    print(f"| all ({len(results)} fits) | | {mean('novel_rate_held_out'):.1%} | "
          f"{mean('novel_rate_known'):.1%} | {mean('auc_fit'):.2f} | {mean('auc_score'):.2f} |")


if __name__ == "__main__":
    main()

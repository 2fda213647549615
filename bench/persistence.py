#!/usr/bin/env python3
"""Topics that persist, measured: refit with --previous and see which ids survive.

Two experiments on each labeled corpus (k = its number of labels, --no-report):

1. persistence: fit on a seeded random half; refit on the whole corpus with --previous, once
   with the same seed and once with another. Reported: the share of the half's documents whose
   topic continued that keep their topic id (the target is 90% or more), the topics' statuses,
   and the similarity of each continued pair.
2. new theme: for each of the largest --classes classes, fit on the corpus without it (k - 1);
   refit on the whole corpus with --previous. Reported: the status of the new topic that holds
   the most of the held-out class (expected: new) with the share of the class it holds and
   the share of the topic the class makes up, and the other topics' statuses (expected:
   continued).

Usage: bench/persistence.py [--corpora NAME ...] [--seeds 0 1] [--classes 4] [--bin PATH]
Writes bench/results/persistence.json and prints Markdown tables.
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
    "20newsgroups",
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


def fit(binary: Path, rows: list[dict], work: Path, name: str, k: int, seed: int,
        previous: Path | None = None) -> Path:
    path = work / f"{name}.csv"
    write_rows(path, rows)
    out = work / name
    args = [str(binary), str(path), "--text-column", "text", "--k", str(k), "--seed", str(seed),
            "--no-report", "--quiet", "-o", str(out)]
    if previous is not None:
        args += ["--previous", str(previous)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return out


def topics_of(out: Path) -> dict[str, str]:
    with open(out / "documents.csv", newline="", encoding="utf-8") as f:
        return {r["id"]: r["topic"] for r in csv.DictReader(f)}


def changes_of(out: Path) -> list[dict]:
    with open(out / "topic_changes.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def persistence(binary: Path, rows: list[dict], k: int, seed: int, work: Path) -> list[dict]:
    half = random.Random(seed).sample(rows, len(rows) // 2)
    first = fit(binary, half, work, "half", k, seed)
    before = topics_of(first)
    results = []
    for refit_seed in (seed, seed + 100):
        again = fit(binary, rows, work, f"whole{refit_seed}", k, refit_seed,
                    previous=first / "model.topictag")
        after = topics_of(again)
        changes = changes_of(again)
        continued = {c["old_topic"] for c in changes if c["status"] == "continued"}
        kept = [before[i] == after[i] for i in before if before[i] in continued]
        results.append({
            "seed": seed,
            "refit_seed": refit_seed,
            "kept_share": sum(kept) / len(kept) if kept else 0.0,
            "documents_continued": len(kept),
            "documents_half": len(before),
            "statuses": dict(Counter(c["status"] for c in changes)),
            "continued_similarity": sorted(
                float(c["similarity"]) for c in changes if c["status"] == "continued"),
            "other_similarity": sorted(
                float(c["similarity"]) for c in changes if c["status"] in ("new", "gone")),
        })
    return results


def new_theme(binary: Path, rows: list[dict], held: str, k: int, seed: int, work: Path) -> dict:
    without = [r for r in rows if r["label"] != held]
    first = fit(binary, without, work, "without", k - 1, seed)
    again = fit(binary, rows, work, "with", k, seed, previous=first / "model.topictag")
    after = topics_of(again)
    label = {r["id"]: r["label"] for r in rows}
    held_ids = [i for i in after if label[i] == held]
    counts = Counter(after[i] for i in held_ids)
    topic, count = counts.most_common(1)[0]
    size = sum(1 for i in after if after[i] == topic)
    changes = changes_of(again)
    row = next((c for c in changes if c["new_topic"] == topic), {})
    status, similarity = row.get("status", "?"), float(row.get("similarity", "nan"))
    others = Counter(c["status"] for c in changes if c["new_topic"] != topic)
    return {
        "held_out": held,
        "seed": seed,
        "status": status,
        "similarity": similarity,
        "class_share": count / len(held_ids),
        "topic_purity": count / size,
        "others": dict(others),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=DEFAULT_CORPORA)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--bin", type=Path, default=BIN)
    args = parser.parse_args()
    kept_rows, new_rows = [], []
    for name in args.corpora:
        rows = read_rows(corpus_path(name))
        labels = Counter(r["label"] for r in rows)
        k = len(labels)
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as work:
                for r in persistence(args.bin, rows, k, seed, Path(work)):
                    r["corpus"] = name
                    print(json.dumps(r), file=sys.stderr)
                    kept_rows.append(r)
        for held, _ in labels.most_common(args.classes):
            for seed in args.seeds[:1]:
                with tempfile.TemporaryDirectory() as work:
                    r = {"corpus": name, **new_theme(args.bin, rows, held, k, seed, Path(work))}
                print(json.dumps(r), file=sys.stderr)
                new_rows.append(r)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "persistence.json").write_text(
        json.dumps({"persistence": kept_rows, "new_theme": new_rows}, indent=1) + "\n")

    print("| corpus (k) | half seed -> refit seed | documents keeping their id (of those whose "
          "topic continued) | topics: continued / new / gone / split / merged | similarity of "
          "continued pairs | of new and gone |")
    print("|---|---|---|---|---|---|")
    for r in kept_rows:
        s = r["statuses"]
        counts = " / ".join(str(s.get(x, 0)) for x in
                            ("continued", "new", "gone", "split", "merged"))
        cont = r["continued_similarity"]
        other = r["other_similarity"]
        span = f"{min(cont):.2f}-{max(cont):.2f}" if cont else "-"
        span_other = f"{min(other):.2f}-{max(other):.2f}" if other else "-"
        print(f"| {r['corpus']} | {r['seed']} -> {r['refit_seed']} | {r['kept_share']:.1%} "
              f"({r['documents_continued']} of {r['documents_half']}) | {counts} | {span} | "
              f"{span_other} |")
    shares = [r["kept_share"] for r in kept_rows]
    print(f"\nmean {statistics.mean(shares):.1%}, lowest {min(shares):.1%}\n")
    print("| corpus | held-out class | its topic's status (similarity) | share of the class "
          "in it | class share of the topic | other topics |")
    print("|---|---|---|---|---|---|")
    for r in new_rows:
        others = ", ".join(f"{v} {k}" for k, v in sorted(r["others"].items()))
        print(f"| {r['corpus']} | {r['held_out']} | {r['status']} ({r['similarity']:.2f}) | {r['class_share']:.0%} | "
              f"{r['topic_purity']:.0%} | {others} |")


if __name__ == "__main__":
    main()

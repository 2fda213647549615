#!/usr/bin/env python3
"""Held-out tagging: do new documents land where they belong?

For each labeled corpus and seed: split the documents in two halves by a seeded shuffle, fit
topictag on one half (k = number of labels), tag the other half with the saved model, and score
both halves' topics against the labels (NMI, on documents with non-blank text). A model that
generalises tags the held-out half about as well as the fit clustered its own half. Exit status
1 when a corpus' mean difference over the seeds is more than --tolerance below zero.

    bench/heldout.sh                          # all four corpora, seeds 0 1 2
    bench/heldout.sh --corpora arxiv_2007_4fields --seeds 0
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from sklearn.metrics import normalized_mutual_info_score

csv.field_size_limit(1 << 30)
BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPORA = ["20newsgroups", "20newsgroups_4cat", "arxiv_2007_18archives", "arxiv_2007_4fields"]


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def topics_of(path: Path, rows: list[dict[str, str]]) -> list[int]:
    with open(path, newline="", encoding="utf-8") as handle:
        tagged = list(csv.DictReader(handle))
    if [r["id"] for r in tagged] != [r["id"] for r in rows]:
        sys.exit(f"{path}: rows do not match the input row for row")
    return [int(r["topic"]) for r in tagged]


def nmi_with_text(rows: list[dict[str, str]], topics: list[int]) -> float:
    kept = [i for i, r in enumerate(rows) if r["text"].strip()]
    return normalized_mutual_info_score([rows[i]["label"] for i in kept], [topics[i] for i in kept])


def run(command: list[str], log: Path) -> None:
    with open(log, "wb") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{log.read_text(errors='replace')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", default=CORPORA)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--corpora-dir", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "topictag")
    parser.add_argument("--work-dir", type=Path, default=BENCH / "results" / "heldout")
    parser.add_argument("--tolerance", type=float, default=0.03)
    args = parser.parse_args()

    print("| corpus (k) | seed | fitted half NMI | tagged half NMI | difference |")
    print("|---|---|---|---|---|")
    worst_mean = 0.0
    summary: list[str] = []
    for name in args.corpora:
        header, rows = read_rows(args.corpora_dir / f"{name}.csv")
        k = len({r["label"] for r in rows})
        differences = []
        for seed in args.seeds:
            work = args.work_dir / f"{name}-seed{seed}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            order = list(range(len(rows)))
            random.Random(seed).shuffle(order)
            half = len(order) // 2
            fit_rows = [rows[i] for i in sorted(order[:half])]
            new_rows = [rows[i] for i in sorted(order[half:])]
            write_rows(work / "fit.csv", header, fit_rows)
            write_rows(work / "new.csv", header, new_rows)
            columns = ["--id-column", "id", "--title-column", "title", "--text-column", "text"]
            run([str(args.binary), str(work / "fit.csv"), "--output", str(work / "out"),
                 "--k", str(k), "--seed", str(seed), "--quiet"] + columns, work / "fit.log")
            run([str(args.binary), "tag", "--model", str(work / "out" / "model.topictag"),
                 str(work / "new.csv"), "--output", str(work / "tagged.csv"), "--quiet"],
                work / "tag.log")
            fitted = nmi_with_text(fit_rows, topics_of(work / "out" / "documents.csv", fit_rows))
            tagged = nmi_with_text(new_rows, topics_of(work / "tagged.csv", new_rows))
            differences.append(tagged - fitted)
            print(f"| {name} ({k}) | {seed} | {fitted:.3f} | {tagged:.3f} | {tagged - fitted:+.3f} |",
                  flush=True)
        mean = statistics.fmean(differences)
        worst_mean = min(worst_mean, mean)
        summary.append(f"{name}: mean difference {mean:+.3f} over {len(differences)} seed(s)")
    print()
    print("\n".join(summary))
    print(f"worst mean difference {worst_mean:+.3f} (target: the tagged half within "
          f"{args.tolerance} of the fitted half, mean over the seeds)")
    return 0 if worst_mean >= -args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

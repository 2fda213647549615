#!/usr/bin/env python3
"""Summarise a bench/speed.sh run directory as a markdown table.

Reads the `/usr/bin/time -v` logs (<tool>-<run>.time) and each run's topics
(topictag-<run>/documents.csv, sklearn-<run>.csv), and reports per tool: median wall time,
CPU time, max peak RSS, throughput and NMI against the corpus labels, then the
sklearn/topictag ratios.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import normalized_mutual_info_score

from sklearn_pipeline import Corpus, read_corpus

TOOLS = ("topictag", "sklearn")


@dataclass
class Measurement:
    wall_seconds: float
    cpu_seconds: float
    peak_rss_kib: int


def parse_clock(text: str) -> float:
    """GNU time's wall clock, `h:mm:ss` or `m:ss.ss`, in seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def read_time_log(path: Path) -> Measurement:
    fields = {}
    for line in path.read_text().splitlines():
        name, _, value = line.strip().rpartition(": ")
        fields[name] = value
    try:
        return Measurement(
            wall_seconds=parse_clock(fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"]),
            cpu_seconds=float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]),
            peak_rss_kib=int(fields["Maximum resident set size (kbytes)"]),
        )
    except KeyError as missing:
        raise SystemExit(f"{path}: no {missing} line; is it a `/usr/bin/time -v` log?") from None


def read_topics(path: Path, corpus: Corpus) -> list[int]:
    """Topics from an output CSV with `id` and `topic` columns, checked against the corpus ids."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [(row["id"], int(row["topic"])) for row in csv.DictReader(handle)]
    ids = [doc_id for doc_id, _ in rows]
    if ids != corpus.ids:
        raise SystemExit(f"{path}: ids do not match the corpus rows ({len(ids)} rows, {len(corpus)} documents)")
    return [topic for _, topic in rows]


def nmi_scores(corpus: Corpus, topics: list[int]) -> tuple[float, float]:
    """NMI over all documents (-1 as a cluster of its own) and over those with non-blank text."""
    with_text = [i for i, keep in enumerate(corpus.has_text()) if keep]
    every = normalized_mutual_info_score(corpus.labels, topics)
    non_blank = normalized_mutual_info_score([corpus.labels[i] for i in with_text], [topics[i] for i in with_text])
    return every, non_blank


def topics_path(run_dir: Path, tool: str, run: int) -> Path:
    return run_dir / f"topictag-{run}" / "documents.csv" if tool == "topictag" else run_dir / f"sklearn-{run}.csv"


def span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.3f}" if round(low, 3) == round(high, 3) else f"{low:.3f}–{high:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="directory bench/speed.sh wrote")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    args = parser.parse_args()

    corpus = read_corpus(args.corpus)
    megabytes = args.corpus.stat().st_size / 1e6
    runs = range(1, args.repeat + 1)

    print(
        f"\n{args.corpus.name}: {len(corpus)} documents, {megabytes:.1f} MB, k={args.k}, seed={args.seed}, "
        f"{args.repeat} run(s) per tool, alternating\n"
    )
    print(
        "| tool | median wall s | wall min–max s | median CPU s | max peak RSS MiB | docs/s | MB/s "
        "| NMI all docs | NMI non-blank |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    medians: dict[str, tuple[float, int]] = {}
    for tool in args.tools:
        measured = [read_time_log(args.run_dir / f"{tool}-{run}.time") for run in runs]
        scores = [nmi_scores(corpus, read_topics(topics_path(args.run_dir, tool, run), corpus)) for run in runs]
        walls = [m.wall_seconds for m in measured]
        wall = statistics.median(walls)
        peak = max(m.peak_rss_kib for m in measured)
        medians[tool] = (wall, peak)
        print(
            f"| {tool} | {wall:.2f} | {min(walls):.2f}–{max(walls):.2f} "
            f"| {statistics.median(m.cpu_seconds for m in measured):.2f} | {peak / 1024:.0f} "
            f"| {len(corpus) / wall:,.0f} | {megabytes / wall:.2f} "
            f"| {span([s[0] for s in scores])} | {span([s[1] for s in scores])} |"
        )

    if len(medians) == 2:
        (tt_wall, tt_rss), (sk_wall, sk_rss) = medians["topictag"], medians["sklearn"]
        print(f"\nsklearn / topictag: wall time {sk_wall / tt_wall:.2f}×, peak RSS {sk_rss / tt_rss:.2f}×")
    print(
        "\nWall and peak RSS (max over runs) from `/usr/bin/time -v`, whole process: start-up, reading the CSV, "
        "writing the output. CPU = user + sys."
    )
    print(
        "NMI (arithmetic) against the labels: 'all docs' counts documents without a topic (-1) as one cluster; "
        "'non-blank' scores only documents with non-blank text, as the reference figures do."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

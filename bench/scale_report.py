#!/usr/bin/env python3
"""Rows and tables of bench/scale.sh.

    scale_report.py row --run-dir DIR --name NAME --corpus FILE --docs N ... --status N [--output DIR]
        reads DIR/NAME.time (GNU `time -v` report), DIR/NAME.stderr (`--timings` lines) and
        DIR/NAME.stdout (summary line), scores OUTPUT/documents.csv against the corpus labels (joined
        by id) and appends one row to DIR/rows.csv and to every --csv file.
    scale_report.py table DIR/rows.csv
        prints the Markdown tables of a run.

NMI and ARI: topic against label over all documents; a document without a topic (-1) counts as one
cluster of its own.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

STAGES = ["read", "text", "vectorize", "reduce", "cluster", "label", "write"]
COLUMNS = [
    "timestamp", "machine", "binary_sha", "corpus", "docs", "corpus_mb", "corpus_seed", "k", "seed",
    "status", "exit_code", "wall_s", "user_s", "sys_s", "cpu_pct", "peak_rss_mib", "rss_kib_per_doc",
    "us_per_doc", "cpu_us_per_doc", "docs_per_s", "terms", "topics", "no_topic_docs", "nmi", "ari",
] + [f"{stage}_{unit}" for stage in STAGES for unit in ("s", "docs_per_s", "peak_rss_mib")]

_TIMING = re.compile(r"^time: (\S+)\s+([0-9.]+) s$")
_SUMMARY = re.compile(r"^(\d+) documents, (\d+) terms, (\d+) LSA dimensions, (\d+) topics")


def parse_time_report(path: Path) -> dict[str, float]:
    """Wall, user, system seconds and peak RSS (KiB) from a `time -v` report; missing fields are left out."""
    found: dict[str, float] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key == "User time (seconds)":
            found["user"] = float(value)
        elif key == "System time (seconds)":
            found["sys"] = float(value)
        elif key.startswith("Elapsed (wall clock) time"):
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            found["wall"] = seconds
        elif key == "Maximum resident set size (kbytes)":
            found["rss_kib"] = float(value)
    return found


def parse_timings(path: Path) -> dict[str, float]:
    stages: dict[str, float] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _TIMING.match(line.strip())
            if match:
                stages[match.group(1)] = float(match.group(2))
    return stages


def parse_summary(path: Path) -> tuple[str, str]:
    """(terms, topics) from topictag's last stdout line, or empty strings."""
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _SUMMARY.match(line)
            if match:
                return match.group(2), match.group(4)
    return "", ""


def stage_peaks(samples: Path, stages: dict[str, float]) -> dict[str, float]:
    """Peak sampled RSS (KiB) within each stage, placing the stages back to back from the start."""
    if not samples.exists() or not stages:
        return {}
    bounds = []
    end = 0.0
    for stage in STAGES:
        if stage in stages:
            bounds.append((stage, end, end + stages[stage]))
            end += stages[stage]
    peaks: dict[str, float] = {}
    for line in samples.read_text(encoding="ascii", errors="replace").splitlines():
        try:
            at, kib = (float(field) for field in line.split())
        except ValueError:
            continue
        for stage, begin, finish in bounds:
            if begin <= at < finish:
                peaks[stage] = max(peaks.get(stage, 0.0), kib)
                break
    return peaks


def status_name(code: int) -> str:
    if code == 0:
        return "ok"
    if code == 124:
        return "timeout"
    if code == 137:
        return "killed (SIGKILL; out of memory?)"
    if code > 128:
        return f"killed (signal {code - 128})"
    return f"failed (exit {code})"


def score(corpus: Path, documents: Path) -> tuple[float, float, int]:
    """NMI, ARI of topic against label joined by id, and the number of documents without a topic."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    csv.field_size_limit(1 << 30)
    labels: dict[str, str] = {}
    with corpus.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        id_at, label_at = header.index("id"), header.index("label")
        for row in reader:
            labels[row[id_at]] = row[label_at]
    truth: list[str] = []
    found: list[str] = []
    with documents.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            truth.append(labels[row["id"]])
            found.append(row["topic"])
    if len(found) != len(labels):
        raise SystemExit(f"scale_report: {documents} has {len(found)} rows, the corpus {len(labels)}")
    return (
        normalized_mutual_info_score(truth, found),
        adjusted_rand_score(truth, found),
        sum(topic == "-1" for topic in found),
    )


def row_command(args: argparse.Namespace) -> None:
    run_dir: Path = args.run_dir
    docs = args.docs
    usage = parse_time_report(run_dir / f"{args.name}.time")
    stages = parse_timings(run_dir / f"{args.name}.stderr")
    terms, topics = parse_summary(run_dir / f"{args.name}.stdout")
    row: dict[str, object] = {column: "" for column in COLUMNS}
    row.update(
        timestamp=args.timestamp,
        machine=args.machine,
        binary_sha=args.binary_sha,
        corpus=args.corpus.name,
        docs=docs,
        corpus_mb=f"{args.corpus.stat().st_size / 1e6:.1f}",
        corpus_seed=args.corpus_seed,
        k=args.k,
        seed=args.seed,
        status=status_name(args.status),
        exit_code=args.status,
        terms=terms,
        topics=topics,
    )
    if "wall" in usage:
        wall = usage["wall"]
        row.update(wall_s=f"{wall:.2f}")
        if args.status == 0:  # a run cut short has no cost per document
            row.update(us_per_doc=f"{wall / docs * 1e6:.1f}", docs_per_s=f"{docs / wall:.0f}")
        if "user" in usage and "sys" in usage:
            cpu = usage["user"] + usage["sys"]
            if args.status == 0:
                row.update(cpu_us_per_doc=f"{cpu / docs * 1e6:.1f}")
            row.update(
                user_s=f"{usage['user']:.2f}",
                sys_s=f"{usage['sys']:.2f}",
                cpu_pct=f"{cpu / max(wall, 1e-9) * 100:.0f}",
            )
    if "rss_kib" in usage:
        row.update(
            peak_rss_mib=f"{usage['rss_kib'] / 1024:.0f}",
            rss_kib_per_doc=f"{usage['rss_kib'] / docs:.2f}",
        )
    for stage, seconds in stages.items():
        if stage in STAGES:
            row[f"{stage}_s"] = f"{seconds:.3f}"
            row[f"{stage}_docs_per_s"] = f"{docs / seconds:.0f}" if seconds > 0 else ""
    for stage, kib in stage_peaks(run_dir / f"{args.name}.rss", stages).items():
        row[f"{stage}_peak_rss_mib"] = f"{kib / 1024:.0f}"
    documents = args.output / "documents.csv" if args.output else None
    if args.status == 0 and documents and documents.exists():
        nmi, ari, without = score(args.corpus, documents)
        row.update(nmi=f"{nmi:.4f}", ari=f"{ari:.4f}", no_topic_docs=without)

    for target in [run_dir / "rows.csv", *args.csv]:
        new = not target.exists() or target.stat().st_size == 0
        with target.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerow(row)


def _cell(value: str, fmt: str = "{}") -> str:
    if value == "":
        return "–"
    return fmt.format(float(value)) if fmt != "{}" else value


def table_command(args: argparse.Namespace) -> None:
    with args.rows.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit("scale_report: no rows")
    rows.sort(key=lambda row: int(row["docs"]))
    print(
        "| docs | corpus MB | status | wall s | µs/doc | docs/s | CPU % | CPU µs/doc | peak RSS MiB | KiB/doc "
        "| terms | NMI | ARI |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {int(row['docs']):,} | {row['corpus_mb']} | {row['status']} | {_cell(row['wall_s'], '{:.1f}')} "
            f"| {_cell(row['us_per_doc'], '{:.0f}')} | {_cell(row['docs_per_s'], '{:,.0f}')} "
            f"| {_cell(row['cpu_pct'])} | {_cell(row['cpu_us_per_doc'], '{:.0f}')} "
            f"| {_cell(row['peak_rss_mib'], '{:,.0f}')} "
            f"| {_cell(row['rss_kib_per_doc'], '{:.1f}')} | {_cell(row['terms'])} "
            f"| {_cell(row['nmi'], '{:.3f}')} | {_cell(row['ari'], '{:.3f}')} |"
        )

    timed = [row for row in rows if any(row[f"{stage}_s"] for stage in STAGES)]
    if not timed:
        return
    print()
    head = " | ".join(f"{int(row['docs']):,}: s | docs/s | µs/doc" for row in timed)
    print(f"| stage | {head} |" + (" µs/doc ratio, largest/smallest |" if len(timed) > 1 else ""))
    print("|---|" + "---:|---:|---:|" * len(timed) + ("---:|" if len(timed) > 1 else ""))
    totals = [0.0] * len(timed)
    for stage in STAGES:
        cells = []
        per_doc = []
        for index, row in enumerate(timed):
            seconds = row[f"{stage}_s"]
            if seconds == "":
                cells.append("– | – | –")
                per_doc.append(None)
                continue
            value = float(seconds)
            totals[index] += value
            docs = int(row["docs"])
            cost = value / docs * 1e6
            per_doc.append(cost)
            rate = f"{docs / value:,.0f}" if value > 0 else "–"
            cells.append(f"{value:.2f} | {rate} | {cost:.1f}")
        ratio = ""
        if len(timed) > 1:
            ratio = f" {per_doc[-1] / per_doc[0]:.2f} |" if per_doc[0] and per_doc[-1] else " – |"
        print(f"| {stage} | " + " | ".join(cells) + " |" + ratio)
    cells = []
    for index, row in enumerate(timed):
        docs = int(row["docs"])
        cells.append(f"**{totals[index]:.2f}** | {docs / totals[index]:,.0f} | {totals[index] / docs * 1e6:.1f}")
    ratio = ""
    if len(timed) > 1:
        first = totals[0] / int(timed[0]["docs"])
        last = totals[-1] / int(timed[-1]["docs"])
        ratio = f" {last / first:.2f} |"
    print("| all stages | " + " | ".join(cells) + " |" + ratio)

    sampled = [row for row in timed if any(row[f"{stage}_peak_rss_mib"] for stage in STAGES)]
    if not sampled:
        return
    print()
    head = " | ".join(f"{int(row['docs']):,}: MiB | KiB/doc" for row in sampled)
    print(f"| peak RSS during stage (sampled) | {head} |")
    print("|---|" + "---:|---:|" * len(sampled))
    for stage in STAGES:
        cells = []
        for row in sampled:
            mib = row[f"{stage}_peak_rss_mib"]
            if mib == "":
                cells.append("– | –")
            else:
                cells.append(f"{float(mib):,.0f} | {float(mib) * 1024 / int(row['docs']):.1f}")
        print(f"| {stage} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    row = commands.add_parser("row", help="append the row of one run")
    row.add_argument("--run-dir", type=Path, required=True)
    row.add_argument("--name", required=True, help="base name of the run's .time/.stderr/.stdout files")
    row.add_argument("--corpus", type=Path, required=True)
    row.add_argument("--docs", type=int, required=True)
    row.add_argument("--corpus-seed", required=True)
    row.add_argument("--k", required=True)
    row.add_argument("--seed", required=True)
    row.add_argument("--status", type=int, required=True, help="exit code of the timed command")
    row.add_argument("--output", type=Path, help="topictag's output folder")
    row.add_argument("--timestamp", default="")
    row.add_argument("--machine", default="")
    row.add_argument("--binary-sha", default="")
    row.add_argument("--csv", type=Path, action="append", default=[], help="also append the row here")
    table = commands.add_parser("table", help="print the Markdown tables of a run")
    table.add_argument("rows", type=Path)
    args = parser.parse_args()
    if args.command == "row":
        row_command(args)
    else:
        table_command(args)


if __name__ == "__main__":
    sys.exit(main())

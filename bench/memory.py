#!/usr/bin/env python3
"""The fit's memory estimate against the measured peak.

    bench/memory.py                        # every case below, on this machine
    bench/memory.py --cases g100k g300k    # some of them
    bench/memory.py --binary target/release/topictag --out bench/results/memory.csv

Each case fits topictag on a corpus generated from the shared corpora (bench/gen_corpus.py, made
once into bench/results/corpora/) with `-o` a scratch folder, reads the estimate the binary
printed in its summary (`memory: estimated peak ...`) and measures the process's peak
resident set (ru_maxrss of the waited-for child). One run at a time: the machine has 2 cores.
Prints one row per case (documents, corpus MB, estimate, measured, estimate/measured) and appends
them to --out. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared" / "corpora"
CORPORA = BENCH / "results" / "corpora"

# name -> (corpus, extra topictag arguments). Corpora: g<N> generated arXiv abstracts (the scale
# benchmark's), n<N> generated 20newsgroups posts (long, noisy), t<N> the titles of g<N> only
# (short rows).
CASES: dict[str, tuple[str, list[str]]] = {
    "g30k": ("g30000", []),
    "g100k": ("g100000", []),
    "g100k-dims300": ("g100000", ["--dims", "300"]),
    "g300k": ("g300000", []),
    "g1m": ("g1000000", []),
    "g300k-dims30": ("g300000", ["--dims", "30"]),
    "g300k-dims300": ("g300000", ["--dims", "300"]),
    "g300k-no-report": ("g300000", ["--no-report"]),
    "g300k-k-auto": ("g300000", ["--k", "auto"]),
    "g300k-vectors384": ("g300000", ["--vectors", "VECTORS384"]),
    "n100k": ("n100000", []),
    "t1m": ("t1000000", []),
}
DEFAULT_ARGS = ["--seed", "0"]
# k 18 (the generated corpora's labels) unless the case sets --k.
DEFAULT_K = ["--k", "18"]


def corpus(name: str) -> Path:
    """The corpus file for `name`, generated when missing."""
    CORPORA.mkdir(parents=True, exist_ok=True)
    path = CORPORA / f"memory-{name}.csv"
    if path.exists():
        return path
    kind, docs = name[0], int(name[1:])
    if kind == "t":
        source = corpus(f"g{docs}")
        tmp = path.with_suffix(".tmp")
        with open(source, newline="", encoding="utf-8") as src, open(
            tmp, "w", newline="", encoding="utf-8"
        ) as dst:
            reader = csv.DictReader(src)
            writer = csv.writer(dst)
            writer.writerow(["id", "text", "label"])
            for row in reader:
                writer.writerow([row["id"], row["title"], row["label"]])
        os.replace(tmp, path)
        return path
    sources = {"g": "arxiv_2007_18archives.csv", "n": "20newsgroups.csv"}[kind]
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "gen_corpus.py"),
            "--docs",
            str(docs),
            "--seed",
            "0",
            "--source",
            str(SHARED / sources),
            "--out",
            str(path),
        ],
        check=True,
    )
    return path


def vectors(corpus_name: str, dims: int) -> Path:
    """A float32 `.npy` with one `dims`-long row per document of the corpus: each label's row is
    a fixed pseudo-random vector (memory does not depend on the values)."""
    path = CORPORA / f"memory-{corpus_name}-{dims}.npy"
    if path.exists():
        return path
    import array
    import random

    source = corpus(corpus_name)
    with open(source, newline="", encoding="utf-8") as handle:
        labels = [row["label"] for row in csv.DictReader(handle)]
    rng = random.Random(0)
    rows: dict[str, bytes] = {}
    for label in sorted(set(labels)):
        rows[label] = array.array("f", [rng.gauss(0, 1) for _ in range(dims)]).tobytes()
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({len(labels)}, {dims}), }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        out.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        for label in labels:
            out.write(rows[label])
    os.replace(tmp, path)
    return path


ESTIMATE = re.compile(r"memory: estimated peak ([0-9.]+) ([KMGT]i?B)")
UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def run(binary: Path, name: str) -> dict:
    corpus_name, extra = CASES[name]
    path = corpus(corpus_name)
    out = Path(tempfile.mkdtemp(prefix="topictag-memory-"))
    extra = [str(vectors(corpus_name, 384)) if a == "VECTORS384" else a for a in extra]
    k = [] if "--k" in extra else DEFAULT_K
    args = [str(binary), str(path), "-o", str(out / "run"), *DEFAULT_ARGS, *k, *extra]
    start = time.monotonic()
    # The summary (with the estimate) goes to stdout; stderr is progress, left to the terminal.
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    stdout = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    shutil.rmtree(out, ignore_errors=True)
    if status != 0:
        raise SystemExit(f"{name}: topictag failed ({status}):\n{stdout}")
    match = ESTIMATE.search(stdout)
    if not match:
        raise SystemExit(f"{name}: no estimate in the summary:\n{stdout}")
    estimate = float(match.group(1)) * UNITS[match.group(2)]
    measured = usage.ru_maxrss * 1024
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return {
        "case": name,
        "documents": rows,
        "corpus_mb": round(path.stat().st_size / 1e6, 1),
        "estimate_mib": round(estimate / (1 << 20)),
        "measured_mib": round(measured / (1 << 20)),
        "ratio": round(estimate / measured, 3),
        "wall_s": round(wall, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "topictag")
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "memory.csv")
    args = parser.parse_args()
    rows = []
    for name in args.cases:
        row = run(args.binary, name)
        rows.append(row)
        print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    with open(args.out, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        if new:
            writer.writeheader()
        writer.writerows(rows)
    worst = max(abs(r["ratio"] - 1) for r in rows)
    print(f"largest miss: {worst:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

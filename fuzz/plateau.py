#!/usr/bin/env python3
"""Runs fuzz targets until their coverage stops growing, and records the figures.

    python3 fuzz/plateau.py                      # every target, one at a time
    python3 fuzz/plateau.py npy tag --quiet-for 300 --max 1800

Each target runs (`cargo +nightly fuzz run`) on its working corpus, fuzz/corpus/<target>/
(kept between runs, not committed), seeded from fuzz/seeds/<target>/. The run stops once
libFuzzer has reported no new coverage (`cov:`) for --quiet-for seconds, or after --max seconds,
or at a finding (then the reproducer is in fuzz/artifacts/<target>/ and this exits 1). One row
per target goes to fuzz/plateau.csv: seconds run, executions, executions per second, edges
covered (cov), features (ft), corpus entries, and how long coverage had not grown. Standard
library only.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import threading
import queue
import time
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)(?: corp: (\d+)/)?.*?exec/s: (\d+)")


def targets() -> list[str]:
    out = subprocess.run(
        ["cargo", "+nightly", "fuzz", "list"], cwd=FUZZ, check=True, capture_output=True, text=True
    )
    return out.stdout.split()


def run(target: str, quiet_for: float, longest: float, rss_mb: int) -> dict:
    corpus = FUZZ / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts = FUZZ / "artifacts" / target
    artifacts.mkdir(parents=True, exist_ok=True)
    log_path = FUZZ / "corpus" / f"{target}.log"
    args = [
        "cargo", "+nightly", "fuzz", "run", target, str(corpus), str(FUZZ / "seeds" / target),
        "--", f"-max_total_time={int(longest)}", f"-rss_limit_mb={rss_mb}",
        f"-malloc_limit_mb={rss_mb}", "-timeout=10", f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
    ]
    start = time.monotonic()
    last_new = start
    cov = ft = execs = corp = rate = 0
    lines: queue.Queue[str | None] = queue.Queue()
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(
            args, cwd=FUZZ, stderr=subprocess.PIPE, stdout=log, text=True, errors="replace"
        )
        assert child.stderr is not None

        def pump(stream) -> None:
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, args=(child.stderr,), daemon=True).start()
        done = False
        while not done:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                line = ""
            if line is None:
                break
            log.write(line)
            m = STATUS.match(line)
            if m:
                execs, new_cov = int(m.group(1)), int(m.group(3))
                ft, rate = int(m.group(4)), int(m.group(6))
                corp = int(m.group(5) or corp)
                if new_cov > cov:
                    cov, last_new = new_cov, time.monotonic()
            if time.monotonic() - last_new > quiet_for and child.poll() is None:
                child.send_signal(signal.SIGINT)
                quiet_for = float("inf")
        child.wait()
    end = time.monotonic()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"stat::number_of_executed_units: (\d+)", text)
    if m:
        execs = int(m.group(1))
    crashed = bool(re.search(r"ERROR: libFuzzer|panicked at|Test unit written", text))
    return {
        "target": target,
        "seconds": round(end - start),
        "executions": execs,
        "exec_per_s": rate,
        "cov": cov,
        "ft": ft,
        "corpus": corp,
        "seconds_without_new_cov": round(end - last_new),
        "finding": "yes" if crashed else "no",
        "date": time.strftime("%Y-%m-%d"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--quiet-for", type=float, default=300, help="seconds without new coverage")
    parser.add_argument("--max", type=float, default=1800, help="seconds per target at most")
    parser.add_argument("--rss-mb", type=int, default=2048)
    args = parser.parse_args()
    subprocess.run(["cargo", "+nightly", "fuzz", "build"], cwd=FUZZ, check=True)
    names = args.targets or targets()
    out = FUZZ / "plateau.csv"
    found = False
    for name in names:
        row = run(name, args.quiet_for, args.max, args.rss_mb)
        print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
        new = not out.exists()
        with open(out, "a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow(row)
        found |= row["finding"] == "yes"
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Rebuild data/papers.csv from the daily-papers digest in ../shared/seeds/.

The digest is a page dump: a few lines of page furniture, then, for every paper, a title line
followed by its abstract paragraph (blank lines between). Titles are short single lines and
abstracts long ones, which is how the furniture at the top is told apart from the papers.
"""
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "seeds" / "000_884d946125a32383.txt"
TARGET = ROOT / "data" / "papers.csv"
ABSTRACT_MIN_CHARS = 300


def papers(lines):
    lines = [line.strip() for line in lines if line.strip()]
    # The first abstract-length line marks where the papers start: the line before it is a title.
    first = next(i for i, line in enumerate(lines) if len(line) >= ABSTRACT_MIN_CHARS) - 1
    body = lines[first:]
    if len(body) % 2:
        sys.exit(f"{SOURCE}: odd number of title/abstract lines after the header")
    for n in range(0, len(body), 2):
        title, abstract = body[n], body[n + 1]
        if len(title) >= ABSTRACT_MIN_CHARS or len(abstract) < ABSTRACT_MIN_CHARS:
            sys.exit(f"{SOURCE}: title/abstract pairing broken near {title[:60]!r}")
        yield title, abstract


def main():
    rows = list(papers(SOURCE.read_text(encoding="utf-8").splitlines()))
    with TARGET.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "title", "abstract"])
        for n, (title, abstract) in enumerate(rows, start=1):
            writer.writerow([n, title, abstract])
    print(f"wrote {len(rows)} papers to {TARGET}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate a large labeled corpus by resampling the sentences and titles of real ones.

    bench/gen_corpus.py --docs 1000000 --seed 0 --out bench/results/corpora/big.csv
    bench/gen_corpus.py --docs 50000 --source arxiv_2007_4fields.csv --source 20newsgroups.csv --out x.csv

Sources are labeled corpora (header id,title,text,label; RFC 4180). Each generated document:

* takes a label drawn with the sources' label distribution (one draw per real document);
* takes its number of sentences from a real document of that label, so the sentence-count
  distribution (including empty texts, which some corpora have) is the real one per label;
* fills the first, middle and last positions with sentences drawn from the same positions of that
  label's real texts; each sentence keeps the whitespace that followed it, so line breaks survive;
* gets a real title of that label or, with probability --title-mix, the start of one real title of
  that label spliced onto the end of another at a connecting word (`of`, `for`, `:`, ...).

Output: id,title,text,label with ids g0000001, g0000002, ..., written with the csv module (CRLF row
ends like the source corpora) in batches, so memory holds the source sentences and one batch only.
The file is written to OUT.tmp and renamed into place when complete. Same sources, --docs and --seed
give the same bytes. Standard library only; a summary with the throughput goes to stderr.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import os
import re
import sys
import time
from pathlib import Path
from random import Random

DEFAULT_SOURCE = "arxiv_2007_18archives.csv"
BATCH = 4096

# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) before whitespace
# and a character that can start a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"')\]]?)(\s+)(?=[A-Z0-9$\\(\[\"'])")
# Pieces ending like this were not sentence ends: abbreviations and initials ("J. Smith").
_NOT_AN_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|cf|vs|etc|resp|approx|viz|Fig|Figs|Eq|Eqs|Ref|Refs|Sec|Secs|Tab|"
    r"Dr|Mr|Mrs|Ms|Prof|St|No|Nos|Vol|Phys|Rev|Lett|Astrophys|Math|Nucl|J|Ann|Proc|Inc|Ltd|Jr|"
    r"Am|Soc|Sci|Mag|Optim|Int|Comput|Theor|Mod|Opt|Chem|Biol|Appl|Acad|Natl|Geophys|Univ)\.|"
    r"\b[A-Z]\.)[\"')\]]?$"
)
# Words a title can be split at: the part before comes from one title, the rest from another.
_TITLE_JOINS = re.compile(r"(?<=\S)(?=(?::| (?:of|for|in|on|with|from|and|via|by|to|under|at) )\s?)")


def split_sentences(text: str) -> list[str]:
    """Sentences of text, each with the whitespace that followed it; leading whitespace is dropped."""
    text = text.lstrip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    pending = ""
    for match in _BOUNDARY.finditer(text):
        piece = text[start : match.start(2)]
        if _NOT_AN_END.search(piece):
            pending += text[start : match.end()]
        else:
            sentences.append(pending + text[start : match.end()])
            pending = ""
        start = match.end()
    sentences.append(pending + text[start:])
    return sentences


def _balanced(text: str) -> bool:
    return (
        text.count('"') % 2 == 0
        and text.count("$") % 2 == 0
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
        and text.count("{") == text.count("}")
    )


class Label:
    """What one label's documents are made of."""

    __slots__ = ("name", "counts", "first", "middle", "last", "titles", "title_heads", "title_tails")

    def __init__(self, name: str) -> None:
        self.name = name
        self.counts: list[int] = []  # sentences per real document
        self.first: list[str] = []
        self.middle: list[str] = []
        self.last: list[str] = []
        self.titles: list[str] = []  # every real title, empty ones included
        self.title_heads: list[str] = []  # title starts, up to a connecting word
        self.title_tails: list[str] = []  # title ends, from a connecting word on

    def add(self, title: str, text: str) -> None:
        sentences = split_sentences(text)
        self.counts.append(len(sentences))
        if sentences:
            self.first.append(sentences[0])
            if len(sentences) > 1:
                self.last.append(sentences[-1])
            self.middle.extend(sentences[1:-1])
        self.titles.append(title)
        for match in _TITLE_JOINS.finditer(title):
            head = title[: match.start()]
            if _balanced(head):  # never split inside quotes, brackets or TeX math
                self.title_heads.append(head)
                self.title_tails.append(title[match.start() :])


def load_sources(paths: list[Path]) -> list[Label]:
    csv.field_size_limit(1 << 30)
    labels: dict[str, Label] = {}
    prefix = len(paths) > 1
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"title", "text", "label"} - set(reader.fieldnames or [])
            if missing:
                sys.exit(f"gen_corpus: {path}: no column {', '.join(sorted(missing))}")
            for row in reader:
                name = f"{path.stem}/{row['label']}" if prefix else row["label"]
                label = labels.get(name)
                if label is None:
                    label = labels[name] = Label(name)
                label.add(row["title"] or "", row["text"] or "")
    if not labels:
        sys.exit("gen_corpus: the sources have no documents")
    return list(labels.values())


def generate(labels: list[Label], docs: int, seed: int, title_mix: float, out: Path) -> int:
    """Write the corpus to out; returns the number of bytes written."""
    rng = Random(seed)
    rand = rng.random
    cumulative = []
    total = 0
    for label in labels:
        total += len(label.counts)
        cumulative.append(total)
    pick_label = bisect.bisect_right
    width = max(7, len(str(docs)))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text", "label"])
        batch = []
        for number in range(1, docs + 1):
            label = labels[pick_label(cumulative, rand() * total)]
            counts = label.counts
            n = counts[int(rand() * len(counts))]
            if n == 0:
                text = ""
            else:
                first = label.first
                parts = [first[int(rand() * len(first))]]
                if n > 2:
                    middle = label.middle
                    size = len(middle)
                    parts.extend([middle[int(rand() * size)] for _ in range(n - 2)])
                if n > 1:
                    last = label.last
                    parts.append(last[int(rand() * len(last))])
                text = "".join(parts).rstrip()

            heads = label.title_heads
            if heads and rand() < title_mix:
                tails = label.title_tails
                title = heads[int(rand() * len(heads))] + tails[int(rand() * len(tails))]
            else:
                titles = label.titles
                title = titles[int(rand() * len(titles))]

            batch.append((f"g{number:0{width}d}", title, text, label.name))
            if len(batch) == BATCH:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    size = tmp.stat().st_size
    os.replace(tmp, out)
    return size


def main() -> None:
    bench_dir = Path(__file__).resolve().parent
    corpora = Path(os.environ.get("TOPICTAG_CORPORA", bench_dir.parent.parent / "shared" / "corpora"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="output CSV (written via OUT.tmp)")
    parser.add_argument(
        "--source",
        action="append",
        default=None,
        help=f"labeled corpus CSV, a path or a file name in {corpora} (repeatable; default {DEFAULT_SOURCE}); "
        "with several sources labels are prefixed with the file's stem",
    )
    parser.add_argument(
        "--title-mix",
        type=float,
        default=0.5,
        help="probability that a title is spliced from two real titles rather than copied (default 0.5)",
    )
    args = parser.parse_args()
    if args.docs < 0:
        parser.error("--docs must not be negative")
    if not 0.0 <= args.title_mix <= 1.0:
        parser.error("--title-mix must be in [0, 1]")

    sources = []
    for source in args.source or [DEFAULT_SOURCE]:
        path = Path(source)
        if not path.exists() and (corpora / source).exists():
            path = corpora / source
        if not path.is_file():
            parser.error(f"no source corpus {source} (looked in . and {corpora})")
        sources.append(path)

    started = time.perf_counter()
    labels = load_sources(sources)
    loaded = time.perf_counter()
    size = generate(labels, args.docs, args.seed, args.title_mix, args.out)
    done = time.perf_counter()

    seconds = done - loaded
    sentences = sum(len(label.first) + len(label.middle) + len(label.last) for label in labels)
    print(
        f"gen_corpus: {args.docs} documents, {size / 1e6:.1f} MB -> {args.out} "
        f"({len(labels)} labels, {sentences} source sentences; load {loaded - started:.2f} s, "
        f"write {seconds:.1f} s = {args.docs / max(seconds, 1e-9):,.0f} docs/s, "
        f"{size / 1e6 / max(seconds, 1e-9):.1f} MB/s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

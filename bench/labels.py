#!/usr/bin/env python3
"""Labels a reader would write, measured: markup in labels and top terms, coherence and NMI.

For each labeled corpus, with k = number of labels and seeds 0 1 2 (20newsgroups: seed 0), runs
up to three fits: BEFORE (a binary given with --before, e.g. one built from an earlier commit),
AFTER (this checkout's release binary, markup stage on, the default) and RAW (the same binary
with --no-markup). For each it reports:

- markup share: of the label terms and of the top terms of every topic, the share that contain a
  markup word. A markup word is one that occurs in the corpus' raw text more often inside markup
  than outside it: inside LaTeX math or a LaTeX command, an XML/HTML tag, an entity, a URL, DOI,
  e-mail address or arXiv id, or a section heading (`Background:`). Counted on the raw text with
  regular expressions of this script, independent of the tool's own markup stage.
- junk share: terms that are number-only or a single letter;
- coherence: the fit's NPMI (metrics.json, coherence_npmi), which each fit counts on its own
  analysed tokens (so a fit that keeps `mathbb` and `infty` gets credit for how often they occur
  together); and "shared NPMI", computed here the same way for every fit: the mean over topics of
  the NPMI of each pair of its 10 top terms, by document co-occurrence in the corpus' raw text
  (lower-cased words; a phrase occurs where its words stand in a row; a pair never seen together
  scores -1);
- NMI against the labels over all documents (metrics.json, labels.all_documents.nmi).

Usage: bench/labels.py [--before BIN] [--corpora NAME ...] [--seeds 0 1 2]
Corpora are looked up in ../shared/corpora (TOPICTAG_CORPORA) and in bench/corpora.
Writes bench/results/labels.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TOPICTAG_CORPORA", ROOT.parent / "shared" / "corpora"))
LOCAL = ROOT / "bench" / "corpora"
AFTER = ROOT / "target" / "release" / "topictag"
DEFAULT_CORPORA = [
    "arxiv_latex",
    "medical_jats",
    "arxiv_2007_4fields",
    "arxiv_2007_18archives",
    "20newsgroups_4cat",
    "20newsgroups",
    "medical_abstracts",
]
# Derived corpora, written to a temporary folder on each run from the ones above.
# arxiv_latex: the abstracts of arxiv_2007_18archives that hold LaTeX (`$`, `\(`, or a `\command`),
#   in the archives with at least 15 of them: every document has markup.
# medical_jats: medical_abstracts as Crossref and PubMed Central deliver abstracts: a
#   `<jats:title>Abstract</jats:title>` heading, `<jats:p>` paragraphs, the structured headings
#   (`OBJECTIVE:`) as `<jats:sec><jats:title>…</jats:title>` sections, `&`, `<`, `>` as entities,
#   `+/-` as `&#177;`, p-values in `<jats:italic>`, and a trailing `DOI: https://doi.org/…`.
DERIVED = {"arxiv_latex", "medical_jats"}

MARKUP_SPANS = re.compile(
    r"""
      \$\$.*?\$\$ | \$[^$]{1,400}\$                  # TeX math
    | \\\(.*?\\\) | \\\[.*?\\\]
    | \\[A-Za-z]+\*?                                  # TeX commands
    | <[^<>]{1,300}>                                  # tags with their attributes
    | &\#?[A-Za-z0-9]{1,10};                          # entities
    | (?:https?|ftp)://\S+ | www\.\S+                 # addresses
    | \bdoi:\s*\S+ | \b10\.\d{4,9}/\S+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
    | \barXiv:\s*\S+
    | (?:^|(?<=[.>]\s))(?:Abstract|ABSTRACT|Summary|SUMMARY)\b[.:]?
    | \b(?:[A-Z][a-z]+|[A-Z]{3,})(?:\s(?:and|of|the|[A-Z][a-z]+|[A-Z]{3,})){0,3}:(?=\s)  # headings
    """,
    re.VERBOSE | re.DOTALL,
)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
HEADING_WORDS = {
    "abstract", "background", "methods", "method", "results", "result", "conclusions", "conclusion",
    "objective", "objectives", "purpose", "aim", "aims", "introduction", "design", "setting",
    "participants", "patients", "interventions", "measurements", "findings", "interpretation",
    "summary", "significance", "context", "main", "outcome", "outcomes", "measures", "discussion",
}


LATEX = re.compile(r"\$|\\\(|\\[A-Za-z]{2,}")
HEADING = re.compile(r"(?:^|(?<=\.\s))([A-Z]{4,}(?:\s[A-Z]{3,})?):\s")


csv.field_size_limit(sys.maxsize)


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "title", "text", "label"])
        w.writeheader()
        w.writerows({k: r[k] for k in ("id", "title", "text", "label")} for r in rows)
    return path


def to_jats(text: str, number: int) -> str:
    text = text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("+/-", "&#177;")
    text = re.sub(r"\b([Pp]) (=|less than|&lt;)", r"<jats:italic>\1</jats:italic> \2", text)
    parts = HEADING.split(text)
    if len(parts) == 1:
        body = f"<jats:p>{text}</jats:p>"
    else:
        body = f"<jats:p>{parts[0].strip()}</jats:p>" if parts[0].strip() else ""
        for head, para in zip(parts[1::2], parts[2::2]):
            body += (f"<jats:sec><jats:title>{head.title()}</jats:title>"
                     f"<jats:p>{para.strip()}</jats:p></jats:sec>")
    doi = f"DOI: https://doi.org/10.1000/med.{number:05d}"
    return f"<jats:title>Abstract</jats:title>{body}<jats:p>{doi}</jats:p>"


def derive(name: str, folder: Path) -> Path | None:
    if name == "arxiv_latex":
        source = corpus_path("arxiv_2007_18archives")
        if source is None:
            return None
        rows = [r for r in read_rows(source) if LATEX.search(r["text"])]
        counts = Counter(r["label"] for r in rows)
        return write_rows(folder / "arxiv_latex.csv", [r for r in rows if counts[r["label"]] >= 15])
    if name == "medical_jats":
        source = corpus_path("medical_abstracts")
        if source is None:
            return None
        rows = read_rows(source)
        for i, r in enumerate(rows):
            r["text"] = to_jats(r["text"], i + 1)
        return write_rows(folder / "medical_jats.csv", rows)
    return None


def corpus_path(name: str) -> Path | None:
    for folder in (SHARED, LOCAL):
        path = folder / f"{name}.csv"
        if path.is_file():
            return path
    return None


def markup_words(rows: list[dict]) -> set[str]:
    """Words seen more often inside markup than outside it in the corpus' raw text."""
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for row in rows:
        for field in (row["title"], row["text"]):
            last = 0
            for span in MARKUP_SPANS.finditer(field):
                text = span.group(0)
                if text.endswith(":") and not text.startswith(("\\", "<", "&", "http", "www")):
                    # A heading counts only when its words are heading words.
                    words = [w.lower() for w in WORD.findall(text)]
                    if not words or words[0] not in HEADING_WORDS:
                        continue
                outside.update(w.lower() for w in WORD.findall(field[last : span.start()]))
                inside.update(w.lower() for w in WORD.findall(text))
                last = span.end()
            outside.update(w.lower() for w in WORD.findall(field[last:]))
    return {w for w, n in inside.items() if n > outside[w]}


def is_markup(term: str, words: set[str]) -> bool:
    return any(w.lower() in words for w in WORD.findall(term)) or bool(re.search(r"[\\$<>&{}]", term))


def is_junk(term: str) -> bool:
    return sum(c.isalpha() for c in term) < 2


def document_texts(rows: list[dict]) -> list[str]:
    """Each document's raw title and text as lower-cased words joined by single spaces."""
    return [" " + " ".join(WORD.findall(f"{r['title']} {r['text']}".lower())) + " "
            for r in rows]


def shared_npmi(topics: list[list[str]], docs: list[str]) -> float:
    cache: dict[str, frozenset[int]] = {}

    def where(term: str) -> frozenset[int]:
        if term not in cache:
            key = " " + " ".join(WORD.findall(term.lower())) + " "
            cache[term] = frozenset(i for i, d in enumerate(docs) if key in d)
        return cache[term]

    n = len(docs)
    scores = []
    for terms in topics:
        terms = terms[:10]
        pairs = []
        for a in range(len(terms)):
            for b in range(a + 1, len(terms)):
                da, db = where(terms[a]), where(terms[b])
                both = len(da & db)
                if both == 0 or not da or not db:
                    pairs.append(-1.0)
                    continue
                p_ab, p_a, p_b = both / n, len(da) / n, len(db) / n
                pairs.append(1.0 if p_ab == 1 else math.log(p_ab / (p_a * p_b)) / -math.log(p_ab))
        if pairs:
            scores.append(statistics.mean(pairs))
    return statistics.mean(scores) if scores else 0.0


def fit(binary: Path, corpus: Path, k: int, seed: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(binary), str(corpus), "--k", str(k), "--seed", str(seed), "--label-column",
               "label", "--no-report", "--quiet", "-o", out, *extra]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        metrics = json.loads(Path(out, "metrics.json").read_text())
        with open(Path(out, "topics.csv"), newline="", encoding="utf-8") as f:
            topics = list(csv.DictReader(f))
    labels = [t.strip() for topic in topics for t in topic["label"].split(", ") if t.strip()]
    top = [t for topic in topics for t in topic["top_terms"].split(";") if t]
    return {
        "nmi": metrics["labels"]["all_documents"]["nmi"],
        "npmi": metrics["coherence_npmi"],
        "labels": labels,
        "top_terms": top,
        "topics": [[t for t in topic["top_terms"].split(";") if t] for topic in topics],
    }


def summarise(runs: list[dict], words: set[str], docs: list[str]) -> dict:
    labels = [t for r in runs for t in r["labels"]]
    top = [t for r in runs for t in r["top_terms"]]
    markup = sorted({t for t in labels + top if is_markup(t, words)})
    return {
        "nmi": statistics.mean(r["nmi"] for r in runs),
        "nmi_sd": statistics.stdev([r["nmi"] for r in runs]) if len(runs) > 1 else 0.0,
        "npmi": statistics.mean(r["npmi"] for r in runs),
        "shared_npmi": statistics.mean(shared := [shared_npmi(r["topics"], docs) for r in runs]),
        "shared_npmi_seeds": shared,
        "label_markup": sum(is_markup(t, words) for t in labels) / max(len(labels), 1),
        "top_markup": sum(is_markup(t, words) for t in top) / max(len(top), 1),
        "junk": sum(is_junk(t) for t in labels + top) / max(len(labels + top), 1),
        "markup_terms": markup[:12],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="binary to compare with (earlier build)")
    parser.add_argument("--corpora", nargs="+", default=DEFAULT_CORPORA)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--no-raw", action="store_true", help="skip the --no-markup runs")
    args = parser.parse_args()
    if not AFTER.is_file():
        print(f"labels.py: build first (cargo build --release): {AFTER} is missing", file=sys.stderr)
        return 2
    variants = []
    if args.before:
        variants.append(("before", args.before, []))
    variants.append(("after", AFTER, []))
    if not args.no_raw:
        variants.append(("after, --no-markup", AFTER, ["--no-markup"]))
    results = {}
    print("| corpus | fit | label terms with markup | top terms with markup | number/one-letter terms | NPMI (own) | NPMI (shared; by seed) | NMI (mean ± sd) | markup terms seen |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    derived = tempfile.TemporaryDirectory()
    for name in args.corpora:
        path = derive(name, Path(derived.name)) if name in DERIVED else corpus_path(name)
        if path is None:
            print(f"labels.py: no corpus {name}, skipped", file=sys.stderr)
            continue
        rows = read_rows(path)
        k = len({row["label"] for row in rows})
        words = markup_words(rows)
        docs = document_texts(rows)
        seeds = args.seeds[:1] if name == "20newsgroups" else args.seeds
        results[name] = {"k": k, "markup_words": len(words)}
        for variant, binary, extra in variants:
            s = summarise([fit(binary, path, k, seed, extra) for seed in seeds], words, docs)
            results[name][variant] = s
            print(f"| {name} | {variant} | {s['label_markup']:.1%} | {s['top_markup']:.1%} | "
                  f"{s['junk']:.1%} | {s['npmi']:.3f} | {s['shared_npmi']:.3f} ({' '.join(f'{x:.3f}' for x in s['shared_npmi_seeds'])}) | {s['nmi']:.3f} ± {s['nmi_sd']:.3f} | "
                  f"{', '.join(s['markup_terms']) or '—'} |", flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    # Merged with what is there, so one corpus can be re-measured on its own.
    path = out / "labels.json"
    merged = json.loads(path.read_text()) if path.is_file() else {}
    merged.update(results)
    path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

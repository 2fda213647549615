#!/usr/bin/env python3
"""Clustering quality of topictag on the labeled corpora, against the scikit-learn reference.

For each corpus, with k = number of distinct labels, runs topictag once per seed, joins its
documents.csv to the corpus labels by row order (ids must match) and scores `topic` against
`label` with NMI (arithmetic mean) and ARI. NMI is reported over ALL documents, including those
topictag leaves without a topic (-1), which count as one cluster of their own, and over the
documents with non-blank text only: the scikit-learn reference drops blank ones, so its figures
are on that subset.

Exits 1 if any corpus' mean NMI (on the --gate-on document set, default non-blank, the reference's
own) is more than --tolerance below its reference figure, 2 on errors.
Use bench/quality.sh to build the release binary and set up the venv first.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

import sklearn_pipeline
from sklearn_pipeline import NO_TOPIC, Corpus, read_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = Path(os.environ.get("TOPICTAG_CORPORA", REPO_ROOT.parent / "shared" / "corpora"))

# The scikit-learn reference (sklearn_pipeline.py, scikit-learn 1.9.1), per seed: (NMI, ARI) on the
# documents with non-blank text. Their means over seeds 0 1 2 (20newsgroups: seed 0) are the corpora
# README's figures; keeping the seeds apart lets a run be compared with the reference on its own seeds.
REFERENCE_BY_SEED = {
    "20newsgroups": {0: (0.4409, 0.2132), 1: (0.4023, 0.1851), 2: (0.4169, 0.2127)},
    "20newsgroups_4cat": {0: (0.4248, 0.3328), 1: (0.4517, 0.3785), 2: (0.4262, 0.3396)},
    "arxiv_2007_18archives": {0: (0.4593, 0.2368), 1: (0.4716, 0.2836), 2: (0.4928, 0.2708)},
    "arxiv_2007_4fields": {0: (0.7709, 0.8046), 1: (0.7562, 0.7921), 2: (0.7512, 0.7848)},
}
# The corpora README's figures, used for seeds the table above does not hold.
README_REFERENCE = {
    "20newsgroups": (0.441, 0.213),
    "20newsgroups_4cat": (0.434, 0.350),
    "arxiv_2007_18archives": (0.475, 0.264),
    "arxiv_2007_4fields": (0.759, 0.794),
}
DEFAULT_CORPORA = ["20newsgroups_4cat", "arxiv_2007_4fields"]
# With --embeddings: the corpora README's embedding-based figures (NMI, mean of seeds 0 1 2).
# "both" = LSA row + 2 x all-MiniLM-L6-v2 vector, k-means; BERTopic 0.17.4 with the same model and
# k-means. A corpus is held to "both" where it has a figure, else to BERTopic.
EMBEDDING_BOTH = {"20newsgroups_4cat": 0.540, "arxiv_2007_18archives": 0.537, "arxiv_2007_4fields": 0.822}
EMBEDDING_BERTOPIC = {"20newsgroups": 0.579, "arxiv_2007_18archives": 0.554, "arxiv_2007_4fields": 0.826}
DEFAULT_MODEL = REPO_ROOT / "models" / "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Reference:
    nmi: float
    ari: float
    same_seeds: bool  # False: the README figure, measured on other seeds


def reference_for(name: str, seeds: list[int], embeddings: bool = False) -> Reference | None:
    if embeddings:
        figure = EMBEDDING_BOTH.get(name, EMBEDDING_BERTOPIC.get(name))
        return None if figure is None else Reference(nmi=figure, ari=float("nan"), same_seeds=False)
    per_seed = REFERENCE_BY_SEED.get(name, {})
    if seeds and all(seed in per_seed for seed in seeds):
        return Reference(
            nmi=statistics.fmean(per_seed[seed][0] for seed in seeds),
            ari=statistics.fmean(per_seed[seed][1] for seed in seeds),
            same_seeds=True,
        )
    if name in README_REFERENCE:
        return Reference(*README_REFERENCE[name], same_seeds=False)
    return None


class BenchError(Exception):
    """A run that could not be scored: missing binary, failed run, output that does not match."""


@dataclass
class Score:
    nmi: float  # all documents
    nmi_with_text: float  # documents with non-blank text, as the reference scores
    ari: float
    ari_with_text: float
    no_topic: int

    def gated_nmi(self, gate_on: str) -> float:
        return self.nmi if gate_on == "all" else self.nmi_with_text

    def gated_ari(self, gate_on: str) -> float:
        return self.ari if gate_on == "all" else self.ari_with_text


@dataclass
class CorpusResult:
    name: str
    k: int
    documents: int
    reference: Reference | None
    topictag: list[Score] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    sklearn: list[Score] = field(default_factory=list)
    picked: list[int] = field(default_factory=list)

    def mean_nmi(self, gate_on: str) -> float:
        return statistics.fmean(score.gated_nmi(gate_on) for score in self.topictag)

    def passes(self, tolerance: float, gate_on: str) -> bool:
        return self.reference is None or self.mean_nmi(gate_on) >= self.reference.nmi - tolerance


def score(corpus: Corpus, topics: list[int]) -> Score:
    labels = corpus.labels
    with_text = [i for i, keep in enumerate(corpus.has_text()) if keep]
    labels_with_text = [labels[i] for i in with_text]
    topics_with_text = [topics[i] for i in with_text]
    return Score(
        nmi=normalized_mutual_info_score(labels, topics),
        nmi_with_text=normalized_mutual_info_score(labels_with_text, topics_with_text),
        ari=adjusted_rand_score(labels, topics),
        ari_with_text=adjusted_rand_score(labels_with_text, topics_with_text),
        no_topic=topics.count(NO_TOPIC),
    )


def run_topictag(
    binary: Path, corpus_path: Path, out_dir: Path, k: int | None, seed: int, extra: list[str]
) -> float:
    """Run the binary once; return its wall time in seconds. Stdout and stderr go to out_dir."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    command = [
        str(binary),
        str(corpus_path),
        "--output",
        str(out_dir),
        "--k",
        "auto" if k is None else str(k),
        "--seed",
        str(seed),
        "--id-column",
        "id",
        "--title-column",
        "title",
        "--text-column",
        "text",
    ] + extra
    with open(out_dir / "stdout.txt", "wb") as stdout, open(out_dir / "stderr.txt", "wb") as stderr:
        start = time.perf_counter()
        finished = subprocess.run(command, stdout=stdout, stderr=stderr, check=False)
        seconds = time.perf_counter() - start
    if finished.returncode != 0:
        tail = (out_dir / "stderr.txt").read_text(errors="replace").strip().splitlines()[-20:]
        raise BenchError(
            f"topictag exited with status {finished.returncode}:\n  {' '.join(command)}\n"
            + "\n".join(f"  | {line}" for line in tail)
        )
    return seconds


def read_topics(documents_csv: Path, corpus: Corpus) -> list[int]:
    """Read documents.csv and check it has one row per corpus document, same ids, same order."""
    if not documents_csv.is_file():
        raise BenchError(f"topictag wrote no {documents_csv}")
    with open(documents_csv, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "topic"} - set(reader.fieldnames or [])
        if missing:
            raise BenchError(f"{documents_csv}: missing column(s) {', '.join(sorted(missing))}")
        rows = [(row["id"], row["topic"]) for row in reader]
    if len(rows) != len(corpus):
        raise BenchError(f"{documents_csv}: {len(rows)} rows, corpus has {len(corpus)} documents")
    topics = []
    for line, ((doc_id, topic), expected) in enumerate(zip(rows, corpus.ids, strict=True), start=2):
        if doc_id != expected:
            raise BenchError(f"{documents_csv}:{line}: id {doc_id!r}, corpus has {expected!r} in that row")
        try:
            topics.append(int(topic))
        except ValueError:
            raise BenchError(f"{documents_csv}:{line}: topic {topic!r} is not an integer") from None
    return topics


def describe(tool: str, run: Score) -> str:
    return (
        f"{tool} NMI {run.nmi:.3f} (non-blank docs {run.nmi_with_text:.3f}), "
        f"ARI {run.ari:.3f} (non-blank docs {run.ari_with_text:.3f}), {run.no_topic} docs without topic"
    )


def evaluate_corpus(name: str, args: argparse.Namespace) -> CorpusResult:
    corpus_path = CORPORA_DIR / f"{name}.csv"
    corpus = read_corpus(corpus_path)
    result = CorpusResult(
        name=name, k=corpus.label_count, documents=len(corpus), reference=reference_for(name, args.seeds, args.embeddings is not None)
    )
    for seed in args.seeds:
        out_dir = args.work_dir / name / f"seed-{seed}"
        seconds = run_topictag(
            args.binary,
            corpus_path,
            out_dir,
            None if args.auto_k else result.k,
            seed,
            args.topictag_args.split(),
        )
        run = score(corpus, read_topics(out_dir / "documents.csv", corpus))
        result.topictag.append(run)
        result.seconds.append(seconds)
        picked = ""
        if args.auto_k:
            with open(out_dir / "topics.csv", newline="", encoding="utf-8") as topics:
                result.picked.append(sum(1 for _ in csv.DictReader(topics)))
            picked = f", k auto picked {result.picked[-1]}"
        print(f"{name} seed {seed}: {describe('topictag', run)}, {seconds:.2f}s{picked}", flush=True)
        if args.sklearn:
            reference = score(corpus, sklearn_pipeline.cluster(corpus, result.k, seed))
            result.sklearn.append(reference)
            print(f"{name} seed {seed}: {describe('sklearn ', reference)}", flush=True)
    return result


def mean_sd(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.3f} ± {sd:.3f}"


def print_table(results: list[CorpusResult], args: argparse.Namespace) -> None:
    gate = args.gate_on
    header = [
        "corpus",
        "k",
        "docs",
        "no topic",
        "ref NMI",
        "NMI all docs",
        "NMI non-blank",
        f"min ({gate})",
        f"Δ vs ref ({gate})",
        f"ARI {gate} (ref)",
        "s/run",
    ]
    if args.sklearn:
        header += ["sklearn NMI all docs", "sklearn NMI non-blank", f"sklearn ARI {gate}"]
    header.append("status")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for result in results:
        reference = result.reference
        no_topic = sorted({s.no_topic for s in result.topictag})
        cells = [
            result.name,
            "/".join(map(str, result.picked)) + f" ({result.k})" if result.picked else str(result.k),
            str(result.documents),
            "/".join(map(str, no_topic)),
            (f"{reference.nmi:.3f}" + ("" if reference.same_seeds else "*")) if reference else "—",
            mean_sd([s.nmi for s in result.topictag]),
            mean_sd([s.nmi_with_text for s in result.topictag]),
            f"{min(s.gated_nmi(gate) for s in result.topictag):.3f}",
            f"{result.mean_nmi(gate) - reference.nmi:+.3f}" if reference else "—",
            f"{statistics.fmean(s.gated_ari(gate) for s in result.topictag):.3f}"
            + (f" ({reference.ari:.3f})" if reference else ""),
            f"{statistics.median(result.seconds):.2f}",
        ]
        if args.sklearn:
            cells += [
                mean_sd([s.nmi for s in result.sklearn]),
                mean_sd([s.nmi_with_text for s in result.sklearn]),
                f"{statistics.fmean(s.gated_ari(gate) for s in result.sklearn):.3f}",
            ]
        cells.append("ok" if result.passes(args.tolerance, gate) else "FAIL")
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"Seeds {' '.join(map(str, args.seeds))}; k = number of distinct labels; mean ± sample standard "
        "deviation over seeds; NMI uses the arithmetic mean."
    )
    print("'all docs': every document is scored; documents without a topic (-1) count as one cluster of their own.")
    print("'non-blank': only documents whose text is not blank, the set the reference figures are scored on.")
    print(
        "ref NMI/ARI: the scikit-learn 1.9.1 reference (LSA(100) + k-means) on non-blank documents, mean over "
        "the same seeds; * marks the corpora README's figure, used when a seed is outside 0 1 2."
    )
    print(
        f"status FAIL: mean NMI ({gate}) more than {args.tolerance} below ref NMI. "
        "s/run: median wall seconds of one topictag run."
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--all", action="store_true", help="all four corpora")
    choice.add_argument(
        "--corpora",
        nargs="+",
        metavar="NAME",
        help=f"corpus names in the corpora dir, with or without .csv (default: {' '.join(DEFAULT_CORPORA)})",
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds to run (default: 0 1 2)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.02,
        help="allowed shortfall of mean NMI below the reference (default: 0.02)",
    )
    parser.add_argument(
        "--gate-on",
        choices=["non-blank", "all"],
        default="non-blank",
        help="documents whose NMI is held to the reference: those with non-blank text, as the "
        "reference is scored (default), or all documents, -1 as its own cluster",
    )
    parser.add_argument(
        "--sklearn",
        action="store_true",
        help="also run the scikit-learn reference pipeline on the same corpora and seeds",
    )
    parser.add_argument(
        "--auto-k",
        action="store_true",
        help="let topictag choose k (--k auto) instead of k = number of labels; the k column then "
        "shows the picks per seed and the label count in brackets",
    )
    parser.add_argument(
        "--topictag-args",
        default="",
        metavar="ARGS",
        help="extra arguments for every topictag run, e.g. '--spectral' (a later --k wins over k = labels)",
    )
    parser.add_argument(
        "--embeddings",
        nargs="?",
        const=DEFAULT_MODEL,
        type=Path,
        metavar="DIR",
        help="join sentence vectors from this model folder (default: models/all-MiniLM-L6-v2, "
        "bench/fetch_model.sh) and hold each corpus to the README's embedding figures; vectors are "
        "cached under the work dir, so only the first run of a corpus embeds",
    )
    parser.add_argument(
        "--binary",
        type=Path,
        default=REPO_ROOT / "target" / "release" / "topictag",
        help="topictag binary (default: target/release/topictag)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=REPO_ROOT / "bench" / "results" / "quality",
        help="where topictag's outputs are kept (default: bench/results/quality)",
    )
    args = parser.parse_args()
    if args.all:
        args.corpora = list(README_REFERENCE)
    elif not args.corpora:
        args.corpora = DEFAULT_CORPORA
    args.corpora = [name.removesuffix(".csv") for name in args.corpora]
    if args.embeddings is not None:
        args.topictag_args = (
            f"--embeddings {args.embeddings} --cache {args.work_dir / 'vector-cache'} " + args.topictag_args
        )
    return args


def main() -> int:
    args = parse_args()
    missing = [name for name in args.corpora if not (CORPORA_DIR / f"{name}.csv").is_file()]
    if missing:
        print(
            f"quality: no {', '.join(f'{name}.csv' for name in missing)} in {CORPORA_DIR} "
            "(set TOPICTAG_CORPORA to the corpora folder)",
            file=sys.stderr,
        )
        return 2
    if not os.access(args.binary, os.X_OK):
        print(
            f"quality: no topictag binary at {args.binary}; build it with `cargo build --release` "
            "(bench/quality.sh does) or pass --binary",
            file=sys.stderr,
        )
        return 2
    # Run a copy, so that a rebuild during the measurement cannot swap the binary between runs.
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.binary = Path(shutil.copy2(args.binary, args.work_dir / "topictag.bin"))
    try:
        results = [evaluate_corpus(name, args) for name in args.corpora]
    except BenchError as error:
        print(f"quality: {error}", file=sys.stderr)
        return 2
    print_table(results, args)
    failed = [result.name for result in results if not result.passes(args.tolerance, args.gate_on)]
    if failed:
        print(
            f"quality: mean NMI ({args.gate_on}) more than {args.tolerance} below the reference on: "
            f"{', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Python package's speed against the command line, same machine, alternating: `model.tag` on
N abstracts from a pandas DataFrame against `topictag tag` streaming the same rows from CSV,
and a 20 Newsgroups fit from Python (output= a folder, report off) against the command line's.
Run by bench/python.sh; prints one line per measurement and the ratios."""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pandas

import topictag


def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--corpus", required=True, help="CSV of abstracts to tag (id,title,text)")
    parser.add_argument("--newsgroups", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())

    frame = pandas.read_csv(args.corpus, dtype=str, keep_default_na=False)
    sample = frame.sample(n=min(100_000, len(frame)), random_state=0)
    model_path = out / "model.topictag"
    topictag.fit(sample, k=18, seed=0).model.save(model_path)
    model = topictag.TopicModel.load(model_path)
    python_s, cli_s = [], []
    for _ in range(args.repeats):
        python_s.append(timed(lambda: model.tag(frame)))
        cli_s.append(timed(lambda: subprocess.run(
            [args.binary, "tag", "--model", str(model_path), args.corpus, "-o", str(out / "t.csv"), "-q"],
            check=True)))
    n = len(frame)
    p, c = statistics.median(python_s), statistics.median(cli_s)
    print(f"tag {n} documents: python (pandas in, pandas out) {p:.2f} s = {n / p:,.0f}/s; "
          f"cli (csv file in and out) {c:.2f} s = {n / c:,.0f}/s; python/cli throughput {c / p:.2f}")

    news = pandas.read_csv(args.newsgroups, dtype=str, keep_default_na=False)
    python_s, cli_s = [], []
    for _ in range(args.repeats):
        python_s.append(timed(lambda: topictag.fit(news, output=out / "py", report=False)))
        cli_s.append(timed(lambda: subprocess.run(
            [args.binary, args.newsgroups, "-o", str(out / "cli"), "--no-report", "-q"], check=True)))
    p, c = statistics.median(python_s), statistics.median(cli_s)
    print(f"fit 20newsgroups: python {p:.2f} s (pandas frame in memory), cli {c:.2f} s "
          f"(reading the CSV file); python/cli time {p / c:.2f}")
    for name in ("documents.csv", "topics.csv", "model.topictag"):
        same = (out / "py" / name).read_bytes() == (out / "cli" / name).read_bytes()
        print(f"  {name}: {'identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()

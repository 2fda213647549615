#!/usr/bin/env bash
# topictag on Spark (local mode) against the command line and Spark MLlib (see bench/spark.py):
# builds the release binary and the package into python/.venv with pyspark, makes a corpus of N
# generated abstracts (default 1,000,000) and runs the three measurements.
#   bash bench/spark.sh [N] [-- extra arguments of bench/spark.py, e.g. --only newsgroups]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
docs=${1:-1000000}
shift || true
[[ ${1:-} == "--" ]] && shift
corpora=${TOPICTAG_CORPORA:-../shared/corpora}
cargo build --release -q
venv=python/.venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q maturin numpy pyarrow pyspark
"$venv/bin/python" -m pip install -q ./python
corpus=${TMPDIR:-/tmp}/topictag-spark-bench-$docs.csv
[[ -f $corpus ]] || python3 bench/gen_corpus.py --docs "$docs" --seed 0 --out "$corpus"
exec "$venv/bin/python" bench/spark.py --binary target/release/topictag --corpus "$corpus" \
    --newsgroups "$corpora/20newsgroups.csv" "$@"

#!/usr/bin/env bash
# The Python package against the command line (see bench/python_speed.py): builds the release
# binary and the package into python/.venv, makes a corpus of N generated abstracts (default
# 1,000,000) and times both, alternating. Usage: bash bench/python.sh [N] [REPEATS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
docs=${1:-1000000}
repeats=${2:-3}
corpora=${TOPICTAG_CORPORA:-../shared/corpora}
cargo build --release -q
venv=python/.venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q maturin numpy pandas
"$venv/bin/python" -m pip install -q ./python
corpus=${TMPDIR:-/tmp}/topictag-python-bench-$docs.csv
[[ -f $corpus ]] || python3 bench/gen_corpus.py --docs "$docs" --seed 0 --out "$corpus"
"$venv/bin/python" bench/python_speed.py --binary target/release/topictag --corpus "$corpus" \
    --newsgroups "$corpora/20newsgroups.csv" --repeats "$repeats"

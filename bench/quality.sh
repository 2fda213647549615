#!/usr/bin/env bash
# Build the release binary, set up the benchmark venv, then run bench/quality.py with the given arguments.
#   bench/quality.sh                 # 20newsgroups_4cat and arxiv_2007_4fields, seeds 0 1 2
#   bench/quality.sh --all --sklearn # all four corpora, scikit-learn measured alongside
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"

echo "quality: cargo build --release" >&2
if ! cargo build --release --manifest-path "$repo_root/Cargo.toml"; then
    echo "quality: the release build failed; fix it before measuring quality" >&2
    exit 2
fi
bash "$bench_dir/setup_venv.sh"
exec "$bench_dir/.venv/bin/python" "$bench_dir/quality.py" "$@"

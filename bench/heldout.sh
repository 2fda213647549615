#!/usr/bin/env bash
# Build the release binary, set up the benchmark venv, then run bench/heldout.py: fit on half of
# each labeled corpus, tag the other half with the saved model, compare the two halves' NMI.
#   bench/heldout.sh                                  # all four corpora, seeds 0 1 2
#   bench/heldout.sh --corpora arxiv_2007_4fields --seeds 0
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"

cargo build --release --manifest-path "$repo_root/Cargo.toml" >&2
bash "$bench_dir/setup_venv.sh" >&2
exec "$bench_dir/.venv/bin/python" "$bench_dir/heldout.py" "$@"

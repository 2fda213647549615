#!/usr/bin/env bash
# Sentence-vector speed, topictag against Python sentence-transformers, side by side in one run:
# the first N abstracts of a corpus (default 300 of arxiv_2007_18archives), each tool in turn,
# ROUNDS rounds (A B A B ...), each reporting the documents/s of its embedding stage alone (model
# loading and Python's imports excluded). Prints the per-round figures, the medians and the ratio.
#
# Needs the model folder (bench/fetch_model.sh) and bench/.venv-st (bench/setup_st_venv.sh).
# Usage: bench/embed_speed.sh [N] [ROUNDS]      Env: CORPUS, MODEL, THREADS (torch threads, default 2)
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_dir")"
n="${1:-300}"
rounds="${2:-3}"
corpus="${CORPUS:-$root/../shared/corpora/arxiv_2007_18archives.csv}"
model="${MODEL:-$root/models/all-MiniLM-L6-v2}"
export THREADS="${THREADS:-2}"

bash "$bench_dir/fetch_model.sh" >&2
bash "$bench_dir/setup_st_venv.sh" >&2
cargo build --release --manifest-path "$root/Cargo.toml" >&2
binary="$root/target/release/topictag"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bench_dir/.venv-st/bin/python" - "$corpus" "$n" "$work/input.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    rows = [row for _, row in zip(range(int(sys.argv[2])), reader)]
with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
PY

echo "embed_speed: $n documents of $(basename "$corpus"), $rounds rounds, $(nproc) cores" >&2
ours=()
theirs=()
for round in $(seq 1 "$rounds"); do
    line="$("$binary" embed "$work/input.csv" --embeddings "$model" --no-cache \
        --output "$work/topictag.npy" 2>&1 | grep '^embedded')"
    rate="$(sed -E 's/.*\(([0-9.]+) documents\/s\).*/\1/' <<<"$line")"
    ours+=("$rate")
    line="$("$bench_dir/.venv-st/bin/python" "$bench_dir/st_embed.py" "$work/input.csv" "$n" "$model" \
        "$work/st.npy" 2>/dev/null | grep '^sentence-transformers')"
    rate2="$(sed -E 's/.*\(([0-9.]+) documents\/s\).*/\1/' <<<"$line")"
    theirs+=("$rate2")
    echo "round $round: topictag $rate documents/s, sentence-transformers $rate2 documents/s" >&2
done

"$bench_dir/.venv-st/bin/python" - "$work/topictag.npy" "$work/st.npy" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
import numpy as np
ours = [float(x) for x in sys.argv[3].split()]
theirs = [float(x) for x in sys.argv[4].split()]
a = np.load(sys.argv[1])
b = np.load(sys.argv[2])
b = b / np.linalg.norm(b, axis=1, keepdims=True)
ratios = [o / t for o, t in zip(ours, theirs)]
print(f"topictag              median {statistics.median(ours):.1f} documents/s  ({', '.join(f'{x:.1f}' for x in ours)})")
print(f"sentence-transformers median {statistics.median(theirs):.1f} documents/s  ({', '.join(f'{x:.1f}' for x in theirs)})")
print(f"ratio topictag / sentence-transformers, round by round: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}")
print(f"vectors: largest difference {np.abs(a - b).max():.2e}, smallest cosine {(a * b).sum(1).min():.7f}")
PY

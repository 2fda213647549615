#!/usr/bin/env bash
# Speed and peak memory of topictag against the scikit-learn reference pipeline, measured in the same run.
#
# Each tool runs --repeat times, alternating which goes first, under `/usr/bin/time -v`; the report gives
# median wall time, max peak RSS, throughput, the sklearn/topictag ratios and NMI against the labels.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
corpora_dir="${TOPICTAG_CORPORA:-$(dirname "$repo_root")/shared/corpora}"

corpus="$corpora_dir/20newsgroups.csv"
k=""
seed=0
repeat=3
tools="topictag sklearn"
binary="$repo_root/target/release/topictag"
build=1
out=""

usage() {
    cat <<USAGE
usage: bench/speed.sh [options]
  --corpus FILE     labeled corpus CSV (default: \$TOPICTAG_CORPORA or ../shared/corpora, 20newsgroups.csv)
  --k N             number of topics (default: number of distinct labels in the corpus)
  --seed N          seed for both tools (default: 0)
  --repeat N        runs per tool (default: 3)
  --tools LIST      comma-separated subset of topictag,sklearn (default: both)
  --binary PATH     topictag binary (default: target/release/topictag)
  --no-build        do not run cargo build --release first
  --out DIR         where logs and outputs go (default: bench/results/speed-TIMESTAMP)
USAGE
}

die() { echo "speed: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="$(realpath -m "${2:?--corpus needs a file}")"; shift 2 ;;
        --k) k="${2:?--k needs a number}"; shift 2 ;;
        --seed) seed="${2:?--seed needs a number}"; shift 2 ;;
        --repeat) repeat="${2:?--repeat needs a number}"; shift 2 ;;
        --tools) tools="${2:?--tools needs a list}"; tools="${tools//,/ }"; shift 2 ;;
        --binary) binary="$(realpath -m "${2:?--binary needs a path}")"; shift 2 ;;
        --no-build) build=0; shift ;;
        --out) out="$(realpath -m "${2:?--out needs a directory}")"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ -f "$corpus" ]] || die "no corpus at $corpus (pass --corpus or set TOPICTAG_CORPORA)"
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer"
for tool in $tools; do
    [[ "$tool" == topictag || "$tool" == sklearn ]] || die "unknown tool in --tools: $tool"
done

if [[ ! -x /usr/bin/time ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "speed: /usr/bin/time is missing; installing Debian package 'time'" >&2
        apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; }
    else
        die "/usr/bin/time is missing; install GNU time (Debian/Ubuntu: sudo apt-get install time)"
    fi
fi

if [[ " $tools " == *" topictag "* ]]; then
    if [[ "$build" == 1 ]]; then
        echo "speed: cargo build --release" >&2
        cargo build --release --manifest-path "$repo_root/Cargo.toml" || die "the release build failed"
    fi
    [[ -x "$binary" ]] || die "no topictag binary at $binary; build it with cargo build --release or pass --binary"
fi

bash "$bench_dir/setup_venv.sh"
python="$bench_dir/.venv/bin/python"

if [[ -z "$k" ]]; then
    k="$(cd "$bench_dir" && "$python" -c 'import sys; from pathlib import Path; from sklearn_pipeline import read_corpus
print(read_corpus(Path(sys.argv[1])).label_count)' "$corpus")"
fi
out="${out:-$bench_dir/results/speed-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
if [[ " $tools " == *" topictag "* ]]; then
    # Run a copy, so that a rebuild during the measurement cannot swap the binary between runs.
    cp "$binary" "$out/topictag.bin"
    binary="$out/topictag.bin"
    binary_sha="$(sha256sum "$binary" | cut -c1-16)"
fi

run_topictag() {
    local run="$1"
    rm -rf "$out/topictag-$run"
    /usr/bin/time -v -o "$out/topictag-$run.time" \
        "$binary" "$corpus" --output "$out/topictag-$run" --k "$k" --seed "$seed" \
        --id-column id --title-column title --text-column text \
        >"$out/topictag-$run.stdout" 2>"$out/topictag-$run.stderr"
}

run_sklearn() {
    local run="$1"
    # OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, set on some machines here, slow a current numpy down.
    /usr/bin/time -v -o "$out/sklearn-$run.time" \
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        "$python" "$bench_dir/sklearn_pipeline.py" "$corpus" --output "$out/sklearn-$run.csv" --k "$k" --seed "$seed" \
        >"$out/sklearn-$run.stdout" 2>"$out/sklearn-$run.stderr"
}

measure() {
    local tool="$1" run="$2"
    echo "speed: run $run/$repeat: $tool" >&2
    if ! "run_$tool" "$run"; then
        echo "speed: $tool failed on run $run; last lines of $out/$tool-$run.stderr:" >&2
        tail -n 20 "$out/$tool-$run.stderr" | sed 's/^/  | /' >&2
        exit 2
    fi
    grep -E 'Elapsed|Maximum resident' "$out/$tool-$run.time" | sed 's/^\s*/    /' >&2
}

cat "$corpus" >/dev/null   # same warm page cache for every run
read -r -a order <<<"$tools"
for ((run = 1; run <= repeat; run++)); do
    for tool in "${order[@]}"; do measure "$tool" "$run"; done
    order=("${order[@]:1}" "${order[0]}")   # rotate: the other tool goes first next time
done

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    if [[ -n "${binary_sha:-}" ]]; then echo "topictag binary: sha256 $binary_sha…"; fi
    if [[ " $tools " == *" sklearn "* ]]; then
        grep -h '^sklearn_pipeline: kernels' "$out/sklearn-1.stderr" || true
        "$python" -c 'import sklearn, numpy; print(f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}")'
    fi
} | tee "$out/environment.txt"
# shellcheck disable=SC2086
(cd "$bench_dir" && "$python" speed_report.py "$out" --corpus "$corpus" --k "$k" --seed "$seed" \
    --repeat "$repeat" --tools $tools) | tee "$out/report.md"
echo "speed: logs and outputs in $out" >&2

#!/usr/bin/env bash
# How topictag's time and memory grow with the corpus: runs on generated corpora of 100k, 300k and 1M
# documents (resampled from real abstracts by gen_corpus.py) and reports wall time, peak RSS, each
# stage's seconds, the cost per document and NMI against the generated labels.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"

sizes=()
sources=()
corpus_seed=0
seed=0
k=18
timeout_s=3600
binary="$repo_root/target/release/topictag"
build=1
keep=0
out=""

usage() {
    cat <<USAGE
usage: bench/scale.sh [options] [DOCS...]
  DOCS              corpus sizes in documents (default: 100000 300000 1000000)
  --corpus-seed N   seed of the generated corpora (default: 0)
  --source FILE     source corpus for gen_corpus.py, repeatable (default: arxiv_2007_18archives.csv)
  --k N             number of topics (default: 18, the source's number of labels)
  --seed N          topictag's --seed (default: 0)
  --timeout S       stop a run after S seconds and record it as a timeout; 0: no limit (default: 3600)
  --binary PATH     topictag binary (default: target/release/topictag)
  --no-build        do not run cargo build --release first
  --keep            keep topictag's output folders (default: deleted once scored)
  --out DIR         logs of this run (default: bench/results/scale-TIMESTAMP)
Corpora go to bench/results/corpora/ and are reused when present; every run appends a row to
bench/results/scale.csv, a failed or timed-out run included.
USAGE
}

die() { echo "scale: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus-seed) corpus_seed="${2:?--corpus-seed needs a number}"; shift 2 ;;
        --source) sources+=("${2:?--source needs a file}"); shift 2 ;;
        --k) k="${2:?--k needs a number}"; shift 2 ;;
        --seed) seed="${2:?--seed needs a number}"; shift 2 ;;
        --timeout) timeout_s="${2:?--timeout needs seconds}"; shift 2 ;;
        --binary) binary="$(realpath -m "${2:?--binary needs a path}")"; shift 2 ;;
        --no-build) build=0; shift ;;
        --keep) keep=1; shift ;;
        --out) out="$(realpath -m "${2:?--out needs a directory}")"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100000 300000 1000000)
for n in "${sizes[@]}"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "a corpus size must be a positive integer, not '$n'"
done
for number in "$corpus_seed" "$seed" "$k" "$timeout_s"; do
    [[ "$number" =~ ^[0-9]+$ ]] || die "not a non-negative integer: '$number'"
done

if [[ -x /usr/bin/time ]]; then
    timer=(/usr/bin/time -v -o)
else
    echo "scale: /usr/bin/time is missing; measuring with bench/rusage_time.py (getrusage of the children)" >&2
    timer=(python3 "$bench_dir/rusage_time.py" -o)
fi

if [[ "$build" == 1 ]]; then
    echo "scale: cargo build --release" >&2
    cargo build --release --manifest-path "$repo_root/Cargo.toml" || die "the release build failed"
fi
[[ -x "$binary" ]] || die "no topictag binary at $binary; build it with cargo build --release or pass --binary"

bash "$bench_dir/setup_venv.sh"
python="$bench_dir/.venv/bin/python"

timestamp="$(date +%Y%m%d-%H%M%S)"
out="${out:-$bench_dir/results/scale-$timestamp}"
mkdir -p "$out" "$bench_dir/results/corpora"
# Run a copy, so that a rebuild during the measurement cannot swap the binary between runs.
cp "$binary" "$out/topictag.bin"
binary="$out/topictag.bin"
binary_sha="$(sha256sum "$binary" | cut -c1-16)"

cpu_model="$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n 1)"
mem_gib="$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
machine="$(nproc) cores, ${cpu_model:-unknown CPU}, $mem_gib GiB"
{
    echo "machine: $machine"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "topictag binary: sha256 $binary_sha…, $(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo 'no git')"
    echo "topictag: --k $k --seed $seed --timings; timeout ${timeout_s}s (0: none)"
} | tee "$out/environment.txt" >&2

# Corpus name: sources, size and seed. A .meta file next to it records the generator and sources it
# came from; a corpus whose .meta does not match is generated again.
source_args=()
source_key=""
for source in "${sources[@]+"${sources[@]}"}"; do
    source_args+=(--source "$source")
    stem="$(basename "$source" .csv)"
    source_key="${source_key:+$source_key+}$stem"
done
source_key="${source_key:-arxiv_2007_18archives}"
generator_sha="$(sha256sum "$bench_dir/gen_corpus.py" | cut -c1-16)"

corpus_for() {
    local n="$1" corpus meta wanted
    corpus="$bench_dir/results/corpora/$source_key-$n-s$corpus_seed.csv"
    meta="$corpus.meta"
    wanted="gen_corpus.py sha256 $generator_sha; sources: ${sources[*]-default}; docs $n; seed $corpus_seed"
    if [[ -f "$corpus" && -f "$meta" && "$(cat "$meta")" == "$wanted" ]]; then
        echo "scale: reusing $corpus" >&2
    else
        echo "scale: generating $corpus" >&2
        rm -f "$meta"
        python3 "$bench_dir/gen_corpus.py" --docs "$n" --seed "$corpus_seed" --out "$corpus" \
            "${source_args[@]+"${source_args[@]}"}" 2> >(tee -a "$out/gen_corpus.log" >&2) >&2 \
            || die "gen_corpus.py failed for $n documents"
        echo "$wanted" >"$meta"
    fi
    printf '%s\n' "$corpus"
}

for n in "${sizes[@]}"; do
    corpus="$(corpus_for "$n")"
    name="topictag-$n"
    result="$(mktemp -d "${TMPDIR:-/tmp}/topictag-scale-$n.XXXXXX")"
    cat "$corpus" >/dev/null   # start from a warm page cache, as every size does
    limit=()
    if [[ "$timeout_s" != 0 ]]; then limit=(timeout --kill-after=30 "$timeout_s"); fi
    echo "scale: $n documents: topictag ($(date +%H:%M:%S))" >&2
    status=0
    "${timer[@]}" "$out/$name.time" "${limit[@]+"${limit[@]}"}" \
        "$binary" "$corpus" --output "$result" --k "$k" --seed "$seed" --timings \
        >"$out/$name.stdout" 2>"$out/$name.stderr" &
    run_pid=$!
    python3 "$bench_dir/rss_sampler.py" --pid "$run_pid" --out "$out/$name.rss" &
    sampler_pid=$!
    wait "$run_pid" || status=$?
    wait "$sampler_pid" || echo "scale: the memory sampler failed; no peak RSS per stage" >&2
    if [[ "$status" == 0 ]]; then
        grep -E 'Elapsed|Maximum resident' "$out/$name.time" | sed 's/^\s*/    /' >&2
    else
        echo "scale: $n documents: exit status $status; last lines of $out/$name.stderr:" >&2
        tail -n 5 "$out/$name.stderr" | sed 's/^/  | /' >&2
    fi
    (cd "$bench_dir" && "$python" scale_report.py row --run-dir "$out" --name "$name" --corpus "$corpus" \
        --docs "$n" --corpus-seed "$corpus_seed" --k "$k" --seed "$seed" --status "$status" \
        --output "$result" --timestamp "$timestamp" --machine "$machine" --binary-sha "$binary_sha" \
        --csv "$bench_dir/results/scale.csv") || echo "scale: could not score the $n-document run" >&2
    if [[ "$keep" == 1 ]]; then
        echo "scale: output kept in $result" >&2
    else
        rm -rf "$result"
    fi
done

{
    echo
    cat "$out/environment.txt"
    echo
    (cd "$bench_dir" && "$python" scale_report.py table "$out/rows.csv")
} | tee "$out/report.md"
echo "scale: logs in $out; rows appended to $bench_dir/results/scale.csv" >&2

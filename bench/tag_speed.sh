#!/usr/bin/env bash
# How fast a saved model tags, and in how much memory: fits a model on a generated corpus of
# abstracts (gen_corpus.py), then tags the same corpus with it, on all cores and on one, and
# reports documents/s, MB/s and peak RSS, and whether the tagged rows equal the fit's
# documents.csv byte for byte (above 100,000 documents the fit takes the sampled clustering
# path) and each other.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"

docs=1000000
corpus_seed=0
k=18
repeat=3
binary="$repo_root/target/release/topictag"
build=1
out=""

usage() {
    cat <<USAGE
usage: bench/tag_speed.sh [options]
  --docs N          documents in the generated corpus (default: 1000000)
  --corpus-seed N   seed of the generated corpus (default: 0)
  --k N             topics of the fitted model (default: 18)
  --repeat N        timed tag runs on all cores (default: 3; the median is reported)
  --binary PATH     topictag binary (default: target/release/topictag)
  --no-build        do not run cargo build --release first
  --out DIR         logs and outputs (default: bench/results/tag-TIMESTAMP)
USAGE
}

die() { echo "tag_speed: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --docs) docs="${2:?}"; shift 2 ;;
        --corpus-seed) corpus_seed="${2:?}"; shift 2 ;;
        --k) k="${2:?}"; shift 2 ;;
        --repeat) repeat="${2:?}"; shift 2 ;;
        --binary) binary="$(realpath -m "${2:?}")"; shift 2 ;;
        --no-build) build=0; shift ;;
        --out) out="$(realpath -m "${2:?}")"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq time >/dev/null)
    fi
    [[ -x /usr/bin/time ]] || die "needs GNU time (/usr/bin/time, Debian package 'time')"
fi
if [[ $build -eq 1 ]]; then
    cargo build --release --manifest-path "$repo_root/Cargo.toml" >&2
fi
[[ -x "$binary" ]] || die "no binary at $binary"
out="${out:-$bench_dir/results/tag-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out" "$bench_dir/results/corpora"

corpus="$bench_dir/results/corpora/gen-$docs-seed$corpus_seed.csv"
if [[ ! -s "$corpus" ]]; then
    python3 "$bench_dir/gen_corpus.py" --docs "$docs" --seed "$corpus_seed" --out "$corpus" >&2
fi
bytes=$(stat -c %s "$corpus")

# One timed command: wall seconds and peak RSS (KiB) from GNU time.
timed() {
    local log="$1"; shift
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log.stdout" 2>"$log.stderr" \
        || die "failed: $* (see $log.stderr)"
    cat "$log.time"
}

echo "tag_speed: fitting a model on $docs documents ($bytes bytes), k $k" >&2
read -r fit_s fit_kib < <(timed "$out/fit" "$binary" "$corpus" --output "$out/fit" --k "$k" --quiet)
model="$out/fit/model.topictag"
model_bytes=$(stat -c %s "$model")

walls=()
peaks=()
for run in $(seq 1 "$repeat"); do
    read -r wall kib < <(timed "$out/tag$run" "$binary" tag --model "$model" "$corpus" \
        --output "$out/tagged.csv" --quiet)
    walls+=("$wall")
    peaks+=("$kib")
done
read -r one_wall one_kib < <(RAYON_NUM_THREADS=1 timed "$out/tag-1thread" "$binary" tag \
    --model "$model" "$corpus" --output "$out/tagged-1thread.csv" --quiet)
read -r load_wall load_kib < <(timed "$out/inspect" "$binary" inspect "$model")

same_as_fit=no; cmp -s "$out/tagged.csv" "$out/fit/documents.csv" && same_as_fit=yes
same_threads=no; cmp -s "$out/tagged.csv" "$out/tagged-1thread.csv" && same_threads=yes

python3 - "$docs" "$bytes" "$fit_s" "$fit_kib" "$model_bytes" "$one_wall" "$one_kib" \
    "$load_wall" "$load_kib" "$same_as_fit" "$same_threads" "${walls[*]}" "${peaks[*]}" \
    <<'PY' | tee "$out/report.md"
import statistics, sys
(docs, size, fit_s, fit_kib, model_bytes, one_wall, one_kib, load_wall, load_kib,
 same_fit, same_threads, walls, peaks) = sys.argv[1:]
docs, size = int(docs), int(size)
walls = [float(w) for w in walls.split()]
peaks = [int(p) for p in peaks.split()]
wall = statistics.median(walls)
mib = lambda kib: f"{int(kib) / 1024:,.0f} MiB"
print(f"| what | wall | documents/s | MB/s | peak RSS |")
print(f"|---|---|---|---|---|")
print(f"| fit ({docs:,} documents) | {float(fit_s):.1f} s | {docs / float(fit_s):,.0f} | {size / 1e6 / float(fit_s):.0f} | {mib(fit_kib)} |")
print(f"| tag, all cores (median of {len(walls)}: {', '.join(f'{w:.1f}' for w in walls)} s) | {wall:.1f} s | {docs / wall:,.0f} | {size / 1e6 / wall:.0f} | {mib(max(peaks))} |")
print(f"| tag, one thread | {float(one_wall):.1f} s | {docs / float(one_wall):,.0f} | {size / 1e6 / float(one_wall):.0f} | {mib(one_kib)} |")
print(f"| load + inspect the model ({int(model_bytes) / 1e6:.1f} MB) | {float(load_wall):.2f} s | | | {mib(load_kib)} |")
print()
print(f"tagged rows == the fit's documents.csv: {same_fit}; all cores == one thread: {same_threads}")
PY

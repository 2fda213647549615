#!/usr/bin/env bash
# Inputs at the edge of what fits: a line of 100 MB, a field of a billion characters and a file of
# 2 GB. Each must give a correct result or a clear error, never an out-of-memory crash or a hang.
# Records exit status, wall time, peak RSS and the first line of stderr of each run.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
binary="$repo_root/target/release/topictag"
work="${TOPICTAG_HUGE_DIR:-$bench_dir/results/huge}"
timeout_s=1800
cases=(line100m field1g file2g)

usage() {
    cat <<USAGE
usage: bench/huge_inputs.sh [--no-build] [--timeout S] [CASE...]
  CASE     line100m (one 100 MB text field), field1g (one 10^9-character field),
           file2g (2.3M generated abstracts, about 2 GB); default: all three
  --timeout S   give up on a run after S seconds and record it (default 1800)
Inputs are generated into \$TOPICTAG_HUGE_DIR (default bench/results/huge/) and reused.
USAGE
}

build=1
picked=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0; shift ;;
        --timeout) timeout_s="${2:?--timeout needs seconds}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; exit 2 ;;
        *) picked+=("$1"); shift ;;
    esac
done
[[ ${#picked[@]} -gt 0 ]] && cases=("${picked[@]}")
[[ $build -eq 1 ]] && (cd "$repo_root" && cargo build --release --quiet)
mkdir -p "$work"
corpora="${TOPICTAG_CORPORA:-$repo_root/../shared/corpora}"

# A CSV of 120 real abstracts with one more row whose text is N characters of their words.
make_long_field() {
    local out="$1" size="$2"
    [[ -f "$out" ]] && return
    python3 - "$corpora/arxiv_2007_4fields.csv" "$out.tmp" "$size" <<'PY'
import csv, random, sys
source, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.DictReader(open(source, newline="")))[:120]
words = " ".join(r["text"] for r in rows).split()
rng = random.Random(0)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "text"])
    for i, r in enumerate(rows[:60]):
        w.writerow([f"a{i}", r["title"], r["text"]])
    # The long field is written in pieces, so the generator itself never holds it.
    f.write('huge,A huge document,"')
    written = 0
    while written < size:
        piece = " ".join(rng.choice(words) for _ in range(10000)).replace('"', "")[: size - written]
        f.write(piece)
        written += len(piece)
        if written < size:
            f.write(" ")
            written += 1
    f.write('"\r\n')
    for i, r in enumerate(rows[60:]):
        w.writerow([f"b{i}", r["title"], r["text"]])
PY
    mv "$out.tmp" "$out"
}

printf '| case | input | exit | wall s | peak RSS MiB | outcome |\n|---|---|---|---|---|---|\n' > "$work/report.md"
for case in "${cases[@]}"; do
    case "$case" in
        line100m) input="$work/line100m.csv"; make_long_field "$input" 100000000; args=(--k 4) ;;
        field1g) input="$work/field1g.csv"; make_long_field "$input" 1000000000; args=(--k 4) ;;
        file2g)
            input="$work/file2g.csv"
            [[ -f "$input" ]] || python3 "$bench_dir/gen_corpus.py" --docs 2300000 --seed 1 --out "$input"
            args=(--k 18 --label-column label) ;;
        *) echo "huge_inputs: unknown case $case" >&2; exit 2 ;;
    esac
    out="$work/out-$case"
    rm -rf "$out"
    status=0
    /usr/bin/time -v -o "$work/$case.time" timeout "$timeout_s" "$binary" "$input" --output "$out" \
        --timings -q "${args[@]}" > "$work/$case.stdout" 2> "$work/$case.stderr" || status=$?
    wall=$(awk -F': ' '/Elapsed/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$work/$case.time")
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$work/$case.time")
    if [[ $status -eq 0 ]]; then
        rows=$(python3 -c 'import csv, sys; csv.field_size_limit(1 << 31); print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$out/documents.csv")
        outcome="ok: $rows rows in documents.csv"
    else
        outcome="$(grep -v '^time:' "$work/$case.stderr" | head -1)"
    fi
    size=$(du -m "$input" | cut -f1)
    printf '| %s | %s MB | %s | %s | %s | %s |\n' "$case" "$size" "$status" "$wall" "$rss" "$outcome" | tee -a "$work/report.md"
done
echo "huge_inputs: report in $work/report.md"

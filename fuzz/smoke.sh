#!/usr/bin/env bash
# Builds every fuzz target and runs each for a few seconds from its seeds and findings; fails if any
# target finds a crash, a timeout or an out-of-memory. Installs cargo-fuzz when missing. One
# target at a time, one process each (the machine has two cores).
#
#   bash fuzz/smoke.sh            # every target, 5 s each
#   SECONDS_EACH=30 bash fuzz/smoke.sh read_csv npy
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
seconds="${SECONDS_EACH:-5}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo "+$toolchain" fuzz list)
fi

if [ $# -eq 0 ]; then
    cargo "+$toolchain" fuzz build
else
    for target in "${targets[@]}"; do cargo "+$toolchain" fuzz build "$target"; done
fi

failed=()
for target in "${targets[@]}"; do
    work="$(mktemp -d)"
    artifacts="$work/artifacts/"
    mkdir -p "$artifacts" "$work/corpus"
    echo "== $target (${seconds}s)"
    # A scratch corpus, so the committed seeds stay as they are.
    inputs=("seeds/$target")
    [ -d "findings/$target" ] && inputs+=("findings/$target")
    if cargo "+$toolchain" fuzz run "$target" "$work/corpus" "${inputs[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$artifacts" -print_final_stats=1 \
        >"$work/log" 2>&1; then
        grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units' "$work/log" | tail -2 || true
    else
        failed+=("$target")
        grep -E 'ERROR: libFuzzer|panicked at|SUMMARY|Test unit written' "$work/log" | head -5 || true
        mkdir -p "$here/artifacts/$target"
        cp -r "$artifacts". "$here/artifacts/$target/" 2>/dev/null || true
        echo "   reproducer(s) copied to fuzz/artifacts/$target/"
    fi
    rm -rf "$work"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "every target ran ${seconds}s without a finding"

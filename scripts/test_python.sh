#!/usr/bin/env bash
# The splade_cpp package's tests: builds the wheel from this checkout (`pip wheel .`:
# scikit-build-core + nanobind, pinned in pyproject.toml, with libonnxruntime inside), installs
# it into a fresh venv (.venv-wheel, remade each time) with python/requirements-test.txt, and
# runs python/tests there against the `splade` CLI of build/ and the oracle venv (.venv).
# Needs scripts/setup.sh --python and scripts/build.sh first (scripts/test.sh runs them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist="$root/build-py/dist"
rm -rf "$dist"
echo "== building the splade_cpp wheel (pip wheel .)"
.venv/bin/python -m pip wheel . -w "$dist" --no-deps -q
wheel=$(ls "$dist"/splade_cpp-*.whl)
rm -rf .venv-wheel
python3 -m venv .venv-wheel
.venv-wheel/bin/python -m pip install -q "$wheel" -r python/requirements-test.txt
echo "== splade_cpp tests on $(basename "$wheel"), in a fresh venv"
SPLADE_BIN="$root/build/tools/splade/splade" ORACLE_PYTHON="$root/.venv/bin/python" \
  .venv-wheel/bin/python -m pytest -q -p no:cacheprovider python/tests

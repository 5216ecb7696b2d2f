#!/usr/bin/env bash
# Every test: installs what is missing (scripts/setup.sh --python), builds, runs the C++
# unit tests (ctest) and the parity tests against the Python reference implementations
# (pytest, tests/oracle) and the Python package's (scripts/test_python.sh: the wheel in a
# fresh venv). Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --python
scripts/build.sh
echo "== C++ unit tests (ctest)"
(cd build && ctest --output-on-failure -j"$(nproc)")
echo "== fuzzing under ASan/UBSan, bounded: tokenizer, safetensors, unpickler (scripts/fuzz.sh, clang)"
scripts/fuzz.sh 15
echo "== parity tests against the Python references (pytest)"
SPLADE_BIN="$root/build/tools/splade/splade" .venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 tests/oracle
scripts/test_python.sh

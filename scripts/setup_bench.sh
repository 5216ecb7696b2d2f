#!/usr/bin/env bash
# The peers the benchmarks in bench/ run beside splade.cpp, in their own venv (.venv-bench),
# pinned in scripts/requirements-bench.txt: PISA (pyterrier-pisa), BMP and Seismic (bench/search_peers.sh);
# fastembed (its SPLADE path: onnxruntime + numpy
# pooling of the logits) on the same ONNX Runtime version splade.cpp links. The PyTorch peers
# (transformers, sentence-transformers SparseEncoder) are the test venv's (.venv, Debian's
# CPU-only PyTorch: PyPI's torch pulls multi-GB CUDA libraries). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv-bench"
stamp="$venv/.requirements.sha256"
want="$(sha256sum scripts/requirements-bench.txt | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "bench venv: up to date ($venv)"
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-bench.txt
echo "$want" > "$stamp"
echo "bench venv: installed ($venv)"

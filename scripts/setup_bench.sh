#!/usr/bin/env bash
# The peers the benchmarks in bench/ run beside splade.cpp, in their own venv (.venv-bench),
# pinned in scripts/requirements-bench.txt: PISA (pyterrier-pisa), BMP and Seismic (bench/search_peers.sh);
# fastembed (its SPLADE path: onnxruntime + numpy
# pooling of the logits) on the same ONNX Runtime version splade.cpp links. The PyTorch peers
# (transformers, sentence-transformers SparseEncoder) are the test venv's (.venv, Debian's
# CPU-only PyTorch: PyPI's torch pulls multi-GB CUDA libraries). Also Debian's wrk. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# wrk (Debian) drives the HTTP load of bench/serve_load.sh.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! dpkg-query -W -f='${Status}' wrk 2>/dev/null | grep -q "install ok installed"; then
  echo "setup_bench: installing Debian's wrk"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
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

#!/usr/bin/env bash
# ONNX Runtime's SkipLayerNormalization (what `splade optimize` and onnxruntime's optimizer fuse
# Add + LayerNormalization into) beside the unfused ops, under onnxruntime 1.20.1 (.venv) and
# 1.30.0 (.venv-bench: the version splade.cpp links). BENCHMARKS.md, "`splade serve`".
# Needs scripts/setup.sh --python and scripts/setup_bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$root/work/skip-layer-norm"; mkdir -p "$work"
.venv/bin/python bench/python/skip_layer_norm_ort.py make "$work"
.venv/bin/python bench/python/skip_layer_norm_ort.py time "$work"
.venv-bench/bin/python bench/python/skip_layer_norm_ort.py time "$work"

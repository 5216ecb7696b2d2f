#!/usr/bin/env bash
# The main job on the built-in default: installs what is missing, builds, makes the
# built-in default model (a random-weight BERT SPLADE model in Hugging Face format, with
# the bert-base-uncased vocabulary, exported as the seed's splade_to_onnx.py does), and
# runs the pipeline on it. Output goes to work/demo/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --python
scripts/build.sh
splade="$root/build/tools/splade/splade"
out="$root/work/demo"
mkdir -p "$out"
if [ ! -f "$out/hf-model/model.onnx" ]; then
  echo "== making the default model: random-weight BERT (small), Hugging Face format + seed ONNX export"
  .venv/bin/python scripts/make_test_model.py "$out/hf-model" --size small --export-onnx splade 2>/dev/null
fi
echo "== splade inspect $out/hf-model/model.onnx"
"$splade" inspect "$out/hf-model/model.onnx"

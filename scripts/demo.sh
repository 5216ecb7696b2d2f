#!/usr/bin/env bash
# The main job on the built-in default: installs what is missing, builds, then runs the
# whole pipeline on the built-in default model and a real collection:
#   default model: a random-weight BERT SPLADE model (4 layers, hidden 256, the real
#     bert-base-uncased vocabulary) saved by transformers' save_pretrained -- no trained
#     weights can be downloaded here, so retrieval quality is that of random weights;
#   collection: CACM (3,204 documents, 64 topics, qrels) from ../shared/data.
# convert -> optimize -> quantize (int8) -> encode documents -> index -> search with
# on-the-fly query encoding -> eval (trec_eval measures). Output goes to work/demo/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --python
scripts/build.sh
splade="$root/build/tools/splade/splade"
out="$root/work/demo"
mkdir -p "$out"
step() { echo; echo "== $*"; }

if [ ! -f "$out/hf-model/config.json" ]; then
  step "making the default model: random-weight BERT (small) in Hugging Face format"
  .venv/bin/python scripts/make_test_model.py "$out/hf-model" --size small --weights safetensors 2>/dev/null
fi

step "splade convert (Hugging Face checkpoint -> ONNX, validated against a reference forward pass)"
rm -rf "$out/model-fp32"
"$splade" convert "$out/hf-model" -o "$out/model-fp32" --head splade-pooled

step "splade optimize (fused Attention / SkipLayerNormalization / BiasGelu; checked within 1e-4)"
rm -rf "$out/model-int8" && cp -r "$out/model-fp32" "$out/model-int8"
"$splade" optimize "$out/model-fp32/model.onnx" -o "$out/model-optimized.onnx" --stats

step "splade quantize (dynamic int8, with the fidelity report)"
"$splade" quantize "$out/model-optimized.onnx" -o "$out/model-int8/model.onnx" --queries 100 --passages 20
"$splade" inspect "$out/model-fp32/model.onnx" "$out/model-int8/model.onnx"

step "the CACM collection from ../shared/data"
"$splade" collection export cacm --data ../shared/data -o "$out/cacm"

step "splade encode (documents -> Anserini JsonVectorCollection, int8 model)"
# Random weights make nearly every vocabulary term positive; --top-k keeps documents SPLADE-sized.
rm -f "$out/vectors.jsonl.gz" "$out/vectors.jsonl.gz.partial"
"$splade" encode --model "$out/model-int8" -i "$out/cacm/corpus.jsonl" -o "$out/vectors.jsonl.gz" --top-k 256 -q

step "splade index"
"$splade" index --input "$out/vectors.jsonl.gz" --index "$out/index" --overwrite

step "splade search (queries encoded on the fly by the int8 model)"
"$splade" search --index "$out/index" --topics "$out/cacm/topics.tsv" --model "$out/model-int8" \
    --output "$out/run.cacm.txt" --hits 1000

step "splade eval (trec_eval semantics)"
"$splade" eval --qrels "$out/cacm/qrels.txt" --run "$out/run.cacm.txt" -c -m map -m P.30 -m recall.1000 -m ndcg_cut.10
echo
echo "demo: done; everything is in $out (random weights: expect near-random effectiveness)"

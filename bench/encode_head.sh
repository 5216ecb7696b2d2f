#!/usr/bin/env bash
# Document encoding with the SPLADE head, splade.cpp side by side with its peers, in one run,
# on the same documents (the first N SciFact documents, real text), model, batch and threads:
#   splade.cpp `encode`: the fused head (default) and --no-fused-head (ONNX Runtime runs the
#     pool-first graph), fp32 and int8 (splade optimize + quantize);
#   fastembed 0.9.1 (SparseTextEmbedding's SPLADE path: onnxruntime 1.30 + numpy pooling of
#     the logits) on `splade convert --head logits` of the same model, fp32 and int8;
#   sentence-transformers SparseEncoder and Pyserini-style transformers + PyTorch (fp32).
# Whole-process figures (median of RUNS, start-up and model loading included; peak RSS), the
# peers' own loop rate, and the floor: the head's GEMM FLOPs at the rate the fp32 head kernel
# (AVX-512 or AVX2, as this CPU has) reaches in bench/head_kernels.cpp. Then BERT-base (random weights, 256-token
# passages): fused vs --no-fused-head.
# Usage: bench/encode_head.sh [N=512] [BATCH=32] [THREADS=2] [RUNS=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-512}"; batch="${2:-32}"; threads="${3:-2}"; runs="${4:-3}"
scripts/setup_bench.sh >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPLADE_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
splade="$root/build-bench/tools/splade/splade"
py="$root/.venv/bin/python"; pyb="$root/.venv-bench/bin/python"
work="$root/work/bench-head"; mkdir -p "$work"; log="$work/log.txt"; : > "$log"
hf="$root/models/splade-tiny"

"$splade" collection export scifact -o "$work/scifact" >/dev/null
head -n "$n" "$work/scifact/corpus.jsonl" > "$work/docs.jsonl"
int8_twin() {  # $1: fp32 model dir -> $1-int8 (splade optimize + quantize, tokenizer files copied)
  rm -rf "$1-int8" && mkdir -p "$1-int8" && cp "$1"/*.json "$1"/vocab.txt "$1-int8/"
  "$splade" optimize "$1/model.onnx" -o "$work/opt.onnx" >/dev/null
  "$splade" quantize "$work/opt.onnx" -o "$1-int8/model.onnx" --no-report >/dev/null
}
for head in splade-pooled logits; do
  d="$work/tiny-$head"
  [ -f "$d-int8/model.onnx" ] || { "$splade" convert "$hf" -o "$d" --head "$head" >/dev/null; int8_twin "$d"; }
done

timed() {  # LABEL COMMAND...: one table row
  local label="$1"; shift
  local r; r=$("$py" bench/python/whole_process.py "$runs" "$log" -- "$@")
  "$py" -c "import json,sys; r=json.loads(sys.argv[2]); print(f'| {sys.argv[1]} | {r[\"wall_s\"]:.2f} s ({r[\"wall_min_s\"]:.2f}-{r[\"wall_max_s\"]:.2f}) | {r[\"cpu_s\"]:.2f} s | {r[\"peak_mib\"]:.0f} MiB | {$n / r[\"wall_s\"]:.1f} | exit {set(r[\"exit_codes\"])} |')" "$label" "$r"
}
input="$work/docs.jsonl"; max_length=512
enc() { echo "$splade" encode --model "$1" -i "$input" -o "$work/out.jsonl" --batch "$batch" --threads "$threads" --max-length "$max_length" -q "${@:2}"; }
table_head() { echo "| encoder | wall (min-max) | cpu | peak RSS | $1/s (whole process) | |"; echo "|---|---|---|---|---|---|"; }
splade_rows() {  # FP32_DIR INT8_DIR: splade.cpp fused and unfused, fp32 and int8
  timed "splade.cpp fp32, fused head" $(enc "$1")
  timed "splade.cpp fp32, --no-fused-head" $(enc "$1" --no-fused-head)
  timed "splade.cpp int8, fused head" $(enc "$2")
  timed "splade.cpp int8, --no-fused-head" $(enc "$2" --no-fused-head)
}

echo "== SPLADE-tiny, first $n SciFact documents, batch $batch, $threads threads, median of $runs whole-process runs"
table_head documents
splade_rows "$work/tiny-splade-pooled" "$work/tiny-splade-pooled-int8"
timed "fastembed 0.9.1 fp32 (onnxruntime 1.30 + numpy)" "$pyb" bench/python/encode_head_peers.py fastembed "$work/tiny-logits" "$work/docs.jsonl" "$batch" "$threads"
timed "fastembed 0.9.1 int8 (same int8 body, logits head)" "$pyb" bench/python/encode_head_peers.py fastembed "$work/tiny-logits-int8" "$work/docs.jsonl" "$batch" "$threads"
timed "sentence-transformers 5.1.2 SparseEncoder (PyTorch 1.13)" "$py" bench/python/encode_head_peers.py sentence-transformers "$hf" "$work/docs.jsonl" "$batch" "$threads"
timed "transformers + PyTorch 1.13 (Pyserini style)" "$py" bench/python/encode_head_peers.py pytorch "$hf" "$work/docs.jsonl" "$batch" "$threads"
echo
echo "peers' own loop rates (model loaded), from $log:"
grep '^{"peer"' "$log" | sort -u
echo
"$splade" encode --model "$work/tiny-splade-pooled" -i "$work/docs.jsonl" -o "$work/out.jsonl" --batch "$batch" --threads "$threads" 2>&1 | tail -1
tokens=$("$splade" encode --model "$work/tiny-splade-pooled" -i "$work/docs.jsonl" -o "$work/out.jsonl" --batch "$batch" --threads "$threads" 2>&1 | sed -n 's/.* \([0-9]*\) tokens in .*/\1/p' | tail -1)
rate=$(build-bench/bench/head_kernels --benchmark_filter="BM_fp32_auto/hidden:128/tokens:256/threads:$threads" --benchmark_min_time=2 --benchmark_format=json 2>/dev/null \
  | "$py" -c "import json,sys; print(json.load(sys.stdin)['benchmarks'][0]['GFLOP/s'] / 1e9)")
"$py" -c "t=$tokens; r=$rate; f=2*t*128*30522; print(f'floor: {t} tokens x 2 x 128 x 30522 = {f/1e9:.0f} GFLOP for the head at {r:.1f} GFLOP/s (the head kernel this CPU runs, $threads threads) = {f/r/1e9:.2f} s, {$n/(f/r/1e9):.1f} documents/s (the transformer body adds about 10%)')"

echo
echo "== BERT-base (random weights), 128 passages of 256 tokens, batch $batch, $threads threads"
base="$work/base"
if [ ! -f "$base-int8/model.onnx" ]; then
  "$splade" convert "$root/work/models/bert-base-random" -o "$base" --head splade-pooled >/dev/null 2>&1 || \
    { "$py" scripts/make_test_model.py "$root/work/models/bert-base-random" --size base --weights safetensors >/dev/null 2>&1;
      "$splade" convert "$root/work/models/bert-base-random" -o "$base" --head splade-pooled >/dev/null; }
  int8_twin "$base"
fi
"$py" - "$work/scifact/corpus.jsonl" "$work/passages256.jsonl" <<'PY'
import json, sys
# 128 passages of about 256 word pieces: SciFact documents cut at 180 words (about 1.4 pieces a word).
out = open(sys.argv[2], "w", encoding="utf-8")
k = 0
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line); w = d["contents"].split()
    if len(w) >= 180:
        out.write(json.dumps({"id": d["id"], "contents": " ".join(w[:180])}) + "\n"); k += 1
    if k == 128: break
PY
n=128; input="$work/passages256.jsonl"; max_length=256
table_head passages
splade_rows "$base" "$base-int8"

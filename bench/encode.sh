#!/usr/bin/env bash
# Encoding speed, splade.cpp side by side with its Python peers, in one run, on one
# BERT-base-sized random-weight SPLADE model (fp32, and int8):
#   1. query latency at batch 1, text -> vector, 1 and 2 threads: splade.cpp vs the seed's
#      Python ONNX path (HF tokenizer + onnxruntime) vs PyTorch eager;
#   2. document throughput (passages/s, peak RSS) on real Vaswani passages:
#      `splade encode` vs HF tokenizer batch + onnxruntime + numpy pooling, same batch size.
# Usage: bench/encode.sh [N_QUERIES=300] [N_PASSAGES=512] [BATCH=32]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
nq="${1:-300}"; np_="${2:-512}"; batch="${3:-32}"
py="$root/.venv/bin/python"
work="$root/work/bench-encode"; mkdir -p "$work"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPLADE_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
splade="$root/build-bench/tools/splade/splade"

for head in splade pooled; do
  [ -f "$work/base-$head/model.onnx" ] || "$py" scripts/make_test_model.py "$work/base-$head" --size base \
      --export-onnx "$head" --weights safetensors 2>/dev/null
done
# int8 twins, made by onnxruntime's own quantize_dynamic (the seed's quantizer).
for head in splade pooled; do
  d="$work/base-$head-int8"
  if [ ! -f "$d/model.onnx" ]; then
    mkdir -p "$d" && cp "$work/base-$head"/{tokenizer.json,tokenizer_config.json,vocab.txt,special_tokens_map.json,config.json} "$d/"
    "$py" -c "from onnxruntime.quantization import quantize_dynamic, QuantType; import onnx
quantize_dynamic('$work/base-$head/model.onnx', '$d/model.onnx', weight_type=QuantType.QInt8, extra_options={'DefaultTensorType': onnx.TensorProto.FLOAT})"
  fi
done
topics="$root/../shared/data/msmarco-passage/topics.msmarco-passage.dev-subset.txt"
passages="$work/vaswani-passages.tsv"
[ -f "$passages" ] || "$py" - "$passages" <<'PY'
import gzip, re, sys
text = gzip.open("../shared/data/collections/vaswani/doc-text.trec.gz", "rt").read()
with open(sys.argv[1], "w") as f:
    for m in re.finditer(r"<DOCNO>\s*(\S+)\s*</DOCNO>(.*?)</DOC>", text, re.S):
        f.write(m.group(1) + "\t" + " ".join(m.group(2).split()) + "\n")
PY

echo "== query latency, batch 1 ($nq MS MARCO dev queries)"
for precision in fp32 int8; do
  suffix=""; [ "$precision" = int8 ] && suffix="-int8"
  for threads in 1 2; do
    cpp=$(build-bench/bench/encode_latency "$work/base-splade$suffix" "$topics" "$nq" "$threads")
    ort=$("$py" bench/python/encode_peers.py latency "$work/base-splade$suffix" "$topics" "$nq" "$threads" onnx)
    line="$precision threads=$threads"
    if [ "$precision" = fp32 ]; then
      pt=$("$py" bench/python/encode_peers.py latency "$work/base-splade" "$topics" "$nq" "$threads" torch)
    else
      pt='{"p50_ms": null, "p99_ms": null}'
    fi
    "$py" - "$line" "$cpp" "$ort" "$pt" <<'PY'
import json, sys
label, cpp, ort, pt = sys.argv[1], *(json.loads(a) for a in sys.argv[2:])
def f(x): return "-" if x is None else f"{x:.2f}"
print(f"{label}: splade.cpp p50 {f(cpp['p50_ms'])} ms p99 {f(cpp['p99_ms'])} (overhead outside ORT Run {cpp['overhead_pct']:.1f}%) | "
      f"python+onnxruntime p50 {f(ort['p50_ms'])} p99 {f(ort['p99_ms'])} | pytorch p50 {f(pt['p50_ms'])} p99 {f(pt['p99_ms'])} | "
      f"ratio p50 splade.cpp/python-onnx {cpp['p50_ms']/ort['p50_ms']:.2f}" +
      (f", splade.cpp/pytorch {cpp['p50_ms']/pt['p50_ms']:.2f}" if pt['p50_ms'] else ""))
PY
  done
done

echo "== document throughput ($np_ Vaswani passages, batch $batch, 2 threads)"
head -n "$np_" "$passages" > "$work/passages.tsv"
for precision in fp32 int8; do
  suffix=""; [ "$precision" = int8 ] && suffix="-int8"
  rm -f "$work/docs.jsonl" "$work/docs.jsonl.partial"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss.txt" "$splade" encode --model "$work/base-pooled$suffix" -i "$work/passages.tsv" \
      -o "$work/docs.jsonl" --batch "$batch" --threads 2 2> "$work/summary.txt"
  end=$(date +%s.%N)
  py_json=$("$py" bench/python/encode_peers.py throughput "$work/base-pooled$suffix" "$work/passages.tsv" "$np_" "$batch" 2)
  "$py" - "$precision" "$start" "$end" "$(cat "$work/rss.txt")" "$np_" "$py_json" "$(tail -n 1 "$work/summary.txt")" <<'PY'
import json, re, sys
prec, start, end, rss_kb, n, py, summary = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6]), sys.argv[7]
# Like for like: the Python figure times its encode loop (after imports and session creation),
# so ours is the encode job's own rate from its summary line (after the model is loaded); the
# whole-process rate, model loading included, is shown beside it.
loop = float(re.search(r"\(([0-9.]+) records/s", summary).group(1))
whole = n / (end - start)
print(f"{prec}: splade encode {loop:.1f} passages/s (encode job; whole process {whole:.1f}/s, {end - start:.1f} s, peak RSS {int(rss_kb)/1024:.0f} MB) | "
      f"python {py['passages_per_s']:.1f} passages/s (encode loop, peak RSS {py['peak_rss_mb']:.0f} MB) | ratio {loop/py['passages_per_s']:.2f}x")
PY
done

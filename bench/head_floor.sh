#!/usr/bin/env bash
# The encode loop against its FLOP floor (issue 13: "the head's and the body's FLOPs at the GEMM
# rate your library measures on this CPU"), fp32 and int8, SPLADE-tiny on the first N SciFact
# documents. ROUNDS times, alternating in one run: the head kernel's rate
# (bench/head_kernels, the kernel this CPU runs: BM_fp32_auto / BM_int8q_auto, 256 tokens,
# THREADS threads), then `splade encode` (its own loop time, printed by the CLI: tokenization,
# body and head; model loading left out). Alternating matters: on a shared VM the kernel's rate
# drifts by 1.5x from hour to hour.
# FLOPs a token, from config.json: the head 2 H V; the body 2 L (4 H^2 + 2 H I) + 2 H^2 (the MLM
# transform) + 4 L H s, with s the mean unpadded length (attention's QK^T and PV), so the floor
# leaves padding out and is the lower one.
# Usage: [BUILD=build-bench] bench/head_floor.sh [N=1000] [THREADS=2] [ROUNDS=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-1000}"; threads="${2:-2}"; rounds="${3:-3}"; build="${BUILD:-build-bench}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPLADE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
splade="$root/$build/tools/splade/splade"; kernels="$root/$build/bench/head_kernels"
py="$root/.venv/bin/python"
work="$root/work/bench-floor"; mkdir -p "$work"
"$splade" collection export scifact -o "$work/scifact" >/dev/null
head -n "$n" "$work/scifact/corpus.jsonl" > "$work/docs.jsonl"
tiny="$work/tiny"
if [ ! -f "$tiny-int8/model.onnx" ]; then
  "$splade" convert "$root/models/splade-tiny" -o "$tiny" --head splade-pooled >/dev/null
  rm -rf "$tiny-int8" && mkdir -p "$tiny-int8" && cp "$tiny"/*.json "$tiny"/vocab.txt "$tiny-int8/"
  "$splade" optimize "$tiny/model.onnx" -o "$work/opt.onnx" >/dev/null
  "$splade" quantize "$work/opt.onnx" -o "$tiny-int8/model.onnx" --no-report >/dev/null
fi
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $threads threads, $n SciFact documents, batch 32"
echo "| precision | round | kernel GFLOP/s | loop s | tokens | head floor s | head + body floor s | loop / head floor | loop / (head + body) floor |"
echo "|---|---|---|---|---|---|---|---|---|"
for precision in fp32 int8; do
  model="$tiny"; bm="BM_fp32_auto"
  [ "$precision" = int8 ] && { model="$tiny-int8"; bm="BM_int8q_auto"; }
  for round in $(seq "$rounds"); do
    rate=$("$kernels" --benchmark_filter="$bm/hidden:128/tokens:256/threads:$threads/" --benchmark_min_time=2 \
      --benchmark_format=json 2>/dev/null | "$py" -c "import json,sys; print(json.load(sys.stdin)['benchmarks'][0]['GFLOP/s'])")
    rm -f "$work/out.jsonl"
    line=$("$splade" encode --model "$model" -i "$work/docs.jsonl" -o "$work/out.jsonl" --batch 32 --threads "$threads" 2>&1 | tail -1)
    "$py" - "$model/config.json" "$rate" "$line" "$precision" "$round" "$n" <<'PY'
import json, re, sys
c = json.load(open(sys.argv[1])); rate = float(sys.argv[2]); line = sys.argv[3]
m = re.search(r"(\d+) tokens in ([0-9.]+) s", line)
assert m, line
tokens, loop = int(m.group(1)), float(m.group(2))
H, I, L, V = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c["vocab_size"]
s = tokens / int(sys.argv[6])
head = 2 * H * V
body = 2 * L * (4 * H * H + 2 * H * I) + 2 * H * H + 4 * L * H * s
fh, fb = tokens * head / rate, tokens * (head + body) / rate
print(f"| {sys.argv[4]} | {sys.argv[5]} | {rate / 1e9:.1f} | {loop:.2f} | {tokens} | {fh:.2f} | {fb:.2f} | {loop / fh:.2f}x | {loop / fb:.2f}x |")
PY
  done
done

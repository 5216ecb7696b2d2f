#!/usr/bin/env bash
# Load test of `splade serve` beside the server a user would write in Python (FastAPI + uvicorn
# around onnxruntime + the HF tokenizer, bench/python/serve_peer.py), same model, same machine,
# one run: POST /embed_sparse with one MS MARCO dev query per request (TEI's shape), wrk at
# concurrency 1, 8 and 64 for DURATION seconds each; requests/s, p50/p99 latency, errors.
# Models (MODELS, default "tiny base-int8"; "" for none): tiny = SPLADE-tiny (fp32, trained); base-int8 =
# BERT-base (random weights, decoder bias -2) int8 as `splade quantize` makes it by default
# (u8u8, exact on every CPU); base-vnni = the same quantized with --target avx512-vnni (u8s8:
# ONNX Runtime's VNNI kernels, and AMX ones where the CPU has AMX; made only on a VNNI CPU).
# Then, with SOAK > 0, a soak of `splade serve` (SOAK_MODEL, default tiny; concurrency 8)
# sampling its RSS every 10 s.
# CONCURRENCY (default "1 8 64") sets the points.
# Loopback only; bounded in time. Usage: [MODELS=...] [SOAK_MODEL=...] [CONCURRENCY=...] bench/serve_load.sh [DURATION=15] [SOAK=0] [THREADS=2]
# Needs: a build with the CLI (SPLADE=path, default build-bench), wrk (Debian), scripts/setup_bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${1:-15}"
soak="${2:-0}"
threads="${3:-2}"
splade="${SPLADE:-$root/build-bench/tools/splade/splade}"
py="$root/.venv-bench/bin/python"
work="$root/work/serve-load"
mkdir -p "$work"
command -v wrk >/dev/null || { echo "serve_load: wrk is missing (apt-get install wrk)" >&2; exit 2; }
[ -x "$py" ] || { echo "serve_load: run scripts/setup_bench.sh first" >&2; exit 2; }

# --- models -----------------------------------------------------------------------------------
[ -f "$work/tiny/model.onnx" ] || "$splade" convert models/splade-tiny -o "$work/tiny" --head splade-pooled >/dev/null
if [ ! -f "$work/base-int8/model.onnx" ]; then
  # Random weights with the decoder bias at -2: ~39 non-zero terms a query, as a trained SPLADE
  # (with the default bias, half the vocabulary: a 1 MB answer, and the bench would time JSON).
  [ -f "$work/bert-base-random/config.json" ] ||
    "$root/.venv/bin/python" scripts/make_test_model.py "$work/bert-base-random" --size base --weights safetensors \
      --decoder-bias -2 >/dev/null
  "$splade" convert "$work/bert-base-random" -o "$work/base" --head splade-pooled >/dev/null
  "$splade" optimize "$work/base/model.onnx" -o "$work/base-opt.onnx" >/dev/null
  mkdir -p "$work/base-int8"
  "$splade" quantize "$work/base-opt.onnx" -o "$work/base-int8/model.onnx" --no-report >/dev/null
  cp "$work/base"/tokenizer* "$work/base"/vocab.txt "$work/base"/config.json "$work/base-int8/" 2>/dev/null || true
fi
if [ ! -f "$work/base-vnni/model.onnx" ] && grep -qw avx512_vnni /proc/cpuinfo; then
  mkdir -p "$work/base-vnni"
  "$splade" quantize "$work/base-opt.onnx" -o "$work/base-vnni/model.onnx" --target avx512-vnni --no-report >/dev/null
  cp "$work/base"/tokenizer* "$work/base"/vocab.txt "$work/base"/config.json "$work/base-vnni/" 2>/dev/null || true
fi

# --- request bodies: {"inputs": query} a line -------------------------------------------------
"$py" - "$work/queries.jsonl" <<'PY'
import json, sys
with open("../shared/data/msmarco-passage/topics.msmarco-passage.dev-subset.txt", encoding="utf-8") as f:
    queries = [line.rstrip("\n").split("\t", 1)[1] for line in f][:2000]
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for q in queries:
        out.write(json.dumps({"inputs": q}) + "\n")
PY

wait_ready() {  # $1 url, $2 pid
  for _ in $(seq 1 600); do
    curl -sf "$1/health" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

results="$work/results.jsonl"
: > "$results"
start_server() {  # $1 engine, $2 model dir, $3 port; prints the pid
  if [ "$1" = splade ]; then
    "$splade" serve --model "$2" --port "$3" --threads "$threads" --workers "$threads" ${SPLADE_ARGS:-} >/dev/null 2>"$work/$1.log" &
  else
    "$py" bench/python/serve_peer.py "$2" "$3" "$threads" >/dev/null 2>"$work/$1.log" &
  fi
  local pid=$!  # (started in $(...): stdout goes elsewhere, or the substitution would wait for it)
  wait_ready "http://127.0.0.1:$3" "$pid" || { echo "serve_load: $1 did not start" >&2; cat "$work/$1.log" >&2; exit 1; }
  echo "$pid"
}
point() {  # $1 engine, $2 model name, $3 port, $4 pid, $5 concurrency
  local t=$(( $5 < 2 ? 1 : 2 )) line rss_kb
  line="$(BODIES="$work/queries.jsonl" wrk -t"$t" -c"$5" -d"${duration}s" --timeout 30s -s bench/serve_load/post_bodies.lua \
          "http://127.0.0.1:$3" | tail -n 1)"
  rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$4/status")"
  echo "{\"engine\": \"$1\", \"model\": \"$2\", \"concurrency\": $5, \"rss_mb\": $((rss_kb / 1024)), \"wrk\": $line}" | tee -a "$results"
}

echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $threads model threads; ${duration}s a point"
# Both servers run at once (an idle one takes no CPU) and take turns at each point, so that the
# machine's drift over minutes falls on both alike.
for model in ${MODELS-tiny base-int8}; do  # MODELS="" runs none (a soak only)
  ours="$(start_server splade "$work/$model" 18431)"
  peer="$(start_server fastapi-onnxruntime "$work/$model" 18432)"
  for port in 18431 18432; do  # warm-up
    BODIES="$work/queries.jsonl" wrk -t1 -c8 -d3s -s bench/serve_load/post_bodies.lua "http://127.0.0.1:$port" >/dev/null
  done
  for c in ${CONCURRENCY:-1 8 64}; do
    point splade "$model" 18431 "$ours" "$c"
    point fastapi-onnxruntime "$model" 18432 "$peer" "$c"
  done
  kill -TERM "$ours" "$peer"
  while kill -0 "$ours" 2>/dev/null || kill -0 "$peer" 2>/dev/null; do sleep 0.2; done  # not our children: poll
done
"$py" bench/python/serve_table.py "$results"

if [ "$soak" -gt 0 ]; then
  soak_model="${SOAK_MODEL:-tiny}"
  echo "== soak: splade serve, $soak_model, concurrency 8, ${soak}s; RSS (MB) every 10 s"
  port=18432
  "$splade" serve --model "$work/$soak_model" --port "$port" --threads "$threads" --workers "$threads" 2>"$work/soak.log" &
  pid=$!
  wait_ready "http://127.0.0.1:$port" "$pid"
  BODIES="$work/queries.jsonl" wrk -t2 -c8 -d"${soak}s" --timeout 30s -s bench/serve_load/post_bodies.lua \
    "http://127.0.0.1:$port" > "$work/soak.wrk" &
  wrk_pid=$!
  samples=""
  while kill -0 "$wrk_pid" 2>/dev/null; do
    samples="$samples $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))"
    sleep 10
  done
  echo "rss_mb:$samples"
  tail -n 1 "$work/soak.wrk"
  kill -TERM "$pid"; wait "$pid" || true
fi

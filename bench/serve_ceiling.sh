#!/usr/bin/env bash
# How far `splade serve` could go on BERT-base int8 at concurrency 8 (issue 16: ">= 3x the
# FastAPI + onnxruntime peer's throughput"), against the ceiling of any server that runs the
# model's body in ONNX Runtime, ROUNDS times in one run:
#   1. the peer and `splade serve` under load (bench/serve_load.sh, concurrency 8 only);
#   2. `splade encode --queries` on the same 2,000 MS MARCO dev queries, no HTTP, no JSON, at
#      --batch 8 (with 8 clients at most 8 requests are open at once, so no server's batch holds
#      more) and --batch 32: the loop's queries/s (model loading left out), and the part of it in
#      ONNX Runtime's Runs alone (the body: what the CLI prints as "in the model").
# The target is within reach only if 3x the peer lies below the batch-8 figures.
# Usage: [SPLADE=...] [MODEL=base-vnni|base-int8] bench/serve_ceiling.sh [DURATION=15] [ROUNDS=2] [THREADS=2]
# Needs: a build with the CLI (SPLADE, default build-bench), wrk and .venv-bench (scripts/setup_bench.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${1:-15}"; rounds="${2:-2}"; threads="${3:-2}"
splade="${SPLADE:-$root/build-bench/tools/splade/splade}"
model="${MODEL:-$(grep -qw avx512_vnni /proc/cpuinfo && echo base-vnni || echo base-int8)}"
py="$root/.venv-bench/bin/python"
work="$root/work/serve-load"
mkdir -p "$work"
head -n 2000 ../shared/data/msmarco-passage/topics.msmarco-passage.dev-subset.txt > "$work/queries.2000.tsv"

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $threads threads; model $model; ${duration}s a load point"
rows="$work/ceiling.rows"; : > "$rows"
for round in $(seq "$rounds"); do
  CONCURRENCY=8 MODELS="$model" SPLADE="$splade" bench/serve_load.sh "$duration" 0 "$threads" >/dev/null
  cp "$work/results.jsonl" "$work/ceiling.load.$round.jsonl"
  for batch in 8 32; do
    "$splade" encode --model "$work/$model" --queries -i "$work/queries.2000.tsv" -o "$work/ceiling.out.tsv" \
      --batch "$batch" --threads "$threads" 2>&1 | tail -1 > "$work/ceiling.encode.$round.$batch.txt"
  done
  echo "$round|$work/ceiling.load.$round.jsonl|$work/ceiling.encode.$round." >> "$rows"
done

"$py" - "$rows" <<'PY'
import json, re, sys
print("| round | peer req/s | 3x the peer | splade serve req/s | encode --batch 8 q/s | its ORT Runs alone q/s "
      "| encode --batch 32 q/s | its ORT Runs alone q/s | 3x the peer / encode --batch 8 |")
print("|---|---|---|---|---|---|---|---|---|")
for row in open(sys.argv[1], encoding="utf-8"):
    round_, load, encode_prefix = row.rstrip("\n").split("|")
    by = {r["engine"]: r["wrk"]["requests"] / r["wrk"]["seconds"] for r in map(json.loads, open(load, encoding="utf-8"))}
    cells = []
    for batch in ("8", "32"):
        line = open(f"{encode_prefix}{batch}.txt", encoding="utf-8").read()
        m = re.search(r"encoded (\d+) records.*?\(([0-9.]+) records/s; ([0-9.]+) s in the model\)", line)
        assert m, line
        cells.append((float(m.group(2)), int(m.group(1)) / float(m.group(3))))
    target = 3 * by["fastapi-onnxruntime"]
    print(f"| {round_} | {by['fastapi-onnxruntime']:.1f} | {target:.1f} | {by['splade']:.1f} | {cells[0][0]:.1f} "
          f"| {cells[0][1]:.1f} | {cells[1][0]:.1f} | {cells[1][1]:.1f} | {target / cells[0][0]:.2f}x |")
PY

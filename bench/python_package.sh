#!/usr/bin/env bash
# splade_cpp from Python beside the CLI, sentence-transformers and fastembed, in one run
# (BENCHMARKS.md, "The Python package"): SPLADE-tiny on the first N SciFact documents (encode
# throughput, 8 Python threads on one encoder), and search from Python vs `splade search` on
# the same index and queries (the binding's cost a call).
# Usage: bench/python_package.sh [N=200] [BATCH=32] [THREADS=2]
# Needs scripts/test_python.sh to have made .venv-wheel, scripts/setup_bench.sh the peers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-200}"; batch="${2:-32}"; threads="${3:-2}"
splade="$root/build/tools/splade/splade"
work="$root/work/bench-python"; mkdir -p "$work"
"$splade" convert models/splade-tiny -o "$work/tiny" --head splade-pooled >/dev/null
"$splade" convert models/splade-tiny -o "$work/tiny-logits" --head logits >/dev/null  # fastembed's contract
"$splade" collection export scifact -o "$work/scifact" >/dev/null
head -n "$n" "$work/scifact/corpus.jsonl" > "$work/docs.jsonl"
# The search side: SciFact's whole corpus and its topics, encoded by the CLI.
"$splade" encode --model "$work/tiny" -i "$work/scifact/corpus.jsonl" -o "$work/vectors.jsonl" -q
"$splade" index --input "$work/vectors.jsonl" --index "$work/idx" --overwrite 2>/dev/null
"$splade" encode --model "$work/tiny" -i "$work/scifact/topics.tsv" -o "$work/queries.tsv" --output-format query-tsv -q

echo "== splade_cpp (Python), $n documents, batch $batch, $threads threads"
.venv-wheel/bin/python bench/python/package_bench.py "$work/tiny" "$work/docs.jsonl" "$work/idx" "$work/queries.tsv" "$batch" "$threads"
echo "== splade search (CLI), the same index and queries, exhaustive, 1 thread: retrieval mean, best of 5 runs"
for k in 10 1000; do
  for _ in 1 2 3 4 5; do
    "$splade" search --index "$work/idx" --topics "$work/queries.tsv" --output "$work/run.$k.txt" --hits "$k" \
      --algorithm exhaustive 2>&1 | grep -o "retrieval mean [0-9.]*" | grep -o "[0-9.]*$"
  done | sort -n | head -n 1 | sed "s/^/k=$k: retrieval mean (ms) /"
done
echo "== sentence-transformers SparseEncoder (PyTorch), the same documents"
.venv/bin/python bench/python/encode_head_peers.py sentence-transformers models/splade-tiny "$work/docs.jsonl" "$batch" "$threads"
echo "== fastembed 0.9.1 SparseTextEmbedding (onnxruntime + numpy pooling of the logits), the same documents"
.venv-bench/bin/python bench/python/encode_head_peers.py fastembed "$work/tiny-logits" "$work/docs.jsonl" "$batch" "$threads"

#!/usr/bin/env bash
# splade.cpp side of the impact-search benchmark (BENCHMARKS.md, "Impact index and search").
#   bench/search_bench.sh [WORKDIR]      (default: build/bench-data)
# Environment: DOCS (1000000), HITS (1000), THREADS (1: search threads), INDEX_THREADS (2),
#              QUERIES (the 6,980 MS MARCO dev SPLADE++ ED query vectors), BUILD (build).
# Steps: build; generate the synthetic corpus once (bench/generate_corpus.cpp, seed 42);
# index it (time, size); search all queries with MaxScore and exhaustively (k = HITS, one
# thread) and check both runs are byte-identical. The Anserini side (IndexCollection -impact
# -pretokenized / SearchCollection -impact -pretokenized on the same corpus and topics) is
# added by the harness on branch `eval`: hook it in at "ANSERINI" below and `cmp` the runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/build/bench-data}"
docs="${DOCS:-1000000}"
hits="${HITS:-1000}"
threads="${THREADS:-1}"
index_threads="${INDEX_THREADS:-2}"
build="${BUILD:-$root/build}"
data="$root/../shared/data"
queries="${QUERIES:-$data/msmarco-passage/topics.msmarco-passage.dev-subset.splade-pp-ed.tsv.gz}"
mkdir -p "$work"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPLADE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j2 --target splade_cli splade_generate_corpus >/dev/null
splade="$build/tools/splade/splade"

corpus="$work/synthetic-$docs.jsonl.gz"
if [ ! -f "$corpus" ]; then
  "$build/bench/splade_generate_corpus" --queries "$queries" --vocab "$data/vocab/bert-base-uncased-vocab.txt" \
    --docs "$docs" --seed 42 --output "$corpus.tmp" && mv "$corpus.tmp" "$corpus"
fi
echo "corpus: $corpus ($(du -b "$corpus" | cut -f1) bytes gzipped)"

index="$work/index-$docs"
/usr/bin/time -f "splade index: %e s wall, %U s user, %S s sys, %M KB max RSS" \
  "$splade" index --input "$corpus" --index "$index" --threads "$index_threads" --overwrite
echo "splade index: $(du -sb "$index" | cut -f1) bytes on disk"

for algorithm in maxscore exhaustive; do
  "$splade" search --index "$index" --topics "$queries" --output "$work/run.$algorithm.txt" \
    --hits "$hits" --threads "$threads" --algorithm "$algorithm" --tag Anserini
done
cmp "$work/run.maxscore.txt" "$work/run.exhaustive.txt" && echo "maxscore run == exhaustive run (byte-identical)"
# ANSERINI: index "$corpus" and search "$queries" with Anserini here; cmp its run with run.maxscore.txt.

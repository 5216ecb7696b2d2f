#!/usr/bin/env bash
# splade.cpp side of the impact-search benchmark (BENCHMARKS.md, "Impact index and search").
#   bench/search_bench.sh [WORKDIR]      (default: build/bench-data)
# Environment: DOCS (1000000), HITS (1000), THREADS (1: search threads), INDEX_THREADS (2),
#              QUERIES (the 6,980 MS MARCO dev SPLADE++ ED query vectors), BUILD (build).
#              ANSERINI (1: also run Anserini's side; 0: splade.cpp only), ANSERINI_REUSE_INDEX
#              (1: keep an Anserini index built by an earlier run, ~18 min on 2 cores).
# Steps: build; generate the synthetic corpus once (bench/generate_corpus.cpp, seed 42) and
# split it round-robin into SHARDS (4) .jsonl.gz files, so that both indexers can use their
# threads (Anserini's IndexCollection parallelizes over files); index it (time, size); search
# all queries with MaxScore and exhaustively (k = HITS, one thread) and check both runs are
# byte-identical. Then Anserini 1.5.0 on the same files: IndexCollection -collection
# JsonVectorCollection -impact -pretokenized (time, size), and Lucene impact search of the same
# queries through SimpleImpactSearcher (bench/anserini/ImpactSearchLatency.java, one thread,
# per-query latency), whose run must equal ours line for line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/build/bench-data}"
docs="${DOCS:-1000000}"
hits="${HITS:-1000}"
threads="${THREADS:-1}"
index_threads="${INDEX_THREADS:-2}"
shards="${SHARDS:-4}"
with_anserini="${ANSERINI:-1}"
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
input="$work/synthetic-$docs.$shards-shards"
if [ ! -d "$input" ]; then
  mkdir -p "$input.tmp"
  zcat "$corpus" | split -n "r/$shards" -d --filter='gzip -1 > "$FILE.jsonl.gz"' - "$input.tmp/part-"
  mv "$input.tmp" "$input"
fi

index="$work/index-$docs"
/usr/bin/time -f "splade index: %e s wall, %U s user, %S s sys, %M KB max RSS" \
  "$splade" index --input "$input" --index "$index" --threads "$index_threads" --overwrite
echo "splade index: $(du -sb "$index" | cut -f1) bytes on disk"

for algorithm in maxscore exhaustive; do
  "$splade" search --index "$index" --topics "$queries" --output "$work/run.$algorithm.txt" \
    --hits "$hits" --threads "$threads" --algorithm "$algorithm" --tag Anserini
done
cmp "$work/run.maxscore.txt" "$work/run.exhaustive.txt" && echo "maxscore run == exhaustive run (byte-identical)"
[ "$with_anserini" = 1 ] || exit 0

jar="$("$root/scripts/fetch_anserini.sh")"
java="$("$root/scripts/find_java.sh")"
anserini_index="$work/anserini-index-$docs"
if [ "${ANSERINI_REUSE_INDEX:-0}" = 1 ] && [ -f "$anserini_index/segments_1" ]; then
  echo "anserini index: reused from an earlier run of this script (its build time is in $work/anserini-index.log)"
else
  rm -rf "$anserini_index"
  /usr/bin/time -f "anserini index: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    "$java" -cp "$jar" io.anserini.index.IndexCollection -collection JsonVectorCollection -input "$input" \
    -index "$anserini_index" -generator DefaultLuceneDocumentGenerator -impact -pretokenized \
    -threads "$index_threads" > "$work/anserini-index.log" 2>&1 || { tail -n 20 "$work/anserini-index.log"; exit 1; }
fi
grep -h "anserini index:" "$work/anserini-index.log"
grep -h "documents indexed" "$work/anserini-index.log" | tail -n 1
echo "anserini index: $(du -sb "$anserini_index" | cut -f1) bytes on disk"

classes="$work/anserini-classes"
mkdir -p "$classes"
"$(dirname "$java")/javac" -cp "$jar" -d "$classes" "$root/bench/anserini/ImpactSearchLatency.java"
"$java" -cp "$jar:$classes" ImpactSearchLatency "$anserini_index" "$queries" "$hits" "$work/run.anserini.txt" 1000 \
  2> "$work/anserini-search.log"
if cmp -s "$work/run.anserini.txt" "$work/run.maxscore.txt"; then
  echo "anserini run == splade.cpp run (byte-identical: docids, ranks, scores)"
else
  echo "anserini run differs from splade.cpp's:"; diff "$work/run.anserini.txt" "$work/run.maxscore.txt" | head -n 10
  exit 1
fi

#!/usr/bin/env bash
# splade.cpp search beside PISA, BMP and Seismic on the same postings (BENCHMARKS.md,
# "Search beside PISA, BMP and Seismic"):
#   bench/search_peers.sh VECTORS QUERIES WORKDIR
# VECTORS: documents as Anserini JsonVectorCollection (.jsonl.gz, integer impacts), e.g.
# `splade encode` of SciFact with SPLADE-tiny; QUERIES: Anserini's query TSV of the same
# model. Steps: index with --reorder (graph bisection) and --block-max, export the CIFF every peer reads,
# the exact runs (exhaustive, k = 10 and 1000), splade.cpp's exhaustive, auto, maxscore and
# block-max (exact, and alpha 0.9 / 0.8 / 0.7), query term pruning (--beta, BETAS) on
# exhaustive and maxscore, then the peers from .venv-bench
# (scripts/setup_bench.sh), one thread, warm. Prints one JSON line per configuration and
# writes them to WORKDIR/results.jsonl; bench/python/search_table.py makes the table.
# Environment: BUILD (build), HITS ("10 1000"), ENGINES (pisa,bmp,seismic), REPEATS (3),
# BETAS ("0.7 0.5 0.4 0.3").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vectors="$1"; queries="$2"; work="$3"
build="${BUILD:-$root/build}"
hits="${HITS:-10 1000}"
engines="${ENGINES:-pisa,bmp,seismic}"
repeats="${REPEATS:-3}"
betas="${BETAS:-0.7 0.5 0.4 0.3}"
splade="$build/tools/splade/splade"
mkdir -p "$work"
"$root/scripts/setup_bench.sh" >&2
results="$work/results.jsonl"
: > "$results"

index="$work/index.bp"
start=$(date +%s.%N)
"$splade" index --input "$vectors" --index "$index" --reorder --block-max --overwrite 2> "$work/index.log"
end=$(date +%s.%N)
cat "$work/index.log" >&2
bytes=$(du -sb "$index" | cut -f1)
"$splade" export ciff --index "$index" -o "$work/index.ciff"

exact=()
for k in $hits; do
  "$splade" search --index "$index" --topics "$queries" --output "$work/exact.$k.txt" --hits "$k" \
    --algorithm exhaustive --score-format integer 2>/dev/null
  exact+=("$k=$work/exact.$k.txt")
done

# splade.cpp: the best of REPEATS runs of each configuration (as the peers), compared with
# the exact run by the same script.
configs=("exhaustive 1 1" "auto 1 1" "maxscore 1 1" "block-max 1 1" "block-max 0.9 1" "block-max 0.8 1" "block-max 0.7 1")
for b in $betas; do configs+=("exhaustive 1 $b" "maxscore 1 $b"); done
for k in $hits; do
  for config in "${configs[@]}"; do
    set -- $config
    for r in $(seq "$repeats"); do
      "$splade" search --index "$index" --topics "$queries" --output "$work/run.$1.$2.$3.$k.txt" --hits "$k" \
        --algorithm "$1" --alpha "$2" --beta "$3" --score-format integer 2>> "$work/search.$1.$2.$3.$k.log"
    done
    "$root/.venv-bench/bin/python" "$root/bench/python/search_peers.py" --splade-log "$work/search.$1.$2.$3.$k.log" \
      --splade-run "$work/run.$1.$2.$3.$k.txt" --splade-algorithm "$1 alpha $2 beta $3" --exact "$k=$work/exact.$k.txt" \
      --index "$index" --index-bytes "$bytes" --build-s "$(echo "$end - $start" | bc)" --queries "$queries" \
      --ciff - --vectors - | tee -a "$results"
  done
done
"$root/.venv-bench/bin/python" "$root/bench/python/search_peers.py" --ciff "$work/index.ciff" --index "$index" \
  --vectors "$vectors" --queries "$queries" --exact "${exact[@]}" --work "$work" --repeats "$repeats" \
  --engines "$engines" | tee -a "$results"
"$root/.venv-bench/bin/python" "$root/bench/python/search_table.py" "$results"

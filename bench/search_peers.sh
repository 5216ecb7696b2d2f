#!/usr/bin/env bash
# splade.cpp search beside PISA, BMP and Seismic on the same postings (BENCHMARKS.md,
# "Search beside PISA, BMP and Seismic"):
#   bench/search_peers.sh VECTORS QUERIES WORKDIR
# VECTORS: documents as Anserini JsonVectorCollection (.jsonl.gz, integer impacts), e.g.
# `splade encode` of SciFact with SPLADE-tiny; QUERIES: Anserini's query TSV of the same
# model. Steps: index with --reorder (graph bisection) and --block-max, export the CIFF every peer reads,
# the exact runs (exhaustive, k = 10 and 1000), splade.cpp's exhaustive, auto, maxscore and
# block-max (exact, and alpha 0.9 / 0.8 / 0.7), query term pruning (--beta, BETAS) on
# exhaustive and maxscore, impact-ordered search (exact, and each --rho of RHOS with each
# --candidates of CANDIDATES), then the peers from .venv-bench
# (scripts/setup_bench.sh), one thread, warm. Prints one JSON line per configuration and
# writes them to WORKDIR/results.jsonl; bench/python/search_table.py makes the table.
# Environment: BUILD (build), HITS ("10 1000"), ENGINES (pisa,bmp,seismic), REPEATS (3),
# BETAS ("0.7 0.5 0.4 0.3"), ALPHAS (block-max below 1: "0.9 0.8 0.7"), RHOS ("0.2 0.1 0.05"; for
# BETAS, ALPHAS and RHOS an empty value runs none), CANDIDATES ("50 100"; at k = 1000 the
# candidates are max(k, this)), SPLADE_ONLY (1: skip the peers), REUSE_INDEX (1: keep the
# index, CIFF and exact runs of an earlier run in WORKDIR, with its build time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vectors="$1"; queries="$2"; work="$3"
build="${BUILD:-$root/build}"
hits="${HITS:-10 1000}"
engines="${ENGINES:-pisa,bmp,seismic}"
repeats="${REPEATS:-3}"
betas="${BETAS-0.7 0.5 0.4 0.3}"
rhos="${RHOS-0.2 0.1 0.05}"
alphas="${ALPHAS-0.9 0.8 0.7}"
candidates="${CANDIDATES:-50 100}"
splade="$build/tools/splade/splade"
mkdir -p "$work"
"$root/scripts/setup_bench.sh" >&2
results="$work/results.jsonl"
: > "$results"

index="$work/index.bp"
reuse=0
[ "${REUSE_INDEX:-0}" = 1 ] && [ -f "$work/build_s" ] && [ -f "$work/index.ciff" ] && reuse=1
if [ $reuse = 0 ]; then
  start=$(date +%s.%N)
  "$splade" index --input "$vectors" --index "$index" --reorder --block-max --overwrite 2> "$work/index.log"
  end=$(date +%s.%N)
  echo "$end - $start" | bc > "$work/build_s"
  "$splade" export ciff --index "$index" -o "$work/index.ciff"
fi
cat "$work/index.log" >&2
bytes=$(du -sb "$index" | cut -f1)

exact=()
for k in $hits; do
  [ $reuse = 1 ] && [ -f "$work/exact.$k.txt" ] || \
    "$splade" search --index "$index" --topics "$queries" --output "$work/exact.$k.txt" --hits "$k" \
      --algorithm exhaustive --score-format integer 2>/dev/null
  exact+=("$k=$work/exact.$k.txt")
done

# splade.cpp: the best of REPEATS runs of each configuration (as the peers), compared with
# the exact run by the same script.
# A configuration: algorithm, alpha, beta, rho, candidates.
configs=("exhaustive 1 1 1 100" "auto 1 1 1 100" "maxscore 1 1 1 100" "block-max 1 1 1 100" "impact-ordered 1 1 1 100")
for a in $alphas; do configs+=("block-max $a 1 1 100"); done
for b in $betas; do configs+=("exhaustive 1 $b 1 100" "maxscore 1 $b 1 100"); done
for r in $rhos; do for c in $candidates; do configs+=("impact-ordered 1 1 $r $c"); done; done
for k in $hits; do
  for config in "${configs[@]}"; do
    set -- $config
    name="$1.$2.$3.$4.$5.$k"
    label="$1 alpha $2 beta $3"
    [ "$1" = impact-ordered ] && label="$1 rho $4 candidates $5"
    : > "$work/search.$name.log"
    for r in $(seq "$repeats"); do
      "$splade" search --index "$index" --topics "$queries" --output "$work/run.$name.txt" --hits "$k" \
        --algorithm "$1" --alpha "$2" --beta "$3" --rho "$4" --candidates "$5" --score-format integer \
        2>> "$work/search.$name.log"
    done
    "$root/.venv-bench/bin/python" "$root/bench/python/search_peers.py" --splade-log "$work/search.$name.log" \
      --splade-run "$work/run.$name.txt" --splade-algorithm "$label" --exact "$k=$work/exact.$k.txt" \
      --index "$index" --index-bytes "$bytes" --build-s "$(cat "$work/build_s")" --queries "$queries" \
      --ciff - --vectors - | tee -a "$results"
  done
done
[ "${SPLADE_ONLY:-0}" = 1 ] || "$root/.venv-bench/bin/python" "$root/bench/python/search_peers.py" --ciff "$work/index.ciff" \
  --index "$index" --vectors "$vectors" --queries "$queries" --exact "${exact[@]}" --work "$work" --repeats "$repeats" \
  --engines "$engines" | tee -a "$results"
"$root/.venv-bench/bin/python" "$root/bench/python/search_table.py" "$results"

#!/usr/bin/env bash
# Whole-command comparison: `splade eval` vs the trec_eval 9.0.x binary that Anserini's fatjar
# bundles (native C, run directly), on an MS MARCO dev-sized run (6,980 queries x 1,000 hits,
# scores with ties, built by awk from the real qrels and a seeded generator), same measures,
# outputs compared byte for byte. Usage: bench/eval_vs_trec_eval.sh [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats="${1:-3}"
jar="$("$root/scripts/fetch_anserini.sh" 2>/dev/null)"
splade="$root/build/tools/splade/splade"
work="$root/work/bench-eval"; mkdir -p "$work"
qrels="$root/../shared/data/msmarco-passage/qrels.msmarco-passage.dev-subset.txt"
topics="$root/../shared/data/msmarco-passage/topics.msmarco-passage.dev-subset.txt"
te="$work/trec_eval"
[ -x "$te" ] || { unzip -p "$jar" trec_eval/trec_eval-linux-amd64 > "$te"; chmod +x "$te"; }
run="$work/run.msmarco-dev.1000.txt"
if [ ! -f "$run" ]; then
  # per query: its judged passages at random ranks among 1000 documents, scores on a coarse grid
  awk 'BEGIN{srand(42)} NR==FNR{rel[$1]=rel[$1] " " $3; next}
       {q=$1; n=split(rel[q], r, " "); for(i=1;i<=1000;i++){ d=(i<=n && rand()<0.6) ? r[i] : int(rand()*8841823);
        printf "%s Q0 %s %d %.1f bench\n", q, d, i, int(rand()*200)/10 } }' "$qrels" "$topics" |
    awk '!seen[$1" "$3]++' > "$run"
fi
args=(-c -M 10 -m recip_rank -m map -m recall.100,1000 -m ndcg_cut.10)
echo "run: $(wc -l < "$run") lines; measures: ${args[*]}"
"$splade" eval --qrels "$qrels" --run "$run" "${args[@]}" > "$work/splade.txt"
"$te" "${args[@]}" "$qrels" "$run" > "$work/trec_eval.txt"
cmp "$work/splade.txt" "$work/trec_eval.txt" && echo "outputs identical"
for tool in splade trec_eval; do
  best=""
  for _ in $(seq "$repeats"); do
    start=$(date +%s.%N)
    if [ "$tool" = splade ]; then "$splade" eval --qrels "$qrels" --run "$run" "${args[@]}" >/dev/null
    else "$te" "${args[@]}" "$qrels" "$run" >/dev/null; fi
    t=$(echo "$(date +%s.%N) - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  echo "$tool best of $repeats: ${best}s"
done

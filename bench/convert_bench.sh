#!/usr/bin/env bash
# Side-by-side: `splade convert` vs the seed's torch.onnx.export path (bench/seed_splade_export.py)
# on one BERT-base-sized MLM checkpoint (110M parameters + MLM head, model.safetensors, fp32),
# both producing the Anserini `splade` head. Reports wall time, peak RSS (GNU time) and node count.
#   bench/convert_bench.sh [WORK_DIR]      (default: build/bench-convert)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/build/bench-convert}"
splade="${SPLADE_BIN:-$root/build/tools/splade/splade}"
py="$root/.venv/bin/python"
mkdir -p "$work"
if [ ! -f "$work/model/model.safetensors" ]; then
  echo "making a random-weight BERT-base MLM checkpoint in $work/model"
  "$py" "$root/scripts/make_test_model.py" "$work/model" --size base --weights safetensors 2>/dev/null
fi
ckpt_bytes=$(stat -c %s "$work/model/model.safetensors")

measure() {  # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$work/$label.log" 2>&1
  read -r wall kb <"$work/time.txt"
  echo "$label $wall $kb"
}

nodes() { "$splade" inspect --json --no-ort "$1" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["node_count"])'; }

rm -rf "$work/seed" "$work/splade" "$work/splade-nv"
results=()
results+=("$(measure seed "$py" "$root/bench/seed_splade_export.py" "$work/model" "$work/seed")")
results+=("$(measure splade-no-validate "$splade" convert "$work/model" -o "$work/splade-nv" --no-validate)")
results+=("$(measure splade "$splade" convert "$work/model" -o "$work/splade")")

printf "checkpoint: %s (%.1f MB)\n" "$work/model/model.safetensors" "$(echo "$ckpt_bytes / 1000000" | bc -l)"
printf "%-36s %9s %12s %14s %8s\n" "converter" "wall s" "peak RSS MB" "RSS/checkpoint" "nodes"
seed_wall=""
for r in "${results[@]}"; do
  read -r label wall kb <<<"$r"
  case "$label" in
    seed) name="torch.onnx.export (seed, opset 14)"; model="$work/seed/model.onnx"; seed_wall=$wall ;;
    splade-no-validate) name="splade convert --no-validate"; model="$work/splade-nv/model.onnx" ;;
    splade) name="splade convert (validated)"; model="$work/splade/model.onnx" ;;
  esac
  printf "%-36s %9.2f %12.0f %14.2f %8s\n" "$name" "$wall" "$(echo "$kb / 1000" | bc -l)" \
    "$(echo "$kb * 1024 / $ckpt_bytes" | bc -l)" "$(nodes "$model")"
done
for r in "${results[@]:1}"; do
  read -r label wall kb <<<"$r"
  printf "speedup of %s over the seed: %.1fx\n" "$label" "$(echo "$seed_wall / $wall" | bc -l)"
done

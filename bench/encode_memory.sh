#!/usr/bin/env bash
# Peak memory of `splade encode` with the fused head: the whole process's peak RSS (the OS's
# own accounting, loading included) at batch 32 x 512 tokens and 32 x 256, SPLADE-tiny and a
# random-weight BERT-base, fp32 and int8, against issue 13's bound: model.onnx + 300 MiB.
# With BEFORE (another splade binary, e.g. one built from an earlier commit), each row is run
# with both binaries, one after the other, in the same run; their vectors are compared.
# Input: 32 (and 64) passages of real text, SciFact documents joined to 450 words (more than
# 512 word pieces: every text is cut at --max-length).
# Usage: [BUILD=build-bench] bench/encode_memory.sh [BEFORE] [THREADS=2]   (BUILD: a Release build folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
before="${1:-}"; threads="${2:-2}"; build="${BUILD:-build-bench}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPLADE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
splade="$root/$build/tools/splade/splade"
py="$root/.venv/bin/python"
work="$root/work/bench-memory"; mkdir -p "$work"; log="$work/log.txt"; : > "$log"

"$splade" collection export scifact -o "$work/scifact" >/dev/null
"$py" - "$work/scifact/corpus.jsonl" "$work/passages.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w", encoding="utf-8")
k, words = 0, []
for line in open(sys.argv[1], encoding="utf-8"):
    words += json.loads(line)["contents"].split()
    if len(words) >= 450:
        out.write(json.dumps({"id": f"p{k}", "contents": " ".join(words[:450])}) + "\n")
        k, words = k + 1, []
    if k == 64:
        break
PY
int8_twin() {  # $1: fp32 model dir -> $1-int8 (splade optimize + quantize, tokenizer files copied)
  rm -rf "$1-int8" && mkdir -p "$1-int8" && cp "$1"/*.json "$1"/vocab.txt "$1-int8/"
  "$splade" optimize "$1/model.onnx" -o "$work/opt.onnx" >/dev/null
  "$splade" quantize "$work/opt.onnx" -o "$1-int8/model.onnx" --no-report >/dev/null
}
tiny="$work/tiny"; base="$work/base"
[ -f "$tiny-int8/model.onnx" ] || { "$splade" convert "$root/models/splade-tiny" -o "$tiny" --head splade-pooled >/dev/null; int8_twin "$tiny"; }
if [ ! -f "$base-int8/model.onnx" ]; then
  # --decoder-bias -2: a random decoder's default bias makes half the vocabulary non-zero, and
  # the output vectors, not the model, would then be what the memory measures.
  [ -f "$work/bert-base-random/config.json" ] || \
    "$py" scripts/make_test_model.py "$work/bert-base-random" --size base --weights safetensors --decoder-bias -2 >/dev/null
  "$splade" convert "$work/bert-base-random" -o "$base" --head splade-pooled >/dev/null
  int8_twin "$base"
fi

peak() {  # BIN MODEL MAX_LENGTH OUT -> "peak_MiB wall_s"
  rm -f "$4" "$4.partial"
  "$py" bench/python/whole_process.py 1 "$log" -- "$1" encode --model "$2" -i "$work/passages.jsonl" -o "$4" \
    --batch 32 --threads "$threads" --max-length "$3" -q \
    | "$py" -c "import json,sys; r=json.load(sys.stdin); assert set(r['exit_codes'])=={0}, r; print(f\"{r['peak_mib']:.0f} {r['wall_s']:.1f}\")"
}
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $threads threads; 64 passages, batch 32"
if [ -n "$before" ]; then
  echo "| model | model.onnx | max length | bound | before: peak, wall | after: peak, wall | vectors | within bound |"
  echo "|---|---|---|---|---|---|---|---|"
else
  echo "| model | model.onnx | max length | bound | peak | wall | within bound |"
  echo "|---|---|---|---|---|---|---|"
fi
for m in tiny tiny-int8 base base-int8; do
  dir="$work/$m"
  mib=$("$py" -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 2**20:.0f}')" "$dir/model.onnx")
  for len in 512 256; do
    bound=$((mib + 300))
    read -r after_peak after_wall <<<"$(peak "$splade" "$dir" "$len" "$work/after.jsonl")"
    ok=$([ "$after_peak" -le "$bound" ] && echo yes || echo no)
    if [ -n "$before" ]; then
      read -r before_peak before_wall <<<"$(peak "$before" "$dir" "$len" "$work/before.jsonl")"
      same=$(cmp -s "$work/before.jsonl" "$work/after.jsonl" && echo identical || echo differ)
      echo "| $m | $mib MiB | $len | $bound MiB | $before_peak MiB, $before_wall s | $after_peak MiB, $after_wall s | $same | $ok |"
    else
      echo "| $m | $mib MiB | $len | $bound MiB | $after_peak MiB | $after_wall s | $ok |"
    fi
  done
done

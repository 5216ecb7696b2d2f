#!/usr/bin/env bash
# Builds every libFuzzer target with clang + ASan/UBSan (into build-fuzz/) and runs each for
# a bounded time from its seed corpus in fuzz/corpus/. Any crash, leak, sanitizer report or
# failed invariant fails the script.
#   tokenizer: fuzz_tokenizer_encode, fuzz_tokenizer_json
#   converter: fuzz_safetensors, fuzz_unpickler (the untrusted-input parsers of checkpoints)
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-20}"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPLADE_FUZZ=ON -DSPLADE_SANITIZE=ON -DSPLADE_BUILD_TESTS=OFF >/dev/null
# target:seed-corpus:max-len
runs=(fuzz_tokenizer_encode:encode:4096 fuzz_tokenizer_json:json:4096
      fuzz_safetensors:safetensors:65536 fuzz_unpickler:unpickler:65536)
targets=()
for r in "${runs[@]}"; do targets+=("${r%%:*}"); done
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for r in "${runs[@]}"; do
  IFS=: read -r t seed max_len <<<"$r"
  work="build-fuzz/corpus-$t"
  mkdir -p "$work"
  echo "== $t for ${seconds}s"
  "build-fuzz/fuzz/$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 "$work" "fuzz/corpus/$seed" 2>&1 | tail -n 12
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz.sh: $t failed" >&2; exit 1; }
done
echo "fuzz: ok"

#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan (into build-fuzz/) and runs each for a
# bounded time. Any crash, leak, sanitizer report or failed invariant fails the script.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-20}"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPLADE_FUZZ=ON -DSPLADE_SANITIZE=ON -DSPLADE_BUILD_TESTS=OFF >/dev/null
targets=(fuzz_tokenizer_encode fuzz_tokenizer_json)
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in "${targets[@]}"; do
  corpus_seed="fuzz/corpus/${t#fuzz_tokenizer_}"  # fuzz/corpus/encode, fuzz/corpus/json
  work="build-fuzz/corpus-$t"
  mkdir -p "$work"
  echo "== $t for ${seconds}s"
  "build-fuzz/fuzz/$t" -max_total_time="$seconds" -max_len=4096 -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 "$work" "$corpus_seed" 2>&1 | tail -n 12
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz.sh: $t failed" >&2; exit 1; }
done
echo "fuzz: ok"

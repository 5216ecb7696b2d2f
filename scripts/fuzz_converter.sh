#!/usr/bin/env bash
# Bounded libFuzzer runs of the converter's parsers (safetensors reader, restricted
# unpickler): builds them with clang in build-fuzz/ and runs each for SECONDS (default 60),
# starting from the seed corpus in fuzz/corpus/ (tiny real files made by the tests' helpers).
#   scripts/fuzz_converter.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSPLADE_FUZZ=ON -DSPLADE_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-fuzz" --target fuzz_safetensors fuzz_unpickler -j2
for t in safetensors unpickler; do
  work="$root/build-fuzz/corpus-$t"
  mkdir -p "$work"
  echo "== fuzz_$t for ${seconds}s"
  "$root/build-fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" "$root/fuzz/corpus/$t" 2>&1 | tail -n 12
done

#!/usr/bin/env bash
# How `splade serve`'s HTTP library was chosen: Boost.Beast (asynchronous, io threads) against
# cpp-httplib (a thread per connection from its pool), as equal minimal servers
# (bench/http_library/): POST /work answering a 1 KB JSON body, at once or after a simulated
# backend time (DELAY_US: what a model batch takes), under wrk at concurrency 1, 8 and 64.
# Usage: bench/http_library.sh [DURATION=5] [DELAYS="0 2000"]; needs the bench build
# (build-bench, -DSPLADE_BUILD_BENCH=ON with libboost1.81-dev and libcpp-httplib-dev) and wrk.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${1:-5}"
delays="${2:-0 2000}"
bin="${BUILD:-$root/build-bench}/bench/http_library"
body="$(mktemp)"; echo '{"inputs": "what is splade"}' > "$body"
echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; ${duration}s a point"
printf '| server | backend delay | concurrency | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n'
for delay in $delays; do
  for server in "beast 1" "httplib 8" "httplib 64"; do
    set -- $server
    port=$((18500 + RANDOM % 1000))
    "$bin/http_library_$1" "$port" "$delay" "$2" >/dev/null &
    pid=$!
    sleep 0.5
    for c in 1 8 64; do
      t=$(( c < 2 ? 1 : 2 ))
      line="$(BODIES="$body" URL_PATH=/work wrk -t"$t" -c"$c" -d"${duration}s" -s bench/serve_load/post_bodies.lua \
              "http://127.0.0.1:$port" | tail -n 1)"
      python3 -c "import json,sys; w=json.loads(sys.argv[1]); e=sum(v for k,v in w.items() if k.startswith('errors') or k=='non_2xx'); \
print(f\"| {sys.argv[2]} | {sys.argv[3]} us | {sys.argv[4]} | {w['requests']/w['seconds']:.0f} | {w['p50_ms']:.3f} | {w['p99_ms']:.3f} | {e} |\")" \
        "$line" "$1 ($2 threads)" "$delay" "$c"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
rm -f "$body"

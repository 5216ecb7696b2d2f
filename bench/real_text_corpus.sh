#!/usr/bin/env bash
# Corpus 2 of the search benchmark (BENCHMARKS.md, "Search beside PISA, BMP and Seismic"):
# real English text from Debian packages cut into MS MARCO-like passages, encoded by
# SPLADE-tiny; queries: the 6,980 MS MARCO dev queries encoded by SPLADE-tiny.
#   bench/real_text_corpus.sh WORKDIR [MAX_PASSAGES]
# Deterministic from a fresh machine: the packages are pinned below, the passage rules are
# bench/python/real_text_passages.py's, the model is scripts/setup.sh's SPLADE-tiny.
# Writes WORKDIR/{passages.jsonl, docs.jsonl.gz, queries.tsv, queries.1k.tsv, manifest.json
# (sizes, sha256)}. The passages are the same bytes on every machine; the vectors are
# ONNX Runtime's on this CPU (an impact at a .5 tie may round the other way elsewhere).
# Environment: BUILD (build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$1"; max="${2:-1000000}"
build="${BUILD:-$root/build}"
splade="$build/tools/splade/splade"
mkdir -p "$work"
packages=(dict-gcide=0.48.5+nmu2 wordnet-base=1:3.0-37 python3.11-doc=3.11.2-6+deb12u9 linux-doc-6.1=6.1.192-3)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Version}' "${p%%=*}" 2>/dev/null || true)" = "${p#*=}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades "${missing[@]}" >/dev/null
fi
python3 "$root/bench/python/real_text_passages.py" -o "$work/passages.jsonl" --max "$max" > "$work/passages.json"
[ -d "$work/tiny" ] || "$splade" convert "$root/models/splade-tiny" -o "$work/tiny" --head splade-pooled > /dev/null
/usr/bin/time -f "encode passages: %e s wall, %M KB max RSS" \
  "$splade" encode --model "$work/tiny" -i "$work/passages.jsonl" -o "$work/docs.jsonl.gz" -q
"$splade" encode --model "$work/tiny" --queries \
  -i "$root/../shared/data/msmarco-passage/topics.msmarco-passage.dev-subset.txt" -o "$work/queries.tsv" -q
# Every 7th query (998), as the search property tests sample them: the peers' bench set.
awk 'NR % 7 == 1' "$work/queries.tsv" > "$work/queries.1k.tsv"
python3 - "$work" <<'PY'
import hashlib, json, os, sys
work = sys.argv[1]
manifest = json.load(open(os.path.join(work, "passages.json")))
for name in ("passages.jsonl", "docs.jsonl.gz", "queries.tsv", "queries.1k.tsv"):
    path = os.path.join(work, name)
    manifest[name] = {"bytes": os.path.getsize(path), "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest()}
json.dump(manifest, open(os.path.join(work, "manifest.json"), "w"), indent=1)
print(json.dumps(manifest, indent=1))
PY

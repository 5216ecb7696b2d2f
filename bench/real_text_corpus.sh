#!/usr/bin/env bash
# Corpus 2 of the search benchmark (BENCHMARKS.md, "Search beside PISA, BMP and Seismic"):
# real English text from 35 Debian packages (dictionaries: GCIDE, WordNet, FOLDOC, Jargon;
# manuals: Python, Linux, Git, Perl, PostgreSQL, Java, Rust, Qt, Boost, Django, SciPy and
# more; bench/python/real_text_passages.py lists them in order) cut into MS MARCO-like
# passages, encoded by SPLADE-tiny; queries: the 6,980 MS MARCO dev queries encoded by
# SPLADE-tiny. Every English prose source found on Debian 12 gives about half a million
# passages, not the million the issue hoped for.
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
packages=(dict-gcide=0.48.5+nmu2 wordnet-base=1:3.0-37 python3.11-doc=3.11.2-6+deb12u9 linux-doc-6.1=6.1.192-3
          dict-foldoc=20230119-1 dict-jargon=4.4.7-3.1 git-doc=1:2.39.5-0+deb12u3 perl-doc=5.36.0-7+deb12u4
          postgresql-doc-15=15.20-0+deb12u1 debian-handbook=11.20220922 gimp-help-en=2.10.34-2 sphinx-doc=5.3.0-4
          python-django-doc=3:3.2.25-0+deb12u7 python-scipy-doc=1.10.1-2 python-pandas-doc=1.5.3+dfsg-2
          rust-doc=1.63.0+dfsg1-2 openjdk-17-doc=17.0.21.1+2-1~deb12u1 erlang-doc=1:25.2.3+dfsg-1+deb12u4
          qtbase5-doc-html=5.15.8+dfsg-11+deb12u3 libboost1.81-doc=1.81.0-5+deb12u1 python-sklearn-doc=1.2.1+dfsg-1
          python-statsmodels-doc=0.13.5+dfsg-7 python-astropy-doc=5.2.1-2+deb12u1 python-sympy-doc=1.11.1-1
          python-skimage-doc=0.19.3-8 python-sqlalchemy-doc=1.4.46+ds1-1 racket-doc=8.7+dfsg1-1
          lilypond-doc-html=2.24.1-2 gnucash-docs=4.13-1 cmake-doc=3.25.1-1 nodejs-doc=18.20.4+dfsg-1~deb12u3
          sqlite3-doc=3.40.1-2+deb12u2 octave-doc=7.3.0-2 kicad-doc-en=6.0.11+dfsg-1 vim-runtime=2:9.0.1378-2+deb12u2)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Version}' "${p%%=*}" 2>/dev/null || true)" = "${p#*=}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades "${missing[@]}" >/dev/null
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

#!/usr/bin/env bash
# Fetches Anserini's fatjar (the independent reference for index/search and for the expected
# figures of regressions/) from Maven Central with Maven's own client, pinned by version and
# sha256, into work/anserini/ (git-ignored). Idempotent. Needs mvn and a JDK >= 21 to run it
# (Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 here; Debian's default java 17 is too old).
# Prints the jar's path on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="1.5.0"
sha256="bb0761df51ef7db5be361199a40a45722cccf7f0b2271e2b25337e97dd578aea"
dest="$root/work/anserini"
jar="$dest/anserini-$version-fatjar.jar"

if [ -f "$jar" ] && [ "$(sha256sum "$jar" | cut -d' ' -f1)" = "$sha256" ]; then
  echo "$jar"; exit 0
fi
command -v mvn >/dev/null 2>&1 || { echo "fetch_anserini: mvn not found (apt-get install maven)" >&2; exit 2; }
mkdir -p "$dest"
mvn -q -B dependency:copy -Dartifact="io.anserini:anserini:$version:jar:fatjar" \
    -DoutputDirectory="$dest" -Dmdep.overWriteReleases=true >&2
got="$(sha256sum "$jar" | cut -d' ' -f1)"
if [ "$got" != "$sha256" ]; then
  rm -f "$jar"
  echo "fetch_anserini: sha256 mismatch for $jar: got $got, expected $sha256" >&2; exit 1
fi
echo "$jar"

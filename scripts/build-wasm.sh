#!/usr/bin/env bash
# Build the WASM module and its JS glue: wasm/pkg (browsers, ES module) and wasm/pkg-node
# (Node, CommonJS, used by the tests). Installs the wasm-bindgen CLI matching Cargo.lock into
# $HOME/.cache/aequa-tools when it is missing or of another version. The module is built with
# the `wasm-release` profile (engine at opt-level 3, the rest "z", fat LTO) and shrunk with wasm-opt from npm's
# binaryen (`npm ci`; never Debian's binaryen, see TOOLCHAIN.md). AEQUA_WASM_OPT picks the
# wasm-opt level (default -Oz; "none" skips wasm-opt, for quick local iterations).
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
cargo build -p aequa-wasm --target wasm32-unknown-unknown --profile wasm-release

wasm=target/wasm32-unknown-unknown/wasm-release/aequa_wasm.wasm
rm -rf wasm/pkg wasm/pkg-node
wasm-bindgen "$wasm" --target nodejs --out-dir wasm/pkg-node
wasm-bindgen "$wasm" --target web --out-dir wasm/pkg

size() {
    echo "build-wasm: $2: $(wc -c <"$1") bytes raw, $(gzip -9 -c "$1" | wc -c) bytes gzipped"
}
size wasm/pkg/aequa_wasm_bg.wasm "after wasm-bindgen"

level="${AEQUA_WASM_OPT:--Oz}"
if [ "$level" != "none" ]; then
    if [ ! -x node_modules/.bin/wasm-opt ]; then
        npm ci --no-audit --no-fund
    fi
    wasm-opt --version | grep -q "version 1[3-9][0-9]" || {
        echo "build-wasm: wasm-opt is not npm's binaryen >= 130: $(command -v wasm-opt)" >&2
        exit 1
    }
    opt=$(mktemp --suffix .wasm)
    trap 'rm -f "$opt"' EXIT
    # Names and producers go (debug only); the target_features section tells wasm-opt which
    # features the module uses.
    wasm-opt "$level" --strip-debug --strip-producers wasm/pkg/aequa_wasm_bg.wasm -o "$opt"
    # Both targets carry the same module; optimise once, check, and install it in both.
    if ! cmp -s wasm/pkg/aequa_wasm_bg.wasm wasm/pkg-node/aequa_wasm_bg.wasm; then
        wasm-opt "$level" --strip-debug --strip-producers wasm/pkg-node/aequa_wasm_bg.wasm \
            -o wasm/pkg-node/aequa_wasm_bg.wasm
    else
        cp "$opt" wasm/pkg-node/aequa_wasm_bg.wasm
    fi
    cp "$opt" wasm/pkg/aequa_wasm_bg.wasm
    size wasm/pkg/aequa_wasm_bg.wasm "after wasm-opt $level"
fi

#!/usr/bin/env bash
# Build the WASM module (scripts/build-wasm.sh), then run the Node test suite against
# wasm/pkg-node and the Rust tests compiled for wasm32 (wasm-bindgen-test-runner in Node).
set -euo pipefail

cd "$(dirname "$0")/.."
./scripts/build-wasm.sh
export PATH="$HOME/.cache/aequa-tools/bin:$PATH"

node --test tests/node/

# The runner exits 0 even when it finds no tests: require a non-zero count of passes.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test -p aequa-wasm --target wasm32-unknown-unknown 2>&1 | tee "$log"
passed=$(awk '/^test result: ok\./ { n += $4 } END { print n + 0 }' "$log")
if [ "$passed" -eq 0 ]; then
    echo "test-wasm: no wasm32 tests ran" >&2
    exit 1
fi
echo "test-wasm: $passed wasm32 tests passed"

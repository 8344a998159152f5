#!/usr/bin/env bash
# Build the offline dashboard (wasm/dashboard): the WASM module first when wasm/pkg is missing
# or older than the Rust sources, then `npm ci` and esbuild. Output in wasm/dashboard/dist:
# index.html + app.js + app.css, the single-file aequa-dashboard.html and the widget's widget.js.
set -euo pipefail

cd "$(dirname "$0")/.."
pkg=wasm/pkg/aequa_wasm_bg.wasm
if [ ! -f "$pkg" ] || [ -n "$(find core/src wasm/src Cargo.lock -newer "$pkg" -type f -print -quit)" ]; then
    ./scripts/build-wasm.sh
fi

cd wasm/dashboard
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs

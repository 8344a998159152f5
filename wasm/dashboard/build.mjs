// Bundle the dashboard with esbuild into dist/ (classic scripts: module scripts are blocked on file://):
//   index.html + app.js + app.css   the static app (any static host, or file://)
//   aequa-dashboard.html            one self-contained file: JS, CSS and the .wasm inlined
//   widget.js                       the anywidget ES module (CSS inlined) for the notebook widget
// The WASM module's bytes are bundled into the JS (esbuild's binary loader), and the worker's
// code is bundled as a string the page starts from a Blob URL: nothing is fetched at run time.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const src = new URL("./src/", import.meta.url).pathname;
const dist = new URL("./dist/", import.meta.url).pathname;
const common = {
  bundle: true, minify: true, write: false, target: "es2020", legalComments: "none",
  loader: { ".wasm": "binary" },
  // wasm-bindgen's default module URL is never used (the bytes are passed in).
  define: { "import.meta.url": '"about:blank"' },
  logLevel: "warning",
};

const worker = await build({ ...common, entryPoints: [src + "worker.js"], format: "iife", loader: { ".wasm": "empty" } });
const workerSource = worker.outputFiles[0].text;
const virtualWorker = {
  name: "worker-source",
  setup(b) {
    b.onResolve({ filter: /^virtual:worker-source$/ }, () => ({ path: "worker", namespace: "aequa" }));
    b.onLoad({ filter: /.*/, namespace: "aequa" }, () => ({ contents: workerSource, loader: "text" }));
  },
};

const page = await build({ ...common, entryPoints: [src + "main.js"], format: "iife", outdir: dist, entryNames: "app", plugins: [virtualWorker] });
const widget = await build({ ...common, entryPoints: [src + "widget.js"], format: "esm", outdir: dist, entryNames: "widget", plugins: [virtualWorker], loader: { ...common.loader, ".css": "text" } });
const out = (result, ext) => result.outputFiles.find((f) => f.path.endsWith(ext)).text;
const js = out(page, ".js");
const css = out(page, ".css");

// Text inside a <script> or <style> element must not close it early.
const safeScript = (text) => text.replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--");
const safeStyle = (text) => text.replace(/<\/style/gi, "<\\/style");

const template = readFileSync(src + "index.html", "utf8");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
writeFileSync(dist + "app.js", js);
writeFileSync(dist + "app.css", css);
writeFileSync(dist + "widget.js", out(widget, ".js"));
writeFileSync(dist + "index.html", template
  .replace("<!--AEQUA_CSS-->", '<link rel="stylesheet" href="app.css">')
  .replace("<!--AEQUA_JS-->", '<script defer src="app.js"></script>'));
writeFileSync(dist + "aequa-dashboard.html", template
  .replace("<!--AEQUA_CSS-->", () => `<style>${safeStyle(css)}</style>`)
  .replace("<!--AEQUA_JS-->", () => `<script>${safeScript(js)}</script>`));
for (const name of ["index.html", "app.js", "aequa-dashboard.html", "widget.js"]) {
  console.log(`build-dashboard: dist/${name}: ${readFileSync(dist + name).length} bytes`);
}

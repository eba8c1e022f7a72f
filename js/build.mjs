// Bundles each widget module (TS + CSS) into ../embedwidgets/static, the unit tests into build/tests, or
// (--labextension) the sidebar extension's source into labextension/lib for `jupyter labextension build`.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
process.chdir(here); // readdirSync below; esbuild gets absWorkingDir
const tests = process.argv.includes("--tests");
const labextension = process.argv.includes("--labextension");
// Every top-level module in src/ is one entry point: a widget, or the saved page (standalone.ts). The shared
// library (src/lib/) and the map's parts (src/cluster/) live in folders; type declarations are not modules.
const entries = readdirSync("src")
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => f.slice(0, -3));
// The saved page inlines its script in a classic <script> element, so it is bundled as one IIFE.
const PAGE = "standalone";
const widgets = entries.filter((name) => name !== PAGE);

if (tests) {
  rmSync("build/tests", { recursive: true, force: true }); // no stale bundles of deleted tests
  await esbuild.build({
    entryPoints: readdirSync("tests").filter((f) => f.endsWith(".test.ts")).map((f) => `tests/${f}`),
    outdir: "build/tests",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    absWorkingDir: here,
  });
} else if (labextension) {
  // The host provides JupyterLab and Lumino as shared modules; the JupyterLab builder links them.
  await esbuild.build({
    entryPoints: ["labextension/src/index.ts"],
    outfile: "labextension/lib/index.js",
    bundle: true,
    format: "esm",
    target: "es2020",
    external: ["@jupyterlab/*", "@lumino/*"],
    logLevel: "warning",
    absWorkingDir: here,
  });
} else {
  const common = {
    outdir: "../embedwidgets/static",
    bundle: true,
    target: "es2020",
    minify: true,
    sourcemap: false,
    loader: { ".css": "css" },
    logLevel: "warning",
    absWorkingDir: here,
  };
  if (entries.includes(PAGE)) {
    // No license comments with links in the page: it is read offline, and names no hosts.
    await esbuild.build({ ...common, entryPoints: [`src/${PAGE}.ts`], format: "iife", legalComments: "none" });
  }
  await esbuild.build({
    entryPoints: widgets.map((name) => `src/${name}.ts`),
    outdir: "../embedwidgets/static",
    bundle: true,
    format: "esm",
    target: "es2020",
    minify: true,
    sourcemap: false,
    loader: { ".css": "css" },
    logLevel: "warning",
    absWorkingDir: here,
  });
}

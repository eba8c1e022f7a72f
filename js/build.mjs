// Bundles each widget module (TS + CSS) into ../embedwidgets/static, or the unit tests into build/tests.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const tests = process.argv.includes("--tests");
// Every module in src/ except the shared base is one widget's entry point.
const widgets = readdirSync("src")
  .filter((f) => f.endsWith(".ts") && f !== "base.ts")
  .map((f) => f.slice(0, -3));

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
  });
} else {
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
  });
}

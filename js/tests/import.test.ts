// lib/index.ts holds DOM helpers too; importing it outside a browser (node, a worker, a bundler's analysis)
// must not touch the DOM. This file imports it only dynamically, after trapping the browser globals, so
// the module's top-level code runs while the traps are in place (esbuild keeps the dynamic import lazy).
import { test } from "node:test";
import assert from "node:assert/strict";

const BROWSER_GLOBALS = ["document", "window", "navigator", "HTMLElement", "customElements", "getComputedStyle", "requestAnimationFrame"];

test("importing lib/index.ts touches no browser global", async () => {
  const touched: string[] = [];
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const name of BROWSER_GLOBALS) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        throw new Error(`${name} read at import time`);
      },
    });
  }
  let base: typeof import("../src/lib/index.ts");
  try {
    base = await import("../src/lib/index.ts");
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as any)[name];
    }
  }
  assert.deepEqual(touched, [], `lib/index.ts read ${touched.join(", ")} when imported`);
  for (const name of ["Requester", "connect", "asFloat32", "asInt32", "readArray", "h", "svg", "showError", "Autocomplete", "toolbar"]) {
    assert.ok(name in base, `lib/index.ts exports ${name}`);
  }
  // And the non-DOM parts work in node.
  assert.deepEqual(Array.from(base.asInt32(new Int32Array([7]).buffer)), [7]);
  assert.equal(new base.Requester(() => {}).busy, false);
});

// Focus checks must work where a host renders the widget inside a shadow root (marimo does): there the
// document's activeElement is the shadow host, and only the shadow root knows which input has the focus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { hasFocus } from "../src/lib/index.ts";

/** A node inside ``root``; ``root`` stands for a document or a shadow root (both track an activeElement). */
function nodeIn(root: { activeElement: unknown }) {
  const node = { getRootNode: () => root };
  return node as unknown as Node;
}

test("an input focused inside a shadow root has the focus, though the document's activeElement is the host", () => {
  const host = {};
  const document = { activeElement: host };
  const shadow = { activeElement: null as unknown, host };
  const input = nodeIn(shadow);
  const other = nodeIn(shadow);
  shadow.activeElement = input;
  assert.equal(hasFocus(input), true);
  assert.equal(hasFocus(other), false);
  assert.notEqual(document.activeElement, input); // what the old check compared, and why it failed
});

test("in a plain document the document's activeElement decides", () => {
  const document = { activeElement: null as unknown };
  const input = nodeIn(document);
  assert.equal(hasFocus(input), false);
  document.activeElement = input;
  assert.equal(hasFocus(input), true);
});

test("no view reads document.activeElement: each focus check goes through hasFocus", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(process.cwd(), "src"));
  assert.ok(files.length > 10, "the sources were not found");
  const offenders = files.filter((path) => /document\.activeElement\s*[!=]==?/.test(readFileSync(path, "utf8")));
  assert.deepEqual(offenders, []);
});

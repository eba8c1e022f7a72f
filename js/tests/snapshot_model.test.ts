// The saved page's model for every widget but the map: the snapshot as the view reads it, and "offline" for
// whatever would need the kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SnapshotModel, OFFLINE } from "../src/page/snapshot_model.ts";
import { readArray } from "../src/lib/index.ts";

const b64 = (bytes: ArrayBufferView) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

function answer(model: SnapshotModel, kind: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (message: Record<string, unknown>) => {
      model.off("msg:custom", onMessage);
      resolve(message);
    };
    model.on("msg:custom", onMessage);
    model.send({ type: "request", id: 3, kind, params });
  });
}

test("the snapshot's traits and arrays read as the widget model's", () => {
  const values = { dtype: "float32", shape: [2, 2], buffer: b64(new Float32Array([1, 0.5, 0.5, 1])) };
  const model = new SnapshotModel({ module: "similarity", state: { title: "<b>t</b>", _labels: ["a", "b"], _values: values } });
  assert.equal(model.get("title"), "<b>t</b>");
  assert.deepEqual(model.get("_labels"), ["a", "b"]);
  const matrix = readArray(model.get("_values"));
  assert.deepEqual(matrix?.shape, [2, 2]);
  assert.deepEqual(Array.from(matrix?.data ?? []), [1, 0.5, 0.5, 1]);
});

test("a change the view saves is taken back, and the page says it needs the kernel", () => {
  const model = new SnapshotModel({ module: "analogy", state: { a: "man", c: "woman", error: null } });
  const told: string[] = [];
  const seen: unknown[] = [];
  model.onOffline((what) => told.push(what));
  model.on("change:c", () => seen.push(model.get("c")));
  model.set("c", "girl");
  assert.equal(model.get("c"), "girl"); // shown at once, as with a kernel
  model.save_changes();
  assert.deepEqual(seen, ["girl", "woman"]);
  assert.equal(model.get("c"), "woman");
  assert.deepEqual(told, ["Changing c"]);
  assert.equal(model.get("error").message, `Changing c ${OFFLINE}.`);
});

test("a view-only trait (the explorer's tab) may change", () => {
  const model = new SnapshotModel({ module: "explorer", state: { selected_index: 0, error: null } });
  model.set("selected_index", 1);
  model.save_changes();
  assert.equal(model.get("selected_index"), 1);
  assert.equal(model.get("error"), null);
});

test("requests: suggestions are none, anything else answers offline", async () => {
  const model = new SnapshotModel({ module: "neighbors", state: { error: null } });
  const complete = await answer(model, "complete", { prefix: "fro" });
  assert.deepEqual(complete, { type: "response", id: 3, ok: true, data: { prefix: "fro", options: [] } });
  assert.equal(model.get("error"), null);
  const back = await answer(model, "back");
  assert.equal(back.ok, false);
  assert.match(String((back.error as { message: string }).message), /“back” needs the Python kernel/);
  assert.match(model.get("error").message, /“back”/);
});

test("child views come from the saved children, one model each, and tell the page when offline", async () => {
  const children = { abc: { module: "neighbors", state: { query: "frog", error: null } } };
  const drawn: string[] = [];
  const model = new SnapshotModel({ module: "explorer", state: { tabs: ["IPY_MODEL_abc"] } }, children, (child) => drawn.push(child.module));
  const told: string[] = [];
  model.onOffline((what) => told.push(what));
  const child = await model.widget_manager.get_model("abc");
  assert.equal(child, await model.widget_manager.get_model("abc"));
  assert.equal(child.get("query"), "frog");
  await assert.rejects(model.widget_manager.get_model("nope"), /no saved view nope/);
  child.set("query", "toad");
  child.save_changes();
  assert.deepEqual(told, ["Changing query"]);
  assert.equal(child.get("query"), "frog");
});

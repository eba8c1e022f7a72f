// The saved page's in-page model: it answers from the embedded data what it can, and says so for the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PageModel, type PageData } from "../src/cluster/page_model.ts";
import { readArray } from "../src/lib/index.ts";

const b64 = (bytes: ArrayBufferView) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

function page(): PageData {
  return {
    title: "map",
    n: 3,
    xy: { dtype: "float32", shape: [3, 2], buffer: b64(new Float32Array([0, 0, 1, 1, -1, -1])) },
    values: { dtype: "uint8", shape: [3], buffer: b64(new Uint8Array([0, 1, 0])) },
    legend: { kind: "categorical", colors: ["#111111", "#222222"], items: [{ value: 0, label: "a", color: "#111111", count: 2 }] },
    labels: ["<b>one</b>", "two", "three"],
    columns: ["note"],
    fields: [["x", "y", "z"]],
    clusters: [],
    pointSize: 3,
    opacity: 0.8,
  };
}

/** Send a request the way the Requester does and wait for the answer. */
function ask(model: PageModel, kind: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (message: Record<string, unknown>) => {
      model.off("msg:custom", onMessage);
      resolve(message);
    };
    model.on("msg:custom", onMessage);
    model.send({ type: "request", id: 7, kind, params });
  });
}

test("the page model holds the embedded arrays as the view's array values", () => {
  const model = new PageModel(page());
  assert.deepEqual(Array.from(readArray(model.get("_xy"))?.data ?? []), [0, 0, 1, 1, -1, -1]);
  assert.deepEqual(readArray(model.get("_values"))?.shape, [3]);
  assert.equal(model.get("_n"), 3);
  assert.equal(model.get("_selection"), null);
});

test("a point request is answered from the embedded labels and metadata, as text", async () => {
  const reply = await ask(new PageModel(page()), "point", { index: 0 });
  assert.deepEqual(reply, { type: "response", id: 7, ok: true, data: { index: 0, label: "<b>one</b>", fields: [["note", "x"]] } });
});

test("a legend click highlights its category, and select_highlighted selects it", async () => {
  const model = new PageModel(page());
  const changes: string[] = [];
  model.on("change:_highlight", () => changes.push("_highlight"));
  assert.equal((await ask(model, "legend", { index: 0 })).ok, true);
  assert.deepEqual(Array.from(readArray(model.get("_highlight"))?.data ?? []), [0, 2]);
  assert.match(model.get("_highlight_note"), /2 points: a/);
  await ask(model, "select_highlighted");
  assert.deepEqual(Array.from(readArray(model.get("_selection"))?.data ?? []), [0, 2]);
  await ask(model, "clear_highlight");
  assert.equal(model.get("_highlight"), null);
  assert.deepEqual(changes, ["_highlight", "_highlight"]);
});

test("look-only traits change; anything that needs the kernel says so", async () => {
  const model = new PageModel(page());
  model.set("point_size", 6);
  model.set("labels", false);
  model.save_changes();
  assert.equal(model.get("point_size"), 6);
  assert.equal(model.get("labels"), false);
  assert.equal(model.get("error"), null);
  const before = model.get("projection");
  model.set("projection", "umap");
  model.save_changes();
  assert.equal(model.get("projection"), before);
  assert.match(String(model.get("error")?.message), /changing projection is not available in a saved page/);
  for (const [kind, params] of [["complete", { prefix: "t" }], ["png", { data: "" }]] as const) {
    const reply = await ask(model, kind, params);
    assert.equal(reply.ok, false, kind);
    assert.match(String((reply.error as { message: string }).message), /not available in a saved page/);
  }
});

// A restarted or dead kernel: the model fires "comm_live_update"; requests then fail at once instead of waiting
// for ever, and the view is told once. (The notice itself is checked in a real browser: tests/browser.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { DISCONNECTED_TEXT, connect, onDisconnect } from "../src/lib/index.ts";

/** The event half of an anywidget model, plus a record of what the view sent. */
class FakeModel {
  handlers = new Map<string, Set<(...args: any[]) => void>>();
  sent: unknown[] = [];
  on(event: string, handler: (...args: any[]) => void) {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler);
    this.handlers.set(event, set);
  }
  off(event: string, handler: (...args: any[]) => void) {
    this.handlers.get(event)?.delete(handler);
  }
  send(message: unknown) {
    this.sent.push(message);
  }
  emit(event: string, ...args: unknown[]) {
    for (const handler of Array.from(this.handlers.get(event) ?? [])) handler(...args);
  }
}

test("a lost kernel is reported once, and not after the view stopped listening", () => {
  const model = new FakeModel();
  let lost = 0;
  const stop = onDisconnect(model, () => (lost += 1));
  model.emit("comm_live_update");
  model.emit("comm_live_update");
  assert.equal(lost, 1);
  const other = new FakeModel();
  onDisconnect(other, () => (lost += 1))();
  other.emit("comm_live_update");
  assert.equal(lost, 1);
  stop();
  assert.equal(model.handlers.get("comm_live_update")?.size, 0);
});

test("a lost kernel fails the pending request and every later one, without sending", async () => {
  const model = new FakeModel();
  const [requester, unhook] = connect(model);
  const pending = requester.request("neighbors", { query: "king" });
  assert.equal(requester.busy, true);
  model.emit("comm_live_update");
  const expected = { status: "error", error: { kind: "Disconnected", message: DISCONNECTED_TEXT } };
  assert.deepEqual(await pending, expected);
  assert.equal(requester.busy, false, "no spinner left waiting for an answer that cannot come");
  assert.deepEqual(await requester.request("neighbors", { query: "queen" }), expected);
  assert.equal(model.sent.length, 1, "nothing is sent to a kernel that is gone");
  unhook();
  assert.equal(model.handlers.get("comm_live_update")?.size, 0);
  assert.equal(model.handlers.get("msg:custom")?.size, 0);
});

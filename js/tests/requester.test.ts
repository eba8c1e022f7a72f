// The request layer: ids, responses, stale answers, busy state and error payloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { at } from "./helpers.ts";
import { Requester, connect, type Response } from "../src/lib/index.ts";

type Sent = { type: string; id: number; kind: string; params: Record<string, unknown> };

/** A Requester whose sent messages are recorded, and a helper to answer them like the kernel does. */
function setup() {
  const sent: Sent[] = [];
  const requester = new Requester((message) => sent.push(message as Sent));
  const busy: boolean[] = [];
  requester.onBusy((value) => busy.push(value));
  const answer = (id: number, body: Record<string, unknown>) =>
    requester.receive({ type: "response", id, kind: sent.find((m) => m.id === id)?.kind, ...body });
  return { sent, requester, busy, answer };
}

/** Whether ``promise`` has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const result = await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(marker)))]);
  return result !== marker;
}

test("each request sends a request message with a fresh, increasing id", () => {
  const { sent, requester } = setup();
  void requester.request("neighbors", { query: "king", k: 5 });
  void requester.request("complete");
  void requester.request("neighbors", { query: "queen" });
  assert.equal(sent.length, 3);
  assert.deepEqual(at(sent, 0), { type: "request", id: at(sent, 0).id, kind: "neighbors", params: { query: "king", k: 5 } });
  assert.deepEqual(at(sent, 1).params, {}, "params default to an empty object");
  assert.equal(at(sent, 1).kind, "complete");
  assert.ok(Number.isInteger(at(sent, 0).id));
  assert.ok(at(sent, 0).id < at(sent, 1).id && at(sent, 1).id < at(sent, 2).id, `ids ${sent.map((m) => m.id)} must increase`);
  assert.equal(new Set(sent.map((m) => m.id)).size, 3);
});

test("separate requesters number their requests independently", () => {
  const a = setup();
  const b = setup();
  void a.requester.request("x");
  void a.requester.request("x");
  void b.requester.request("x");
  assert.equal(at(b.sent, 0).id, at(a.sent, 0).id);
});

test("an ok response resolves the matching request with its data", async () => {
  const { sent, requester, answer } = setup();
  const promise = requester.request("neighbors", { query: "king" });
  const data = { labels: ["queen", "prince"], scores: [0.9, 0.8] };
  assert.equal(answer(at(sent, 0).id, { ok: true, data }), true);
  assert.deepEqual(await promise, { status: "ok", data });
});

test("an ok response with no data still resolves as ok", async () => {
  const { sent, requester, answer } = setup();
  const promise = requester.request("ping");
  answer(at(sent, 0).id, { ok: true });
  assert.deepEqual(await promise, { status: "ok", data: undefined });
});

test("an error response keeps its kind, message, missing words and suggestions", async () => {
  const { sent, requester, answer } = setup();
  const promise = requester.request("analogy", { positive: ["kng"] });
  const error = {
    kind: "UnknownTokenError",
    message: "not in the vocabulary: 'kng'",
    missing: ["kng"],
    suggestions: { kng: ["king", "kong"] },
  };
  assert.equal(answer(at(sent, 0).id, { ok: false, error }), true);
  const response = await promise;
  assert.equal(response.status, "error");
  assert.deepEqual((response as Extract<Response, { status: "error" }>).error, error);
});

test("an error response with a message only has no missing words", async () => {
  const { sent, requester, answer } = setup();
  const promise = requester.request("neighbors");
  answer(at(sent, 0).id, { ok: false, error: { kind: "ValueError", message: "k must be positive" } });
  const response = await promise;
  assert.equal(response.status, "error");
  if (response.status !== "error") return;
  assert.equal(response.error.message, "k must be positive");
  assert.equal(response.error.kind, "ValueError");
  assert.equal(response.error.missing, undefined);
  assert.equal(response.error.suggestions, undefined);
});

test("responses resolve their own request when answered out of order", async () => {
  const { sent, requester, answer } = setup();
  const first = requester.request("neighbors");
  const second = requester.request("complete");
  answer(at(sent, 1).id, { ok: true, data: "second" });
  answer(at(sent, 0).id, { ok: true, data: "first" });
  assert.deepEqual(await first, { status: "ok", data: "first" });
  assert.deepEqual(await second, { status: "ok", data: "second" });
});

test("a newer request of the same kind makes the older one stale at once", async () => {
  const { sent, requester, answer } = setup();
  const older = requester.request("neighbors", { query: "kin" });
  const newer = requester.request("neighbors", { query: "king" });
  assert.equal(await settled(older), true, "the older request resolves without waiting for the kernel");
  assert.deepEqual(await older, { status: "stale" });
  assert.equal(await settled(newer), false);
  answer(at(sent, 1).id, { ok: true, data: "king" });
  assert.deepEqual(await newer, { status: "ok", data: "king" });
});

test("a late answer to a superseded request is ignored", async () => {
  const { sent, requester, answer, busy } = setup();
  const older = requester.request("neighbors");
  const newer = requester.request("neighbors");
  const notifications = busy.length;
  assert.equal(answer(at(sent, 0).id, { ok: true, data: "old" }), true, "a late answer is still a response");
  assert.equal(answer(at(sent, 0).id, { ok: false, error: { message: "old" } }), true);
  assert.deepEqual(await older, { status: "stale" });
  assert.equal(await settled(newer), false, "the late answer must not resolve the newer request");
  assert.equal(requester.busy, true);
  assert.equal(busy.length, notifications, "an ignored answer changes no busy state");
  answer(at(sent, 1).id, { ok: true, data: "new" });
  assert.deepEqual(await newer, { status: "ok", data: "new" });
});

test("only the newest of many same-kind requests counts", async () => {
  const { sent, requester, answer } = setup();
  const promises = ["k", "ki", "kin", "king"].map((prefix) => requester.request("complete", { prefix }));
  // The kernel answers every one of them, oldest first.
  sent.forEach((message) => answer(message.id, { ok: true, data: message.params.prefix }));
  const responses = await Promise.all(promises);
  assert.deepEqual(responses, [{ status: "stale" }, { status: "stale" }, { status: "stale" }, { status: "ok", data: "king" }]);
  assert.equal(requester.busy, false);
});

test("a second answer to the same request is ignored", async () => {
  const { sent, requester, answer } = setup();
  const promise = requester.request("neighbors");
  answer(at(sent, 0).id, { ok: true, data: 1 });
  assert.equal(answer(at(sent, 0).id, { ok: true, data: 2 }), true);
  assert.deepEqual(await promise, { status: "ok", data: 1 });
});

test("requests of different kinds do not supersede each other", async () => {
  const { sent, requester, answer } = setup();
  const neighbors = requester.request("neighbors");
  const complete = requester.request("complete");
  const analogy = requester.request("analogy");
  assert.equal(await settled(neighbors), false);
  assert.equal(await settled(complete), false);
  answer(at(sent, 2).id, { ok: true, data: "c" });
  answer(at(sent, 0).id, { ok: true, data: "a" });
  answer(at(sent, 1).id, { ok: true, data: "b" });
  assert.deepEqual(await Promise.all([neighbors, complete, analogy]), [
    { status: "ok", data: "a" },
    { status: "ok", data: "b" },
    { status: "ok", data: "c" },
  ]);
});

test("a request made after the previous one of its kind settled is not stale", async () => {
  const { sent, requester, answer, busy } = setup();
  const first = requester.request("neighbors");
  answer(at(sent, 0).id, { ok: true, data: 1 });
  const second = requester.request("neighbors");
  assert.equal(requester.busy, true);
  assert.deepEqual(busy, [true, false, true], "listeners hear the second request start");
  assert.deepEqual(await first, { status: "ok", data: 1 });
  answer(at(sent, 1).id, { ok: true, data: 2 });
  assert.deepEqual(await second, { status: "ok", data: 2 });
  assert.deepEqual(busy, [true, false, true, false]);
});

test("messages that are not responses return false from receive()", () => {
  const { requester, sent } = setup();
  void requester.request("neighbors");
  const id = at(sent, 0).id;
  for (const message of [
    undefined,
    null,
    0,
    "response",
    [],
    {},
    { type: "request", id, kind: "neighbors", params: {} },
    { type: "update", id },
    { type: "Response", id, ok: true },
    { type: "response" },
    { type: "response", id: String(id), ok: true },
    { type: "response", id: null, ok: true },
  ]) {
    assert.equal(requester.receive(message), false, `receive(${JSON.stringify(message)})`);
  }
  assert.equal(requester.busy, true, "none of them settles the pending request");
});

test("a response to an id that was never requested is accepted and changes nothing", () => {
  const { requester, busy } = setup();
  assert.equal(requester.receive({ type: "response", id: 999, ok: true, data: null }), true);
  assert.equal(requester.busy, false);
  assert.deepEqual(busy, []);
});

test("busy is true while a request is pending and false once it is settled", async () => {
  const { sent, requester, answer, busy } = setup();
  assert.equal(requester.busy, false);
  const promise = requester.request("neighbors");
  assert.equal(requester.busy, true);
  assert.deepEqual(busy, [true]);
  answer(at(sent, 0).id, { ok: true, data: null });
  assert.equal(requester.busy, false);
  assert.deepEqual(busy, [true, false]);
  await promise;
});

test("busy also ends when the answer is an error", async () => {
  const { sent, requester, answer, busy } = setup();
  const promise = requester.request("neighbors");
  answer(at(sent, 0).id, { ok: false, error: { message: "no" } });
  assert.equal(requester.busy, false);
  assert.equal(busy.at(-1), false);
  await promise;
});

test("busy stays true until every kind has been answered", async () => {
  const { sent, requester, answer, busy } = setup();
  const a = requester.request("neighbors");
  const b = requester.request("complete");
  answer(at(sent, 0).id, { ok: true, data: null });
  assert.equal(requester.busy, true);
  assert.ok(!busy.includes(false), `busy went false with a request still pending: ${busy}`);
  answer(at(sent, 1).id, { ok: true, data: null });
  assert.equal(requester.busy, false);
  assert.equal(busy.at(-1), false);
  await Promise.all([a, b]);
});

test("superseding a pending request does not flicker busy to false", async () => {
  const { sent, requester, answer, busy } = setup();
  const older = requester.request("complete");
  const newer = requester.request("complete");
  assert.equal(requester.busy, true);
  assert.ok(!busy.includes(false), `listeners saw ${JSON.stringify(busy)} while a request was pending`);
  assert.deepEqual(await older, { status: "stale" });
  answer(at(sent, 1).id, { ok: true, data: null });
  assert.equal(busy.at(-1), false);
  await newer;
});

test("onBusy listeners see the busy state that holds when they are called", async () => {
  const { sent, requester } = setup();
  const seen: [boolean, boolean][] = [];
  requester.onBusy((value) => seen.push([value, requester.busy]));
  const promise = requester.request("neighbors");
  requester.receive({ type: "response", id: at(sent, 0).id, ok: true, data: null });
  await promise;
  assert.ok(seen.length >= 2);
  for (const [value, actual] of seen) assert.equal(value, actual);
});

test("onBusy returns a function that removes the listener", async () => {
  const { sent, requester } = setup();
  const seen: boolean[] = [];
  const other: boolean[] = [];
  const stop = requester.onBusy((value) => seen.push(value));
  requester.onBusy((value) => other.push(value));
  const first = requester.request("neighbors");
  stop();
  requester.receive({ type: "response", id: at(sent, 0).id, ok: true, data: null });
  assert.deepEqual(seen, [true]);
  assert.deepEqual(other, [true, false]);
  await first;
});

test("malformed error payloads become a readable message", async () => {
  const payloads: [string, unknown][] = [
    ["no error at all", undefined],
    ["null", null],
    ["a number", 42],
    ["an array", ["x"]],
    ["an empty object", {}],
    ["a non-string message", { message: 42 }],
    ["a null message", { kind: "ValueError", message: null }],
    ["an empty message", { kind: "ValueError", message: "" }],
    ["an empty string", ""],
  ];
  for (const [label, error] of payloads) {
    const { sent, requester } = setup();
    const promise = requester.request("neighbors");
    const body: Record<string, unknown> = { type: "response", id: at(sent, 0).id, ok: false };
    if (error !== undefined) body.error = error;
    assert.equal(requester.receive(body), true, label);
    const response = await promise;
    assert.equal(response.status, "error", label);
    if (response.status !== "error") continue;
    assert.equal(typeof response.error.message, "string", label);
    assert.ok(response.error.message.length > 0, `${label}: empty message`);
    assert.doesNotMatch(response.error.message, /undefined|null|\[object/, label);
    assert.equal(requester.busy, false, label);
  }
});

test("a bare string error is shown as the message", async () => {
  const { sent, requester } = setup();
  const promise = requester.request("neighbors");
  requester.receive({ type: "response", id: at(sent, 0).id, ok: false, error: "the model is not loaded" });
  const response = await promise;
  assert.equal(response.status, "error");
  if (response.status === "error") assert.equal(response.error.message, "the model is not loaded");
});

test("malformed missing words and suggestions are dropped, the message kept", async () => {
  const { sent, requester } = setup();
  const promise = requester.request("analogy");
  requester.receive({
    type: "response",
    id: at(sent, 0).id,
    ok: false,
    error: { message: "unknown words", missing: 7, suggestions: ["not", "a", "map"] },
  });
  const response = await promise;
  assert.equal(response.status, "error");
  if (response.status !== "error") return;
  assert.equal(response.error.message, "unknown words");
  // Whatever is kept must be iterable the way showError() iterates it.
  for (const word of response.error.missing ?? []) assert.equal(typeof word, "string");
  for (const options of Object.values(response.error.suggestions ?? {})) assert.ok(Array.isArray(options));
});

test("a response without ok counts as an error, not as data", async () => {
  const { sent, requester } = setup();
  const promise = requester.request("neighbors");
  requester.receive({ type: "response", id: at(sent, 0).id, data: { labels: [] } });
  const response = await promise;
  assert.equal(response.status, "error");
});

test("a send that throws settles the request as an error instead of leaving it busy", async () => {
  const requester = new Requester(() => {
    throw new Error("the comm is closed");
  });
  const busy: boolean[] = [];
  requester.onBusy((value) => busy.push(value));
  const response = await requester.request("neighbors");
  assert.equal(response.status, "error");
  if (response.status === "error") assert.match(response.error.message, /the comm is closed/);
  assert.equal(requester.busy, false);
  assert.equal(busy.at(-1), false);
});

test("connect() wires a Requester to a model's custom messages and unhooks it", async () => {
  const handlers = new Map<string, Set<(message: any) => void>>();
  const sent: any[] = [];
  const model = {
    send: (message: any) => sent.push(message),
    on: (event: string, handler: (message: any) => void) => {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)!.add(handler);
    },
    off: (event: string, handler: (message: any) => void) => handlers.get(event)?.delete(handler),
  };
  const emit = (message: any) => handlers.get("msg:custom")?.forEach((handler) => handler(message));
  const [requester, disconnect] = connect(model as any);
  assert.equal(handlers.get("msg:custom")?.size, 1);

  const promise = requester.request("neighbors", { query: "king" });
  assert.equal(sent.length, 1);
  assert.deepEqual(at(sent, 0), { type: "request", id: at(sent, 0).id, kind: "neighbors", params: { query: "king" } });
  emit({ type: "something else" });
  emit({ type: "response", id: at(sent, 0).id, kind: "neighbors", ok: true, data: [1, 2] });
  assert.deepEqual(await promise, { status: "ok", data: [1, 2] });

  disconnect();
  assert.equal(handlers.get("msg:custom")?.size, 0);
  const after = requester.request("neighbors");
  emit({ type: "response", id: at(sent, 1).id, ok: true, data: null });
  assert.equal(await settled(after), false, "after disconnect, kernel messages no longer reach the requester");
});

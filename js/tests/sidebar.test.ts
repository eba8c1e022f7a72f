// The sidebar: the extension's pin board (newest request per model wins, clean removal when a model dies,
// the user's close reported back) and the widget side that follows the `_sidebar` trait.
import { test } from "node:test";
import assert from "node:assert/strict";
import { at } from "./helpers.ts";
import { EXPLORER_CODE, explorerFailure, PinBoard, tabTitle, type Area, type Dock } from "../labextension/src/pins.ts";
import { followSidebar, SIDEBAR_KEY, sidebarHost } from "../src/lib/index.ts";

/** A widget model with Backbone-style events, as the widget manager hands out. */
class FakeModel {
  comm_live = true;
  handlers = new Map<string, Set<(...args: any[]) => void>>();
  state: Record<string, unknown> = {};
  saved = 0;
  on(event: string, callback: (...args: any[]) => void) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(callback);
  }
  off(event: string, callback: (...args: any[]) => void) {
    this.handlers.get(event)?.delete(callback);
  }
  trigger(event: string) {
    for (const callback of [...(this.handlers.get(event) ?? [])]) callback();
  }
  get(name: string) {
    return this.state[name];
  }
  set(name: string, value: unknown) {
    this.state[name] = value;
    this.trigger(`change:${name}`);
  }
  save_changes() {
    this.saved++;
  }
  listeners() {
    return [...this.handlers.values()].reduce((n, set) => n + set.size, 0);
  }
}

type Panel = { id: number; title: string; area: Area; disposed: boolean; close: () => void; view: FakeView };
type FakeView = { removed: boolean; remove(): void };

function setup() {
  const models = new Map<string, FakeModel>();
  const views: FakeView[] = [];
  const panels: Panel[] = [];
  let active: Panel | null = null;
  // get_model / create_view resolve when the test says so, to stage races.
  const gates: (() => void)[] = [];
  let gated = false;
  const gate = () => (gated ? new Promise<void>((resolve) => gates.push(resolve)) : Promise.resolve());
  const manager = {
    async get_model(id: string) {
      await gate();
      const model = models.get(id);
      if (!model) throw new Error(`no model ${id}`);
      return model;
    },
    async create_view() {
      await gate();
      const view = { removed: false, remove() { this.removed = true; } };
      views.push(view);
      return view;
    },
  };
  const dock: Dock<Panel> = {
    open: (view, pin) => {
      const panel = { id: panels.length, title: pin.title, area: pin.area, disposed: false, close: pin.close, view: view as FakeView };
      panels.push(panel);
      return panel;
    },
    move: (panel, area) => { panel.area = area; },
    retitle: (panel, title) => { panel.title = title; },
    activate: (panel) => { active = panel; },
    dispose: (panel) => { panel.disposed = true; },
  };
  const board = new PinBoard(dock);
  const open = () => panels.filter((p) => !p.disposed);
  return {
    models, views, panels, open, board, manager, active: () => active,
    hold: () => { gated = true; },
    release: async () => {
      gated = false;
      while (gates.length) gates.shift()!();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

test("a pinned model gets one live view in a panel with its title, and is shown", async () => {
  const s = setup();
  s.models.set("m1", new FakeModel());
  await s.board.pin({ manager: s.manager, modelId: "m1", area: "right", title: "Analogies" });
  assert.equal(s.open().length, 1);
  assert.deepEqual([at(s.panels, 0).title, at(s.panels, 0).area], ["Analogies", "right"]);
  assert.equal(s.active(), at(s.panels, 0));
  assert.equal(s.board.area("m1"), "right");
});

test("pinning again re-shows, renames and moves the same panel instead of adding one", async () => {
  const s = setup();
  s.models.set("m1", new FakeModel());
  await s.board.pin({ manager: s.manager, modelId: "m1", area: "right", title: "A" });
  await s.board.pin({ manager: s.manager, modelId: "m1", area: "left", title: "B" });
  assert.equal(s.panels.length, 1);
  assert.deepEqual([at(s.panels, 0).title, at(s.panels, 0).area], ["B", "left"]);
  assert.equal(s.views.length, 1);
});

test("several models each get their own panel; unpin removes only that one and its view", async () => {
  const s = setup();
  s.models.set("a", new FakeModel());
  s.models.set("b", new FakeModel());
  await s.board.pin({ manager: s.manager, modelId: "a", area: "right", title: "A" });
  await s.board.pin({ manager: s.manager, modelId: "b", area: "left", title: "B" });
  assert.equal(s.open().length, 2);
  s.board.unpin("a");
  assert.deepEqual(s.open().map((p) => p.title), ["B"]);
  assert.equal(at(s.panels, 0).view.removed, true);
  assert.equal(s.board.size, 1);
});

test("the user's close reports back once; Python's unpin and a dying model do not", async () => {
  const s = setup();
  const closed: string[] = [];
  for (const id of ["user", "python", "dies"]) s.models.set(id, new FakeModel());
  for (const id of ["user", "python", "dies"]) {
    await s.board.pin({ manager: s.manager, modelId: id, area: "right", title: id, onClose: () => closed.push(id) });
  }
  at(s.panels, 0).close();
  at(s.panels, 0).close(); // the host's dispose signal after our own close: no second report
  s.board.unpin("python");
  s.models.get("dies")!.trigger("destroy");
  assert.deepEqual(closed, ["user"]);
  assert.equal(s.open().length, 0);
});

test("a kernel restart (model destroyed or comm no longer live) removes the panel and unhooks listeners", async () => {
  const s = setup();
  const model = new FakeModel();
  s.models.set("m", model);
  await s.board.pin({ manager: s.manager, modelId: "m", area: "right", title: "m" });
  assert.ok(model.listeners() > 0);
  model.comm_live = false;
  model.trigger("comm_live_update");
  assert.equal(s.open().length, 0);
  assert.equal(model.listeners(), 0);
});

test("closing the notebook (its document context disposed) removes its widgets' panels", async () => {
  const s = setup();
  const slots = new Set<() => void>();
  const disposed = { connect: (slot: () => void) => slots.add(slot), disconnect: (slot: () => void) => slots.delete(slot) };
  const manager = { ...s.manager, context: { disposed } };
  s.models.set("m", new FakeModel());
  s.models.set("other", new FakeModel());
  await s.board.pin({ manager, modelId: "m", area: "right", title: "m" });
  await s.board.pin({ manager: s.manager, modelId: "other", area: "right", title: "other" });
  assert.equal(slots.size, 1);
  for (const slot of [...slots]) slot();
  assert.deepEqual(s.open().map((p) => p.title), ["other"]);
  assert.equal(slots.size, 0);
});

test("the newest request wins: an unpin during a slow pin leaves no panel, and a superseded view is removed", async () => {
  const s = setup();
  s.models.set("m", new FakeModel());
  s.hold();
  const pinning = s.board.pin({ manager: s.manager, modelId: "m", area: "right", title: "m" });
  s.board.unpin("m");
  await s.release();
  await pinning;
  assert.equal(s.open().length, 0);

  s.hold();
  const first = s.board.pin({ manager: s.manager, modelId: "m", area: "right", title: "old" });
  const second = s.board.pin({ manager: s.manager, modelId: "m", area: "left", title: "new" });
  await s.release();
  await Promise.all([first, second]);
  assert.deepEqual(s.open().map((p) => [p.title, p.area]), [["new", "left"]]);
  assert.ok(s.views.filter((v) => v.removed).length <= 1);
  assert.equal(s.views.filter((v) => !v.removed).length, 1);
});

test("a dead model is never pinned, and bad requests are refused with a reason", async () => {
  const s = setup();
  const dead = new FakeModel();
  dead.comm_live = false;
  s.models.set("dead", dead);
  await s.board.pin({ manager: s.manager, modelId: "dead", area: "right", title: "x" });
  assert.equal(s.panels.length, 0);
  await assert.rejects(s.board.pin({ manager: s.manager, modelId: "", area: "right", title: "x" }), /model id/);
  await assert.rejects(s.board.pin({ manager: s.manager, modelId: "dead", area: "top" as Area, title: "x" }), /"right" or "left"/);
});

test("tab titles are one line of text with a fallback and a length cap", () => {
  assert.equal(tabTitle("  Analogies\n· glove  "), "Analogies · glove");
  assert.equal(tabTitle(""), "embedwidgets");
  assert.equal(tabTitle(42), "embedwidgets");
  assert.equal(tabTitle("x".repeat(100)).length, 60);
});

test("the launcher's kernel statement is a fixed import and call, and failures read as advice", () => {
  assert.match(EXPLORER_CODE, /^import embedwidgets\.widgets\.explorer as _ew_explorer\n_ew_explorer\.open_explorer\(\)$/);
  assert.equal(explorerFailure({ status: "ok" }), null);
  assert.match(explorerFailure({ status: "error", ename: "ModuleNotFoundError", evalue: "No module named 'embedwidgets'" })!,
    /install it there/);
  assert.equal(explorerFailure({ status: "error", ename: "ValueError", evalue: "bad" }), "ValueError: bad");
});

test("a widget model follows its _sidebar trait into the host, and a close in the host clears the trait", () => {
  const calls: any[] = [];
  (globalThis as any)[SIDEBAR_KEY] = {
    version: 1,
    pin: (request: any) => calls.push(["pin", request.modelId, request.area, request.title, request]),
    unpin: (id: string) => calls.push(["unpin", id]),
  };
  try {
    assert.ok(sidebarHost());
    const model = new FakeModel();
    model.state._sidebar = { area: "left", title: "T", model_id: "abc" };
    const stop = followSidebar(model as any);
    assert.deepEqual(at(calls, 0).slice(0, 4), ["pin", "abc", "left", "T"]);
    at(calls, 0)[4].onClose(); // the user closed the panel
    assert.equal(model.state._sidebar, null);
    assert.equal(model.saved, 1);
    assert.deepEqual(at(calls, 1), ["unpin", "abc"]);
    model.set("_sidebar", { area: "right", title: "T", model_id: "abc" });
    assert.deepEqual(at(calls, 2).slice(0, 3), ["pin", "abc", "right"]);
    stop();
    model.set("_sidebar", null);
    assert.equal(calls.length, 3);
  } finally {
    delete (globalThis as any)[SIDEBAR_KEY];
  }
  assert.equal(sidebarHost(), undefined);
});

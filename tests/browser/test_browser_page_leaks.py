"""Page leaks in JupyterLab: 50 ClusterViews of 100,000 points, each displayed, drawn and closed in turn. After
the last one the page's JS heap and its live WebGL contexts are back where they were. And a map whose WebGL
context is lost says so in words instead of leaving a blank canvas.

Heap: Chromium's own figures over CDP after a forced garbage collection (``HeapProfiler.collectGarbage``, then
``Runtime.getHeapUsage``), counting the array buffers' backing stores where this Chromium reports them.
WebGL contexts: an instrumented ``HTMLCanvasElement.prototype.getContext`` keeps a weak reference to each WebGL
context the page makes; a context is live while it is still reachable and not lost.
Sized for a 2-core machine: given coordinates (no UMAP), one plain colour (no k-means), 8 dimensions per point.
"""

from __future__ import annotations

import pytest
from ewbrowser import cluster_view
from playwright.sync_api import expect

N = 100_000
CYCLES = 50
DRAW_MS = 120_000  # 100k points on software WebGL on a busy 2-core machine
# JS heap growth per map shown and closed, after a warm-up map. Measured: one map on screen holds about 11 MB above
# the baseline (its model's buffers, the scatter's copies and spatial index, its DOM), and 50 maps shown and
# closed grow the heap by about 2.2 MB each. That growth is the host's, not the view's: JupyterLab's CommHandler
# (@jupyterlab/services 7.6) connects to its kernel's statusChanged signal and never disconnects, so every closed
# comm keeps its widget model (with the 800 KB coordinate buffer), and anywidget imports each model's module
# afresh (its source and compiled code stay in the page's module map). Bound: 4 MB per map; a leaked view
# (its DOM, point copies and spatial index) would add about 9 MB per map on top. A leaked WebGL context costs
# GPU memory, not JS heap (2.7 MB a map before the fix), so the context count is what catches that one.
HEAP_PER_MAP_MB = 4

DATA = f"""import json
import numpy as np
import embedwidgets as ew

rng = np.random.default_rng(0)
points = ew.EmbeddingSet([f"p{{i}}" for i in range({N})], rng.standard_normal(({N}, 8), dtype=np.float32))
xy = rng.uniform(-1, 1, ({N}, 2))"""
# Re-running this cell closes the previous map (its model and, with it, the view) and shows a new one.
VIEW = """if "cv" in globals():
    cv.close()
cv = ew.ClusterView(points, projection=xy, color_by="none", labels=False)
cv"""
CLOSE = 'cv.close()\nprint("closed")'
VIEW_CELL = 1

# Runs in the page before any map: counts the WebGL contexts made from now on, weakly (a strong reference would
# itself keep every context alive), and the most live at once.
COUNT_CONTEXTS = """() => {
  if (window.__ewContexts) return;
  const made = [];
  const seen = new WeakSet();
  const live = () => made.filter((ref) => { const gl = ref.deref(); return gl && !gl.isContextLost(); }).length;
  const state = { made, live, peak: 0, created: 0 };
  const original = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = original.call(this, type, ...rest);
    if (context && /webgl/.test(String(type)) && !seen.has(context)) {
      seen.add(context);
      made.push(new WeakRef(context));
      state.created += 1;
      state.peak = Math.max(state.peak, live());
    }
    return context;
  };
  window.__ewContexts = state;
}"""
# What Chromium does to the oldest context when a page has too many: lose it. Returns how many it took away.
LOSE_CONTEXTS = """() => window.__ewContexts.made
  .map((ref) => ref.deref())
  .filter((gl) => gl && !gl.isContextLost())
  .map((gl) => gl.getExtension('WEBGL_lose_context').loseContext()).length"""
CONTEXT_FIGURES = """() => {
  const contexts = window.__ewContexts;
  return { live: contexts.live(), peak: contexts.peak, created: contexts.created };
}"""


@pytest.fixture(scope="module")
def nb(open_notebook):
    notebook = open_notebook("lab", "page-leaks", [DATA, VIEW], run=False)
    notebook.page.evaluate(COUNT_CONTEXTS)
    notebook.run_cell(0)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()
    assert errors == [], "uncaught errors in the page"


def heap_mb(nb) -> float:
    """The page's JS heap in MB after a full garbage collection, array buffers' backing stores included."""
    cdp = nb.page.context.new_cdp_session(nb.page)
    try:
        cdp.send("HeapProfiler.enable")
        for _ in range(3):  # weak references and finalizers free more on a later pass
            cdp.send("HeapProfiler.collectGarbage")
        usage = cdp.send("Runtime.getHeapUsage")
    finally:
        cdp.detach()
    return (usage["usedSize"] + usage.get("backingStorageSize", 0)) / 2**20


def show_map(nb) -> None:
    nb.run_cell(VIEW_CELL)
    view = cluster_view(nb, VIEW_CELL)
    expect(view).to_have_attribute("data-drawn", str(N), timeout=DRAW_MS)


def close_map(nb) -> None:
    assert nb.run_code(CLOSE) == "closed"
    expect(nb.page.locator(".ew-cluster")).to_have_count(0)


def test_fifty_maps_opened_and_closed_leave_no_heap_or_webgl_context(nb):
    # Warm-up: the first map loads the widget's module and compiles its shaders, which then stay for good.
    show_map(nb)
    one_view = heap_mb(nb)
    close_map(nb)
    before, contexts_before = heap_mb(nb), nb.page.evaluate(CONTEXT_FIGURES)
    for _ in range(CYCLES):
        show_map(nb)
    close_map(nb)
    after, contexts_after = heap_mb(nb), nb.page.evaluate(CONTEXT_FIGURES)
    print(
        f"JS heap {before:.1f} MB -> {after:.1f} MB after {CYCLES} ClusterViews of {N:,} points "
        f"(one view shown: {one_view:.1f} MB); WebGL contexts live {contexts_before['live']} -> "
        f"{contexts_after['live']}, peak {contexts_after['peak']}, made {contexts_after['created']}"
    )
    # No context outlives its map: the last map to go releases the shared one, and only one is live at a time.
    assert contexts_before["live"] == 0 and contexts_after["live"] == 0
    assert contexts_after["peak"] == 1
    assert (after - before) / CYCLES < HEAP_PER_MAP_MB


def test_a_map_that_loses_its_webgl_context_says_so(nb):
    show_map(nb)
    view = cluster_view(nb, VIEW_CELL)
    # The map draws into a 2-D canvas from one WebGL context that the page's maps share: that context is lost.
    assert nb.page.evaluate(LOSE_CONTEXTS) == 1
    message = view.locator(".ew-context-lost")
    expect(message).to_be_visible()
    expect(message).to_have_text(
        "This map lost its WebGL context (too many maps open at once?). Close other maps or re-run the cell."
    )
    expect(message.locator("*")).to_have_count(0)  # plain text, no markup
    assert nb.unexpected_errors() == []
    # Re-running the cell, as the message says, draws a new map with a new context.
    show_map(nb)
    expect(cluster_view(nb, VIEW_CELL).locator(".ew-context-lost")).to_be_hidden()
    assert nb.page.evaluate(CONTEXT_FIGURES)["live"] == 1

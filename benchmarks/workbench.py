"""ClusterView's workbench at a million rows: a brush (the kernel's side; with --browser, brush → paint in Chromium),
a table page, and the label tree.

    python benchmarks/workbench.py [--json] [--points 1000000] [--repeats 5]
    python benchmarks/workbench.py --browser [--json] [--sizes 100000,1000000] [--repeats 5]

The set: ``--points`` rows of 32-d vectors in 8 planted topics (each with 4 sub-topics), with metadata ``topic``
(8 categories), ``length`` (numbers) and ``date`` (dates), and texts naming the topic and sub-topic.
ClusterView gets the rows' own 2-D coordinates (no layout, no clustering), ``filters=["topic", "length", "date"]``.

- ``brush_kernel_ms_1m``: median ms for ``cv.filters = {...}`` (a range on ``length`` and two topics): the mask
  of passing rows, each chart's counts under the other filters (the cross-filter) and the greying mask the
  view receives. Beside it, in the same run, the same filter done by hand in pandas (``df[isin & between]``),
  which computes the mask alone: ``brush_vs_pandas_mask`` is the ratio.
- ``table_sort_first_ms_1m``: the first page sorted by ``length`` (the sort order is built, then cached);
  ``table_page_ms_1m``: median ms of a later page (50 rows, sorted, filtered).
- ``label_tree_seconds_1m``: ``engine.hierarchy.label_tree`` over the 8 topics (4 sub-clusters each, k-means on
  the normalised vectors, c-TF-IDF names from at most 4,000 texts per node).

``--browser`` times the issue's key instead, ``brush_to_paint_ms_1m`` (and ``_100k``): the same set and view
(built in the kernel by ``make_set``) in a live JupyterLab 4, in headless Debian Chromium driven by Playwright
(the harness of benchmarks/render.py and tests/browser). Each repeat drags the mouse over a different bin range
of the ``length`` histogram (every brush changes the mask; one untimed warm-up first). The clock starts at the
pointerup that ends the brush and stops at the first animation frame after the view's ``data-filtered``
attribute shows the new count (the view sets it once the greyed points are drawn); the canvas' pixels are then
checked to differ from before the brush (``canvas_changed_*``), and the last count to equal ``len(cv.visible)``.
The parts, each a median with every repeat beside it (``*_each``):

- ``up_to_send_ms``: pointerup → the view's ``_filter_state`` leaves on the kernel websocket;
- ``send_to_reply_ms``: → the kernel's reply (the mask, the charts and the filter state in one message) arrives,
  of which ``kernel_apply_ms`` is Python's own work (``_apply_filters``, timed in the kernel);
- ``reply_to_filtered_ms``: → ``data-filtered`` set: the message decoded, the points greyed and drawn, of which
  ``webgl_frame_ms`` is the WebGL frame itself (the renderer's copy onto the view's canvas, which waits for the
  rasteriser); ``brush_to_filtered_ms`` is pointerup → this point, when the greyed picture is on the canvas;
- ``filtered_to_frame_ms``: → the next animation frame, of which ``second_webgl_frame_ms`` is any second WebGL
  frame of the same picture (regl-scatterplot's ``set()`` asks for a redraw on the next animation frame; the
  view now waits for those redraws before it draws, and this stays 0: before, it was a whole second frame).

``one_pan_ms_*`` is a redraw with no kernel (an arrow key, as in benchmarks/render.py) in the same page. On this
machine WebGL is software (SwiftShader): the WebGL frames dominate at 1M and time the rasteriser more than the
workbench; the goal (≤ 100 ms) is for a real GPU. Runs share the machine with other jobs: the JSON gives the
1-minute load average before and after.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import finish, median_seconds, parser, table


def make_set(n: int, seed: int = 0):
    import torch

    import embedwidgets as ew

    rng = np.random.default_rng(seed)
    topic = rng.integers(0, 8, n)
    sub = rng.integers(0, 4, n)
    centres = rng.normal(0, 10, (8, 32)).astype(np.float32)
    offsets = rng.normal(0, 2.5, (8, 4, 32)).astype(np.float32)
    vectors = centres[topic] + offsets[topic, sub] + rng.normal(0, 0.3, (n, 32)).astype(np.float32)
    names = np.array(["music", "sport", "science", "travel", "food", "money", "health", "games"])
    subs = np.array(["alpha", "beta", "gamma", "delta"])
    labels = [f"row {i}" for i in range(n)]
    metadata = pd.DataFrame(
        {
            "topic": names[topic],
            "length": rng.gamma(2.0, 300.0, n).round(),
            "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
        }
    )
    es = ew.EmbeddingSet(labels, vectors, metadata=metadata)
    texts = (pd.Series(names[topic]) + " " + pd.Series(subs[sub]) + " news").tolist()
    xy = rng.normal(0, 1, (n, 2)).astype(np.float32)
    return es, texts, xy, topic, torch


# ---- --browser: brush → paint in headless Chromium ----------------------------------------------------------

# Installed in the page before JupyterLab loads: timestamps of the kernel websocket's traffic that matters here,
# the view's outgoing ``_filter_state`` (the brush) and the kernel's reply carrying ``_filtered`` (the mask, sent
# with the charts in one message); only the first 256 KB of a frame are decoded (the JSON parts come first). And
# each copy of regl-scatterplot's shared WebGL canvas onto the view's canvas (its renderer's ``drawImage``): on
# software WebGL that call waits for the points to be rasterised, so its duration is the WebGL frame itself.
PAGE_WATCH = """(() => {
  const log = window.__ewSocket = { armed: false, sent: [], replies: [], copies: [] };
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    if (!log.armed || !this.canvas.classList || !this.canvas.classList.contains('ew-canvas')) {
      return drawImage.apply(this, args);
    }
    const t0 = performance.now();
    const out = drawImage.apply(this, args);
    log.copies.push({ t0, t1: performance.now() });
    return out;
  };
  const decoder = new TextDecoder();
  const head = (data) => {
    if (typeof data === 'string') return data.slice(0, 262144);
    if (data instanceof ArrayBuffer) return decoder.decode(new Uint8Array(data, 0, Math.min(data.byteLength, 262144)));
    if (ArrayBuffer.isView(data)) return decoder.decode(new Uint8Array(data.buffer, data.byteOffset,
      Math.min(data.byteLength, 262144)));
    return '';
  };
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  Native.prototype.send = function (data) {
    if (log.armed && head(data).includes('"_filter_state"')) log.sent.push(performance.now());
    return send.call(this, data);
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!log.armed) return;
        const t = performance.now();
        const data = event.data;
        if (data instanceof Blob) {
          data.slice(0, 262144).text().then((s) => {
            if (s.includes('"_filtered"')) log.replies.push({ t, bytes: data.size });
          });
        } else if (head(data).includes('"_filtered"')) {
          log.replies.push({ t, bytes: data.byteLength ?? data.length });
        }
      });
    }
  };
})();"""

# Armed before each brush: the pointerup that ends it, the moment the view's data-filtered attribute changes (the
# view sets it after the greyed points are drawn), the first animation frame after that, and whether the canvas'
# pixels then differ from before the brush.
ARM = """(root) => {
  const canvas = root.querySelector('canvas.ew-canvas');
  const sum = () => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i++) s = (Math.imul(s, 31) + d[i]) >>> 0;
    return s;
  };
  const run = window.__ewBrush = { before: root.getAttribute('data-filtered'), pixels: sum(), up: null,
                                   filtered: null, value: null, frame: null, changed: null,
                                   settled: null };
  const log = window.__ewSocket;
  log.sent.length = 0;
  log.replies.length = 0;
  log.copies.length = 0;
  log.armed = true;
  document.addEventListener('pointerup', () => { if (run.up === null) run.up = performance.now(); },
                            { capture: true, once: true });
  const observer = new MutationObserver(() => {
    const value = root.getAttribute('data-filtered');
    if (run.filtered !== null || value === run.before) return;
    run.filtered = performance.now();
    run.value = value;
    observer.disconnect();
    requestAnimationFrame(() => {
      run.frame = performance.now();
      run.changed = sum() !== run.pixels;
      requestAnimationFrame(() => requestAnimationFrame(() => { run.settled = performance.now(); log.armed = false; }));
    });
  });
  observer.observe(root, { attributes: true, attributeFilter: ['data-filtered'] });
}"""

BROWSER_CELLS = [
    "import sys, json, time\n"
    "sys.path[:0] = [{root!r}, {root!r} + '/benchmarks']\n"
    "import embedwidgets as ew\n"
    "from workbench import make_set\n"
    "es, texts, xy, topic, torch = make_set({n})",
    'cv = ew.ClusterView(es, projection=xy, color_by="none", labels=False, filters=["topic", "length", "date"])\n'
    "applied = []  # ms of each filter the view sent, as the kernel computed and published it\n"
    "_apply = cv._apply_filters\n"
    "def _timed(filters):\n"
    "    started = time.perf_counter()\n"
    "    _apply(filters)\n"
    "    applied.append((time.perf_counter() - started) * 1000)\n"
    "cv._apply_filters = _timed\n"
    "cv",
    'print(json.dumps({"applied_ms": applied, "visible": len(cv.visible), "length": list(cv.filters["length"])}))',
    "",
]
# Bin ranges brushed on the length histogram, in turn: each differs from the one before, so each changes the mask.
RANGES = [(0, 5), (1, 8), (0, 2), (2, 12), (0, 9), (1, 4), (3, 7), (0, 14)]
DRAW_MS = 600_000


def brush_once(page, view, bins: tuple[int, int]) -> dict:
    """One brush over ``bins`` of the length histogram, timed in the page; ms from the pointerup."""
    bars = view.locator(".ew-chart[data-column='length'] .ew-bars-histogram")
    count = bars.locator(":scope > *").count()
    box = bars.bounding_box()
    assert box and count > max(bins), (box, count)
    page.evaluate(ARM, view.element_handle())
    y = box["y"] + box["height"] / 2
    x = [box["x"] + box["width"] * (b + 0.5) / count for b in bins]
    page.mouse.move(x[0], y)
    page.mouse.down()
    page.mouse.move((x[0] + x[1]) / 2, y)
    page.mouse.move(x[1], y)
    page.mouse.up()
    page.wait_for_function("() => window.__ewBrush.settled !== null", timeout=DRAW_MS, polling=50)
    run = page.evaluate("() => window.__ewBrush")
    log = page.evaluate("() => window.__ewSocket")
    sent = next(t for t in log["sent"] if t >= run["up"])
    reply = next(r for r in log["replies"] if r["t"] >= sent)
    # The WebGL frames that drew the greyed points (between the reply and data-filtered), and any after it.
    copies = [c for c in log["copies"] if c["t0"] >= reply["t"]]
    drawing = [c["t1"] - c["t0"] for c in copies if c["t1"] <= run["filtered"]]
    return {
        "brush_to_paint_ms": run["frame"] - run["up"],
        "webgl_frame_ms": sum(drawing),
        "webgl_frames": len(drawing),
        "webgl_frames_after": len(copies) - len(drawing),
        # A second WebGL frame of the same picture, drawn before the first animation frame after data-filtered.
        "second_webgl_frame_ms": sum(
            c["t1"] - c["t0"] for c in copies if c["t0"] >= run["filtered"] and c["t1"] <= run["frame"]
        ),
        "brush_to_filtered_ms": run["filtered"] - run["up"],
        "up_to_send_ms": sent - run["up"],
        "send_to_reply_ms": reply["t"] - sent,
        "reply_to_filtered_ms": run["filtered"] - reply["t"],
        "filtered_to_frame_ms": run["frame"] - run["filtered"],
        "reply_bytes": reply["bytes"],
        "canvas_changed": run["changed"],
        "filtered": int(run["value"]),
    }


def size_suffix(n: int) -> str:
    """A row count as the keys end: ``1m``, ``100k``, or the number."""
    return "1m" if n == 1_000_000 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def browser_size(context, server, n: int, repeats: int) -> dict:
    from ewbrowser import Notebook, write_notebook
    from playwright.sync_api import expect
    from render import PAN

    root = str(Path(__file__).resolve().parents[1])
    name = f"brush-{n}.ipynb"
    write_notebook(server.root_dir, name, [c.format(root=root, n=n) if "{n}" in c else c for c in BROWSER_CELLS])
    page = context.new_page()
    page.add_init_script(PAGE_WATCH)
    notebook = Notebook(page, "lab", name, server)
    try:
        notebook.open()
        notebook.run_cell(0, timeout=DRAW_MS)
        notebook.run_cell(1, timeout=DRAW_MS)
        view = notebook.widget(1, ".ew-root.ew-cluster")
        expect(view).to_have_attribute("data-drawn", str(n), timeout=DRAW_MS)
        view.locator(".ew-chart[data-column='length']").scroll_into_view_if_needed()
        runs = [brush_once(page, view, RANGES[i % len(RANGES)]) for i in range(repeats + 1)]  # the first: warm-up
        pan_s = page.evaluate(PAN)
        notebook.run_cell(2, timeout=DRAW_MS)
        kernel = json.loads(notebook.output_text(2))
        errors = notebook.unexpected_errors()
    finally:
        notebook.close()
    assert runs[-1]["filtered"] == kernel["visible"], (runs[-1], kernel)  # the view greys what the kernel passes
    assert len(kernel["applied_ms"]) == len(runs), kernel
    for run, applied in zip(runs, kernel["applied_ms"]):
        run["kernel_apply_ms"] = applied
    return {"runs": runs[1:], "warmup": runs[0], "pan_ms": None if pan_s is None else pan_s * 1000, "errors": errors}


def browser_main(sizes: list[int], repeats: int, as_json: bool) -> None:
    """``--browser``: brush → paint at each size, one JupyterLab and one Chromium for all."""
    import os
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
    from ewbrowser import CHROMIUM, CHROMIUM_FLAGS, start_jupyter
    from playwright.sync_api import sync_playwright

    load = {"before": os.getloadavg()}
    measured: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        server = start_jupyter(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
                context = browser.new_context(viewport={"width": 1400, "height": 1200})
                context.set_default_timeout(60_000)
                for n in sizes:
                    measured[n] = browser_size(context, server, n, repeats)
                    print(
                        f"  {n:>10,}: brush → paint "
                        + ", ".join(f"{r['brush_to_paint_ms']:.0f}" for r in measured[n]["runs"])
                        + " ms",
                        flush=True,
                    )
                browser.close()
        finally:
            server.stop()
    load["after"] = os.getloadavg()

    parts = (
        "brush_to_paint_ms",
        "up_to_send_ms",
        "send_to_reply_ms",
        "kernel_apply_ms",
        "reply_to_filtered_ms",
        "webgl_frame_ms",
        "brush_to_filtered_ms",
        "filtered_to_frame_ms",
        "second_webgl_frame_ms",
    )
    result: dict = {
        "browser": "headless Chromium, software WebGL (SwiftShader), JupyterLab 4",
        "repeats": repeats,
        "load_average_1m": [round(load["before"][0], 2), round(load["after"][0], 2)],
    }
    rows = []
    for n, got in measured.items():
        suffix = size_suffix(n)
        runs = got["runs"]
        for part in parts:
            values = [r[part] for r in runs]
            key = f"{part}_{suffix}"
            result[key] = round(statistics.median(values), 1)
            result[f"{key}_each"] = [round(v, 1) for v in values]
            rows.append((f"{n:,}", part, f"{result[key]:.1f}", " / ".join(f"{v:.0f}" for v in values)))
        result[f"one_pan_ms_{suffix}"] = None if got["pan_ms"] is None else round(got["pan_ms"], 1)
        result[f"canvas_changed_{suffix}"] = all(r["canvas_changed"] for r in runs)
        result[f"webgl_frames_{suffix}"] = [r["webgl_frames"] for r in runs]
        result[f"webgl_frames_after_{suffix}"] = [r["webgl_frames_after"] for r in runs]
        result[f"reply_mb_{suffix}"] = round(statistics.median(r["reply_bytes"] for r in runs) / 1e6, 2)
        result[f"warmup_brush_to_paint_ms_{suffix}"] = round(got["warmup"]["brush_to_paint_ms"], 1)
        result[f"page_errors_{suffix}"] = got["errors"]
        rows.append((f"{n:,}", "one pan (a redraw with no kernel)", f"{result[f'one_pan_ms_{suffix}']}", ""))
    print("\nBrush on the length histogram → first animation frame after the greyed map is drawn (ms)")
    print(table(rows, ("points", "part", "median", "each")))
    print(f"load average (1 min) before / after: {result['load_average_1m']}")
    finish(result, as_json)


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--browser", action="store_true", help="time brush → paint in headless Chromium instead")
    p.add_argument("--sizes", default="100000,1000000", help="--browser: comma-separated row counts")
    args = p.parse_args()
    if args.browser:
        browser_main([int(s) for s in args.sizes.split(",") if s], args.repeats, args.json)
        return

    import embedwidgets as ew
    from embedwidgets.engine.hierarchy import label_tree

    n = args.points
    es, texts, xy, topic, torch = make_set(n)
    cv = ew.ClusterView(es, projection=xy, color_by="none", labels=False, filters=["topic", "length", "date"])
    cv.wait()
    wanted = [{"topic": ["music", "sport"], "length": (100.0, 900.0)}, {"topic": ["food"], "length": (0.0, 400.0)}]
    turn = iter(range(10**9))

    def brush():
        cv.filters = wanted[next(turn) % 2]

    brush_s = median_seconds(brush, args.repeats)
    df = es.metadata

    def by_hand():
        f = wanted[next(turn) % 2]
        return df[df.topic.isin(f["topic"]) & df.length.between(*f["length"])]

    pandas_s = median_seconds(by_hand, args.repeats)

    cv.filters = wanted[0]
    started = time.perf_counter()
    cv._rows_request(source="all", start=0, count=50, sort="length", descending=False)
    sort_first_s = time.perf_counter() - started
    start = iter(range(0, 10**9, 5000))
    page_s = median_seconds(
        lambda: cv._rows_request(source="all", start=next(start), count=50, sort="length", descending=True),
        args.repeats,
    )

    unit = torch.nn.functional.normalize(torch.as_tensor(es.vectors), dim=1)
    from sklearn.feature_extraction.text import CountVectorizer  # noqa: F401  (its import is not the tree's time)

    started = time.perf_counter()
    tree, _ = label_tree(unit, texts, topic, children=4)
    tree_s = time.perf_counter() - started

    suffix = size_suffix(n)
    result = {
        "points": n,
        f"brush_kernel_ms_{suffix}": round(brush_s * 1000, 1),
        "pandas_mask_ms": round(pandas_s * 1000, 1),
        "brush_vs_pandas_mask": round(brush_s / pandas_s, 2),
        f"table_sort_first_ms_{suffix}": round(sort_first_s * 1000, 1),
        f"table_page_ms_{suffix}": round(page_s * 1000, 1),
        f"label_tree_seconds_{suffix}": round(tree_s, 2),
        "label_tree_nodes": len(tree),
        "threads": torch.get_num_threads(),
    }
    rows = [(k, str(v)) for k, v in result.items()]
    print(table(rows, ("figure", "value")))
    finish(result, args.json)


if __name__ == "__main__":
    main()

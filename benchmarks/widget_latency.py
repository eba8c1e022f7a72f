"""NeighborBrowser latency: from pressing Enter in headless Chromium to the rendered neighbours, over GloVe 400k,
beside the bare engine call for the same words in the same kernel.

    python benchmarks/widget_latency.py [--json] [--queries 30]

Goal: the widget adds at most 30 ms (median) to the engine call.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

from _common import finish, parser, table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

# Press Enter in the query box and resolve when the new query's neighbours are on screen, painted, and the
# request has settled.
MEASURE = """async (word) => {
  const root = document.querySelector('.ew-neighbors');
  const input = root.querySelector('input.ew-query');
  input.focus();
  input.value = word;
  const done = () => {
    const crumbs = root.querySelectorAll('.ew-crumbs li');
    const last = crumbs[crumbs.length - 1];
    return last && last.textContent === word && !root.classList.contains('ew-busy')
      && root.querySelector('.ew-panel-main .ew-result');
  };
  const start = performance.now();
  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}));
  await new Promise((resolve) => {
    if (done()) return resolve();
    const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(); } });
    watch.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  });
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return performance.now() - start;
}"""


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--queries", type=int, default=30)
    args = p.parse_args()

    from ewbrowser import CHROMIUM, CHROMIUM_FLAGS, Notebook, start_jupyter, write_notebook
    from playwright.sync_api import sync_playwright

    words_cell = (
        f"import json, random, statistics, time\nimport embedwidgets as ew\nw = ew.glove()\n"
        f"words = random.Random(0).sample(w.labels[1000:20000], {args.queries})\n"
        f"n = ew.NeighborBrowser(w, query='frog', k=15)\nn"
    )
    engine_cell = (
        "times = []\nfor word in words:\n    started = time.perf_counter()\n"
        "    w.neighbors(word, k=15)\n    times.append(1000 * (time.perf_counter() - started))\n"
        "print(json.dumps({'words': words, 'engine_ms': times}))"
    )
    with tempfile.TemporaryDirectory() as folder:
        server = start_jupyter(Path(folder))
        try:
            write_notebook(server.root_dir, "latency.ipynb", [words_cell, engine_cell, ""])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                notebook = Notebook(page, "lab", "latency.ipynb", server).open()
                notebook.run_cell(0)
                page.wait_for_selector(".ew-neighbors .ew-result")
                notebook.run_cell(1)
                engine = json.loads(notebook.output_text(1))
                page.evaluate(MEASURE, "toad")  # warm-up: first paint, first request
                widget_ms = [page.evaluate(MEASURE, word) for word in engine["words"]]
                browser.close()
        finally:
            server.stop()
    engine_ms = engine["engine_ms"]
    result = {
        "queries": len(widget_ms),
        "widget_ms_median": round(statistics.median(widget_ms), 2),
        "engine_ms_median": round(statistics.median(engine_ms), 2),
        "added_ms_median": round(statistics.median(widget_ms) - statistics.median(engine_ms), 2),
    }
    print(
        table(
            [
                ("Enter → neighbours on screen", f"{result['widget_ms_median']:.1f}"),
                ("engine call alone (neighbors, k=15)", f"{result['engine_ms_median']:.1f}"),
                ("added by the widget", f"{result['added_ms_median']:.1f}"),
            ],
            ("NeighborBrowser, GloVe 400k", "median ms"),
        )
    )
    print("goal: the widget adds ≤ 30 ms")
    finish(result, args.json)


if __name__ == "__main__":
    main()

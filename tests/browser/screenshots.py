"""Screenshots of the real widgets for the README: ``make screenshots`` (or ``python tests/browser/screenshots.py``).

Starts one JupyterLab server (light theme, its own settings), opens one notebook in headless Chromium (Debian's
``/usr/bin/chromium``, never a downloaded one), runs the widgets on the bundled models and writes one PNG per
widget, cropped to the widget, into ``notebooks/images/`` (re-running overwrites them); the last one is the whole
JupyterLab window with a widget pinned to the right side panel. Exits non-zero, naming the widget, when one does
not render. Not a test module (its name does not start with ``test_``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ewbrowser import (  # noqa: E402 (importable once HERE is on the path)
    CHROMIUM,
    CHROMIUM_FLAGS,
    KERNEL_MS,
    SETUP,  # noqa: E402
    Notebook,
    start_jupyter,
    write_notebook,
)
from playwright.sync_api import expect, sync_playwright  # noqa: E402

OUT = HERE.parent.parent / "notebooks" / "images"
WIDGET_VIEWPORT = {"width": 1200, "height": 1600}  # tall, so that the tallest widget fits in the notebook's view
SIDEBAR_VIEWPORT = {"width": 1400, "height": 900}
MAX_BYTES = 300_000
CLUSTER_MS = 240_000  # encoding 2,021 texts (when the cache is cold), UMAP with numba's first compile, k-means

QUERY = "chest tightness, left arm pain, sweating"
CELLS = [
    SETUP,
    # 1: analogy.png
    "a = ew.AnalogyExplorer(w)\na",
    # 2: neighbors.png
    'n = ew.NeighborBrowser(w, query="frog", k=10)\nn',
    # 3: neighbors_compare.png (as in 14_neighbours_and_semantic_search)
    "articles = ew.datasets.articles()\n"
    "titles, texts = articles.title.tolist(), articles.text.tolist()\n"
    "minilm, average = ew.minilm(), ew.WordAverage(w)\n"
    'meta = articles[["id", "topic"]]\n'
    'mini_docs = ew.EmbeddingSet(titles, minilm.encode(texts), metadata=meta, encoder=minilm, name="MiniLM")\n'
    "avg_docs = ew.EmbeddingSet(titles, average.encode(texts), metadata=meta, encoder=average, "
    'name="averaged GloVe")\n'
    'cmp = ew.NeighborBrowser(mini_docs, compare=avg_docs, query="how do I format a date in Python", k=5)\ncmp',
    # 4: search_compare.png (as in 10_keyword_search_vs_meaning)
    f"search = ew.SearchCompare(articles, query={QUERY!r}, k=5)\nsearch",
    # 5: similarity.png (as in 13_measuring_similarity)
    "examples = {\n"
    '    "heart": ["heart attack symptoms", "myocardial infarction signs", '
    '"chest tightness, left arm pain, sweating"],\n'
    '    "flights": ["cheap flights", "affordable airfare", "budget airline tickets"],\n'
    '    "doctor": ["doctor", "physician"],\n'
    '    "car": ["car", "automobile"],\n'
    '    "cat": ["the cat sat on the mat", "a feline rested on the carpet"],\n'
    "}\n"
    "heatmap = ew.SimilarityMatrix([t for group in examples.values() for t in group], encoder=minilm)\nheatmap",
    # 6: cluster.png (as in 02_cluster_map / 15_beyond_rag)
    "topics = ew.datasets.topics()\n"
    "docs = ew.EmbeddingSet.from_texts(topics.text.tolist(), encoder=minilm, progress=False,\n"
    '                                  metadata=topics[["id", "topic"]], duplicates="first")\n'
    'cv = ew.ClusterView(docs, projection="umap", color_by="cluster", k=10)\ncv',
    # 7: sidebar.png: an analogy explorer in a cell, pinned to the right panel by the next cell
    "s = ew.AnalogyExplorer(w)\ns",
    # 8: run last, after the element screenshots (the open panel narrows the notebook)
    "s.show_in_sidebar()",
]
SIDEBAR_CELL, PIN_CELL = 7, 8

WIDGETS = [  # file stem, cell, root selector, text that shows the kernel's results arrived
    ("analogy", 1, ".ew-root.ew-analogy", "queen"),
    ("neighbors", 2, ".ew-root.ew-neighbors", "toad"),
    ("neighbors_compare", 3, ".ew-root.ew-neighbors", "overlap"),
    ("search_compare", 4, ".ew-root.ew-search-compare", "heart"),
    ("similarity", 5, ".ew-root.ew-similarity", "physician"),
    ("cluster", 6, ".ew-root.ew-cluster", None),
]

# Settled: no request in flight, no background job, no error box showing.
SETTLED = """(root) => !root.classList.contains('ew-busy')
  && Array.from(root.querySelectorAll('.ew-progress')).every((p) => p.hidden)
  && Array.from(root.querySelectorAll(':scope > .ew-error')).every((e) => e.hidden || !e.textContent.trim())"""
# The map's 2-D canvas holds the WebGL frame: count the drawn (non-transparent) pixels.
DRAWN_PIXELS = """(root) => {
  let drawn = 0;
  for (const canvas of root.querySelectorAll('canvas')) {
    let d;
    try { d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data; } catch (e) { continue; }
    for (let i = 3; i < d.length; i += 4) if (d[i] >= 32) drawn++;
  }
  return drawn;
}"""


def light_theme(base: Path) -> None:
    """JupyterLab Light, whatever the machine's settings say (the server reads only ``base``'s settings)."""
    path = base / "user-settings" / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"theme": "JupyterLab Light", "adaptive-theme": False}))


def error_text(view) -> str:
    boxes = view.locator(":scope > .ew-error")
    texts = [t.strip() for t in boxes.all_inner_texts() if t.strip()] if boxes.count() else []
    return "; ".join(texts)


def short(error: Exception) -> str:
    """The first lines of an error (Playwright's own messages go on with call logs and page snapshots)."""
    lines = [line[:300] for line in str(error).strip().splitlines()[:2]]
    return " / ".join(lines) or type(error).__name__


def save(locator, name: str, **options) -> Path:
    path = OUT / f"{name}.png"
    locator.screenshot(path=path, animations="disabled", **options)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise RuntimeError(f"{path.name} is {size / 1000:.0f} KB, over the {MAX_BYTES // 1000} KB limit")
    print(f"  {path.relative_to(OUT.parent.parent)}  {size / 1000:.0f} KB", flush=True)
    return path


def shoot_widget(nb: Notebook, name: str, cell: int, css: str, marker: str | None) -> None:
    view = nb.widget(cell, css)
    expect(view).to_be_visible(timeout=KERNEL_MS)
    if name == "cluster":
        expect(view).to_have_attribute("data-drawn", "2021", timeout=CLUSTER_MS)
        nb.page.wait_for_function(SETTLED, arg=view.element_handle(), timeout=CLUSTER_MS, polling=200)
        expect(view.locator(".ew-cluster-label").first).to_be_visible(timeout=CLUSTER_MS)
        time.sleep(2)  # software WebGL: let the last frame reach the canvas
        if nb.page.evaluate(DRAWN_PIXELS, view.element_handle()) < 1000:
            raise RuntimeError("the map's canvas is blank")
    else:
        expect(view).to_contain_text(marker, timeout=KERNEL_MS)
        nb.page.wait_for_function(SETTLED, arg=view.element_handle(), timeout=KERNEL_MS, polling=100)
    problem = error_text(view)
    if problem:
        raise RuntimeError(f"the widget shows an error: {problem}")
    view.hover(position={"x": 2, "y": 2})  # no hover highlight from an earlier step over the data
    nb.page.mouse.move(0, 0)
    save(view, name)


def shoot_sidebar(nb: Notebook) -> None:
    page = nb.page
    page.set_viewport_size(SIDEBAR_VIEWPORT)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    nb.run_cell(PIN_CELL)
    panel = page.locator(".ew-sidebar-panel").first
    expect(panel).to_be_visible(timeout=KERNEL_MS)
    expect(panel.locator(".ew-root.ew-analogy li.ew-result .ew-label").first).to_have_text("queen")
    page.wait_for_function(SETTLED, arg=panel.locator(".ew-root").first.element_handle(), timeout=KERNEL_MS)
    cell = nb.widget(SIDEBAR_CELL, ".ew-root.ew-analogy")
    expect(cell.locator("li.ew-result .ew-label").first).to_have_text("queen")
    # The pinned cell's prompt at the top of the notebook, its note just below it.
    nb.cell(SIDEBAR_CELL).evaluate("(el) => el.scrollIntoView({block: 'start'})")
    page.mouse.move(0, 0)
    time.sleep(0.5)  # the panel's opening transition
    save(page, "sidebar")


def main() -> int:
    if not Path(CHROMIUM).is_file():
        print(
            f"Chromium is missing at {CHROMIUM}: `make chromium` installs Debian's (never `playwright install`).",
            file=sys.stderr,
        )
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ew-screenshots-") as tmp:
        base = Path(tmp)
        light_theme(base)
        server = start_jupyter(base)
        try:
            write_notebook(server.root_dir, "widgets.ipynb", CELLS)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
                context = browser.new_context(viewport=WIDGET_VIEWPORT, color_scheme="light", device_scale_factor=1)
                context.set_default_timeout(30_000)
                nb = Notebook(context.new_page(), "lab", "widgets.ipynb", server)
                try:
                    nb.open()
                    nb.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # room for the widgets
                    shots = {cell: (name, css, marker) for name, cell, css, marker in WIDGETS}
                    for index in range(PIN_CELL):
                        nb.run_cell(index, timeout=CLUSTER_MS)
                        if index not in shots:
                            continue
                        # Each widget right after its cell: as it looks in a notebook of its own.
                        name, css, marker = shots[index]
                        try:
                            shoot_widget(nb, name, index, css, marker)
                        except Exception as error:  # noqa: BLE001 -- report every widget, then fail
                            failures.append(f"{name}: {short(error)}")
                    try:
                        shoot_sidebar(nb)
                    except Exception as error:  # noqa: BLE001
                        failures.append(f"sidebar: {short(error)}")
                    errors = nb.unexpected_errors()
                    if errors:
                        failures.append("uncaught errors in the page:\n  " + "\n  ".join(errors))
                except Exception as error:  # noqa: BLE001 -- the notebook itself failed
                    shot = base.parent / "ew-screenshots-failure.png"
                    try:
                        nb.page.screenshot(path=shot, full_page=True)
                        failures.append(f"notebook: {short(error)}\n  (page screenshot: {shot})")
                    except Exception:  # noqa: BLE001
                        failures.append(f"notebook: {short(error)}")
                finally:
                    nb.close()
                    browser.close()
        finally:
            server.stop()
    if failures:
        print("screenshots FAILED, a widget did not render:\n" + "\n".join(f"- {f}" for f in failures), file=sys.stderr)
        return 1
    print(f"screenshots written to {OUT} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

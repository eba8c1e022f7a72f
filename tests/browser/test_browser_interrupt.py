"""Interrupt and restart in a real browser.

- Kernel → Interrupt while a ClusterView's layout runs in a background thread (the cell has finished, so the kernel
  is idle): the layout stops, the view says so instead of spinning, and a later run of the layout works.
- Kernel → Restart: every view on the page (a NeighborBrowser and a ClusterView) says it is disconnected, its
  controls are disabled, and the page logs no error. In JupyterLab and in Notebook 7.
"""

from __future__ import annotations

import re

import pytest
from ewbrowser import HOSTS, KERNEL_MS
from playwright.sync_api import expect

# A small random set: no model to load, so the notebooks start fast.
DOTS = (
    "import json, time\nimport numpy as np\nimport embedwidgets as ew\n"
    "rng = np.random.default_rng(0)\n"
    'es = ew.EmbeddingSet([f"p{i}" for i in range(200)], rng.normal(size=(200, 8)).astype("float32"), name="dots")'
)
# The first layout stands for a UMAP of a big set: it takes minutes and reports its progress as it goes.
SLOW_LAYOUT = """calls = []
pca_layout = es.project

def slow_then_quick(method, n_components, **options):
    calls.append(method)
    if len(calls) == 1:
        for step in range(6000):
            options["progress"](step / 6000, f"slow layout: step {step}")
            time.sleep(0.05)
    return pca_layout(method, n_components, **options)

es.project = slow_then_quick
cv = ew.ClusterView(es, projection="pca", labels=False, color_by="none")
cv"""
# Runs a menu command as its menu item does. It returns nothing: the command's promise settles only once its
# dialog is answered, and evaluate() would wait for it.
COMMAND = "(id) => { void window.jupyterapp.commands.execute(id); }"
STOPPED = "Stopped: the kernel was interrupted"
DISCONNECTED = "Disconnected from the kernel: re-run the cell to use this widget again."


def test_an_interrupt_stops_the_running_layout_and_a_later_one_works(open_notebook):
    nb = open_notebook("lab", "interrupt", [DOTS, SLOW_LAYOUT])
    view = nb.widget(1, ".ew-root.ew-cluster")
    progress = view.locator(".ew-progress")
    expect(progress).to_contain_text("slow layout: step")
    nb.page.evaluate(COMMAND, "kernelmenu:interrupt")
    error = view.locator(":scope > .ew-error")
    expect(error).to_contain_text(STOPPED)
    expect(error).to_contain_text("Run it again with rerun()")
    expect(progress).to_be_hidden()  # not spinning any more
    nb.wait_idle()
    state = nb.kernel_json(
        '{"running": cv._jobs.running(), "error": cv.error["message"], "ready": cv.coordinates is not None}'
    )
    assert state["running"] == [] and state["error"].startswith(STOPPED) and not state["ready"]
    nb.run_code("started = cv.rerun()\ncv.wait(60)")
    state = nb.kernel_json('{"started": started, "error": cv.error, "calls": len(calls)}')
    assert state == {"started": ["project"], "error": None, "calls": 2}
    expect(error).to_be_hidden()
    expect(view).to_have_attribute("data-drawn", "200")  # the new layout reached the map
    assert nb.unexpected_errors() == [], "uncaught errors in the page"


@pytest.mark.parametrize("host", HOSTS)
def test_a_restart_leaves_every_view_saying_it_is_disconnected(open_notebook, host):
    cells = [
        DOTS,
        'nb = ew.NeighborBrowser(es, query="p1", k=5)\nnb',
        'cv = ew.ClusterView(es, projection="pca", k=3)\ncv',
    ]
    nb = open_notebook(host, "restart", cells)
    neighbors = nb.widget(1, ".ew-root.ew-neighbors")
    cluster = nb.widget(2, ".ew-root.ew-cluster")
    expect(neighbors.locator("li.ew-result")).to_have_count(5)
    expect(cluster).to_have_attribute("data-drawn", "200")
    for view in (neighbors, cluster):
        expect(view.locator(".ew-disconnected-notice")).to_have_count(0)

    nb.page.evaluate(COMMAND, "kernelmenu:restart")
    nb.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()  # "Restart" in the dialog
    for view in (neighbors, cluster):
        notice = view.locator(":scope > .ew-disconnected-notice")
        expect(notice).to_have_text(DISCONNECTED)
        expect(view).to_have_class(re.compile(r"\bew-disconnected\b"))
    expect(neighbors.locator("input.ew-query")).to_be_disabled()
    expect(cluster.locator("button").first).to_be_disabled()
    nb.wait_idle(KERNEL_MS)  # the new kernel is up; the old views stay disconnected
    for view in (neighbors, cluster):
        expect(view.locator(".ew-disconnected-notice")).to_have_count(1)
    assert nb.unexpected_errors() == [], "uncaught errors in the page"

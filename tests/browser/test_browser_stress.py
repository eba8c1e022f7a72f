"""Rapid interaction in JupyterLab: 200 queries typed into a NeighborBrowser over GloVe's 400k words as fast
as Playwright can. The last query's results are what the view shows and what Python holds; no error shows,
the page logs no error, and the kernel's memory stays flat."""

from __future__ import annotations

import pytest
from ewbrowser import SETUP, labels_of, result_labels
from playwright.sync_api import expect

QUERIES = 200
# Kernel RSS after the 200 queries against before, both after a warm-up round: each query makes a 400k-score
# vector and a small DataFrame, then drops them. Bound: 100 MB, well above allocator noise; a query that kept
# its scores (400k float32 = 1.6 MB) would grow it by 320 MB.
RSS_BOUND_MB = 100
RSS = "__import__('psutil').Process().memory_info().rss / 2**20"
CELLS = [SETUP, 'n = ew.NeighborBrowser(w, query="frog", k=10)\nn']


@pytest.fixture(scope="module")
def nb(open_notebook):
    notebook = open_notebook("lab", "stress", CELLS)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()
    assert errors == [], "uncaught errors in the page"


def test_two_hundred_queries_typed_fast(nb):
    view = nb.widget(1, ".ew-root.ew-neighbors")
    expect(result_labels(view).first).to_have_text("snake")
    words = nb.kernel_json(f"w.labels[1000:{1000 + QUERIES}]")
    query = view.locator("input.ew-query")
    for word in words[:20]:  # warm-up: the allocator reaches its working size
        query.fill(word)
        query.press("Enter")
    expect(query).to_have_value(words[19])
    before = nb.kernel_json(RSS)
    for word in words:
        query.fill(word)
        query.press("Enter")
    state = nb.kernel_json('{"query": n.query, "error": n.error, "labels": n.results.label.tolist()}')
    after = nb.kernel_json(RSS)
    assert state["query"] == words[-1] and state["error"] is None
    expect(result_labels(view)).to_have_count(10)
    expect(result_labels(view).first).to_have_text(state["labels"][0])
    assert labels_of(view.locator(".ew-panel-main")) == state["labels"]
    expect(view.locator(":scope > .ew-error")).to_be_hidden()
    print(f"kernel RSS {before:.0f} MB -> {after:.0f} MB over {QUERIES} queries")
    assert after - before < RSS_BOUND_MB

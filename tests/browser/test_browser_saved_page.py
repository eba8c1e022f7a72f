"""The page save_html writes, in a real browser: the bundled ClusterView draws it from the embedded data (WebGL,
labels, legend), a legend click highlights through the in-page model, hostile text stays text, and the page asks
the network for nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

import embedwidgets as ew

HOSTILE = '<img src=x onerror="window.__pwned=1">'
N = 120


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    rng = np.random.default_rng(3)
    centres = rng.normal(scale=6, size=(3, 8))
    vectors = np.concatenate([rng.normal(c, 0.4, size=(N // 3, 8)) for c in centres])
    labels = [HOSTILE] + [f"point {i}" for i in range(1, N)]
    metadata = pd.DataFrame({"note": [HOSTILE] + ["fine"] * (N - 1)})
    view = ew.ClusterView(ew.EmbeddingSet(labels, vectors, metadata=metadata), projection="pca", k=3, background=False)
    return view.save_html(tmp_path_factory.mktemp("saved") / "map.html", title=HOSTILE)


def test_the_saved_page_draws_with_the_bundled_view_and_fetches_nothing(context, saved):
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(saved.as_uri())
        expect(page.locator(f".ew-cluster[data-drawn='{N}']")).to_be_attached(timeout=60_000)
        expect(page.locator(".ew-title")).to_have_text(HOSTILE)  # the title, as text
        expect(page.locator(".ew-cluster-label")).to_have_count(3)
        expect(page.locator(".ew-find")).to_have_count(0)  # no kernel-backed controls in a saved page
        page.locator(".ew-legend-item").first.click()
        expect(page.locator(".ew-status-text")).to_contain_text(f"0 selected · highlighted: {N // 3} points")
        page.get_by_role("button", name="Select the highlighted points").click()
        expect(page.locator(".ew-status-text")).to_contain_text(f"{N // 3} selected")
        assert page.evaluate("window.__pwned") is None and page.locator("img").count() == 0
        assert [url for url in requests if not url.startswith("file:")] == []
        assert errors == []
    finally:
        page.close()

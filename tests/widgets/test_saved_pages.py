"""save_html for every widget: one page around the bundled view, with the widget's synced state as inert JSON and a
policy that lets nothing but the page's own script and style run or load (the browser side is in
tests/browser/test_browser_saved_pages.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets.widgets import __all__ as WIDGETS
from embedwidgets.widgets._base import STATIC

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def hostile_set():
    labels = [HOSTILE, "alpha", "beta", "gamma", "delta", "epsilon"]
    return ew.EmbeddingSet(labels, np.random.default_rng(1).normal(size=(len(labels), 12)), name="set & co")


def parts(path):
    """The page's policy, its data (parsed) and its script."""
    page = path.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    data = page.split('<script type="application/json" id="ew-data">', 1)[1].split("</script>", 1)[0]
    script = page.rsplit("<script>", 1)[1].rsplit("</script>", 1)[0]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    return page, policy, data, script, style


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_every_public_widget_can_save_a_page():
    assert set(WIDGETS) == {
        "AnalogyExplorer",
        "ClusterView",
        "CompareView",
        "EmbeddingExplorer",
        "EmbeddingMap",
        "NeighborBrowser",
        "Quiz",
        "SearchCompare",
        "SimilarityMatrix",
    }
    for name in WIDGETS:
        assert callable(getattr(getattr(ew, name), "save_html", None)), name


def test_a_page_holds_the_synced_state_as_inert_json(hostile_set, tmp_path):
    widget = ew.NeighborBrowser(hostile_set, query=HOSTILE, k=3, title=HOSTILE)
    page, policy, data, script, style = parts(widget.save_html(tmp_path / "n.html"))
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the label could not end the data
    assert "<" not in data and ">" not in data and "&" not in data.replace("\\u0026", "")
    payload = json.loads(data)
    assert payload["kind"] == "widget" and payload["module"] == "neighbors" and payload["children"] == {}
    state = payload["state"]
    assert state["query"] == HOSTILE and state["title"] == HOSTILE and state["history"] == [HOSTILE]
    assert [row["label"] for row in state["_rows"]] == widget.results.label.tolist()
    assert not {"_esm", "_css", "layout", "_model_name"} & set(state)  # the host's traits stay out
    assert f"<title>{HOSTILE}</title>" not in page and "&lt;/script&gt;&lt;script&gt;" in page
    assert script == (STATIC / "standalone.js").read_text(encoding="utf-8")  # the bundled views, as built
    assert not re.search(r"<[^>]*\b(src|href)\s*=", page.split("<script>", 1)[0])  # no tag loads anything
    # Nothing may load; only this page's script and style apply; a page without a map needs no eval.
    assert policy == f"default-src 'none'; script-src {sha(script)}; style-src {sha(style)}"


def test_the_title_argument_names_the_page_and_the_view(hostile_set, tmp_path):
    widget = ew.AnalogyExplorer(hostile_set, a="alpha", b="beta", c="gamma", k=2)
    page, _, data, _, _ = parts(widget.save_html(tmp_path / "a.html", title="Kings & queens"))
    assert "<title>Kings &amp; queens</title>" in page
    assert json.loads(data)["state"]["title"] == "Kings & queens" and widget.title != "Kings & queens"
    assert json.loads(data)["state"]["_rows"] == widget._rows


def test_arrays_travel_as_base64_wire_values(hostile_set, tmp_path):
    widget = ew.SimilarityMatrix(hostile_set, labels=["alpha", "beta", "gamma"], order="input")
    _, _, data, _, _ = parts(widget.save_html(tmp_path / "s.html"))
    values = json.loads(data)["state"]["_values"]
    assert values["dtype"] == "float32" and values["shape"] == [3, 3]
    matrix = np.frombuffer(base64.b64decode(values["buffer"]), dtype="<f4").reshape(3, 3)
    np.testing.assert_allclose(matrix, widget.matrix.to_numpy(), rtol=1e-6)


def test_the_explorer_saves_its_tabs_as_children(hostile_set, tmp_path):
    widget = ew.EmbeddingExplorer(hostile_set, query="alpha")
    _, _, data, _, _ = parts(widget.save_html(tmp_path / "e.html"))
    payload = json.loads(data)
    assert payload["module"] == "explorer"
    ids = [ref.removeprefix("IPY_MODEL_") for ref in payload["state"]["tabs"]]
    assert ids == [widget.neighbors.model_id, widget.analogies.model_id, widget.map.model_id]
    assert [payload["children"][i]["module"] for i in ids] == ["neighbors", "analogy", "embedding_map"]
    assert payload["children"][ids[0]]["state"]["query"] == "alpha"


def test_map_pages_allow_eval_for_webgl_and_compare_view_saves_both_maps(tmp_path):
    rng = np.random.default_rng(2)
    names = [f"item {i}" for i in range(30)]
    a = ew.EmbeddingSet(names, rng.normal(size=(30, 6)), name="a")
    b = ew.EmbeddingSet(names, rng.normal(size=(30, 6)), name="b")
    compare = ew.CompareView(a, b, projection="pca", background=False)
    page, policy, data, script, _ = parts(compare.save_html(tmp_path / "c.html"))
    assert f"script-src {sha(script)} 'unsafe-eval';" in policy and "unsafe-inline" not in policy
    payload = json.loads(data)
    assert payload["kind"] == "row" and [item["kind"] for item in payload["items"]] == ["cluster", "cluster"]
    assert [item["n"] for item in payload["items"]] == [30, 30]
    assert f"<title>{compare.a_view.title} vs {compare.b_view.title}</title>" in page

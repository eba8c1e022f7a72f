import base64
import json
import re
import threading

import numpy as np
import pandas as pd
import pytest
import traitlets

import embedwidgets as ew
from embedwidgets.widgets import cluster as cluster_module
from embedwidgets.widgets._base import STATIC

N_BLOBS, PER_BLOB = 4, 60
N = N_BLOBS * PER_BLOB
HOSTILE = '</script><img src=x onerror="window.__pwned=1">'


def blobs(seed=0, dim=12):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(N_BLOBS, dim))
    return np.concatenate([rng.normal(c, 0.3, size=(PER_BLOB, dim)) for c in centres]).astype(np.float32)


@pytest.fixture
def small():
    words = ["apple", "river", "stone", "cloud"]
    labels = [f"{words[i // PER_BLOB]} {i}" for i in range(N)]
    metadata = pd.DataFrame(
        {
            "kind": [words[i // PER_BLOB] for i in range(N)],
            "weight": np.linspace(0.0, 1.0, N),
            "many": [f"value {i % 30}" for i in range(N)],
        }
    )
    return ew.EmbeddingSet(labels, blobs(), metadata=metadata, name="blobs")


@pytest.fixture
def view(small):
    return ew.ClusterView(small, projection="pca", k=4, background=False)


def refused(view, state):
    """Send ``state`` as the view's update message does, and return why it was refused. Either set_state raises
    the TraitError, or the base shows it inline (``error``) and sends Python's value back."""
    try:
        view.set_state(state)
    except traitlets.TraitError as error:
        return str(error)
    assert view.error is not None, f"{state} was accepted"
    return view.error["message"]


def floats(view):
    xy = np.frombuffer(view._xy, dtype=np.float32)
    return xy.reshape(-1, 2)


# ---- buffers ------------------------------------------------------------------------------------


def test_coordinates_and_colours_travel_as_binary_buffers(view):
    assert view._xy.dtype == np.float32 and view._xy.shape == (N, 2)
    xy = floats(view)
    assert np.isfinite(xy).all() and np.abs(xy).max() == pytest.approx(1.0) and np.abs(xy).max() <= 1.0
    assert view._legend["kind"] == "categorical" and view._legend["dtype"] == "uint8"
    values = np.frombuffer(view._values, dtype=np.uint8)
    assert view._values.shape == (N,) and values.max() < len(view._legend["colors"])
    assert sum(item["count"] for item in view._legend["items"]) == N
    view.color_by = "weight"
    assert view._values.dtype == np.float32 and view._values.shape == (N,)
    continuous = np.frombuffer(view._values, dtype=np.float32)
    assert continuous.min() == 0.0 and continuous.max() == 1.0
    view.search = "river"
    assert view._highlight.dtype == np.int32 and view._highlight.shape == (PER_BLOB,)
    # No list of numbers rides along in the JSON state.
    state = view.get_state()
    assert all(not (isinstance(v, list) and len(v) >= N) for v in state.values())


def test_the_layout_keeps_its_shape_when_normalised(small):
    coords = np.stack([np.linspace(-10, 30, N), np.linspace(0, 4, N)], axis=1)
    custom = ew.ClusterView(small, projection=coords, background=False)
    assert custom.projection == "custom" and custom.projection_choices["custom"] == "your coordinates"
    xy = custom.map_coordinates
    assert xy[:, 0].min() == pytest.approx(-1) and xy[:, 0].max() == pytest.approx(1)
    assert np.ptp(xy[:, 1]) == pytest.approx(0.2, rel=1e-4)  # 4 / 40 of the width, not stretched
    np.testing.assert_allclose(custom.coordinates, coords, rtol=1e-6)


def test_a_million_points_all_go_to_the_view():
    n = 1_000_000
    rng = np.random.default_rng(1)
    big = ew.EmbeddingSet(
        [str(i) for i in range(n)],
        rng.normal(size=(n, 2)).astype(np.float32),
        metadata={"bucket": rng.integers(0, 5, n)},
    )
    view = ew.ClusterView(big, projection=rng.normal(size=(n, 2)), color_by="bucket", labels=False, background=False)
    assert view._xy.shape == (n, 2) and len(view._values) == n
    assert view.clusters is None  # nothing asked for clusters, so none were computed
    assert view.point_size < 2 and view.opacity <= 0.5
    # From a million points the view also gets a density image to show while it draws them: every point counted.
    shade = view._density
    assert shade.shape == (256, 256) and shade.dtype == np.uint8 and shade.max() == 255
    cells = np.clip(((view.map_coordinates + 1) * 128).astype(int), 0, 255)
    filled = np.zeros((256, 256), bool)
    filled[255 - cells[:, 1], cells[:, 0]] = True
    assert np.array_equal(shade > 0, filled)  # shaded exactly where points lie, top row first


def test_a_small_map_has_no_density_layer(view):
    assert view._density.size == 0


# ---- selection ----------------------------------------------------------------------------------


def test_selected_syncs_both_ways_and_selection_df(view):
    view.selected = [7, 3, 3, 200]
    assert view.selected == [3, 7, 200]
    wire = view.get_state()["_selection"]  # the selection travels as one int32 buffer, not a JSON list
    assert wire["dtype"] == "int32" and np.frombuffer(wire["buffer"], np.int32).tolist() == [3, 7, 200]
    rows = np.array([0, 61], dtype=np.int32)  # as the front end sends it after a lasso
    view.set_state({"_selection": {"dtype": "int32", "shape": [2], "buffer": memoryview(rows.tobytes())}})
    assert view.selected == [0, 61]
    frame = view.selection_df()
    assert frame.index.tolist() == [0, 61] and frame.index.name == "row"
    assert frame.label.tolist() == ["apple 0", "river 61"]
    assert frame.kind.tolist() == ["apple", "river"] and {"cluster", "weight", "many"} <= set(frame.columns)
    view.select(np.array([5, 4]))
    assert view.selected == [4, 5]
    view.selected = []
    assert view.selection_df().empty and "label" in view.selection_df().columns
    with pytest.raises(traitlets.TraitError, match="outside"):
        view.selected = [N]
    with pytest.raises(traitlets.TraitError, match="integers"):
        view.selected = ["a"]


# ---- search and query ---------------------------------------------------------------------------


def test_substring_search_highlights_matching_rows(view):
    view.search = "RIVER 6"
    expected = [i for i, label in enumerate(view.embeddings.labels) if "river 6" in label]
    assert view.highlighted.tolist() == expected
    assert np.frombuffer(view._highlight, dtype=np.int32).tolist() == expected
    assert "contain" in view._highlight_note
    view.select_highlighted()
    assert view.selected == expected
    view.search = ""
    assert view.highlighted.size == 0 and view._highlight.size == 0
    view.search = "no such text"
    assert view.highlighted.size == 0 and "no label" in view._highlight_note


def test_semantic_query_highlights_the_nearest(view, wire):
    view.query_k = 10
    view.query = "stone 130"
    rows = view.highlighted.tolist()
    assert rows[0] == 130 and len(rows) == 11
    assert all(2 * PER_BLOB <= r < 3 * PER_BLOB for r in rows)  # all in the same blob
    front = wire(view)
    view.set_state({"query": "stnoe 130"})  # as the view's search box sends it
    assert view.query == "stnoe 130" and view.error["missing"] == ["stnoe 130"]
    assert view.highlighted.tolist() == rows  # the previous highlight stays
    assert front.request("clear_highlight")["ok"] and view.highlighted.size == 0 and view.query == ""


def test_text_queries_on_a_sentence_set(minilm):
    texts = [
        "a heart attack needs urgent care",
        "cheap flights to rome",
        "the cat sat on the mat",
        "myocardial infarction symptoms",
        "budget airline tickets",
        "dogs chase cats",
    ]
    docs = ew.EmbeddingSet.from_texts(texts, encoder=minilm)
    view = ew.ClusterView(docs, projection="pca", k=2, query_k=2, background=False)
    assert view.accepts_text
    view.query = "chest pain"
    assert set(view.highlighted.tolist()) == {0, 3}
    view.color_by = "similarity"
    scores = view.color_values
    assert view.legend["kind"] == "continuous" and scores.argmax() in (0, 3)


# ---- colours ------------------------------------------------------------------------------------


def test_colour_modes_and_legends(view):
    assert view.legend["title"] == "clusters" and len(view.legend["items"]) == 4
    sizes = sorted(item["count"] for item in view.legend["items"])
    assert sizes == [PER_BLOB] * 4
    view.color_by = "kind"
    assert [item["label"] for item in view.legend["items"]] == ["apple", "river", "stone", "cloud"]
    view.color_by = "many"  # 30 values: the 19 most common, then "other"
    items = view.legend["items"]
    assert len(items) == 20 and items[-1]["label"].startswith("other") and items[-1]["color"] == cluster_module.GREY
    assert sum(item["count"] for item in items) == N
    view.color_by = "none"
    assert view.color_values.size == 0 and view.legend["kind"] == "none"
    view.color_by = "similarity"
    assert view.color_values.size == 0 and "query" in view.legend["note"]
    view.query = "apple 1"
    assert view.legend["kind"] == "continuous" and view.color_values.dtype == np.float32 and len(view.color_values) == N
    for value in view.color_choices:
        view.color_by = value
        assert view.error is None
    with pytest.raises(traitlets.TraitError, match="neither a colour mode"):
        view.color_by = "nonsense"
    with pytest.raises(traitlets.TraitError, match="show_classes"):
        view.color_by = "classes"


def test_a_column_named_like_a_mode_is_reachable(small):
    small.metadata["cluster"] = ["x", "y"] * (N // 2)
    view = ew.ClusterView(small, projection="pca", color_by="column:cluster", background=False)
    assert view.color_choices["column:cluster"] == "column · cluster"
    assert [item["label"] for item in view.legend["items"]] == ["x", "y"]


def test_cluster_names_and_label_positions(view):
    names = view.cluster_names
    assert list(names.columns) == ["cluster", "size", "keywords", "label", "x", "y"]
    assert sorted(names["size"]) == [PER_BLOB] * 4
    assert set(names.label) == {"apple", "river", "stone", "cloud"}
    assert names.x.between(-1, 1).all() and names.y.between(-1, 1).all()
    assert len(view._cluster_labels) == 4 and {item["text"] for item in view._cluster_labels} == set(names.label)
    view.labels = False
    view.k = 2  # labels off and colour by cluster: still clusters for the colours
    assert len(view.cluster_names) == 2
    view.color_by = "kind"
    view.k = 3  # nothing shows clusters now: none are computed
    assert len(view.cluster_names) == 2
    view.labels = True
    assert len(view.cluster_names) == 3


# ---- overlays -----------------------------------------------------------------------------------


def test_show_outliers(small):
    vectors = blobs()
    vectors[5] = 40.0  # far from everything
    odd = ew.EmbeddingSet(small.labels, vectors, metadata=small.metadata)
    view = ew.ClusterView(odd, projection="pca", background=False)
    scores = view.show_outliers(k=5)
    assert isinstance(scores, pd.Series) and len(scores) == N and scores.idxmax() == "apple 5"
    assert view.color_by == "outliers" and view.outlier_scores is scores
    values = view.color_values
    assert values.argmax() == 5 and view.legend["kind"] == "continuous"
    with pytest.raises(ValueError):
        view.show_outliers(k=0)


def test_show_duplicates(small):
    vectors = blobs()
    vectors[10] = vectors[11] = vectors[12]
    dup = ew.EmbeddingSet(small.labels, vectors)
    view = ew.ClusterView(dup, projection="pca", background=False)
    found = view.show_duplicates(threshold=0.999)
    assert set(found.row) >= {10, 11, 12} and view.duplicates is found
    values = view.color_values
    assert values[10] == values[11] == values[12] != values[0]
    assert view.legend["items"][-1]["label"] == "no near-duplicate"
    with pytest.raises(ValueError):
        view.show_duplicates(threshold=2)


def test_show_classes(view, minilm):
    found = view.show_classes(["apple 0", "cloud 200"])  # a word-like set: class names are labels
    assert view.color_by == "classes" and view.color_choices["classes"] == "zero-shot classes"
    assert found["class"].iloc[0] == "apple 0" and found["class"].iloc[-1] == "cloud 200"
    assert [item["label"] for item in view.legend["items"]] == ["apple 0", "cloud 200"]
    assert view.classes is found
    with pytest.raises(TypeError):
        view.show_classes("sport")
    with pytest.raises(ValueError):
        view.show_classes(["only one"])
    texts = [
        "the striker scored twice",
        "parliament passed the budget",
        "the goalkeeper was injured",
        "the minister resigned today",
    ]
    docs = ew.EmbeddingSet.from_texts(texts, encoder=minilm)
    news = ew.ClusterView(docs, projection="pca", k=2, background=False)
    result = news.show_classes(["sport", "politics"])
    assert result["class"].tolist() == ["sport", "politics", "sport", "politics"]


# ---- background jobs ----------------------------------------------------------------------------


def test_a_newer_projection_supersedes_a_running_one(small):
    gate, started = threading.Event(), threading.Event()
    real = small.project
    seen, workers = [], []

    def project(method="pca", n_components=2, *, seed=0, progress=None, **options):
        if method == "umap":
            workers.append(threading.current_thread())
            started.set()
            gate.wait(60)
            seen.append("umap finished")
            progress(0.9, "still going")  # a stale job's progress ends it here
            seen.append("umap went on")
            return np.zeros((len(small), 2), dtype=np.float32)
        return real(method, n_components, seed=seed, progress=progress, **options)

    small.project = project
    view = ew.ClusterView(small, projection="umap", color_by="kind", labels=False)
    assert started.wait(10)
    assert view.progress["kind"] == "project" and view.map_coordinates is None
    view.projection = "pca"
    view.wait(10)  # waits for the PCA job only: the superseded UMAP one is still blocked
    assert workers[0].is_alive() and seen == []
    pca = real("pca", 2)
    np.testing.assert_allclose(view.coordinates, pca)
    gate.set()
    workers[0].join(10)
    assert seen == ["umap finished"]
    np.testing.assert_allclose(view.coordinates, pca)  # the stale result was dropped
    assert view.progress is None and view.error is None


def test_a_stale_result_is_dropped_even_without_progress(small):
    gate = threading.Event()
    real = small.project

    def project(method="pca", n_components=2, *, seed=0, progress=None, **options):
        if method == "tsne":
            gate.wait(10)
            return np.full((len(small), 2), 7.0, dtype=np.float32)
        return real(method, n_components, seed=seed, progress=progress, **options)

    small.project = project
    view = ew.ClusterView(small, projection="tsne", color_by="none", labels=False)
    view.projection = "pca"
    view.wait(10)
    gate.set()  # the t-SNE job ends now, after the PCA one, and must not overwrite it
    for thread in [t for t in threading.enumerate() if t.name.startswith("ew-cluster-project")]:
        thread.join(10)
    np.testing.assert_allclose(view.coordinates, real("pca", 2))


def test_overlays_do_not_wait_for_a_slow_layout(small):
    gate = threading.Event()
    real = small.project

    def project(method="pca", n_components=2, *, seed=0, progress=None, **options):
        gate.wait(30)
        return real("pca", n_components, seed=seed, progress=progress)

    small.project = project
    view = ew.ClusterView(small, projection="umap", labels=False, color_by="kind")
    scores = view.show_outliers(k=3)  # returns while the layout still runs
    assert len(scores) == N and view.map_coordinates is None and view.progress["kind"] == "project"
    gate.set()
    view.wait(10)
    assert view.map_coordinates.shape == (N, 2) and view.progress is None


def test_a_failing_job_shows_its_error_and_the_view_lives_on(small):
    def project(*args, **kwargs):
        raise RuntimeError("the layout broke")

    small.project = project
    view = ew.ClusterView(small, projection="umap", color_by="kind", labels=False)
    view.wait(10)
    assert "the layout broke" in view.error["message"] and view.progress is None and view.map_coordinates is None
    del small.project
    view.projection = "pca"
    view.wait(10)
    assert view.error is None and view.map_coordinates.shape == (N, 2)


def test_clustering_runs_in_the_background_and_reports_progress(small):
    reports = []
    view = ew.ClusterView(small, projection="pca", k=4)
    view.observe(lambda change: reports.append(change["new"]), "progress")
    view.k = 3
    view.wait(30)
    assert view.progress is None and len(view.cluster_names) == 3
    assert any(r and r["kind"] == "cluster" for r in reports)


# ---- requests from the view ---------------------------------------------------------------------


def test_requests_from_the_front_end(view, wire):
    front = wire(view)
    point = front.request("point", index=61)["data"]
    assert point["label"] == "river 61" and ["kind", "river"] in point["fields"]
    assert point["fields"][0][0] == "cluster"
    assert not front.request("point", index=N)["ok"]
    view.set_state({"color_by": "kind", "point_size": 5.5})  # settings arrive as trait updates
    assert view.color_by == "kind" and view.point_size == 5.5 and view.legend["title"] == "kind"
    assert "between 1" in refused(view, {"k": 0}) and view.k == 4
    gone = front.request("set", k=3)  # there is no "set" request any more
    assert not gone["ok"] and "unknown request kind" in gone["error"]["message"] and view.k == 4
    assert front.request("legend", index=1)["data"]["count"] == PER_BLOB
    assert view.highlighted.tolist() == list(range(PER_BLOB, 2 * PER_BLOB))
    assert front.request("complete", prefix="sto")["data"]["options"][0].startswith("stone")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    stored = front.request("png", data="data:image/png;base64," + base64.b64encode(png).decode())
    assert stored["ok"] and view.last_png == png
    assert not front.request("png", data="data:text/html;base64,PGI+")["ok"]


def test_the_view_gets_its_limits_from_python(view):
    options = view.get_state()["_options"]
    assert options["max_query_k"] == cluster_module.MAX_QUERY_K and options["max_k"] == 256
    assert options["svg_limit"] == cluster_module.SVG_MAX_POINTS and options["plain_color"] == cluster_module.PLAIN
    assert "between 1 and 10000" in refused(view, {"query_k": options["max_query_k"] + 1})


# ---- standalone HTML ----------------------------------------------------------------------------


def test_save_html_is_offline_and_escapes_hostile_text(small, tmp_path):
    labels = list(small.labels)
    labels[0] = HOSTILE
    metadata = small.metadata.copy()
    metadata["note"] = [HOSTILE] + ["fine"] * (N - 1)
    hostile = ew.EmbeddingSet(labels, blobs(), metadata=metadata)
    view = ew.ClusterView(hostile, projection="pca", k=4, background=False, title="<b>map</b>")
    path = view.save_html(tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert "default-src 'none'" in page  # the page may not fetch anything, whatever it holds
    assert "connect-src" not in page and "img-src" not in page  # and nothing loosens that
    assert page.count("<script") == 2 and page.count("</script>") == 2
    before, rest = page.split('<script type="application/json" id="ew-data">', 1)
    data, after = rest.split("</script>", 1)
    markup, script = after.split("<script>", 1)
    assert "<" not in data and ">" not in data  # the data cannot end its element or open a tag
    # The page's own markup names no host and loads nothing; the bundled view code (the widget's, see
    # js/src/standalone.ts) only mentions hosts in library messages, which the policy above keeps inert.
    assert not re.search(r"\b(src|href)\s*=", before + markup)
    assert "://" not in before + data + markup and "//cdn" not in page
    assert "<img" not in page and "<b>map</b>" not in page and "&lt;b&gt;map&lt;/b&gt;" in page
    assert "innerHTML" not in page and "textContent" in script
    assert (STATIC / "standalone.js").read_text(encoding="utf-8").strip() in script  # the bundled view, as is
    payload = json.loads(data)
    assert payload["labels"][0] == HOSTILE and payload["fields"][payload["columns"].index("note")][0] == HOSTILE
    xy = payload["xy"]
    assert payload["n"] == N and xy["dtype"] == "float32" and xy["shape"] == [N, 2]
    assert len(base64.b64decode(xy["buffer"])) == N * 8
    assert payload["values"]["shape"] == [N] and len(base64.b64decode(payload["values"]["buffer"])) == N
    assert {item["text"] for item in payload["clusters"]} == set(view.cluster_names.label)


def test_save_html_waits_for_the_layout(small, tmp_path):
    view = ew.ClusterView(small, projection="pca", color_by="weight")
    path = view.save_html(tmp_path / "later.html")
    assert path.exists() and view.map_coordinates is not None


def test_an_interrupt_stops_the_layout_and_rerun_starts_it_again(small, monkeypatch):
    gate, reached = threading.Event(), threading.Event()
    project = small.project

    def slow_project(method, n_components, **options):
        options["progress"](0.1, "UMAP: neighbours and layout")
        reached.set()
        assert gate.wait(10)
        options["progress"](0.9, "UMAP: nearly")  # a stopped layout stops here
        return project(method, n_components, **options)

    monkeypatch.setattr(small, "project", slow_project)
    view = ew.ClusterView(small, projection="pca", k=4, labels=False, color_by="none")
    assert reached.wait(10)
    view._jobs.stop()  # what Kernel -> Interrupt does (the SIGINT side: tests/widgets/test_jobs.py)
    assert view.progress is None and view.coordinates is None
    assert view.error["kind"] == "JobStopped"
    assert view.error["message"] == (
        "Stopped: the kernel was interrupted (UMAP: neighbours and layout). "
        "Run it again with rerun() on this widget, or change a setting."
    )
    gate.set()
    assert view.rerun() == ["project"]
    view.wait(timeout=30)
    assert view.error is None and view.coordinates is not None and view.rerun() == []


# ---- bad input ----------------------------------------------------------------------------------


def test_bad_arguments(small):
    with pytest.raises(TypeError, match="EmbeddingSet"):
        ew.ClusterView(np.eye(3))
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour_by'.*'color_by'"):
        ew.ClusterView(small, colour_by="kind", background=False)
    with pytest.raises(ValueError, match="shape"):
        ew.ClusterView(small, projection=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        ew.ClusterView(small, projection=np.full((N, 2), np.nan))
    with pytest.raises(ValueError, match="not available"):
        ew.ClusterView(small, projection="mds")
    with pytest.raises(ValueError, match="between 1"):
        ew.ClusterView(small, k=0)
    with pytest.raises(ValueError, match="neither a colour mode"):
        ew.ClusterView(small, color_by="nope")
    with pytest.raises(KeyError, match="no metadata column"):
        ew.ClusterView(small, text_column="body")
    view = ew.ClusterView(small, projection="pca", background=False)
    with pytest.raises(traitlets.TraitError):
        view.projection = "custom"  # only with coordinates of your own
    with pytest.raises(traitlets.TraitError):
        view.opacity = 0


# ---- the array contract -------------------------------------------------------------------------


def test_arrays_reach_the_view_as_self_describing_binary_values(small):
    view = ew.ClusterView(small, projection="pca", k=4, background=False)
    state = view.get_state()
    xy = state["_xy"]
    assert xy["dtype"] == "float32" and xy["shape"] == [N, 2] and isinstance(xy["buffer"], memoryview)
    assert np.frombuffer(xy["buffer"], dtype="<f4").reshape(N, 2).tolist() == view._xy.tolist()
    assert state["_values"]["dtype"] == "uint8" and state["_values"]["shape"] == [N]
    assert state["_highlight"] == {"dtype": "int32", "shape": [0], "buffer": state["_highlight"]["buffer"]}
    assert view._options["svg_limit"] > 0 and ["kmeans", "k-means"] in view._options["methods"]


def test_a_semantic_query_answered_by_an_index_says_it_is_approximate(small, monkeypatch):
    pytest.importorskip("faiss")
    from embedwidgets.engine import index as index_module

    built = small.build_index("hnsw", progress=False, recall_sample=100)
    monkeypatch.setattr(index_module, "AUTO_EXACT_ELEMENTS", 0)  # as if the set were big
    view = ew.ClusterView(small, projection="pca", k=4, background=False)
    view.query_k = 10
    view.query = "stone 130"
    assert view.highlighted.tolist()[0] == 130
    assert view._highlight_note.endswith(f", {built.label}") and built.label.startswith("approximate (recall@10 ")

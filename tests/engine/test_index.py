"""Indexes behind neighbors(): measured recall, exact answers where recall is 1, staleness, optional extras."""

import sys

import numpy as np
import pytest

from embedwidgets.engine import EmbeddingSet
from embedwidgets.engine import index as index_module
from embedwidgets.engine.index import MissingExtraError, StaleIndexError

pytest.importorskip("faiss")


def clustered(n: int, dim: int, clusters: int = 200, spread: float = 0.3, seed: int = 0) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, clusters, n)] + spread * rng.standard_normal((n, dim)).astype(np.float32)
    return EmbeddingSet([f"row{i}" for i in range(n)], vectors, name="clustered")


@pytest.fixture(scope="module")
def glove_50k(glove):
    return glove.head(50_000, name="glove-50k")


@pytest.fixture(scope="module")
def small():
    return clustered(3000, 16, clusters=20)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_recall_at_10_is_at_least_0_9_on_50k_glove_words(glove_50k, kind, capsys):
    es = EmbeddingSet(glove_50k.labels, glove_50k.vectors, name="glove-50k")  # its own cache, its own index
    built = es.build_index(kind, progress=False)
    assert f"recall@10 {built.recall:.3f}" in capsys.readouterr().out
    assert built.recall is not None and built.recall >= 0.9
    assert es.index is built and built.describe()["kind"] == kind
    # The measured figure is what index_recall reports again.
    assert es.index_recall(k=10, sample=1000) == pytest.approx(built.recall)


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_answers_equal_exact_where_recall_is_one(small, kind):
    built = small.build_index(kind, progress=False, recall_sample=200, **({"nprobe": 64} if kind == "ivfpq" else {}))
    queries = small.vectors[:50]
    exact_scores, exact_rows = small.search(queries, 10)
    scores, rows = built.search(queries, 10)
    # Where the index found every true neighbour (recall 1 for that query), the answer is the exact one:
    # same rows in the same order, and the same scores (the index rescores its candidates exactly).
    found_all = np.array([set(a) == set(b) for a, b in zip(rows.tolist(), exact_rows.tolist())])
    assert found_all.mean() >= 0.5
    assert (rows[found_all] == exact_rows[found_all]).all()
    np.testing.assert_allclose(scores[found_all], exact_scores[found_all], rtol=1e-5, atol=1e-6)
    frame = small.neighbors("row7", k=5, index=built)
    assert frame.attrs["index"] == kind and "row7" not in set(frame.label)
    assert frame.attrs["note"].startswith("approximate (recall@10 ")
    if built.recall == 1.0:
        assert frame.label.tolist() == small.neighbors("row7", k=5, index="exact").label.tolist()


def test_clustered_data_hnsw_matches_exact_neighbours():
    es = clustered(20_000, 64)
    built = es.build_index("hnsw", progress=False, recall_sample=300)
    assert built.recall >= 0.9
    frames = es.neighbors(["row1", "row2"], k=10, index=built)
    exact = es.neighbors(["row1", "row2"], k=10, index="exact")
    for got, want in zip(frames, exact):
        overlap = len(set(got.label) & set(want.label))
        assert (
            overlap >= 9
            and got.attrs["recall"] == built.recall
            and want.attrs == {"index": "exact", "recall": 1.0, "note": "exact", "exact": True}
            and got.attrs["exact"] is False
        )


def test_auto_stays_exact_on_small_sets_and_uses_the_index_above_the_threshold(small, monkeypatch):
    small.build_index("hnsw", progress=False, recall_sample=100)
    assert small.neighbors("row3", k=5).attrs["index"] == "exact"
    monkeypatch.setattr(index_module, "AUTO_EXACT_ELEMENTS", 0)
    assert small.neighbors("row3", k=5).attrs["index"] == "hnsw"
    # Other metrics and index="exact" always scan.
    assert small.neighbors("row3", k=5, metric="dot").attrs["index"] == "exact"
    assert small.neighbors("row3", k=5, index="exact").attrs["index"] == "exact"


def test_a_stale_index_raises_a_clear_error():
    es = clustered(2000, 16, clusters=10)
    built = es.build_index("hnsw", progress=False, recall_sample=50)
    es.vectors = es.vectors * 2  # new vectors drop the cached index
    assert es.index is None
    assert es.neighbors("row1", k=3).attrs["index"] == "exact"
    with pytest.raises(StaleIndexError, match=r"changed since .*build_index\('hnsw'"):
        es.neighbors("row1", k=3, index=built)
    fresh = es.build_index("hnsw", progress=False, recall_sample=50)
    es.invalidate()
    with pytest.raises(StaleIndexError):
        fresh.search(es.vectors[:1], 3)
    with pytest.raises(ValueError, match="another set"):
        clustered(2000, 16).neighbors("row1", k=3, index=fresh)


def test_bad_kind_metric_and_parameters_are_refused(small):
    with pytest.raises(ValueError, match="not an index kind"):
        small.build_index("annoy")
    with pytest.raises(TypeError, match="unknown parameters"):
        small.build_index("hnsw", efsearch=10)
    with pytest.raises(ValueError, match="pass path="):
        small.build_index("lance")
    built = small.build_index("hnsw", progress=False, recall_sample=0)
    assert built.recall is None and built.label == "approximate (recall not measured)"
    with pytest.raises(ValueError, match="cosine"):
        small.neighbors("row1", k=3, metric="euclidean", index=built)


@pytest.mark.parametrize(("kind", "module", "extra"), [("hnsw", "faiss", "index"), ("lance", "lancedb", "scale")])
def test_a_missing_extra_names_what_to_install(small, monkeypatch, tmp_path, kind, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # what `import module` sees when it is not installed
    with pytest.raises(MissingExtraError, match=rf"pip install embedwidgets\[{extra}\]"):
        small.build_index(kind, path=str(tmp_path), progress=False)


def test_lance_index_round_trips_on_disk(tmp_path):
    pytest.importorskip("lancedb")
    es = clustered(5000, 32, clusters=30)
    built = es.build_index("lance", path=str(tmp_path / "db"), progress=False, recall_sample=200)
    assert built.recall >= 0.9 and not built.params["reopened"]
    answer = es.neighbors("row11", k=5, index=built)
    assert answer.attrs["index"] == "lance"
    # The same vectors in a new set (as when a saved set is opened again) reopen the index on disk.
    again = EmbeddingSet(es.labels, es.vectors.copy())
    reopened = again.build_index("lance", path=str(tmp_path / "db"), progress=False, recall_sample=200)
    assert reopened.params["reopened"] and reopened.recall == pytest.approx(built.recall, abs=0.02)
    assert again.neighbors("row11", k=5, index=reopened).label.tolist() == answer.label.tolist()
    # Other vectors at the same path rebuild it instead of answering from the old one.
    other = clustered(5000, 32, clusters=30, seed=1)
    rebuilt = other.build_index("lance", path=str(tmp_path / "db"), progress=False, recall_sample=100)
    assert not rebuilt.params["reopened"]


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_a_faiss_index_with_a_path_is_written_and_read_back(tmp_path, kind):
    es = clustered(3000, 16, clusters=20)
    path = tmp_path / f"{kind}.faiss"
    built = es.build_index(kind, path=str(path), progress=False, recall_sample=100)
    assert path.exists() and not built.params["reopened"]
    again = EmbeddingSet(es.labels, es.vectors.copy())
    reopened = again.build_index(kind, path=str(path), progress=False, recall_sample=100)
    assert reopened.params["reopened"] and reopened.recall == pytest.approx(built.recall)
    assert (
        again.neighbors("row4", k=5, index=reopened).label.tolist()
        == es.neighbors("row4", k=5, index=built).label.tolist()
    )
    other = clustered(3000, 16, clusters=20, seed=2)
    assert not other.build_index(kind, path=str(path), progress=False, recall_sample=0).params["reopened"]


def test_the_note_never_rounds_recall_up_to_one(small):
    built = small.build_index("hnsw", progress=False, recall_sample=0)
    built.recall, built.recall_k = 0.997, 10
    assert built.label == "approximate (recall@10 0.99)"


def test_exact_index_is_the_scan(small):
    built = small.build_index("exact")
    assert built.exact and built.recall == 1.0 and built.label == "exact"
    scores, rows = built.search(small.vectors[:3], 4)
    want_scores, want_rows = small.search(small.vectors[:3], 4)
    assert (rows == want_rows).all() and np.array_equal(scores, want_scores)


def test_analogies_go_through_the_index_and_say_so(glove_50k, monkeypatch):
    from embedwidgets.widgets import AnalogyExplorer

    es = EmbeddingSet(glove_50k.labels, glove_50k.vectors, name="glove-50k")
    exact = es.analogy(["king", "woman"], ["man"], k=5)
    assert exact.attrs["note"] == "exact" and es.pick_index() is None
    built = es.build_index("hnsw", progress=False, recall_sample=300)
    # 50k × 50 is under the exact-scan threshold, so "auto" still scans; asked for, the index answers
    assert es.analogy(["king", "woman"], ["man"], k=5).attrs["index"] == "exact"
    found = es.analogy(["king", "woman"], ["man"], k=5, index=built)
    assert found.attrs["index"] == "hnsw" and found.attrs["note"] == built.label
    assert found.label[0] == "queen" and not {"king", "woman", "man"} & set(found.label)
    # the same scores as the exact scan for the words both return (an index rescores its candidates exactly)
    shared = exact.merge(found, on="label")
    assert len(shared) >= 4
    np.testing.assert_allclose(shared.score_x, shared.score_y, rtol=0, atol=1e-5)
    # 3CosMul has no index path: it stays exact
    assert es.analogy(["king", "woman"], ["man"], method="3cosmul", index=built).attrs["note"] == "exact"
    # a set big enough for "auto" to use its index: the widget shows how its answers were found
    monkeypatch.setattr(index_module, "AUTO_EXACT_ELEMENTS", 0)
    explorer = AnalogyExplorer(es, a="man", b="king", c="woman")
    assert explorer.results.label[0] == "queen"
    assert explorer._index_note == built.label and built.label.startswith("approximate (recall@10 ")
    explorer.method = "3cosmul"
    assert explorer._index_note == ""

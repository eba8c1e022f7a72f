import numpy as np
import pytest
import torch

from embedwidgets import EmbeddingSet
from embedwidgets.engine import cluster as cluster_module
from embedwidgets.engine import landmarks


def blob_set(n=3000, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    middles = rng.normal(size=(5, dim)) * 4
    vectors = (middles[rng.integers(5, size=n)] + rng.normal(size=(n, dim))).astype(np.float32)
    return EmbeddingSet([str(i) for i in range(n)], vectors)


def test_auto_rule_and_bad_counts():
    assert landmarks.landmark_count(landmarks.AUTO_THRESHOLD, None) == 0
    assert landmarks.landmark_count(landmarks.AUTO_THRESHOLD + 1, None) == landmarks.DEFAULT_LANDMARKS
    assert landmarks.landmark_count(10**6, 0) == 0 and landmarks.landmark_count(10**6, 1234) == 1234
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="landmarks"):
            landmarks.landmark_count(1000, bad)


def test_nearest_landmarks_in_chunks_match_a_full_scan(monkeypatch):
    unit = blob_set(500).unit
    marks = unit[::7]
    monkeypatch.setattr(landmarks, "SCORE_ELEMENTS", 3 * marks.shape[0])  # three rows a chunk
    scores, where = landmarks.nearest_landmarks(unit, marks, 4)
    full = (unit @ marks.T).topk(4, dim=1)
    assert torch.equal(where, full.indices) and torch.allclose(scores, full.values)


def test_landmarks_keep_their_fit_and_the_rest_sit_near_their_nearest_landmark():
    unit = blob_set(2000).unit
    fit = lambda data: data[:, :2] * 10  # noqa: E731  a stand-in for UMAP: cheap and deterministic
    xy = landmarks.landmark_umap(unit, 2, 300, fit, seed=3, neighbours=1)
    chosen = landmarks.pick_landmarks(len(unit), 300, 3)
    assert np.allclose(xy[chosen], fit(unit[chosen].numpy()))
    _, nearest = landmarks.nearest_landmarks(unit, unit[chosen], 1)
    assert np.allclose(xy, xy[chosen][nearest[:, 0].numpy()], atol=1e-4)


def test_project_umap_with_landmarks_is_cached_keyed_and_says_it_is_approximate():
    es = blob_set()
    calls = []
    xy = es.project("umap", landmarks=500, progress=lambda f, m: calls.append((f, m)))
    assert xy.shape == (3000, 2) and xy.dtype == np.float32 and np.isfinite(xy).all()
    assert calls[-1][0] == 1.0 and any("placing" in m for _, m in calls)
    assert es.project("umap", landmarks=500) is xy
    (key,) = es._derived["projection"]  # method, components, seed, then the landmark count among the settings
    assert key[:3] == ("umap", 2, 0) and ("landmarks", "500") in key[3]
    info = es.projection_info("umap", landmarks=500)
    assert info["approximate"] and info["landmarks"] == 500 and "approximate" in info["note"]
    assert not es.projection_info("umap")["approximate"]  # 3,000 rows: auto is a full UMAP
    assert not es.projection_info("pca")["approximate"]
    with pytest.raises(ValueError, match="umap"):
        es.project("pca", landmarks=100)


def test_landmark_layout_trustworthiness_is_within_002_of_a_full_umap(glove):
    # scikit-learn's trustworthiness builds an n × n distance matrix, so it is measured on 4,000 random rows.
    from sklearn.manifold import trustworthiness

    es = glove.head(15000)
    data = es.unit.float().numpy()
    rows = np.random.default_rng(1).choice(len(es), 4000, replace=False)
    full = trustworthiness(data[rows], es.project("umap", landmarks=0)[rows], n_neighbors=10)
    approximate = trustworthiness(data[rows], es.project("umap", landmarks=5000)[rows], n_neighbors=10)
    assert full - approximate <= 0.02, (full, approximate)


def test_kmeans_labels_do_not_depend_on_the_chunk_size(monkeypatch):
    data = blob_set(1500).unit
    whole = cluster_module.kmeans(data, 5, seed=0, n_init=2)
    monkeypatch.setattr(cluster_module, "DISTANCE_ELEMENTS", 5 * 64)  # 64 rows a chunk against 5 centres
    chunked = cluster_module.kmeans(data, 5, seed=0, n_init=2)
    assert np.array_equal(whole[0], chunked[0]) and abs(whole[2] - chunked[2]) < 1e-3 * whole[2]


def test_kmeans_runs_on_float16_rows_without_a_float32_copy():
    data = blob_set(1000).unit.half()
    labels, centres, inertia = cluster_module.kmeans(data, 5, seed=0)
    assert labels.shape == (1000,) and centres.dtype == torch.float32 and inertia > 0


def test_an_hnsw_placement_search_gives_nearly_the_exact_layout_and_says_so():
    pytest.importorskip("faiss")
    from sklearn.manifold import trustworthiness

    es = blob_set(4000, dim=24)
    exact = es.project("umap", landmarks=600, landmark_search="exact")
    graph = es.project("umap", landmarks=600, landmark_search="hnsw")
    assert graph is not exact and graph.shape == exact.shape and np.isfinite(graph).all()
    # the same landmarks keep the same fit; most placed points land where the exact search put them
    moved = np.linalg.norm(graph - exact, axis=1)
    assert np.median(moved) < 1e-3 * np.ptp(exact)
    vectors = es.unit.numpy()
    assert trustworthiness(vectors, graph, n_neighbors=10) >= trustworthiness(vectors, exact, n_neighbors=10) - 0.01
    assert "HNSW" in es.projection_info("umap", landmarks=600, landmark_search="hnsw")["note"]
    assert "HNSW" not in es.projection_info("umap", landmarks=600)["note"]  # this size is placed exactly
    assert landmarks.placement_search(10_000_000, 50_000, 384) == "hnsw"
    with pytest.raises(ValueError, match="landmark_search"):
        es.project("umap", landmarks=600, landmark_search="fast")

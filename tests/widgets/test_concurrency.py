"""Concurrency: two ClusterViews on one set run their layout and clustering jobs at once, while a
NeighborBrowser on the same set answers queries on the kernel's main thread. Every answer must be the one
a lone widget on a fresh set gives, and no widget may show an error.

The set is GloVe's first 10,000 words, not 20,000: one UMAP of 20,000 rows takes about 42 s on a 2-core CI
machine and the test needs two (the shared one and the reference), which would pass the 90 s a file may take.
"""

import numpy as np
import pandas as pd

import embedwidgets as ew

ROWS = 10_000
QUERIES = ["king", "water", "paris", "computer", "river", "music", "france", "happy", "green", "car"]


def test_two_cluster_views_and_a_neighbor_browser_at_once(glove, wire):
    shared = glove.head(ROWS)
    # Both start as a quick PCA map; then the user picks UMAP and a number of clusters in each, one after the
    # other, as two clicks in two outputs do. Both ask for the same UMAP (one cache entry: one builds, the
    # other waits for it) and for k-means with different k, so four jobs overlap.
    views = [ew.ClusterView(shared, projection="pca", k=4) for _ in range(2)]
    for view in views:
        view.wait(timeout=60)
    browser = ew.NeighborBrowser(shared, query="king", k=10)
    for view, k in zip(views, (6, 9)):
        wire(view).update(projection="umap", k=k)
    assert all(view._jobs.running() for view in views)  # still running while the browser works below
    typing = wire(browser)
    answers = {}
    for query in QUERIES:
        typing.update(query=query)
        assert browser.error is None, browser.error
        answers[query] = browser.results
    for view in views:
        view.wait(timeout=180)
        assert view.error is None, view.error
        assert view._jobs.failure("project") is None and view._jobs.failure("cluster") is None

    alone = glove.head(ROWS)  # a fresh set: nothing cached, nothing shared
    for view, k in zip(views, (6, 9)):
        reference = ew.ClusterView(alone, projection="umap", k=k, background=False)
        np.testing.assert_array_equal(view.coordinates, reference.coordinates)
        np.testing.assert_array_equal(view.clusters, reference.clusters)
        pd.testing.assert_frame_equal(view.cluster_names, reference.cluster_names)
    lone = ew.NeighborBrowser(alone, k=10)
    for query, shown in answers.items():
        lone.query = query
        pd.testing.assert_frame_equal(shown, lone.results)

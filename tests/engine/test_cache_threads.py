"""The cache of derived data under threads: widgets compute projections, clusters and neighbours in background
threads on one set, so the same entry asked for at once must be built once, and different entries must not wait
for each other."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

import embedwidgets.engine.cluster as cluster_module
import embedwidgets.engine.embeddings as embeddings_module
import embedwidgets.engine.project as project_module
from embedwidgets import EmbeddingSet

QUERIES = ["frog", "king", "paris", "computer"]
SLOW = 0.3  # seconds each counted build sleeps first, so the threads' builds surely overlap


@pytest.fixture(scope="module")
def reference(glove):
    """Single-threaded answers on their own copy of the 20,000 most frequent words."""
    words = glove.head(20_000)
    return {
        "pca": words.project("pca"),
        "kmeans": words.cluster("kmeans", k=8),
        "neighbors": words.neighbors(QUERIES, k=10),
    }


def count_builds(monkeypatch, delay: float = SLOW) -> dict[str, int]:
    """Count (and slow down) the builds behind the unit copy, the label index, PCA and k-means."""
    calls = {"unit": 0, "label index": 0, "pca": 0, "kmeans": 0}
    lock = threading.Lock()

    def counted(name, real):
        def wrapper(*args, **kwargs):
            with lock:
                calls[name] += 1
            time.sleep(delay)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(EmbeddingSet, "_build_unit", counted("unit", EmbeddingSet._build_unit))
    monkeypatch.setattr(embeddings_module, "LabelIndex", counted("label index", embeddings_module.LabelIndex))
    monkeypatch.setattr(project_module, "pca", counted("pca", project_module.pca))
    monkeypatch.setattr(cluster_module, "kmeans", counted("kmeans", cluster_module.kmeans))
    return calls


def run_together(jobs: list) -> tuple[list, list[BaseException]]:
    """Start every job at the same moment in its own thread; their results in order, and any errors."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def test_threads_share_each_build_and_get_the_single_threaded_answers(glove, reference, monkeypatch):
    words = glove.head(20_000)
    calls = count_builds(monkeypatch)
    jobs = (
        [lambda: words.project("pca")] * 3
        + [lambda: words.cluster("kmeans", k=8)] * 3
        + [lambda: words.neighbors(QUERIES, k=10)] * 3
    )
    results, errors = run_together(jobs)
    assert not errors, errors
    projections, clusters, neighbours = results[:3], results[3:6], results[6:]
    # Each shared entry was built once, and every thread got that one object.
    assert calls == {"unit": 1, "label index": 1, "pca": 1, "kmeans": 1}
    assert all(p is projections[0] for p in projections) and all(c is clusters[0] for c in clusters)
    np.testing.assert_allclose(projections[0], reference["pca"], atol=1e-5)
    np.testing.assert_array_equal(clusters[0], reference["kmeans"])
    for frames in neighbours:
        for frame, expected in zip(frames, reference["neighbors"]):
            assert frame.label.tolist() == expected.label.tolist()
            np.testing.assert_allclose(frame.score, expected.score, atol=1e-6)


def test_one_entry_building_does_not_block_another(glove, reference, monkeypatch):
    words = glove.head(20_000)
    _ = words.unit  # built up front: this test is about the projection and the clusters
    started, release = threading.Event(), threading.Event()
    real_pca = project_module.pca

    def stalled_pca(*args, **kwargs):
        started.set()
        assert release.wait(60), "never released"
        return real_pca(*args, **kwargs)

    monkeypatch.setattr(project_module, "pca", stalled_pca)
    first: list = []
    second: list = []
    projecting = threading.Thread(target=lambda: first.append(words.project("pca")))
    projecting.start()
    assert started.wait(30)
    waiting = threading.Thread(target=lambda: second.append(words.project("pca")))
    waiting.start()
    # k-means finishes while the projection is stuck; the second projection waits for the first one.
    np.testing.assert_array_equal(words.cluster("kmeans", k=8), reference["kmeans"])
    assert words.neighbors("frog", k=3).label.tolist() == reference["neighbors"][0].label[:3].tolist()
    assert not second
    release.set()
    projecting.join(60)
    waiting.join(60)
    assert first[0] is second[0]
    np.testing.assert_allclose(first[0], reference["pca"], atol=1e-5)


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_superseded_build_leaves_the_entry_to_the_threads_waiting_for_it(glove, reference, monkeypatch):
    words = glove.head(20_000)
    calls = count_builds(monkeypatch)

    class Superseded(Exception):  # what a widget job's progress callback raises once a newer job started
        pass

    def stale(fraction, message):
        raise Superseded()

    errors: list[BaseException] = []

    def stale_job():
        try:
            words.project("pca", progress=stale)
        except Superseded as error:
            errors.append(error)

    first = threading.Thread(target=stale_job)
    first.start()
    wait_for(lambda: calls["pca"] == 1)  # the stale job is building; the next two wait for it
    results, others = run_together([lambda: words.project("pca"), lambda: words.project("pca")])
    first.join(60)
    assert len(errors) == 1 and not others
    assert calls["pca"] == 2  # the failed build was not cached, and one waiting thread built it again
    assert results[0] is results[1]
    np.testing.assert_allclose(results[0], reference["pca"], atol=1e-5)


def test_invalidate_during_a_build_is_not_undone_by_it(glove, monkeypatch):
    words = glove.head(20_000)
    calls = count_builds(monkeypatch)
    done: list = []
    building = threading.Thread(target=lambda: done.append(words.project("pca")))
    building.start()
    wait_for(lambda: calls["unit"] == 1)  # inside the (slowed) build
    words.invalidate()
    building.join(60)
    assert done and np.isfinite(done[0]).all()
    words.project("pca")  # the overtaken result was not kept: this builds again
    assert calls["pca"] == 2


def test_memory_report_while_threads_add_entries(glove):
    """memory() walks the cache while other threads add to it; it must not fail with 'dict changed size'."""
    words = glove.head(20_000)
    stop = threading.Event()
    reports = []
    errors: list[BaseException] = []

    def report():
        while not stop.is_set():
            try:
                reports.append(words.memory())
            except BaseException as error:
                errors.append(error)
                return

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the walk and the additions interleave
    reporter = threading.Thread(target=report)
    reporter.start()
    try:
        deadline, i = time.monotonic() + 3, 0
        while len(reports) < 10 and not errors and time.monotonic() < deadline:
            words.cached("scratch", i, lambda: np.zeros(4))
            i += 1
    finally:
        stop.set()
        reporter.join(30)
        sys.setswitchinterval(previous)
    assert not errors, errors
    assert reports


def test_a_set_with_locks_still_copies():
    """The per-entry locks are not part of a set's state (``__getstate__``, the hook copy and pickle share):
    a deep copy works and builds anew. (No pickle round trip here: the project never unpickles.)"""
    import copy as copying

    words = EmbeddingSet(["cat", "dog", "car"], [[1, 0], [0.9, 0.1], [0, 1]])
    words.project("pca")
    copy = copying.deepcopy(words)
    assert copy.neighbors("cat", k=1).label.tolist() == ["dog"]
    np.testing.assert_allclose(copy.project("pca"), words.project("pca"))

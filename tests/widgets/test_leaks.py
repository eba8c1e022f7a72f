"""Kernel leaks: a notebook that makes and closes widgets all day must not keep them.

Each widget kind is made and closed 200 times over small real sets. After that, ipywidgets' registry of
live widgets is back at its baseline, the garbage collector finds no instance of the class, and the
process's resident memory grew by less than RSS_BOUND.

Two leaks were found this way and fixed: anywidget tied every instance to its class's ``_esm`` file for ever
(``front_end_traits`` in widgets/_requests.py), and a closed widget left its ``layout`` widget in the registry
(and the explorer its three tabs).
"""

import gc
import threading
import weakref

import psutil
import pytest
from ipywidgets.widgets import widget as ipywidget

import embedwidgets as ew
from embedwidgets.widgets._base import EmbedWidget
from embedwidgets.widgets.sidebar import SidebarNote

ROUNDS = 200
# Measured on a 2-core CI machine, 200 rounds after one warm-up: at most +8 MB (ClusterView), most kinds < 4 MB.
# Allocator noise is a few MB either way, so the bound is absolute, about 6x the worst measurement. Before the
# fix every widget stayed alive (registry +200 or +1,400 per kind), which the counts below catch whatever RSS does.
RSS_BOUND = 50 * 2**20

TEXTS = [
    "a cat sat on the mat",
    "a dog ran in the park",
    "stocks fell sharply today",
    "the team won the final",
    "rain is expected tomorrow",
    "a new phone was released",
    "the senate passed the bill",
    "bake the bread for an hour",
]


@pytest.fixture(scope="module")
def words(glove):
    return glove.head(2000)


@pytest.fixture(scope="module")
def docs(minilm):
    return ew.EmbeddingSet(TEXTS, minilm.encode(TEXTS), encoder=minilm)


def with_note(widget):
    """A NeighborBrowser pinned to the sidebar leaves a note widget in the cell; it is closed with the cell."""
    SidebarNote(widget).close()
    return widget


MAKERS = {
    "AnalogyExplorer": lambda words, docs: ew.AnalogyExplorer(words),
    "NeighborBrowser": lambda words, docs: with_note(ew.NeighborBrowser(words, query="king")),
    "SimilarityMatrix": lambda words, docs: ew.SimilarityMatrix(docs),
    "SearchCompare": lambda words, docs: ew.SearchCompare(docs, query="pets"),
    # Closed while its layout and clustering jobs may still run, as a user closing an output would; the loop
    # lets them finish before the next round, so that RSS measures what stays, not 200 threads' peak.
    "ClusterView": lambda words, docs: ew.ClusterView(words, k=4),
    "EmbeddingExplorer": lambda words, docs: ew.EmbeddingExplorer(words),
}


def finish_background_jobs():
    for thread in threading.enumerate():
        if thread.name.startswith("ew-"):
            thread.join(120)
            assert not thread.is_alive(), f"{thread.name} still runs after 120 s"


@pytest.mark.parametrize("kind", list(MAKERS))
def test_closed_widgets_are_freed(kind, words, docs):
    make = MAKERS[kind]
    make(words, docs).close()  # warm-up: caches on the set (a projection, clusters) are meant to stay
    finish_background_jobs()
    gc.collect()
    registry, rss = len(ipywidget._instances), psutil.Process().memory_info().rss
    made: list[weakref.ref[EmbedWidget]] = []  # only this test's widgets: others' may rightly still live
    for _ in range(ROUNDS):
        widget = make(words, docs)
        assert widget.error is None
        made.append(weakref.ref(widget))
        widget.close()
        finish_background_jobs()
    del widget
    finish_background_jobs()
    gc.collect()
    assert len(ipywidget._instances) == registry
    alive = [ref() for ref in made if ref() is not None]
    assert alive == [], f"{len(alive)} of {ROUNDS} closed {kind}s are still alive"
    grown = psutil.Process().memory_info().rss - rss
    print(f"{kind}: RSS {grown / 2**20:+.1f} MB over {ROUNDS} rounds")
    assert grown < RSS_BOUND, f"RSS grew by {grown / 2**20:.1f} MB over {ROUNDS} {kind}s"

import os
import sys
import tempfile
import threading
import traceback

import pytest

# Encodings cached by one test run must not leak into the next, or into the user's cache.
os.environ.setdefault("EMBEDWIDGETS_CACHE", tempfile.mkdtemp(prefix="ew-test-cache-"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def glove():
    import embedwidgets as ew

    return ew.glove()


@pytest.fixture(scope="session")
def minilm():
    import embedwidgets as ew

    return ew.minilm()


@pytest.fixture(scope="session")
def glove_kv(glove):
    """gensim KeyedVectors over the very same GloVe vectors: the reference implementation."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=glove.dim)
    kv.add_vectors(glove.labels, glove.vectors)
    return kv


@pytest.fixture(scope="session")
def article_docs(minilm):
    """The 64 bundled articles encoded by MiniLM: titles as labels, ``id`` and ``topic`` as metadata."""
    import embedwidgets as ew

    articles = ew.datasets.articles()
    vectors = minilm.encode(articles.text.tolist())
    return ew.EmbeddingSet(articles.title.tolist(), vectors, metadata=articles[["id", "topic"]], encoder=minilm)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report carries the stacks of the widgets' background threads still running, so a
    job that hangs in CI shows where it waits."""
    report = yield
    if report.failed:
        stacks = _background_stacks()
        if stacks:
            report.sections.append(("background threads still running", stacks))
    return report


def _background_stacks() -> str:
    frames = sys._current_frames()
    parts = []
    for thread in threading.enumerate():
        if thread.name.startswith("ew-") and thread.ident in frames:
            parts.append(f"--- {thread.name}\n" + "".join(traceback.format_stack(frames[thread.ident])))
    return "\n".join(parts)

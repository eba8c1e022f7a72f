import os
import tempfile

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

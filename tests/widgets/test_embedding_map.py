"""The Map tab's Python side: items become the engine's coordinates (a PCA of the items, or two word axes),
analogies become arrows whose answer is the engine's, and an unknown word leaves the map as it was."""

from __future__ import annotations

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets.engine.project import pca_2d

ROYALS = ["king", "queen", "man", "woman", "boy", "girl"]


@pytest.fixture(scope="module")
def words():
    return ew.glove(vocab=20000)


def xy(widget):
    return widget.points[["x", "y"]].to_numpy()


def test_items_are_placed_by_a_pca_of_their_vectors(words):
    m = ew.EmbeddingMap(words, items=ROYALS)
    assert m.points.label.tolist() == ROYALS and set(m.points.role) == {"item"}
    expected = pca_2d(words.unit[words.rows(ROYALS)].numpy())
    np.testing.assert_allclose(xy(m), expected, atol=1e-12)
    assert m._axis_names == ["PCA 1", "PCA 2"] and m.error is None


def test_word_axes_put_each_item_where_the_engine_axes_put_it(words):
    m = ew.EmbeddingMap(words, items=ROYALS, projection="axes", axes=["man", "woman", "young", "old"])
    expected = words.axes(x=("man", "woman"), y=("young", "old"))[words.rows(ROYALS)]
    np.testing.assert_allclose(xy(m), expected, atol=1e-6)
    points = m.points.set_index("label")
    assert points.x["woman"] > 0 > points.x["man"] and points.x["queen"] > points.x["king"]  # the gender axis
    assert m._axis_names == ["man → woman", "young → old"]
    m.axes = ["king", "queen", "man", "woman"]  # the man→woman × king→queen, set from Python
    np.testing.assert_allclose(xy(m), words.place(ROYALS, x=("king", "queen"), y=("man", "woman")), atol=1e-12)


def test_adding_and_removing_items_updates_the_map(words, wire):
    m = ew.EmbeddingMap(words, items=["king", "queen", "man"])
    w = wire(m)
    response = w.request("map_add", item="woman")
    assert response["ok"] and response["data"] == {"items": ["king", "queen", "man", "woman"], "added": True}
    assert m.points.label.tolist() == ["king", "queen", "man", "woman"]
    np.testing.assert_allclose(xy(m), words.place(["king", "queen", "man", "woman"]), atol=1e-12)
    w.request("map_remove", item="queen")
    assert m.items == ["king", "man", "woman"] and m.points.label.tolist() == ["king", "man", "woman"]
    np.testing.assert_allclose(xy(m), words.place(["king", "man", "woman"]), atol=1e-12)
    w.request("map_add", item="  king ")  # already there: nothing changes
    assert m.items == ["king", "man", "woman"]


def test_an_unknown_word_shows_an_inline_error_and_the_previous_map_stays(words, wire):
    m = ew.EmbeddingMap(words, items=["king", "queen"])
    before = m._points
    response = wire(m).request("map_add", item="quene")
    assert response["ok"] and response["data"]["added"] is False
    assert m.error["missing"] == ["quene"] and "queen" in m.error["suggestions"]["quene"]
    assert "'quene'" in m.error["message"]
    assert m.items == ["king", "queen"] and m._points == before
    m.axes = ["man", "wooman", "young", "old"]  # from Python too, and while the map shows a PCA: the trait goes back
    assert m.axes == ["man", "woman", "young", "old"] and m.error["missing"] == ["wooman"]
    assert m._points == before and isinstance(m.failure, ew.UnknownTokenError)
    m.add("prince")  # and it keeps working
    assert m.error is None and m.points.label.tolist() == ["king", "queen", "prince"]


def test_an_unknown_axis_word_from_the_view_is_refused_inline(words, wire):
    m = ew.EmbeddingMap(words, items=ROYALS)
    before = m._points
    wire(m).update(projection="axes", axes=["man", "wooman", "young", "old"])
    assert m.error["missing"] == ["wooman"]
    assert m.projection == "pca" and m.axes == ["man", "woman", "young", "old"] and m._points == before


def test_the_analogy_arrows_answer_is_the_engines(words):
    m = ew.EmbeddingMap(words, items=["king", "queen", "man", "woman"], analogy=["man", "king", "woman"])
    expected = words.analogy(["king", "woman"], ["man"], k=1).label[0]
    assert m.answer == expected == "queen"
    assert m.arrows[["source", "target", "kind"]].values.tolist() == [
        ["man", "king", "pair"],
        ["woman", "queen", "answer"],
    ]
    where = m.points.set_index("label")
    first = m.arrows.iloc[1]
    assert (first.x2, first.y2) == (where.x["queen"], where.y["queen"])
    m.analogy = ["france", "paris", "germany"]  # words not on the map join it, with their roles
    assert m.answer == words.analogy(["paris", "germany"], ["france"], k=1).label[0] == "berlin"
    assert m.points.role.tolist()[-4:] == ["a", "b", "c", "answer"]
    labels = m.points.label.tolist()
    np.testing.assert_allclose(xy(m), words.place(labels), atol=1e-12)  # one PCA of everything shown
    m.analogy = ["france", "pariss", "germany"]
    assert m.error["missing"] == ["pariss"] and m.answer == "berlin" and m.analogy == ["france", "paris", "germany"]
    m.analogy = []
    assert m.arrows.empty and m.answer == "" and m.points.label.tolist() == ["king", "queen", "man", "woman"]


def test_sentences_are_placed_by_the_sets_encoder():
    enc = ew.minilm()
    docs = ew.EmbeddingSet.from_texts(["a cat sat on the mat", "stocks fell sharply"], encoder=enc)
    m = ew.EmbeddingMap(docs, items=["a cat sat on the mat", "the dog slept", "markets crashed"])
    np.testing.assert_allclose(
        xy(m),
        ew.engine.project.pca_2d(_unit(enc.encode(["a cat sat on the mat", "the dog slept", "markets crashed"]))),
        atol=1e-5,
    )


def _unit(vectors):
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_explorer_drives_its_map_tab(words):
    ex = ew.EmbeddingExplorer(words)
    ex.map_items = ["king", "queen", "man", "woman"]
    ex.map_layout = "axes"
    ex.map_axes = ["man", "woman", "king", "queen"]
    expected = words.place(["king", "queen", "man", "woman"], x=("man", "woman"), y=("king", "queen"))
    np.testing.assert_allclose(ex.map_points[["x", "y"]].to_numpy(), expected, atol=1e-12)
    ex.map_analogy = ["man", "king", "woman"]
    assert ex.map.answer == "queen"


def test_too_many_items_or_a_blank_item_is_refused_inline(words):
    m = ew.EmbeddingMap(words, items=words.labels[:40])
    m.add("frog")
    assert "at most 40" in m.error["message"] and len(m.items) == 40
    m.add("   ")
    assert "type a word" in m.error["message"]


def test_an_empty_map_still_checks_its_axis_words(words):
    m = ew.EmbeddingMap(words)
    assert m.points.empty and m.error is None
    m.axes = ["man", "woman", "yuong", "old"]
    assert m.error["missing"] == ["yuong"] and m.axes == ["man", "woman", "young", "old"]


def test_a_set_without_the_default_axis_words_still_maps(words):
    small = ew.EmbeddingSet(["alpha", "beta", "gamma", "delta", "omega"], np.eye(5))
    m = ew.EmbeddingMap(small, items=["alpha", "beta", "gamma"])
    assert m.error is None and len(m.points) == 3 and m.axes == ["alpha", "beta", "gamma", "delta"]
    m.projection = "axes"
    np.testing.assert_allclose(
        xy(m), small.place(["alpha", "beta", "gamma"], x=("alpha", "beta"), y=("gamma", "delta"))
    )

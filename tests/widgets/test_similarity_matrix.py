import numpy as np
import pytest

from embedwidgets.widgets.similarity import SimilarityMatrix

TEXTS = [
    "heart attack symptoms",
    "cheap flights",
    "myocardial infarction signs",
    "affordable airfare",
    "the cat sat on the mat",
]


def test_cosine_matrix_ordered_so_similar_texts_sit_together(minilm):
    heat = SimilarityMatrix(TEXTS, encoder=minilm)
    order = heat._labels
    assert abs(order.index("heart attack symptoms") - order.index("myocardial infarction signs")) == 1
    assert abs(order.index("cheap flights") - order.index("affordable airfare")) == 1
    values = heat._values
    assert values.dtype == np.float32 and values.shape == (5, 5)
    np.testing.assert_allclose(np.diag(values), 1.0, atol=1e-6)
    np.testing.assert_allclose(values, heat.matrix.to_numpy(), atol=1e-6)
    assert heat.matrix.loc["heart attack symptoms", "myocardial infarction signs"] > 0.5


def test_input_order_and_word_sets(glove):
    words = SimilarityMatrix(glove, labels=["king", "apple", "queen", "banana"], order="input")
    assert words._labels == ["king", "apple", "queen", "banana"]
    assert words.matrix.loc["king", "queen"] == pytest.approx(
        float(glove.neighbors("king", k=400).set_index("label").score["queen"]), abs=1e-5
    )
    words.order = "cluster"
    assert abs(words._labels.index("king") - words._labels.index("queen")) == 1


def test_bad_input(glove, minilm):
    with pytest.raises(ValueError, match="between 2 and"):
        SimilarityMatrix(["only one"], encoder=minilm)
    with pytest.raises(TypeError, match="not one string"):
        SimilarityMatrix("a text", encoder=minilm)
    with pytest.raises(ValueError, match="repeat"):
        SimilarityMatrix(["a", "a"], encoder=minilm)
    with pytest.raises(ValueError, match="between 2 and"):
        SimilarityMatrix(glove)  # 400,000 rows: pick a subset

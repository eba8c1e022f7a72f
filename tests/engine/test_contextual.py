import numpy as np
import pytest

from embedwidgets import EmbedWidgetsError
from embedwidgets.engine.contextual import token_vectors, word_vectors

RIVER = ["We sat on the river bank and watched the boats.", "Fishermen lined the grassy bank of the lake."]
MONEY = ["I opened a bank account to save for a car.", "The bank approved my loan after a week."]


def unit(x):
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_token_vectors_line_up_with_the_tokenizer_and_mean_pool_to_encode(minilm):
    found = token_vectors(minilm, RIVER + MONEY)
    assert found[0].tokens[:3] == ["[CLS]", "we", "sat"] and found[0].tokens[-1] == "[SEP]"
    assert found[0].words[0] is None and found[0].words[1] == 0
    assert all(t.vectors.shape == (len(t.tokens), 384) and t.vectors.dtype == np.float32 for t in found)
    pooled = unit(np.stack([t.vectors.mean(axis=0) for t in found]))
    np.testing.assert_allclose(pooled, minilm.encode(RIVER + MONEY), atol=1e-5)
    assert token_vectors(minilm.model, []) == []


def test_the_same_word_gets_a_vector_per_sense(minilm):
    vectors = unit(word_vectors(minilm, RIVER + MONEY, "bank"))
    assert vectors.shape == (4, 384)
    cos = vectors @ vectors.T
    assert cos[0, 1] > cos[0, 2] and cos[2, 3] > cos[1, 3]
    assert word_vectors(minilm, ["The BANK approved it."], "Bank").shape == (1, 384)  # uncased model


def test_a_word_split_into_pieces_is_matched_whole(minilm):
    text = "Myocardial infarction is a heart attack."
    pieces = minilm.model.tokenizer.tokenize("myocardial")
    assert len(pieces) > 1
    tv = token_vectors(minilm, [text])[0]
    start = tv.tokens.index(pieces[0])
    expected = tv.vectors[start : start + len(pieces)].mean(axis=0)
    np.testing.assert_allclose(word_vectors(minilm, [text], "myocardial")[0], expected, atol=1e-6)


def test_missing_words_and_bad_inputs_are_named(minilm):
    with pytest.raises(EmbedWidgetsError, match="not a whole word in 1 text"):
        word_vectors(minilm, ["the banks were shut", RIVER[0]], "bank")  # "banks" is not "bank"
    with pytest.raises(ValueError, match="non-empty"):
        word_vectors(minilm, RIVER, " ")
    with pytest.raises(TypeError, match="not one string"):
        token_vectors(minilm, "bank")
    with pytest.raises(TypeError, match="fast"):
        token_vectors(object(), ["x"])

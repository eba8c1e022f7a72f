import numpy as np
import pandas as pd
import pytest
import torch

import embedwidgets as ew
from embedwidgets import DuplicateLabelError, EmbeddingSet, UnknownTokenError


def small():
    return EmbeddingSet(
        ["cat", "dog", "car", "bus"],
        [[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.2]],
        metadata={"kind": ["animal", "animal", "vehicle", "vehicle"]},
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda v: v.tolist(),
        lambda v: v,
        lambda v: torch.from_numpy(v),
        lambda v: v.astype(np.float64),
    ],
)
def test_constructor_accepts_lists_numpy_and_torch(make):
    vectors = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    es = EmbeddingSet(list("abcde"), make(vectors))
    assert len(es) == 5 and es.dim == 4
    np.testing.assert_allclose(es["c"], vectors[2], rtol=1e-6)
    assert es.vectors.dtype == np.float32


def test_container_protocol_and_metadata():
    es = small()
    assert "cat" in es and "cow" not in es
    assert es.labels == ["cat", "dog", "car", "bus"]
    assert es.metadata["kind"].tolist() == ["animal", "animal", "vehicle", "vehicle"]
    with pytest.raises(UnknownTokenError):
        es["cow"]


def test_non_string_labels_become_strings():
    es = EmbeddingSet([1, 2.5, None], np.eye(3))
    assert es.labels == ["1", "2.5", "None"]
    assert 1 in es and "1" in es
    np.testing.assert_array_equal(es[2.5], [0, 1, 0])


def test_duplicate_labels_are_named_and_can_be_resolved():
    with pytest.raises(DuplicateLabelError, match="'a'.*duplicates='first'"):
        EmbeddingSet(["a", "b", "a"], np.eye(3))
    first = EmbeddingSet(["a", "b", "a"], np.eye(3), metadata={"n": [1, 2, 3]}, duplicates="first")
    assert first.labels == ["a", "b"] and first.metadata["n"].tolist() == [1, 2]
    numbered = EmbeddingSet(["a", "b", "a", "a"], np.eye(4), duplicates="number")
    assert numbered.labels == ["a", "b", "a (2)", "a (3)"]


def test_nan_and_inf_rows_are_reported_by_row():
    vectors = np.ones((6, 3))
    vectors[2, 1] = np.nan
    vectors[5, 0] = np.inf
    with pytest.raises(ValueError, match=r"rows 2, 5"):
        EmbeddingSet(list("abcdef"), vectors)


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match="3 labels but 2 vectors"):
        EmbeddingSet(["a", "b", "c"], np.eye(2))
    with pytest.raises(ValueError, match="2-D"):
        EmbeddingSet(["a"], np.ones(3))
    with pytest.raises(ValueError, match="metadata has 1 rows"):
        EmbeddingSet(["a", "b"], np.eye(2), metadata={"x": [1]})
    with pytest.raises(TypeError, match="not one string"):
        EmbeddingSet("ab", np.eye(2))


def test_from_dataframe_with_one_vector_column_or_many():
    df = pd.DataFrame({"word": ["x", "y"], "vec": [np.array([1.0, 0.0]), np.array([0.0, 1.0])], "pos": ["n", "v"]})
    es = EmbeddingSet.from_dataframe(df, label_column="word", vector_column="vec")
    assert es.labels == ["x", "y"] and es.metadata.columns.tolist() == ["pos"]
    wide = pd.DataFrame({"word": ["x", "y"], "d0": [1.0, 0.0], "d1": [0.0, 1.0]})
    es = EmbeddingSet.from_dataframe(wide, label_column="word", vector_columns=["d0", "d1"])
    np.testing.assert_array_equal(es["y"], [0, 1])
    with pytest.raises(ValueError, match="exactly one"):
        EmbeddingSet.from_dataframe(wide, label_column="word")
    with pytest.raises(KeyError, match="nope"):
        EmbeddingSet.from_dataframe(wide, label_column="nope", vector_columns=["d0"])


def test_from_keyed_vectors(glove_kv):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["red", "green", "blue"], np.eye(3, dtype=np.float32))
    es = EmbeddingSet.from_keyed_vectors(kv)
    assert es.labels == ["red", "green", "blue"]
    np.testing.assert_array_equal(es["green"], [0, 1, 0])


def test_zero_vectors_never_give_nan_scores():
    es = EmbeddingSet(["zero", "a", "b"], [[0, 0], [1, 0], [0, 1]])
    for metric in ("cosine", "dot", "euclidean"):
        result = es.neighbors("a", k=2, metric=metric)
        assert result.score.notna().all()
    assert es.neighbors("zero", k=2).score.tolist() == [0.0, 0.0]
    assert np.isfinite(es.neighbors(np.zeros(2), k=3).score).all()


def test_device_and_dtype_choices():
    es = small()
    assert es.device.type in {"cpu", "cuda", "mps"}
    cpu = EmbeddingSet(["a"], [[1.0, 2.0]], device="cpu")
    assert cpu.unit.device.type == "cpu"
    torch.testing.assert_close(cpu.unit.norm(dim=1), torch.ones(1))
    assert EmbeddingSet(["a"], [[1.0]], device="cpu", dtype="float16").unit.dtype == torch.float16
    with pytest.raises(ValueError, match="storage='int8' is not supported"):
        EmbeddingSet(["a"], [[1.0]], device="cpu", storage="int8")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            EmbeddingSet(["a"], [[1.0]], device="cuda")


def test_glove_is_the_bundled_400k_words_loaded_once(glove):
    assert len(glove) == 400_000 and glove.dim == 50
    assert glove.labels[:5] == ["the", ",", ".", "of", "to"]
    assert ew.glove() is glove
    small_vocab = ew.glove(vocab=50_000)
    assert len(small_vocab) == 50_000 and small_vocab.labels[:3] == ["the", ",", "."]
    np.testing.assert_array_equal(small_vocab["king"], glove["king"])
    with pytest.raises(ValueError, match="vocab"):
        ew.glove(vocab=0)


def test_prefix_completion_prefers_frequent_words(glove):
    done = glove.complete("quee", limit=5)
    assert done[0] == "queen" and all(w.startswith("quee") for w in done)
    assert glove.complete("zzzzzzzz") == []


def test_unknown_tokens_name_each_one_with_close_spellings(glove):
    with pytest.raises(UnknownTokenError) as caught:
        glove.analogy(positive=["kign", "woman"], negative=["wooman"])
    error = caught.value
    assert isinstance(error, KeyError)
    assert error.missing == ["kign", "wooman"]
    assert "king" in error.suggestions["kign"] or "kin" in error.suggestions["kign"]
    assert "woman" in error.suggestions["wooman"]
    assert len(error.suggestions["kign"]) <= 3
    assert "'kign'" in str(error) and "'wooman'" in str(error)


def test_case_is_offered_as_a_suggestion(glove):
    with pytest.raises(UnknownTokenError) as caught:
        glove.neighbors("Paris")
    assert caught.value.suggestions["Paris"][0] == "paris"


def test_rows_and_result_frame_are_the_public_core():
    es = small()
    assert es.rows(["bus", "cat"]) == [3, 0]
    with pytest.raises(UnknownTokenError) as caught:
        es.rows(["cat", "cow", "cow"])
    assert caught.value.missing == ["cow"]
    with pytest.raises(TypeError, match="list of labels"):
        es.rows("cat")
    frame = es.result_frame(np.array([0.5, 0.25, 0.0]), np.array([2, 0, -1]))
    assert frame.to_dict("list") == {"rank": [1, 2], "label": ["car", "cat"], "score": [0.5, 0.25]}


def test_assigning_vectors_empties_the_cache_of_derived_data():
    es = small()
    before = es.neighbors("cat", k=1).label.tolist()
    unit, xy, clusters = es.unit, es.project("pca"), es.cluster("kmeans", k=2)
    assert es.project("pca") is xy and es.cluster("kmeans", k=2) is clusters  # cached
    es.vectors = [[0, 1, 0], [1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]]
    assert es.unit is not unit and es.project("pca") is not xy and es.cluster("kmeans", k=2) is not clusters
    np.testing.assert_allclose(es.unit[0].numpy(), [0, 1, 0])
    assert before == ["dog"] and es.neighbors("cat", k=1).label.tolist() == ["car"]
    with pytest.raises(ValueError, match="one row per label"):
        es.vectors = np.eye(3)
    with pytest.raises(ValueError, match="NaN"):
        es.vectors = [[np.nan, 0, 0]] * 4


def test_invalidate_after_an_in_place_change():
    es = small()
    assert es.neighbors("cat", k=1).label[0] == "dog"
    es.vectors[2] = [1, 0.05, 0]  # in place: the cached unit vectors still hold the old row
    assert es.neighbors("cat", k=1).label[0] == "dog"
    es.invalidate()
    assert es.neighbors("cat", k=1).label[0] == "car"


def test_the_cache_keeps_one_entry_per_key_and_bounds_a_kind():
    es, built = small(), []

    def build(value):
        built.append(value)
        return value

    assert es.cached("demo", 1, lambda: build("one")) == es.cached("demo", 1, lambda: build("again")) == "one"
    assert es.cached("big", "a", lambda: build("a"), keep=1) == "a"
    assert es.cached("big", "b", lambda: build("b"), keep=1) == "b"
    assert es.cached("big", "a", lambda: build("a2"), keep=1) == "a2"  # "a" was dropped for "b"
    assert built == ["one", "a", "b", "a2"]

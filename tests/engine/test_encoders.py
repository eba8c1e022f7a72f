import time

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets import EmbeddingSet, SentenceEncoder, WordAverage
from embedwidgets.engine.encoders import EncodingCache


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_minilm_encodes_offline_to_384_dimensions(minilm):
    vectors = minilm.encode(["heart attack symptoms", "myocardial infarction signs", "cheap flights"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3
    assert minilm is ew.minilm()


def test_minilm_matches_plain_sentence_transformers(minilm):
    texts = ["a feline rested on the carpet", "the cat sat on the mat"]
    plain = minilm.model.encode(texts, convert_to_numpy=True)
    np.testing.assert_allclose(minilm.encode(texts), plain, atol=1e-5)


def test_cache_returns_the_same_vectors_much_faster(tmp_path):
    texts = [f"sentence number {i} about topic {i % 7}" for i in range(300)]
    encoder = SentenceEncoder(ew.models.minilm_path(), cache_dir=tmp_path)
    started = time.perf_counter()
    first = encoder.encode(texts, progress=False)
    cold = time.perf_counter() - started
    assert list((tmp_path / "encodings").rglob("*.npz"))
    again = SentenceEncoder(encoder.model, cache_dir=tmp_path)  # a new process would see the same files
    started = time.perf_counter()
    second = again.encode(texts)
    warm = time.perf_counter() - started
    np.testing.assert_array_equal(first, second)
    assert warm < cold / 10


def test_a_corrupted_cache_file_is_recomputed_not_fatal(tmp_path, minilm):
    encoder = SentenceEncoder(minilm.model, cache_dir=tmp_path)
    expected = encoder.encode(["a corrupted cache must not hurt"])
    for shard in (tmp_path / "encodings").rglob("*.npz"):
        shard.write_bytes(b"not a numpy file at all")
    fresh = SentenceEncoder(minilm.model, cache_dir=tmp_path)
    np.testing.assert_allclose(fresh.encode(["a corrupted cache must not hurt"]), expected, atol=1e-6)


def test_cache_reads_without_pickle(tmp_path):
    cache = EncodingCache(tmp_path, dim=2)
    keys = [EncodingCache.key("x"), EncodingCache.key("y")]
    cache.put(keys, np.array([[1, 2], [3, 4]], dtype=np.float32))
    evil = tmp_path / "evil.npz"
    np.savez(evil, keys=np.array([object()], dtype=object), vectors=np.zeros((1, 2), np.float32))
    reread = EncodingCache(tmp_path, dim=2)
    assert reread.get(keys)[1].tolist() == [3, 4]
    assert not evil.exists()  # it could only be read with pickle, so it was dropped


def test_progress_bar_on_long_inputs(minilm, capsys):
    texts = [f"progress check sentence {i}" for i in range(300)]
    minilm.encode(texts, batch_size=128)
    assert "Batches" in capsys.readouterr().err


def test_very_long_text_is_truncated_not_a_crash(minilm):
    long_text = "embedding " * 20000
    vector = minilm.encode([long_text])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()
    assert minilm.max_tokens == 256


def test_any_sentence_transformers_model_works(minilm):
    wrapped = SentenceEncoder(minilm.model, name="mine", cache=False)
    docs = EmbeddingSet.from_texts(["stocks fell sharply", "the team won the cup", "shares dropped"], encoder=wrapped)
    assert docs.neighbors("markets crashed", k=2).label.tolist()[0] in {"stocks fell sharply", "shares dropped"}


def test_text_sets_answer_text_queries(minilm):
    texts = [
        "heart attack symptoms",
        "how to book cheap flights",
        "chest pain and sweating",
        "best pasta recipes",
        "affordable airfare deals",
    ]
    docs = EmbeddingSet.from_texts(
        texts, encoder=minilm, metadata={"topic": ["med", "travel", "med", "food", "travel"]}
    )
    assert docs.metadata.topic.tolist()[0] == "med"
    assert docs.neighbors("budget airline tickets", k=2).label.tolist() == [
        "affordable airfare deals",
        "how to book cheap flights",
    ]
    own = docs.neighbors("heart attack symptoms", k=4)
    assert "heart attack symptoms" not in own.label.tolist()


def test_encoder_input_errors(minilm):
    with pytest.raises(TypeError, match="not one string"):
        minilm.encode("just one")
    with pytest.raises(TypeError, match="must be strings"):
        minilm.encode(["ok", 3])
    assert minilm.encode([]).shape == (0, 384)


def test_word_average_loses_word_order(glove):
    average = WordAverage(glove)
    a, b = average.encode(["the dog bit the man", "the man bit the dog"])
    assert cosine(a, b) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(
        a, glove.vectors[[glove.row(w) for w in ["the", "dog", "bit", "the", "man"]]].mean(0), rtol=1e-6
    )


def test_word_average_skips_unknown_tokens_and_handles_empty_text(glove):
    average = WordAverage(glove)
    assert average.known_tokens("the qqqzzzx dog's") == ["the", "dog", "'s"]
    assert not average.encode(["qqqzzzx"]).any()
    sentences = EmbeddingSet.from_texts(["the cat sat on the mat", "stocks fell on wall street"], encoder=average)
    assert sentences.neighbors("a kitten on a rug", k=1).label[0] == "the cat sat on the mat"

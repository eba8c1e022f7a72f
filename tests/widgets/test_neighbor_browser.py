import numpy as np
import pytest

import embedwidgets as ew


@pytest.fixture
def browser(glove):
    return ew.NeighborBrowser(glove)


def test_opens_on_frog(browser):
    assert browser.query == "frog" and browser.history == ["frog"]
    assert {"toad", "snake"} <= set(browser.results.label)
    assert len(browser.results) == 15
    assert all(0 <= r["bar"] <= 1 for r in browser._rows)


def test_walking_records_a_trail_with_back_and_goto(browser, wire):
    front = wire(browser)
    front.update(query="toad")
    browser.query = "lizard"
    assert browser.history == ["frog", "toad", "lizard"]
    assert front.request("back")["data"]["query"] == "toad"
    assert browser.history == ["frog", "toad"]
    front.update(query="snake")
    assert front.request("goto", index=0)["data"]["query"] == "frog"
    assert browser.history == ["frog"] and browser.results.label[0] == "snake"
    assert not front.request("goto", index=7)["ok"]


def test_metric_toggle_changes_scores_and_bars(browser, wire):
    front = wire(browser)
    front.update(metric="euclidean")
    scores = browser.results.score.tolist()
    assert scores == sorted(scores) and browser._rows[0]["bar"] >= browser._rows[-1]["bar"]
    front.update(metric="dot")
    assert browser.metric == "dot" and browser.results.score.is_monotonic_decreasing


def test_unknown_query_and_recovery(browser, wire):
    front = wire(browser)
    front.update(query="frgo")
    assert "frog" in browser.error["suggestions"]["frgo"]
    assert browser.results.empty and browser.error["missing"] == ["frgo"]
    front.update(query="frog")
    assert browser.error is None and browser.results.label[0] == "snake"
    front.update(query="   ")
    assert browser.results.empty and "type a word" in browser.error["message"]
    assert front.update(metric="manhattan") == {"metric": "cosine"} and "metric" in browser.error["message"]


def test_compare_mode_marks_shared_neighbours(glove):
    other = ew.glove(vocab=20000)
    both = ew.NeighborBrowser(glove, query="king", compare=other, k=10)
    assert both._names == ["glove-6B-50d", "glove-6B-50d[:20,000]"]
    shared = {r["label"] for r in both._rows if r["shared"]}
    assert shared == set(both.results.label) & set(both.compare_results.label)
    assert both.overlap == pytest.approx(len(shared) / 10)
    rare = glove.labels[300_000]  # in the big set only
    both.query = rare
    assert both.results.size and both.compare_results.empty
    assert both._compare_error["missing"] == [rare]


def test_text_queries_on_a_sentence_set(minilm):
    texts = [
        "a heart attack needs urgent care",
        "cheap flights to rome",
        "the cat sat on the mat",
        "myocardial infarction symptoms",
        "budget airline tickets",
    ]
    docs = ew.EmbeddingSet.from_texts(texts, encoder=minilm)
    averaged = ew.EmbeddingSet.from_texts(texts, encoder=ew.WordAverage(ew.glove()))
    browser = ew.NeighborBrowser(docs, query="chest pain and sweating", k=2, compare=averaged)
    assert browser.accepts_text
    assert set(browser.results.label) == {"a heart attack needs urgent care", "myocardial infarction symptoms"}
    assert len(browser.compare_results) == 2 and browser.overlap is not None


def test_bad_arguments(glove):
    with pytest.raises(TypeError, match="EmbeddingSet"):
        ew.NeighborBrowser(np.eye(3))
    with pytest.raises(TypeError, match="unexpected keyword argument 'metrc'.*'metric'"):
        ew.NeighborBrowser(glove, metrc="dot")


def test_an_index_answer_is_marked_approximate_with_its_recall(monkeypatch):
    pytest.importorskip("faiss")
    from embedwidgets.engine import index as index_module

    rng = np.random.default_rng(0)
    words = ew.EmbeddingSet([f"w{i}" for i in range(2000)], rng.standard_normal((2000, 16)))
    exact = ew.NeighborBrowser(words, query="w1", k=5)
    assert exact._index_notes == [""]
    built = words.build_index("hnsw", progress=False, recall_sample=200)
    monkeypatch.setattr(index_module, "AUTO_EXACT_ELEMENTS", 0)  # as if the set were big
    browser = ew.NeighborBrowser(words, query="w1", k=5)
    assert browser._index_notes == [built.label]
    assert browser.results.attrs["index"] == "hnsw"

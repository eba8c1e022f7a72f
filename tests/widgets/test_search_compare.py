import json
import math

import numpy as np
import pandas as pd
import pytest

import embedwidgets as ew
from embedwidgets import datasets
from embedwidgets.engine.keyword_search import BM25, STOP_WORDS, split_marked, token_spans, tokenize
from embedwidgets.widgets.search_compare import SNIPPET_CHARS, SearchCompare, _pieces

HEART = {
    "heart-attack-warning-signs",
    "myocardial-infarction-quiet-signs",
    "heart-attack-first-aid",
    "angina-or-heart-attack",
    "recovery-after-heart-attack",
}
AIRFARE = {"affordable-airfare-timing", "budget-airline-fees", "fare-alerts", "air-miles"}
PHYSICIAN = {"choosing-family-physician", "preparing-for-gp-appointment", "second-opinion", "physician-shortage-rural"}


class WordHash:
    """A tiny stand-in encoder: each lower-case word adds a fixed random vector. Fast and deterministic."""

    name, dim = "word-hash", 32

    def encode(self, texts, *, batch_size=64, progress=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in tokenize(text, stop_words=()):
                seed = sum(ord(c) * 31**j for j, c in enumerate(word)) % (2**32)
                out[i] += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            if not out[i].any():
                out[i, 0] = 1.0
        return out


@pytest.fixture(scope="module")
def articles():
    return datasets.articles()


@pytest.fixture(scope="module")
def lesson(articles, minilm):
    return SearchCompare(articles, encoder=minilm)


ARTICLE_IDS = datasets.articles().id.tolist()


def ids(frame):
    """The article ids of a results frame's rows."""
    return [ARTICLE_IDS[row] for row in frame.row]


# ---- the lesson, with the real model --------------------------------------------------------------------


def test_keyword_search_misses_heart_attack_articles_that_semantic_search_finds(lesson):
    assert lesson.query == "chest tightness, left arm pain, sweating"
    assert lesson._terms == ["chest", "tightness", "left", "arm", "pain", "sweating"]
    assert lesson.keyword_results.empty and lesson._keyword_total == 0
    top3 = ids(lesson.semantic_results.head(3))
    assert set(top3) <= HEART, top3
    assert all(row["matched"] == [] and row["keyword_rank"] is None for row in lesson._semantic_rows[:3])
    assert lesson.error is None


def test_cheap_flights_finds_affordable_airfare_only_by_meaning(lesson, wire):
    wire(lesson).update(query="cheap flights")
    assert lesson.error is None
    assert lesson.keyword_results.empty
    assert set(ids(lesson.semantic_results.head(3))) <= AIRFARE


def test_synonyms_doctor_physician_and_car_automobile(lesson):
    lesson.query = "how to find a good doctor"
    keyword, semantic = ids(lesson.keyword_results), ids(lesson.semantic_results.head(3))
    assert keyword[0] == "seeing-a-doctor-by-video"  # the only article that says "doctor"
    assert PHYSICIAN & set(semantic)  # found by meaning although they never say "doctor"
    assert not PHYSICIAN & set(keyword[:1])
    lesson.query = "car maintenance tips"
    assert ids(lesson.keyword_results)[0] == "car-insurance"  # shares the word "car"
    assert ids(lesson.semantic_results)[0] == "automobile-maintenance"
    lesson.query = "chest tightness, left arm pain, sweating"


def test_results_frames_and_payload(lesson):
    lesson.query = "heart attack"
    frame = lesson.keyword_results
    assert list(frame.columns) == ["rank", "row", "title", "text", "score", "matched"]
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1)) and frame.score.is_monotonic_decreasing
    assert frame.matched[0] == ["heart", "attack"]
    assert lesson._keyword_rows[0]["bar"] == 1.0 and all(0 < r["bar"] <= 1 for r in lesson._keyword_rows)
    semantic = lesson.semantic_results
    assert semantic.score.is_monotonic_decreasing and semantic.score.between(-1, 1).all()
    json.dumps([lesson._keyword_rows, lesson._semantic_rows, lesson._info])  # the payload is plain JSON
    lesson.query = "chest tightness, left arm pain, sweating"


# ---- BM25 -------------------------------------------------------------------------------------------------


def test_bm25_equals_a_hand_computed_example():
    texts = ["The cat sat.", "The cat sat on the cat mat.", "A dog!"]
    index = BM25(texts)  # k1 = 1.5, b = 0.75; "the", "on", "a" are stop words
    # Tokens: [cat, sat] (2), [cat, sat, cat, mat] (4), [dog] (1): average length 7/3.
    idf_cat = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))  # cat is in 2 of 3 texts
    idf_mat = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))  # mat is in 1 of 3

    def term(idf, f, length):
        return idf * f * 2.5 / (f + 1.5 * (0.25 + 0.75 * length / (7 / 3)))

    assert index.scores("cat") == pytest.approx([term(idf_cat, 1, 2), term(idf_cat, 2, 4), 0.0])
    assert index.scores("cat mat") == pytest.approx(
        [term(idf_cat, 1, 2), term(idf_cat, 2, 4) + term(idf_mat, 1, 4), 0.0]
    )
    assert index.scores("cat cat the") == pytest.approx(index.scores("cat"))  # distinct terms, stop words out
    assert index.scores("CAT!") == pytest.approx(index.scores("cat"))
    found = index.search("cat mat", k=5)
    assert found.row.tolist() == [1, 0] and found.matched.tolist() == [["cat", "mat"], ["cat"]]
    assert index.search("feline").empty and index.search("the").empty


def test_bm25_parameters_and_inputs():
    texts = ["apple apple banana", "apple cherry cherry cherry cherry", "banana"]
    flat = BM25(texts, b=0.0)  # no length normalisation: equal counts score equally
    assert flat.scores("apple")[0] > flat.scores("apple")[1]
    assert BM25(texts, k1=0.0).scores("apple") == pytest.approx([flat.idf[flat.vocabulary["apple"]]] * 2 + [0])
    with pytest.raises(ValueError):
        BM25(texts, b=2)
    with pytest.raises(TypeError):
        BM25("one string")
    with pytest.raises(TypeError):
        BM25(["ok", 3])
    with pytest.raises(ValueError):
        flat.search("apple", k=0)
    assert BM25([""]).search("anything").empty
    assert "the" in STOP_WORDS and tokenize("The patient's notes") == ["patient", "notes"]


# ---- highlighting -----------------------------------------------------------------------------------------


def test_highlight_spans_are_exact():
    text = "Heart attack? A heart-attack, HEART attacks; hearts."
    spans = token_spans(text, ["heart", "attack"])
    assert [text[a:b] for a, b in spans] == ["Heart", "attack", "heart", "attack", "HEART"]
    assert spans == [(0, 5), (6, 12), (16, 21), (22, 28), (30, 35)]
    pieces = split_marked(text, spans)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, hit in pieces if hit] == ["Heart", "attack", "heart", "attack", "HEART"]
    assert token_spans("The patient’s heart", ["patient"]) == [(4, 13)]  # possessive, curly apostrophe
    assert token_spans("nothing here", ["heart"]) == [] and split_marked("", []) == []


def test_widget_pieces_join_back_and_long_texts_are_windowed():
    text = "Heart attacks are common. " + "Filler words go here. " * 60 + "A heart attack is an emergency."
    short = _pieces("A heart attack.", ["heart"], SNIPPET_CHARS)
    assert short == [["A ", False], ["heart", True], [" attack.", False]]
    long = _pieces(text, ["emergency"], SNIPPET_CHARS)
    joined = "".join(p for p, _ in long)
    assert joined.startswith("…") and joined[1:] in text and len(joined) <= SNIPPET_CHARS + 2
    assert [p for p, hit in long if hit] == ["emergency"]
    head = _pieces(text, ["heart"], SNIPPET_CHARS)
    assert "".join(p for p, _ in head).endswith("…") and head[0] == ["Heart", True]


def test_keyword_rows_mark_exactly_the_query_words():
    texts = ["Myocardial infarction is a heart attack.", "Chest pain after exercise.", "Pain, pain, PAIN."]
    widget = SearchCompare(texts, encoder=WordHash(), query="chest pain", k=3)
    rows = {r["row"]: r for r in widget._keyword_rows}
    assert set(rows) == {1, 2}
    assert rows[1]["text"] == [["Chest", True], [" ", False], ["pain", True], [" after exercise.", False]]
    assert [p for p, hit in rows[2]["text"] if hit] == ["Pain", "pain", "PAIN"]
    assert rows[1]["matched"] == ["chest", "pain"] and rows[2]["matched"] == ["pain"]
    miss = next(r for r in widget._semantic_rows if r["row"] == 0)
    assert miss["matched"] == [] and all(not hit for _, hit in miss["text"])


# ---- the widget -------------------------------------------------------------------------------------------

HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>alert('x')</script> heart",
    "Tom & Jerry <b>bold</b> heart",
    "\u202eevil\u202c heart {{ template }} ${x}",
]


def test_hostile_texts_stay_text_in_the_payload():
    frame = pd.DataFrame({"title": ["<svg onload=alert(1)>", "t2", "t3", "t4"], "text": HOSTILE})
    widget = SearchCompare(frame, encoder=WordHash(), query="heart img", k=4)
    for row in widget._keyword_rows + widget._semantic_rows:
        assert "".join(p for p, _ in row["text"]) == HOSTILE[row["row"]]
        assert "".join(p for p, _ in row["title"]) == frame.title[row["row"]]
        assert all(isinstance(p, str) and isinstance(hit, bool) for p, hit in row["text"])
    assert widget.keyword_results.text.tolist()[0] in HOSTILE
    assert json.loads(json.dumps(widget._keyword_rows)) == widget._keyword_rows


def test_inputs_list_series_dataframe_and_embedding_set():
    texts = ["a cat sat", "stocks fell", "a cat sat"]  # a repeated text keeps its own row
    enc = WordHash()
    by_list = SearchCompare(texts, encoder=enc, query="cat", k=3)
    assert sorted(by_list.keyword_results.row) == [0, 2] and by_list.keyword_results.title.isna().all()
    assert len(by_list.semantic_results) == 3
    assert SearchCompare(pd.Series(texts), encoder=enc, query="cat")._info["count"] == 3
    frame = pd.DataFrame({"body": texts, "headline": ["One", "Two", "Three"]})
    titled = SearchCompare(frame, encoder=enc, query="two", text_column="body", title_column="headline")
    assert titled.keyword_results.row.tolist() == [1] and titled.keyword_results.title[0] == "Two"
    docs = ew.EmbeddingSet.from_texts(["a cat sat", "stocks fell"], encoder=enc)
    reused = SearchCompare(docs, query="cat")
    assert reused.embeddings is docs and reused.keyword_results.row.tolist() == [0]
    with pytest.raises(KeyError, match="text_column"):
        SearchCompare(pd.DataFrame({"body": texts}), encoder=enc)
    with pytest.raises(TypeError):
        SearchCompare("one string", encoder=enc)
    with pytest.raises(TypeError):
        SearchCompare([1, 2], encoder=enc)
    with pytest.raises(ValueError):
        SearchCompare([], encoder=enc)
    with pytest.raises(ValueError, match="no encoder"):
        SearchCompare(ew.EmbeddingSet(["a", "b"], [[1, 0], [0, 1]]))
    with pytest.raises(TypeError, match="querry"):
        SearchCompare(texts, encoder=enc, querry="cat")


def test_requests_errors_and_traits(wire):
    widget = SearchCompare(["red apples", "green pears", "ripe red cherries"], encoder=WordHash(), query="red")
    front = wire(widget)
    front.update(query="pears", k=2)
    assert (len(widget.keyword_results), len(widget.semantic_results)) == (1, 2)
    assert widget.results.search.tolist() == ["keyword", "semantic", "semantic"]
    assert widget.query == "pears" and widget.k == 2
    front.update(query="   ")
    assert "query" in widget.error["message"]
    assert widget.keyword_results.empty and widget.semantic_results.empty
    front.update(query="red")
    assert widget.error is None
    assert front.update(k=0) == {"k": 2} and widget.k == 2 and "between 1" in widget.error["message"]
    assert front.update(query=7) == {"query": "red"} and widget.query == "red"
    assert not front.request("search")["ok"] and not front.request("run", query="red")["ok"]
    front.update(query="the and of")
    assert widget.error is None and widget._terms == [] and widget.keyword_results.empty
    assert len(widget.semantic_results) == 2
    widget.k = 3
    assert len(widget.semantic_results) == 3

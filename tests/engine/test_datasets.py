import re
import time

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets import datasets
from embedwidgets.datasets import make_topics
from embedwidgets.engine.keyword_search import tokenize

TOPICS = [
    "football",
    "cooking",
    "astronomy",
    "finance",
    "gardening",
    "medicine",
    "travel",
    "music",
    "programming",
    "weather",
]
# Words that should lead the keyword labels of each topic's cluster (any one of them is enough).
TOPIC_WORDS = {
    "football": {"football", "league", "goalkeeper", "club", "match", "season", "manager", "supporters"},
    "cooking": {"cooking", "sauce", "pan", "oven", "kitchen", "recipe", "cook", "minutes"},
    "astronomy": {"astronomy", "telescope", "space", "stars", "astronomers", "sky", "galaxy"},
    "finance": {"money", "investors", "shares", "markets", "rates", "interest", "bank", "savings"},
    "gardening": {"garden", "gardening", "soil", "plants", "compost", "seeds"},
    "medicine": {"patients", "patient", "doctors", "medical", "treatment", "hospital"},
    "travel": {"travel", "trip", "holiday", "travellers", "train", "hotel"},
    "music": {"music", "musicians", "band", "concert", "album", "orchestra"},
    "programming": {"code", "software", "developers", "developer", "bug", "api", "test"},
    "weather": {"weather", "forecast", "rain", "temperatures", "wind"},
}


# ---- the files --------------------------------------------------------------------------------------------


def test_bundled_files_are_small_and_licensed():
    files = [datasets.path("articles"), datasets.path("topics")]
    assert sum(f.stat().st_size for f in files) <= 2_000_000
    folder = files[0].parent
    assert "CC0" in (folder / "LICENSE").read_text() and "CC0" in (folder / "README.md").read_text()
    with pytest.raises(ValueError, match="articles"):
        datasets.path("nope")


def test_articles_shape_and_columns():
    docs = datasets.articles()
    assert list(docs.columns) == ["id", "title", "text", "topic"]
    assert 40 <= len(docs) <= 80 and docs.id.is_unique and docs.text.is_unique
    assert {"medicine", "travel", "cars", "cooking", "pets"} <= set(docs.topic)
    sentences = docs.text.str.count(r"[.!?](?:\s|$)")
    assert sentences.between(2, 4).all(), docs.loc[~sentences.between(2, 4), "id"].tolist()
    assert (docs.title.str.len() > 0).all()
    docs.loc[0, "title"] = "changed"
    assert datasets.articles().loc[0, "title"] != "changed"  # every call returns a fresh copy


def test_articles_avoid_the_query_words_they_must_be_found_without():
    docs = datasets.articles().set_index("id")
    words = {i: set(tokenize(f"{r.title} {r.text}", stop_words=())) for i, r in docs.iterrows()}
    heart = [i for i in docs.index if i.startswith(("heart-attack", "myocardial", "angina"))]
    airfare = ["affordable-airfare-timing", "budget-airline-fees", "fare-alerts", "air-miles"]
    assert len(heart) >= 4
    for i in heart:
        assert "myocardial" in words[i] or "heart" in words[i]
    # No article at all shares a word with these two lesson queries: keyword search returns nothing.
    for i, found in words.items():
        assert not found & {"chest", "tightness", "tight", "left", "arm", "arms", "pain", "sweating", "sweat"}, i
        assert not found & {"cheap", "flights", "flight"}, i
    for i in heart + airfare:
        assert not re.search(r"chest|tight|\barms?\b|sweat|cheap|flights", docs.loc[i, "text"], re.I), i
    physician = ["choosing-family-physician", "preparing-for-gp-appointment", "second-opinion"]
    assert all("doctor" not in words[i] and "physician" in words[i] for i in physician)
    assert all("car" not in words[i] for i in ["automobile-maintenance", "buying-used-automobile"])


def test_topics_shape_columns_and_planted_rows():
    frame = datasets.topics()
    assert list(frame.columns) == ["id", "text", "topic", "planted", "duplicate_of"]
    assert 2000 <= len(frame) <= 4000
    assert frame.id.tolist() == list(range(len(frame))) and frame.text.is_unique
    counts = frame.topic.value_counts()
    assert set(counts.index) == set(TOPICS) | {"other"} and counts[TOPICS].min() >= 180
    assert set(frame.planted) == {"", "duplicate", "outlier"}
    copies = frame[frame.planted == "duplicate"]
    outliers = frame[frame.planted == "outlier"]
    assert 5 <= len(copies) <= 20 and 5 <= len(outliers) <= 12
    assert (outliers.topic == "other").all() and frame.duplicate_of[frame.planted != "duplicate"].isna().all()
    originals = frame.set_index("id").loc[copies.duplicate_of.astype(int)]
    assert (originals.planted == "").all() and (originals.topic.to_numpy() == copies.topic.to_numpy()).all()
    assert (originals.text.to_numpy() != copies.text.to_numpy()).all()
    sentences = frame.text.str.count(r"[.!?](?:\s|$)")
    assert sentences.between(1, 2).all()
    assert frame.text.str.len().max() < 300


def test_topics_file_is_what_the_generator_makes():
    stored = datasets.path("topics").read_text(encoding="utf-8")
    assert make_topics.to_csv(make_topics.generate()) == stored
    assert make_topics.main(["--check"]) == 0


def test_generator_is_seeded_and_strict():
    rng_a, rng_b = make_topics.random.Random(1), make_topics.random.Random(1)
    assert make_topics.topic_texts("weather", 30, rng_a) == make_topics.topic_texts("weather", 30, rng_b)
    assert make_topics.generate(seed=2, per_topic=20) != make_topics.generate(seed=3, per_topic=20)
    with pytest.raises(RuntimeError, match="distinct"):
        make_topics.topic_texts("football", 100_000, make_topics.random.Random(0))


# ---- with the real model ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def topic_set(minilm):
    frame = datasets.topics()
    start = time.perf_counter()
    docs = ew.EmbeddingSet.from_texts(frame.text.tolist(), encoder=minilm, metadata=frame, progress=False)
    docs.encode_seconds = time.perf_counter() - start
    return frame, docs


def test_the_topics_encode_to_one_finite_vector_per_text(topic_set):
    # How long it takes is a benchmark's business (benchmarks/encode.py), not a test's: the machine is shared.
    frame, docs = topic_set
    assert docs.vectors.shape == (len(frame), 384) and np.isfinite(docs.vectors).all()
    assert len(docs) == len(frame) and docs.encode_seconds > 0


def test_kmeans_recovers_the_topics_and_keywords_name_them(topic_set):
    from sklearn.metrics import adjusted_rand_score

    frame, docs = topic_set
    clusters = docs.cluster(k=len(TOPICS))
    ordinary = (frame.planted == "").to_numpy()
    ari = adjusted_rand_score(frame.topic[ordinary], clusters[ordinary])
    assert ari >= 0.8, f"adjusted Rand index {ari:.3f}"
    labels = docs.cluster_labels(clusters, top_n=5)
    named = set()
    for row in labels.itertuples():
        topic = frame.topic[clusters == row.cluster].value_counts().idxmax()
        if set(row.keywords) & TOPIC_WORDS[topic]:
            named.add(topic)
    assert len(named) >= 9, (named, labels.label.tolist())


def test_planted_duplicates_are_found(topic_set):
    frame, docs = topic_set
    groups = docs.duplicates(0.9)
    group_of = dict(zip(groups.row, groups.group))
    copies = frame[frame.planted == "duplicate"]
    for row in copies.itertuples():
        assert row.Index in group_of and group_of.get(int(row.duplicate_of)) == group_of[row.Index], row.text
    # Each copy is very close to its original, and most of the closest pairs in the corpus are planted ones.
    unit = docs.unit.float().numpy()
    planted = {frozenset((int(r.Index), int(r.duplicate_of))) for r in copies.itertuples()}
    assert min(float(unit[a] @ unit[b]) for a, b in map(tuple, planted)) >= 0.94
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -1)
    upper = np.triu_indices(len(unit), 1)
    closest = np.argsort(-similarity[upper])[: len(planted)]
    top_pairs = {frozenset((int(upper[0][i]), int(upper[1][i]))) for i in closest}
    assert len(top_pairs & planted) >= len(planted) // 2


def test_planted_outliers_rank_high(topic_set):
    frame, docs = topic_set
    scores = docs.outliers()
    ranks = scores.rank(ascending=False, method="min").to_numpy()
    planted = ranks[(frame.planted == "outlier").to_numpy()]
    assert planted.max() <= 25, sorted(planted)
    assert np.median(planted) <= 8


def test_articles_answer_the_lesson_queries_by_meaning(minilm):
    docs = datasets.articles()
    articles = ew.EmbeddingSet.from_texts((docs.title + "\n" + docs.text).tolist(), encoder=minilm, metadata=docs)

    def top(query, k=3):
        found = articles.neighbors(minilm.encode([query])[0], k=k)
        return [docs.id[articles.row(label)] for label in found.label]

    assert all(i.startswith(("heart", "myocardial", "angina")) for i in top("chest tightness, left arm pain, sweating"))
    assert set(top("cheap flights")) <= {"affordable-airfare-timing", "budget-airline-fees", "fare-alerts", "air-miles"}
    assert top("heart attack symptoms", 1) == ["heart-attack-warning-signs"]
    assert top("how do I format a date in Python", 1) == ["python-datetime-strftime"]

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

import embedwidgets as ew
from embedwidgets import EmbeddingSet
from embedwidgets.engine.cluster import kmeans


@pytest.fixture(scope="module")
def blobs():
    points, truth = make_blobs(n_samples=2000, centers=5, n_features=16, cluster_std=1.0, random_state=3)
    return EmbeddingSet([f"p{i}" for i in range(len(points))], points), truth


def test_kmeans_recovers_planted_blobs(blobs):
    es, truth = blobs
    assert adjusted_rand_score(truth, es.cluster("kmeans", k=5, seed=0)) >= 0.95
    assert es.cluster("kmeans", k=5, seed=0) is es.cluster("kmeans", k=5, seed=0)  # cached


def test_kmeans_inertia_matches_scikit_learn(blobs):
    from sklearn.cluster import KMeans

    es, _ = blobs
    data = es.unit.float()
    _, _, ours = kmeans(data, 5, seed=1, n_init=3)
    theirs = KMeans(5, n_init=3, random_state=1).fit(data.numpy()).inertia_
    assert ours == pytest.approx(theirs, rel=0.01)


def test_hdbscan_finds_the_blobs(blobs):
    es, truth = blobs
    found = es.cluster("hdbscan", min_cluster_size=50)
    kept = found >= 0
    assert kept.mean() > 0.8 and adjusted_rand_score(truth[kept], found[kept]) >= 0.95


def test_pca_equals_scikit_learn_up_to_sign(blobs):
    from sklearn.decomposition import PCA

    es, _ = blobs
    ours = es.project("pca", n_components=3)
    theirs = PCA(3).fit_transform(es.unit.float().numpy())
    for axis in range(3):
        assert abs(np.corrcoef(ours[:, axis], theirs[:, axis])[0, 1]) > 0.9999
    assert es.project("pca", n_components=3) is ours  # cached


def test_umap_and_tsne_keep_blobs_apart(blobs):
    from sklearn.metrics import silhouette_score

    es, truth = blobs
    small = EmbeddingSet(es.labels[:600], es.vectors[:600])
    calls = []
    for method in ("umap", "tsne"):
        xy = small.project(method, progress=lambda f, m: calls.append((f, m)))
        assert xy.shape == (600, 2) and np.isfinite(xy).all()
        assert silhouette_score(xy, truth[:600]) > 0.5
    assert calls and calls[-1][0] == 1.0
    with pytest.raises(ValueError, match="projection"):
        small.project("mds")


@pytest.mark.parametrize("calls_before_stopping", [0, 1])
def test_a_raising_progress_leaves_tqdm_usable_in_other_threads(blobs, calls_before_stopping):
    """A widget stops stale work by raising from ``progress``. Raised inside tqdm's output (umap-learn's epoch
    bar writing to a file of ours), it would leave tqdm's global lock held for good, and the next progress bar
    made in any other thread would wait forever: a background UMAP hung in CI that way."""
    import threading

    from tqdm.auto import tqdm

    from embedwidgets.engine.project import fit_umap

    es, _ = blobs
    calls = []

    def stop_after(fraction: float, message: str) -> None:
        calls.append(message)
        if len(calls) > calls_before_stopping:
            raise InterruptedError(message)

    with pytest.raises(InterruptedError):
        fit_umap(es.vectors[:600].astype(np.float32), 2, 0, stop_after, {})

    def make_a_bar() -> None:
        with tqdm(total=1, disable=True) as bar:
            bar.update(1)

    other = threading.Thread(target=make_a_bar, daemon=True)
    other.start()
    other.join(10)
    assert not other.is_alive(), "tqdm's lock stayed held after the stop"


def test_word_defined_axes(glove):
    small = glove.head(20000)
    xy = small.axes(x=("man", "woman"), y=("king", "queen"))
    assert xy.shape == (20000, 2)
    gender = dict(zip(small.labels, xy[:, 0]))
    assert gender["she"] > gender["he"] and gender["actress"] > gender["actor"]
    with pytest.raises(ValueError, match="same point"):
        small.axes(x=("man", "man"))


def test_place_puts_a_few_queries_by_pca_or_on_word_axes(glove, minilm):
    from embedwidgets.engine.project import pca_2d

    items = ["king", "queen", "man", "woman"]
    on_axes = glove.place(items, x=("man", "woman"), y=("king", "queen"))
    np.testing.assert_array_equal(on_axes, glove.axes(x=("man", "woman"), y=("king", "queen"))[glove.rows(items)])
    np.testing.assert_array_equal(glove.place(items), pca_2d(glove.unit[glove.rows(items)].numpy()))
    with pytest.raises(ew.UnknownTokenError, match="'kingg'") as raised:
        glove.place(["king", "kingg"])
    assert "king" in raised.value.suggestions["kingg"]
    with pytest.raises(ValueError, match="both x= and y="):
        glove.place(items, x=("man", "woman"))
    # A set with an encoder places texts too, and its axes may be texts.
    docs = EmbeddingSet.from_texts(["a cat sat on the mat", "stocks fell sharply"], encoder=minilm)
    xy = docs.place(
        ["a kitten slept", "markets crashed"],
        x=("stocks fell sharply", "a cat sat on the mat"),
        y=("markets crashed", "a kitten slept"),
    )
    assert xy[0, 0] > xy[1, 0] and xy[0, 1] > xy[1, 1]  # the kitten is nearer the cat, on both axes


def test_keyword_labels_name_the_planted_topics():
    texts = (
        ["the striker scored a late goal in the football match"] * 3
        + ["the goalkeeper saved a penalty and the football fans cheered"] * 2
        + ["the parliament passed the budget after a long vote"] * 3
        + ["senators debated the election law in parliament"] * 2
        + ["bake the bread dough in a hot oven"] * 3
        + ["knead the dough and let the bread rise before you bake"] * 2
    )
    clusters = [0] * 5 + [1] * 5 + [2] * 5
    es = EmbeddingSet([f"{t} #{i}" for i, t in enumerate(texts)], np.eye(15))
    labels = es.cluster_labels(clusters, top_n=2).set_index("cluster")
    assert set(labels.loc[0, "keywords"]) == {"football", "goal"} or "football" in labels.loc[0, "keywords"]
    assert "parliament" in labels.loc[1, "keywords"]
    assert {"bread", "dough"} & set(labels.loc[2, "keywords"])
    with pytest.raises(ValueError, match="cluster\\(\\) first"):
        EmbeddingSet(["a", "b"], np.eye(2)).cluster_labels()


def test_duplicates_find_the_planted_ones():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(200, 32))
    copies = base[[5, 5, 77]] + rng.normal(scale=0.01, size=(3, 32))
    es = EmbeddingSet([f"r{i}" for i in range(203)], np.vstack([base, copies]))
    found = es.duplicates(0.99)
    groups = found.groupby("group").label.apply(set).tolist()
    assert groups == [{"r5", "r200", "r201"}, {"r77", "r202"}]
    assert (found.similarity >= 0.99).all()
    assert es.duplicates(0.999999).empty or len(es.duplicates(0.999999)) < len(found)


def test_outliers_find_the_planted_ones(blobs):
    es, _ = blobs
    rng = np.random.default_rng(1)
    strays = rng.normal(size=(5, 16)) * 40
    mixed = EmbeddingSet(es.labels + [f"stray{i}" for i in range(5)], np.vstack([es.vectors, strays]))
    scores = mixed.outliers(k=10)
    assert isinstance(scores, pd.Series) and len(scores) == len(mixed)
    assert set(scores.sort_values().index[-5:]) == {f"stray{i}" for i in range(5)}


def test_zero_shot_classification(minilm):
    texts = [
        "the striker scored twice in the cup final",
        "parliament passed the new budget law",
        "preheat the oven and bake the cake for an hour",
        "the tennis champion won at wimbledon",
        "the senate voted on the election bill",
        "stir the soup and season with salt",
    ]
    docs = EmbeddingSet.from_texts(texts, encoder=minilm)
    classes = docs.classify(["sport", "politics", "cooking"])
    assert classes["class"].tolist() == ["sport", "politics", "cooking", "sport", "politics", "cooking"]
    assert {"score:sport", "score:politics", "score:cooking"} <= set(classes.columns)
    with pytest.raises(ValueError, match="two"):
        docs.classify(["sport"])


def test_word_sets_classify_by_their_own_words(glove):
    small = glove.head(20000)
    found = small.classify(["animal", "vehicle"]).set_index("label")
    assert found.loc["dog", "class"] == "animal" and found.loc["truck", "class"] == "vehicle"


def test_recommend_from_liked_items(glove):
    picks = glove.head(50000).recommend(["apple", "banana"], k=10)
    assert not {"apple", "banana"} & set(picks.label)
    assert {"fruit", "coconut"} & set(picks.label)
    with pytest.raises(ew.UnknownTokenError):
        glove.recommend(["bananna"])

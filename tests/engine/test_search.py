import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

from embedwidgets import EmbeddingSet, UnknownTokenError
from embedwidgets.engine import search


def random_set(n=3000, d=24, zeros=(7, 1500), seed=0):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, d)).astype(np.float32)
    vectors[list(zeros)] = 0.0
    return EmbeddingSet([f"w{i}" for i in range(n)], vectors), vectors


@pytest.fixture(params=["default", "tiny-chunks"])
def chunking(request, monkeypatch):
    """Run each parity test twice: one chunk, and many chunks with several query batches."""
    if request.param == "tiny-chunks":
        monkeypatch.setattr(search, "BLOCK_ELEMENTS", 1 << 12)
        monkeypatch.setattr(search, "MIN_CHUNK", 128)
        monkeypatch.setattr(search, "RESCORE_ELEMENTS", 1 << 12)
        monkeypatch.setattr(search, "MAXIMA_ELEMENTS", 1 << 10)
    return request.param


def assert_same_neighbours(labels, scores, expected_labels, expected_scores):
    """Equal scores rank by rank; labels equal too, except that tied rows may come in any order."""
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)
    tie_groups = np.round(np.asarray(expected_scores), 5)
    last = tie_groups[-1]
    for value in np.unique(tie_groups):
        if value == last:  # the tie group cut by k may hold any of the tied rows
            continue
        ours = {label for label, g in zip(labels, tie_groups) if g == value}
        theirs = {label for label, g in zip(expected_labels, tie_groups) if g == value}
        assert ours == theirs


def sklearn_neighbors(vectors, queries, k, metric):
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(vectors)
    distances, rows = nn.kneighbors(queries)
    return distances, rows


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_vector_queries_equal_sklearn_brute_force(metric, chunking):
    es, vectors = random_set()
    queries = np.random.default_rng(1).normal(size=(50, vectors.shape[1])).astype(np.float32)
    queries[3] = 0.0
    frames = es.neighbors(queries, k=10, metric=metric)
    distances, rows = sklearn_neighbors(vectors, queries, 10, metric)
    for q, frame in enumerate(frames):
        if q == 3 and metric == "cosine":  # a zero query scores 0 against everything: all ties
            assert (frame.score == 0).all()
            continue
        expected = 1 - distances[q] if metric == "cosine" else distances[q]
        assert_same_neighbours(frame.label.tolist(), frame.score, [f"w{r}" for r in rows[q]], expected)
        assert frame["rank"].tolist() == list(range(1, 11))


def test_dot_product_equals_numpy_brute_force(chunking):
    es, vectors = random_set()
    queries = np.random.default_rng(2).normal(size=(20, vectors.shape[1])).astype(np.float32)
    scores = queries @ vectors.T
    for q, frame in enumerate(es.neighbors(queries, k=7, metric="dot")):
        best = np.argsort(-scores[q], kind="stable")[:7]
        assert frame.label.tolist() == [f"w{r}" for r in best]
        np.testing.assert_allclose(frame.score, scores[q, best], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
def test_a_label_query_leaves_itself_out(metric, chunking):
    es, vectors = random_set()
    frame = es.neighbors("w42", k=5, metric=metric)
    assert "w42" not in frame.label.tolist()
    distances, rows = sklearn_neighbors(vectors, vectors[[42]], 6, "cosine" if metric == "cosine" else "euclidean")
    if metric != "dot":
        assert frame.label.tolist() == [f"w{r}" for r in rows[0] if r != 42][:5]


def test_batch_of_mixed_queries_returns_a_list(chunking):
    es, vectors = random_set()
    frames = es.neighbors(["w1", vectors[5], "w9"], k=3)
    assert isinstance(frames, list) and len(frames) == 3
    assert frames[1].label[0] == "w5"
    assert "w1" not in frames[0].label.tolist()


def test_k_larger_than_the_set_returns_every_row():
    es = EmbeddingSet(["a", "b", "c"], np.eye(3))
    assert len(es.neighbors([1.0, 0.0, 0.0], k=50)) == 3
    assert sorted(es.neighbors("a", k=50).label) == ["b", "c"]


def test_bad_queries_get_clear_errors():
    es, _ = random_set(n=100, zeros=(7,))
    with pytest.raises(ValueError, match="at least 1"):
        es.neighbors("w1", k=0)
    with pytest.raises(ValueError, match="at least 1"):
        es.neighbors("w1", k=-3)
    with pytest.raises(TypeError, match="integer"):
        es.neighbors("w1", k=2.5)
    with pytest.raises(ValueError, match="empty"):
        es.neighbors("")
    with pytest.raises(ValueError, match="empty"):
        es.neighbors([])
    with pytest.raises(ValueError, match="dimension 3.*dimension 24"):
        es.neighbors(np.ones(3))
    with pytest.raises(ValueError, match="metric"):
        es.neighbors("w1", metric="manhattan")
    with pytest.raises(UnknownTokenError, match="'w1000'"):
        es.neighbors("w1000")
    with pytest.raises(ValueError, match="NaN"):
        es.neighbors(np.full(24, np.nan))


def test_top_k_excludes_rows_and_marks_unfilled_slots():
    matrix = torch.eye(4)
    queries = torch.tensor([[1.0, 0.5, 0, 0]])
    scorer = search.LinearScorer(matrix, queries)
    scores, rows = search.top_k(scorer, 4, exclude=torch.tensor([[0, 3]]))
    assert rows[0, :2].tolist() == [1, 2]
    assert torch.isinf(scores[0, 2:]).all()


def test_glove_neighbours_equal_faiss_flat_inner_product(glove):
    faiss = pytest.importorskip("faiss")
    unit = glove.unit.cpu().numpy()
    index = faiss.IndexFlatIP(glove.dim)
    index.add(unit)
    probe = ["frog", "king", "computer", "paris", "running"]
    _, expected = index.search(unit[[glove.row(w) for w in probe]], 11)
    for word, rows in zip(probe, expected):
        ours = glove.neighbors(word, k=10).label.tolist()
        assert ours == [glove.labels[r] for r in rows if glove.labels[r] != word][:10]


def test_bfloat16_screen_gives_the_float32_answer(glove):
    """The screen only picks candidates; the neighbours and scores are float32's, even on big batches."""
    rng = np.random.default_rng(5)
    queries = glove.vectors[rng.choice(100_000, size=300, replace=False)]
    screened = glove.search(queries, 10, screen=True)
    exact = glove.search(queries, 10, screen=False)
    np.testing.assert_array_equal(screened[1], exact[1])
    # The same float32 dot products; batched in other shapes, the last bit may round the other way.
    np.testing.assert_allclose(screened[0], exact[0], rtol=0, atol=2.5e-7)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_screened_scores_stay_inside_the_stated_bound(glove, dtype):
    """Every screened score is within screen_error + u·|score| of the exact one (GloVe, and random 384-d rows,
    where many scores crowd near the top)."""
    rng = torch.Generator().manual_seed(0)
    random_rows = torch.nn.functional.normalize(torch.randn(20000, 384, generator=rng), dim=1)
    for unit in (glove.unit[:20000], random_rows):
        queries = unit[torch.randperm(20000, generator=rng)[:256]]
        scorer = search.LinearScorer(unit, queries, screen=unit.to(dtype))
        out = torch.empty(20000, 256, dtype=dtype)
        scorer.block(0, 20000, out)
        exact = unit @ queries.T
        bound = scorer.screen_error().T + search._unit_roundoff(dtype) * out.float().abs()
        slack = bound - (out.float() - exact).abs()
        assert slack.min().item() >= 0
        assert bound.max().item() < 0.02  # and the bound is tight enough to be useful

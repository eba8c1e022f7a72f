"""Property-based tests of the engine: random sets (shapes, dtypes, awkward labels, NaN / inf / zero / huge /
tiny rows, metadata) against a brute-force numpy answer. Seeded and bounded, so a run is repeatable and quick."""

from __future__ import annotations

import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import embedwidgets
from embedwidgets import EmbeddingSet
from embedwidgets.engine.errors import DuplicateLabelError, EmbedWidgetsError

SETTINGS = {"derandomize": True, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
PACKAGE = Path(embedwidgets.__file__).parent

SPECIAL_LABELS = [
    "שלום",  # right-to-left
    "مرحبا",
    "a\u200bb",  # zero-width space
    "\u200d",
    "\ufeffbom",
    "🐸",
    "👩‍👩‍👧",  # joined emoji
    "e\u0301",  # decomposed é: a different label from the composed one
    "é",
    "x" * 10_000,
    "a (2)",  # what duplicates='number' would call a repeat of "a"
    "a",
    " ",
    "",
    "None",
]
LABEL = st.one_of(
    st.text(max_size=6),
    st.sampled_from(SPECIAL_LABELS),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)
DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64]
# Row kinds: ordinary, zero, a copy of row 0 (tied scores), huge or tiny magnitude (float32 squares over- or
# underflow), and non-finite ones (the constructor must refuse those).
ROW_KINDS = ["plain"] * 16 + ["zero", "copy", "huge", "tiny", "nan", "inf"]


def raised_by_us(error: BaseException) -> bool:
    """Whether an error was raised on purpose by our code: a documented type, thrown from embedwidgets."""
    if not isinstance(error, (EmbedWidgetsError, ValueError, TypeError, KeyError)):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).is_relative_to(PACKAGE)


@st.composite
def raw_inputs(draw):
    """What a user might hand the constructor, possibly wrong: labels, vectors (any dtype), metadata, policy."""
    n = draw(st.integers(0, 8))
    dim = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(DTYPES))
    matrix = np.empty((n, dim), dtype=np.float64)
    for i in range(n):
        kind = draw(st.sampled_from(ROW_KINDS))
        row = np.array(draw(st.lists(st.floats(-100, 100), min_size=dim, max_size=dim)))
        row = {
            "zero": np.zeros(dim),
            "copy": matrix[0] if i else row,
            "huge": row * 1e30,
            "tiny": row * 1e-30,
            "nan": np.where(np.arange(dim) == 0, np.nan, row),
            "inf": np.where(np.arange(dim) == dim - 1, -np.inf, row),
        }.get(kind, row)
        matrix[i] = row
    if np.issubdtype(dtype, np.integer):
        matrix = np.nan_to_num(matrix, nan=0, posinf=0, neginf=0).clip(-1e9, 1e9)
    with np.errstate(over="ignore", invalid="ignore"):
        vectors = matrix.astype(dtype)
    n_labels = n + draw(st.sampled_from([0] * 8 + [1, -1]))
    labels = draw(st.lists(LABEL, min_size=max(0, n_labels), max_size=max(0, n_labels)))
    metadata = draw(
        st.sampled_from(
            [None] * 3
            + ["dict", "frame", "frame with a shuffled index"] * 2
            + ["wrong length", "scalar dict", "string"]
        )
    )
    duplicates = draw(st.sampled_from(["error", "first", "number"]))
    return labels, vectors, metadata, duplicates


def make_metadata(kind: str | None, n: int):
    return {
        None: None,
        "dict": {"id": list(range(n)), "text": [f"row {i}" for i in range(n)]},
        "frame": pd.DataFrame({"id": range(n)}),
        "frame with a shuffled index": pd.DataFrame({"id": range(n)}, index=np.arange(n)[::-1] * 7),
        "wrong length": {"id": list(range(n + 1))},
        "scalar dict": {"id": 1},
        "string": "id",
    }[kind]


def expected_failure(labels, vectors, metadata, duplicates) -> type[Exception] | None:
    """A small model of the constructor's checks, in its order: which error the input should raise."""
    texts = [label if isinstance(label, str) else str(label) for label in labels]
    n = vectors.shape[0]
    if len(texts) != n or metadata in ("wrong length", "scalar dict", "string"):
        return ValueError
    if len(set(texts)) < len(texts) and duplicates == "error":
        return DuplicateLabelError
    keep = sorted({t: i for i, t in reversed(list(enumerate(texts)))}.values()) if duplicates == "first" else range(n)
    with np.errstate(over="ignore", invalid="ignore"):
        kept = vectors[list(keep)].astype(np.float32)
    if not np.isfinite(kept).all():
        return ValueError
    return None


@settings(max_examples=200, **SETTINGS)
@given(raw_inputs())
@example((["x" * 10_000, "a", "a"], np.array([[1e-30, 2e-30], [1, 0], [0, 1]]), "dict", "number"))
@example(([1, "1"], np.zeros((2, 3), np.float16), None, "error"))
@example(([], np.zeros((0, 2)), "frame", "error"))
def test_construction_succeeds_or_raises_a_documented_error(case):
    labels, vectors, metadata_kind, duplicates = case
    metadata = make_metadata(metadata_kind, vectors.shape[0])
    expected = expected_failure(labels, vectors, metadata_kind, duplicates)
    try:
        es = EmbeddingSet(labels, vectors, metadata, duplicates=duplicates)
    except Exception as error:
        event(f"refused: {type(error).__name__}")
        assert raised_by_us(error), f"an undocumented {type(error).__name__}: {error}"
        assert expected is not None and isinstance(error, expected), f"unexpected {type(error).__name__}: {error}"
        assert len(str(error)) < 2000  # names the problem without pasting a 10k-character label
        return
    event("built")
    assert expected is None, f"expected a {expected.__name__}"
    texts = [label if isinstance(label, str) else str(label) for label in labels]
    assert len(set(es.labels)) == len(es) == es.vectors.shape[0] == len(es.metadata)
    assert es.vectors.dtype == np.float32 and np.isfinite(es.vectors).all()
    if duplicates == "first":
        assert es.labels == list(dict.fromkeys(texts))
    else:  # unchanged, but for repeats renamed "label (2)", "label (3)", ...
        first = [texts.index(t) == i for i, t in enumerate(texts)]
        assert [a for a, keep in zip(es.labels, first) if keep] == [t for t, keep in zip(texts, first) if keep]
        assert all(a.startswith(f"{t} (") for a, t, keep in zip(es.labels, texts, first) if not keep)
    for row, label in enumerate(es.labels):  # every label finds its own row, whatever its script
        assert es.row(label) == row
        assert label in es
    if metadata_kind in ("dict", "frame", "frame with a shuffled index") and len(es):
        kept = [texts.index(label) for label in es.labels] if duplicates == "first" else range(len(es))
        assert es.metadata["id"].tolist() == list(kept)  # metadata rows follow their vectors


# ---- neighbours against brute force ---------------------------------------------------------------------------


@st.composite
def finite_sets(draw, *, extremes: bool = True, min_rows: int = 1):
    """A valid set: unique labels (some awkward), finite rows with zeros, ties and, for cosine, extreme sizes."""
    n = draw(st.integers(min_rows, 24))
    dim = draw(st.integers(1, 6))
    values = np.array(draw(st.lists(st.floats(-10, 10, width=32), min_size=n * dim, max_size=n * dim)))
    matrix = values.reshape(n, dim).astype(np.float32)
    for i in range(n):
        kind = draw(st.sampled_from(["plain"] * 5 + ["zero", "copy"] + (["huge", "tiny"] if extremes else [])))
        if kind == "zero":
            matrix[i] = 0
        elif kind == "copy" and i:
            matrix[i] = matrix[draw(st.integers(0, i - 1))]
        elif kind == "huge":
            matrix[i] *= np.float32(1e25)
        elif kind == "tiny":
            matrix[i] *= np.float32(1e-25)
    specials = draw(st.lists(st.sampled_from(SPECIAL_LABELS), max_size=3, unique=True))
    labels = (specials + [f"w{i}" for i in range(n)])[:n]
    return EmbeddingSet(labels, matrix), matrix.astype(np.float64)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    scale = np.abs(matrix).max(axis=-1, keepdims=True)
    scaled = matrix / np.where(scale > 0, scale, 1)  # float64 squares of 1e25 are fine, but stay symmetric
    lengths = np.linalg.norm(scaled, axis=-1, keepdims=True)
    return scaled / np.where(lengths > 0, lengths, 1)


def brute_scores(matrix: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    """Scores with higher = better (minus the squared distance for Euclidean)."""
    if metric == "cosine":
        return unit_rows(matrix) @ unit_rows(query)
    if metric == "dot":
        return matrix @ query
    return -((matrix - query) ** 2).sum(1)


def check_top_k(frame: pd.DataFrame, es: EmbeddingSet, brute: np.ndarray, k: int, excluded: set[int], tol):
    """``frame`` is a correct top k of ``brute`` (higher first), ties aside: sorted, scores equal, no excluded
    row, and no row left out that beats the worst row returned by more than ``tol``."""
    rows = [es.row(label) for label in frame.label]
    eligible = [r for r in range(len(brute)) if r not in excluded]
    assert len(rows) == len(set(rows)) == min(k, len(eligible))
    assert not set(rows) & excluded
    assert frame["rank"].tolist() == list(range(1, len(rows) + 1))
    got = frame.score.to_numpy()
    assert np.isfinite(got).all()
    best = np.sort(brute[eligible])[::-1][: len(rows)]
    np.testing.assert_allclose(np.sort(got)[::-1], best, atol=tol, rtol=0)
    np.testing.assert_allclose(got, brute[rows], atol=tol, rtol=0)
    # Labels too, where a score stands apart from every other by more than the tolerance (+1e-5).
    others = np.asarray(brute[eligible])
    for position, row in enumerate(rows):
        wanted = np.sort(others)[::-1][position]
        if (np.abs(others - wanted) <= tol + 1e-5).sum() == 1:
            assert brute[row] == wanted


@settings(max_examples=120, **SETTINGS)
@given(finite_sets(), st.data())
def test_neighbors_equal_brute_force(made, data):
    es, matrix = made
    metric = data.draw(st.sampled_from(["cosine", "dot", "euclidean"]))
    if metric != "cosine":  # dot products of 1e25-sized rows overflow float32: extremes are for cosine only
        keep = np.abs(matrix).max(1) < 1e3
        matrix = matrix[keep] if keep.any() else np.zeros((1, matrix.shape[1]))
        es = EmbeddingSet([f"r{i}" for i in range(len(matrix))], matrix)
    k = data.draw(st.integers(1, len(es) + 2))
    by_label = data.draw(st.booleans())
    if by_label:
        own = data.draw(st.integers(0, len(es) - 1))
        query, vector, excluded = es.labels[own], matrix[own], {own}
    else:
        vector = np.array(data.draw(st.lists(st.floats(-10, 10, width=32), min_size=es.dim, max_size=es.dim)))
        query, excluded = vector.astype(np.float32), set()
    frame = es.neighbors(query, k=k, metric=metric)
    brute = brute_scores(matrix, vector, metric)
    if metric == "euclidean":  # the engine reports distances, lower first; compare as minus squared distances
        assert np.all(np.diff(frame.score.to_numpy()) >= 0)
        frame = frame.assign(score=-(frame.score**2))
        scale = 1 + (matrix**2).sum(1).max() + (vector**2).sum()
    else:
        assert np.all(np.diff(frame.score.to_numpy()) <= 0)
        scale = 1 if metric == "cosine" else 1 + np.abs(matrix).sum(1).max() * np.abs(vector).max()
    check_top_k(frame, es, brute, k, excluded, tol=2e-5 * scale)


@settings(max_examples=30, **SETTINGS)
@given(finite_sets(min_rows=2), st.integers(1, 6))
def test_batch_queries_equal_one_at_a_time(made, k):
    es, _ = made
    batch = es.neighbors(es.labels, k=k)
    for label, frame in zip(es.labels, batch):
        single = es.neighbors(label, k=k)
        assert label not in frame.label.tolist()
        np.testing.assert_allclose(frame.score, single.score, atol=1e-6)


# ---- analogies against gensim's definitions --------------------------------------------------------------------


def brute_analogy(matrix, positive, negative, method, restrict):
    """gensim's 3CosAdd (normalised mean of unit inputs, ±1 weights) and 3CosMul ((1 + cos) / 2, eps 1e-6),
    over the first ``restrict`` rows, with a per-row error bound of the float32 computation."""
    unit = unit_rows(matrix)[:restrict]
    inputs = unit_rows(matrix)
    if method == "3cosadd":
        mean = (inputs[positive].sum(0) - inputs[negative].sum(0)) / (len(positive) + len(negative))
        return unit @ unit_rows(mean), np.full(len(unit), 2e-5)
    pos = np.prod([(1 + unit @ inputs[p]) / 2 for p in positive], axis=0)
    neg = np.prod([(1 + unit @ inputs[m]) / 2 for m in negative], axis=0) if negative else np.ones(len(unit))
    denominator = neg + 1e-6
    # First-order float32 error: each shifted cosine is off by ~1e-7, amplified by a small denominator.
    bound = 1e-6 * len(positive) / denominator + 1e-6 * len(negative) * pos / denominator**2
    return pos / denominator, bound + 1e-5 * np.abs(pos / denominator)


@settings(max_examples=80, **SETTINGS)
@given(finite_sets(min_rows=4), st.data())
def test_analogy_equals_brute_force_3cosadd_and_3cosmul(made, data):
    es, matrix = made
    n = len(es)
    method = data.draw(st.sampled_from(["3cosadd", "3cosmul"]))
    picked = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=min(4, n - 1), unique=True))
    split = data.draw(st.integers(1, len(picked)))
    positive, negative = picked[:split], picked[split:]
    k = data.draw(st.integers(1, n))
    restrict = data.draw(st.sampled_from([None, None, max(1, n // 2)]))
    frame = es.analogy(
        [es.labels[r] for r in positive],
        [es.labels[r] for r in negative],
        k=k,
        method=method,
        restrict_vocab=restrict,
    )
    brute, bound = brute_analogy(matrix, positive, negative, method, restrict or n)
    assert np.all(np.diff(frame.score.to_numpy()) <= 0)
    excluded = {r for r in picked if r < len(brute)}
    check_top_k(frame, es, brute, k, excluded, tol=float(bound.max()))


# ---- structure: projections, clusters, duplicates, outliers ----------------------------------------------------


@settings(max_examples=40, **SETTINGS)
@given(finite_sets(), st.integers(1, 3), st.integers(1, 5))
def test_structure_has_no_nan_and_keeps_rows(made, components, k):
    es, matrix = made
    n = len(es)
    coords = es.project("pca", components)
    assert coords.shape == (n, min(components, es.dim)) and np.isfinite(coords).all()
    # Row order: each row's coordinates are its own centred unit vector on the axes (a linear map of the rows),
    # and the axes carry the largest variances, as numpy's PCA of the same unit rows says.
    centred = unit_rows(matrix) - unit_rows(matrix).mean(0)
    axes, *_ = np.linalg.lstsq(centred, coords, rcond=None)
    np.testing.assert_allclose(centred @ axes, coords, atol=1e-4)
    variances = np.sort(np.linalg.eigvalsh(centred.T @ centred))[::-1][: coords.shape[1]]
    np.testing.assert_allclose((coords.astype(np.float64) ** 2).sum(0), variances, atol=1e-3 * max(1, n))

    clusters = es.cluster("kmeans", k=min(k, n))
    assert clusters.shape == (n,) and clusters.min() >= 0 and clusters.max() < min(k, n)
    centres = np.array([unit_rows(matrix)[clusters == c].mean(0) for c in np.unique(clusters)])
    nearest = np.unique(clusters)[((unit_rows(matrix)[:, None] - centres[None]) ** 2).sum(-1).argmin(1)]
    distance = ((unit_rows(matrix) - centres[np.searchsorted(np.unique(clusters), clusters)]) ** 2).sum(1)
    best = ((unit_rows(matrix)[:, None] - centres[None]) ** 2).sum(-1).min(1)
    assert np.all((nearest == clusters) | (distance <= best + 1e-5))  # each row sits in its nearest cluster

    found = es.duplicates(0.99)
    assert found.similarity.notna().all() and found.similarity.between(-1 - 1e-5, 1 + 1e-5).all()
    assert [es.labels[r] for r in found.row] == found.label.tolist()
    unit = unit_rows(matrix)
    same = [(i, j) for i in range(n) for j in range(i + 1, n) if unit[i] @ unit[j] >= 0.99 + 1e-5]
    assert {r for pair in same for r in pair} <= set(found.row)

    scores = es.outliers(k=min(k, max(1, n - 1)))
    assert scores.index.tolist() == es.labels and np.isfinite(scores).all()
    if n > 1:
        kth = min(k, n - 1)
        similar = unit @ unit.T
        np.fill_diagonal(similar, -np.inf)
        expected = 1 - np.sort(similar, axis=1)[:, ::-1][:, kth - 1]
        np.testing.assert_allclose(scores.to_numpy(), expected, atol=2e-5)


@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_cosine_ignores_the_size_of_a_row(scale):
    """Rows of tiny or huge numbers point the same way as the small ones: cosine 1, not 0 or 1e8."""
    es = EmbeddingSet(["big", "small", "other"], np.array([[3, 4], [3, 4], [4, -3]], np.float64) * [[scale], [1], [1]])
    frame = es.neighbors("small", k=2)
    assert frame.label.tolist() == ["big", "other"]
    np.testing.assert_allclose(frame.score, [1.0, 0.0], atol=1e-6)

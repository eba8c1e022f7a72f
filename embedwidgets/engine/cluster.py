"""Clusters: k-means in torch (k-means++ start), HDBSCAN from scikit-learn, and keyword labels by
class-based TF-IDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

CLUSTERINGS = ("kmeans", "hdbscan")
Progress = Callable[[float, str], None]
DISTANCE_ELEMENTS = 1 << 24  # rows × centres per distance block
# Above this many rows, k-means++ draws its start from a seeded random sample of this size: seeding makes k
# passes over the rows, which at 10M rows costs more than the Lloyd steps that follow (scikit-learn seeds on
# every row; FAISS trains on a sample). Lloyd steps always run over every row.
SEED_SAMPLE = 1_000_000


def kmeans(
    data: torch.Tensor,
    k: int,
    *,
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-6,
    n_init: int = 1,
    progress: Progress | None = None,
) -> tuple[np.ndarray, torch.Tensor, float]:
    """Lloyd's k-means with k-means++ seeding, in chunks of rows. Returns (labels, centres, inertia).

    Memory beyond ``data``: per row one label and one distance (12 bytes), plus one chunk of at most
    ``DISTANCE_ELEMENTS`` row × centre distances and that chunk as float32; rows stay in their own dtype
    (float16 or a memory-mapped tensor works), so 10M rows need about 120 MB besides the data.
    """
    n = data.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of rows ({n}), got {k}.")
    sq_norms = _row_sq_norms(data)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    best: tuple[np.ndarray, torch.Tensor, float] | None = None
    for run in range(n_init):
        if progress:
            progress(run / n_init, "k-means: k-means++ start")
        centres = _plus_plus(data, sq_norms, k, generator)
        previous = float("inf")
        for step in range(max_iter):
            labels, distances = _assign(data, sq_norms, centres)
            inertia = float(distances.sum())
            sums, counts = _sums_and_counts(data, labels, k)
            empty = counts == 0
            centres = torch.where(empty[:, None], centres, sums / counts.clamp_min(1)[:, None])
            if empty.any():  # restart empty clusters at the points farthest from their centres
                far = distances.topk(int(empty.sum())).indices
                centres[empty] = data[far].float()
            if progress:
                progress((run + (step + 1) / max_iter) / n_init, f"k-means: step {step + 1}")
            # (The first step has no previous inertia to compare with: inf - x <= tol * inf would stop it.)
            if step > 0 and previous - inertia <= tol * max(abs(previous), 1e-12):
                break
            previous = inertia
        labels, distances = _assign(data, sq_norms, centres)
        inertia = float(distances.sum())
        if best is None or inertia < best[2]:
            best = (labels.cpu().numpy(), centres, inertia)
    assert best is not None
    if progress:
        progress(1.0, "k-means: done")
    return best


def _row_chunks(n: int, columns: int):
    """Row slices whose distance block (rows × ``columns``) stays within ``DISTANCE_ELEMENTS``."""
    step = max(1, DISTANCE_ELEMENTS // max(columns, 1))
    for start in range(0, n, step):
        yield slice(start, start + step)


def _row_sq_norms(data: torch.Tensor) -> torch.Tensor:
    out = torch.empty(data.shape[0], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], data.shape[1]):
        block = data[rows].float()
        out[rows] = (block * block).sum(1)
    return out


def _sums_and_counts(data: torch.Tensor, labels: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-centre sums of the rows and row counts, chunk by chunk."""
    sums = torch.zeros(k, data.shape[1], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], data.shape[1]):
        sums.index_add_(0, labels[rows], data[rows].float())
    return sums, torch.bincount(labels, minlength=k).float()


def _assign(data: torch.Tensor, sq_norms: torch.Tensor, centres: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Nearest centre of every row and the squared distance to it, in row chunks."""
    centre_norms = (centres * centres).sum(1)
    labels = torch.empty(data.shape[0], dtype=torch.int64, device=data.device)
    distances = torch.empty(data.shape[0], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], centres.shape[0]):
        # In place, one block of memory: -2·x·c + |x|² + |c|² (the same sums, in the same order, as before).
        d2 = (data[rows].float() @ centres.T).mul_(-2).add_(sq_norms[rows, None]).add_(centre_norms)
        best, where = d2.min(1)
        labels[rows], distances[rows] = where, best.clamp_min(0)
    return labels, distances


def _plus_plus(data: torch.Tensor, sq_norms: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """k-means++: each next centre drawn with probability proportional to the squared distance to the nearest
    centre so far (with a few candidates per step, keeping the best, as scikit-learn does); over a random
    sample of ``SEED_SAMPLE`` rows when there are more."""
    n = data.shape[0]
    if n > SEED_SAMPLE:
        sample = torch.randperm(n, generator=generator)[:SEED_SAMPLE].sort().values.to(data.device)
        return _plus_plus(data[sample], sq_norms[sample], k, generator)
    trials = 2 + int(np.log(k))
    first = int(torch.randint(n, (1,), generator=generator))
    centres = [data[first].float()]
    closest = _sq_distances(data, sq_norms, centres[0][None])[0]
    for _ in range(1, k):
        total = float(closest.sum())
        if total <= 0:
            candidates = torch.randint(n, (trials,), generator=generator)
        else:
            candidates = _draw(closest.cpu(), total, trials, generator)
        candidates = candidates.to(data.device)
        d2 = _sq_distances(data, sq_norms, data[candidates].float())
        updated = torch.minimum(closest[None, :], d2)
        pick = int(updated.sum(1).argmin())
        centres.append(data[candidates[pick]].float())
        closest = updated[pick]
    return torch.stack(centres)


def _sq_distances(data: torch.Tensor, sq_norms: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Squared distances of a few points to every row (points × rows), in row chunks."""
    point_norms = (points * points).sum(1)
    out = torch.empty(points.shape[0], data.shape[0], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], points.shape[0]):
        block = (points @ data[rows].float().T).mul_(-2).add_(sq_norms[None, rows]).add_(point_norms[:, None])
        out[:, rows] = block.clamp_min_(0)
    return out


def _draw(weights: torch.Tensor, total: float, count: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` row numbers drawn with replacement in proportion to ``weights``. torch.multinomial takes at most
    2**24 categories; above that, a float64 cumulative sum and a binary search."""
    if weights.shape[0] <= 1 << 24:
        return torch.multinomial(weights / total, count, replacement=True, generator=generator)
    cumulative = weights.double().cumsum(0)
    targets = torch.rand(count, generator=generator, dtype=torch.float64) * float(cumulative[-1])
    return torch.searchsorted(cumulative, targets).clamp_max(weights.shape[0] - 1)


def cluster(
    es: EmbeddingSet,
    method: str = "kmeans",
    k: int = 8,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    **options: Any,
) -> np.ndarray:
    """A cluster id for every row (-1 is noise, for HDBSCAN), from the normalised vectors; cached per set and
    parameters."""
    if method not in CLUSTERINGS:
        raise ValueError(f"method={method!r} is not a clustering; use one of {CLUSTERINGS}.")
    key = (method, k if method == "kmeans" else None, seed, tuple(sorted((a, repr(b)) for a, b in options.items())))

    def build() -> np.ndarray:
        if method == "kmeans":
            # Three seeded starts, best inertia kept: one start alone sometimes merges two topics.
            return kmeans(es.unit, k, seed=seed, progress=progress, **{"n_init": 3, **options})[0]
        from sklearn.cluster import HDBSCAN

        settings = {"min_cluster_size": max(5, len(es) // 100), **options}
        found = HDBSCAN(**settings).fit_predict(es.unit.float().cpu().numpy())
        if progress:
            progress(1.0, "HDBSCAN: done")
        return found

    return es.cached("clusters", key, build)


def keyword_labels(texts: Sequence[str], clusters: Sequence[int] | np.ndarray, top_n: int = 3) -> pd.DataFrame:
    """Keywords per cluster by class-based TF-IDF: the words frequent in one cluster and rare in the others.

    Returns ``cluster, size, keywords (list), label ("a · b · c")``, largest cluster first; noise (-1) is left out.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    ids_by_row = np.asarray(clusters)
    ids = sorted(int(c) for c in np.unique(ids_by_row) if c >= 0)
    documents = [" ".join(t for t, c in zip(texts, ids_by_row) if c == cid) for cid in ids]
    columns = ["cluster", "size", "keywords", "label"]
    if not ids:
        return pd.DataFrame(columns=columns)
    try:
        vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # every word was a stop word
        counts, vectorizer = np.zeros((len(ids), 0)), None
    rows = []
    if counts.shape[1]:
        words = vectorizer.get_feature_names_out()
        term_frequency = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        average_words = counts.sum() / len(ids)
        idf = np.log1p(average_words / np.maximum(counts.sum(0), 1))
        scores = term_frequency * idf
    for i, cid in enumerate(ids):
        keywords = [] if not counts.shape[1] else [words[j] for j in np.argsort(-scores[i])[:top_n] if scores[i, j] > 0]
        rows.append(
            {
                "cluster": cid,
                "size": int((ids_by_row == cid).sum()),
                "keywords": keywords,
                "label": " · ".join(keywords) if keywords else f"cluster {cid}",
            }
        )
    return (
        pd.DataFrame(rows, columns=columns).sort_values("size", ascending=False, kind="stable").reset_index(drop=True)
    )

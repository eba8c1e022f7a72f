"""Similarity beyond retrieval: the matrix of every pair and its order, near-duplicates, outliers,
zero-shot classes and recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from . import search
from ._checks import TINY, check_k, normalise_rows
from .encoders import encode_queries

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

PAIR_BLOCK_ELEMENTS = 1 << 24  # rows × rows compared at once when looking for duplicates


def duplicates(es: EmbeddingSet, threshold: float = 0.95) -> pd.DataFrame:
    """Groups of rows whose cosine similarity is at least ``threshold`` (linked transitively), found exactly by
    comparing every pair in blocks. Returns ``group, row, label, similarity`` (to the group's first row),
    biggest group first; rows without a near-duplicate are left out."""
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold is a cosine similarity between -1 and 1, got {threshold}.")
    columns = ["group", "row", "label", "similarity"]
    if len(es) == 0:
        return pd.DataFrame(columns=columns)
    unit = es.unit.float()
    n = len(es)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    step = max(1, PAIR_BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, n, step):
        block = unit[start : start + step] @ unit[start:].T  # only pairs (i, j) with j >= i
        rows, cols = torch.nonzero(block >= threshold, as_tuple=True)
        for i, j in zip((rows + start).tolist(), (cols + start).tolist()):
            if i < j:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    roots = np.array([root(i) for i in range(n)])
    sizes = np.bincount(roots, minlength=n)
    members = np.flatnonzero(sizes[roots] > 1)
    if not members.size:
        return pd.DataFrame(columns=columns)
    order = sorted(members, key=lambda r: (-sizes[roots[r]], roots[r], r))
    group_ids = {g: i for i, g in enumerate(dict.fromkeys(roots[r] for r in order))}
    first = {g: unit[g] for g in group_ids}
    return pd.DataFrame(
        [
            {
                "group": group_ids[roots[r]],
                "row": int(r),
                "label": es.labels[r],
                "similarity": float(unit[r] @ first[roots[r]]),
            }
            for r in order
        ],
        columns=columns,
    )


def outliers(es: EmbeddingSet, k: int = 10) -> pd.Series:
    """Each row's cosine distance (1 − similarity) to its k-th nearest other row: high means isolated.
    Aligned with the rows, indexed by label."""
    k = check_k(k)
    if len(es) < 2:
        return pd.Series(np.zeros(len(es)), index=es.labels, name="outlier_score")
    k = min(k, len(es) - 1)
    unit = es.unit
    scores = np.empty(len(es))
    batch = 4096
    for start in range(0, len(es), batch):
        rows = torch.arange(start, min(start + batch, len(es)), device=es.device)
        scorer = search.LinearScorer(
            unit, unit[rows].float().to(unit.dtype), screen=es.screen_matrix(len(es), len(rows))
        )
        best, _ = search.top_k(scorer, k, exclude=rows[:, None])
        scores[start : start + len(rows)] = 1.0 - best[:, k - 1].float().cpu().numpy()
    return pd.Series(scores, index=es.labels, name="outlier_score")


def classify(es: EmbeddingSet, classes: Sequence[str], encoder: Any = None) -> pd.DataFrame:
    """Zero-shot classes: each row goes to the class name whose embedding is nearest (cosine).

    Class names are encoded with ``encoder`` (default: the set's own); for a word set without an encoder,
    class names that are labels use their own vectors. Returns ``label, class, score`` plus one
    ``score:<class>`` column per class."""
    names = list(classes)
    if len(names) < 2 or any(not isinstance(c, str) or not c.strip() for c in names):
        raise ValueError("classes needs at least two non-empty class names, e.g. ['sport', 'politics'].")
    encoder = encoder if encoder is not None else es.encoder
    if encoder is not None:
        vectors = torch.as_tensor(encode_queries(encoder, names), device=es.device).float()  # names search rows
    else:
        vectors = es.unit[es.rows(names)].float()
    if vectors.shape[1] != es.dim:
        raise ValueError(
            f"the class names were encoded to dimension {vectors.shape[1]}, but the set has "
            f"dimension {es.dim}; use the encoder that made the set."
        )
    vectors = normalise_rows(vectors)
    unit, step = es.unit, max(1, (1 << 24) // es.dim)  # a chunk widened at a time, never the whole matrix
    similarity = np.concatenate(
        [(unit[start : start + step].float() @ vectors.T).cpu().numpy() for start in range(0, len(es), step)]
    )
    best = similarity.argmax(1)
    frame = pd.DataFrame(
        {"label": es.labels, "class": [names[i] for i in best], "score": similarity[np.arange(len(es)), best]}
    )
    for i, name in enumerate(names):
        frame[f"score:{name}"] = similarity[:, i]
    return frame


def recommend(es: EmbeddingSet, liked: Sequence[str], k: int = 10) -> pd.DataFrame:
    """Rows nearest to the mean of the liked rows' unit vectors, the liked rows left out."""
    if isinstance(liked, str):
        liked = [liked]
    if not liked:
        raise ValueError("liked needs at least one label to recommend from.")
    rows = es.rows(list(liked))
    taste = es.unit[rows].float().mean(0, keepdim=True)
    exclude = torch.tensor([rows], device=es.device)
    scores, found = es.search(taste, min(k, len(es)), exclude=exclude)
    return es.result_frame(scores[0], found[0])


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows (float64); zero rows are similar to nothing."""
    vectors = np.asarray(vectors, dtype=np.float64)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), TINY)
    return unit @ unit.T


def similarity_order(similarity: np.ndarray) -> np.ndarray:
    """An order of the rows of a square cosine-similarity matrix that puts similar rows together
    (the leaves of an average-linkage tree over cosine distance)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    n = similarity.shape[0]
    if n < 3:
        return np.arange(n)
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance, checks=False), method="average"))

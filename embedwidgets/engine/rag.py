"""A retrieval query on a 2-D map: where the query goes, how its neighbours rank on the map, and how far the map
can be trusted around it.

Placement: a new point goes to the similarity-weighted mean of the map positions of its ``place_k`` nearest rows
in the original space (the way landmark projection places rows it did not fit). It is approximate: the error on
held-out corpus rows is measured in the tests. The map's own neighbours of the placed point are then compared
with its true neighbours: a neighbour the map puts far away (beyond ``far`` × k points) is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PLACE_K = 5  # nearest rows that place a query
FAR = 3  # a neighbour is "far on the map" when more than FAR × k points lie closer to the query there


def place(map_xy: np.ndarray, rows: Sequence[int], scores: Sequence[float], place_k: int = PLACE_K) -> np.ndarray:
    """The map position of a point whose nearest rows (best first) and similarities are given.

    >>> place(np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]]), [0, 1], [1.0, 1.0]).tolist()
    [0.5, 0.0]
    """
    picked = np.asarray(rows, dtype=np.int64)[:place_k]
    if not len(picked):
        raise ValueError("a query needs at least one neighbour to be placed.")
    weights = np.clip(np.asarray(scores, dtype=np.float64)[: len(picked)], 1e-6, None)
    return (np.asarray(map_xy, dtype=np.float64)[picked] * weights[:, None]).sum(0) / weights.sum()


def map_ranks(map_xy: np.ndarray, point: np.ndarray, rows: Sequence[int]) -> np.ndarray:
    """For each of ``rows``, its rank (1 = nearest) among every map point by 2-D distance to ``point``.

    >>> map_ranks(np.array([[0.0, 0], [3, 0], [1, 0]]), np.array([0.0, 0]), [1, 2]).tolist()
    [3, 2]
    """
    distance = np.hypot(*(np.asarray(map_xy, dtype=np.float64) - np.asarray(point, dtype=np.float64)).T)
    mine = distance[np.asarray(rows, dtype=np.int64)]
    return (distance[None, :] < mine[:, None]).sum(1) + 1


def map_trust(ranks: np.ndarray, k: int) -> float:
    """The share of the query's top-k (original space) that are also among its k nearest points on the map."""
    ranks = np.asarray(ranks)[:k]
    return float((ranks <= k).sum() / max(1, len(ranks)))


def overlap(exact: Sequence[int], found: Sequence[int], k: int) -> tuple[float, list[int], list[int]]:
    """overlap@k of a retriever's rows with the exact top-k, and the rows only one of them found.

    >>> overlap([1, 2, 3], [3, 4, 1], 3)
    (0.6666666666666666, [2], [4])
    """
    a, b = list(exact)[:k], list(found)[:k]
    shared = set(a) & set(b)
    return len(shared) / max(1, k), [r for r in a if r not in shared], [r for r in b if r not in shared]

"""A retrieval query on a 2-D map: where the query goes, how its neighbours rank on the map, and how far the map
can be trusted around it.

Placement: a new point goes to the similarity-weighted mean of the map positions of its ``place_k`` nearest rows
in the original space (the way landmark projection places rows it did not fit). It is approximate: the error on
held-out corpus rows is measured in the tests. The map's own neighbours of the placed point are then compared
with its true neighbours: a neighbour the map puts far away (beyond ``far`` × k points) is flagged.

Many queries at once (an evaluation set): :func:`score_queries` gives each its map trust, and with judged
relevant rows its recall@k, and with a second retriever that retriever's recall@k and its overlap@k with the
exact top-k, worst query first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

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


def recall(found: Sequence[int], relevant: Collection[int], k: int) -> float:
    """recall@k: the share of the ``relevant`` rows among the first ``k`` of ``found``; NaN when nothing is
    relevant (recall is undefined then, and such a query sorts last).

    >>> recall([4, 1, 7], {1, 2}, 3), recall([4, 1, 7], {1, 2}, 1)
    (0.5, 0.0)
    """
    relevant = set(relevant)
    if not relevant:
        return float("nan")
    return len(relevant & set(list(found)[:k])) / len(relevant)


def score_queries(
    texts: Sequence[str],
    exact: Sequence[Sequence[int]],
    ranks: Sequence[np.ndarray],
    k: int,
    *,
    relevant: Sequence[Collection[int]] | None = None,
    retrieved: Sequence[Sequence[int]] | None = None,
) -> pd.DataFrame:
    """One row per query, worst first, indexed by the query's position in ``texts``.

    ``exact[i]`` is query i's exact top-k (rows, best first), ``ranks[i]`` their ranks on the map (from
    :func:`map_ranks`). Columns: ``query``, ``trust`` (:func:`map_trust`), ``far`` (top-k rows more than
    ``FAR`` × k points away on the map); with ``relevant`` (rows judged relevant, per query) ``recall`` (exact
    recall@k) and ``missed`` (relevant rows outside the exact top-k); with ``retrieved`` (a retriever's rows,
    per query) ``overlap`` (overlap@k with the exact top-k) and, with ``relevant`` too, ``retriever_recall``.

    Worst first: the lowest ``recall``, then the lowest ``retriever_recall``, ``overlap`` and ``trust`` (the
    keys that exist); a query with nothing relevant (recall NaN) goes last.

    >>> score_queries(["a", "b"], [[0, 1], [2, 3]], [np.array([1, 2]), np.array([1, 9])], 2,
    ...               relevant=[{0}, {5}]).recall.tolist()
    [0.0, 1.0]
    """
    n = len(texts)
    if not (len(exact) == len(ranks) == n) or (relevant is not None and len(relevant) != n):
        raise ValueError("score_queries needs one top-k, one rank array (and one relevant set) per query.")
    if retrieved is not None and len(retrieved) != n:
        raise ValueError("score_queries needs the retriever's rows for every query.")
    frame = pd.DataFrame(
        {
            "query": list(texts),
            "trust": [map_trust(r, k) for r in ranks],
            "far": [int((np.asarray(r)[:k] > FAR * k).sum()) for r in ranks],
        },
        index=pd.RangeIndex(n, name="position"),
    )
    keys = []
    if relevant is not None:
        frame["recall"] = [recall(top, rel, k) for top, rel in zip(exact, relevant)]
        frame["missed"] = [sorted(set(rel) - set(list(top)[:k])) for top, rel in zip(exact, relevant)]
        keys.append("recall")
        if retrieved is not None:
            frame["retriever_recall"] = [recall(found, rel, k) for found, rel in zip(retrieved, relevant)]
            keys.append("retriever_recall")
    if retrieved is not None:
        frame["overlap"] = [overlap(top, found, k)[0] for top, found in zip(exact, retrieved)]
        keys.append("overlap")
    keys.append("trust")
    return frame.sort_values(keys, kind="stable", na_position="last")

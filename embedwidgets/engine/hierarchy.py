"""A two-level cluster hierarchy with a keyword label per node: the map's topics and their sub-topics.

The top level is the clustering the caller already has (k-means or HDBSCAN ids, -1 = noise). Each top cluster
is split by k-means (on the normalised vectors) into up to ``children`` sub-clusters, so the children of a
node partition it exactly. Every node is named by class-based TF-IDF (:func:`.cluster.keyword_labels`) over
the texts of its level, or by the user's ``labeler(texts) -> str``.

Approximate on purpose: keywords are counted over at most ``sample`` texts per node (random, seeded), so naming a
million rows stays quick; sizes are exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from .cluster import keyword_labels, kmeans

TREE_COLUMNS = ["level", "cluster", "parent", "size", "label"]
LABEL_CHARS = 80
LABELER_TEXTS = 20  # texts a user's labeler sees per node
WORD = re.compile(r"(?u)\b[^\W\d_][\w'-]+\b")  # the words keyword_labels counts


def _sampled_rows(ids: np.ndarray, cap: int, seed: int) -> np.ndarray:
    """At most ``cap`` random rows of each id (noise, -1, left out), in row order."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ids))
    ranks = pd.Series(ids[order]).groupby(ids[order]).cumcount().to_numpy()
    keep = order[(ranks < cap) & (ids[order] >= 0)]
    return np.sort(keep)


def _names(
    texts: Sequence[str],
    ids: np.ndarray,
    *,
    sample: int,
    seed: int,
    labeler: Callable[[list[str]], str] | None,
    parents: np.ndarray | None = None,
) -> dict[int, str]:
    """A label per id ≥ 0: c-TF-IDF keywords over a sample of each id's texts, or the user's labeler.

    With ``parents`` (the parent of each row), keywords are weighed among siblings only and words that every
    sibling uses are skipped, so a sub-topic's label says what sets it apart inside its topic."""
    rows = _sampled_rows(ids, sample if labeler is None else LABELER_TEXTS, seed)
    if labeler is not None:
        out = {}
        for cid in np.unique(ids[ids >= 0]).tolist():
            members = [str(texts[r]) for r in rows[ids[rows] == cid]]
            text = labeler(members)
            if not isinstance(text, str):
                raise TypeError(f"labeler must return a str, it returned {type(text).__name__}.")
            out[int(cid)] = text[:LABEL_CHARS]
        return out
    if parents is None:
        frame = keyword_labels([str(texts[r]) for r in rows], ids[rows])
        return {int(c): str(label) for c, label in zip(frame.cluster, frame.label)}
    out = {}
    for parent in np.unique(parents[rows]).tolist():
        inside = rows[parents[rows] == parent]
        words = [str(texts[r]) for r in inside]
        # A word every sibling uses (the topic's own) sets none of them apart: skip it.
        vocab = [
            set(WORD.findall(" ".join(w for w, i in zip(words, ids[inside]) if i == cid).lower()))
            for cid in np.unique(ids[inside])
        ]
        skip = set.intersection(*vocab) if len(vocab) > 1 else set()
        frame = keyword_labels(words, ids[inside], top_n=3 + len(skip))
        for cid, found in zip(frame.cluster, frame.keywords):
            kept = [w for w in found if w not in skip][:3]
            out[int(cid)] = " · ".join(kept)
    return {c: text for c, text in out.items() if text}


def label_tree(
    unit: torch.Tensor,
    texts: Sequence[str],
    top: np.ndarray,
    *,
    children: int = 4,
    seed: int = 0,
    sample: int = 4000,
    labeler: Callable[[list[str]], str] | None = None,
    progress: Callable[[float, str], Any] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The hierarchy over the top-level ids ``top``: ``(tree, fine)``.

    ``tree`` has one row per node: ``level`` (0 top, 1 sub-cluster), ``cluster`` (its id within the level),
    ``parent`` (the level-0 id of a sub-cluster, -1 at the top), ``size`` and ``label``. ``fine`` is every row's
    level-1 id (-1 where ``top`` is -1).

    >>> unit = torch.nn.functional.normalize(torch.randn(40, 4), dim=1)
    >>> tree, fine = label_tree(unit, ["a b"] * 40, np.repeat([0, 1], 20), children=2)
    >>> tree.level.value_counts().sort_index().tolist()
    [2, 4]
    """
    top = np.asarray(top, dtype=np.int64)
    if len(top) != len(unit) or len(texts) != len(top):
        raise ValueError("label_tree needs one top-level id and one text per vector.")
    if children < 1:
        raise ValueError(f"children must be at least 1, got {children}.")
    fine = np.full(len(top), -1, dtype=np.int64)
    parents: list[int] = []
    groups = [int(c) for c in np.unique(top) if c >= 0]
    for position, cid in enumerate(groups):
        members = np.flatnonzero(top == cid)
        k = min(children, len(members) // 2)  # a sub-cluster of one point names nothing
        if k >= 2:
            local = kmeans(unit[torch.as_tensor(members)], k, seed=seed + cid)[0]
            _, local = np.unique(local, return_inverse=True)  # k-means may leave a centre empty
        else:
            local = np.zeros(len(members), dtype=np.int64)
        fine[members] = len(parents) + local
        parents += [cid] * (int(local.max()) + 1)
        if progress is not None:
            progress(0.7 * (position + 1) / max(1, len(groups)), "sub-clusters")
    if progress is not None:
        progress(0.8, "naming the sub-clusters")
    top_names = _names(texts, top, sample=sample, seed=seed, labeler=labeler)
    fine_names = _names(texts, fine, sample=sample, seed=seed, labeler=labeler, parents=top)
    top_sizes = np.bincount(top[top >= 0], minlength=max(groups, default=-1) + 1)
    fine_sizes = np.bincount(fine[fine >= 0], minlength=len(parents))
    rows = [[0, c, -1, int(top_sizes[c]), top_names.get(c, f"cluster {c}")] for c in groups]
    # A sub-cluster nothing sets apart (an only child) carries its parent's label.
    rows += [
        [1, f, p, int(fine_sizes[f]), fine_names.get(f) or top_names.get(p, f"cluster {p}")]
        for f, p in enumerate(parents)
    ]
    tree = pd.DataFrame(rows, columns=TREE_COLUMNS)
    tree = tree.sort_values(["level", "size"], ascending=[True, False], kind="stable").reset_index(drop=True)
    return tree, fine

"""What each of ClusterView's colour modes shows.

The slow modes (outlier scores, near-duplicate groups, zero-shot classes) need scores that are computed once
for their parameter (k, the threshold, the class names) and forgotten when the parameter changes. Computing
them is the widget's job (in the background); :class:`SlowScores` says what is missing and holds the results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...engine.embeddings import EmbeddingSet
from . import colors
from .colors import Colors

SLOW_MODES = ("outliers", "duplicates", "classes")


class SlowScores:
    """What the outliers, duplicates and classes colour modes show, for one embedding set."""

    def __init__(self, embeddings: EmbeddingSet) -> None:
        self.embeddings = embeddings
        self.outliers: pd.Series | None = None
        self.outlier_k = 10
        self.duplicates: pd.DataFrame | None = None
        self.threshold = 0.95
        self.classes: pd.DataFrame | None = None
        self.class_names: list[str] | None = None

    def want_outliers(self, k: int) -> None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        if k != self.outlier_k:
            self.outliers = None
        self.outlier_k = int(k)

    def want_duplicates(self, threshold: float) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not -1 <= threshold <= 1:
            raise ValueError(f"threshold is a cosine similarity between -1 and 1, got {threshold!r}.")
        if threshold != self.threshold:
            self.duplicates = None
        self.threshold = float(threshold)

    def want_classes(self, classes: Sequence[str]) -> None:
        if isinstance(classes, str):
            raise TypeError("classes is a list of class names, e.g. ['sport', 'politics'], not one string.")
        names = list(classes)
        if len(names) < 2 or any(not isinstance(c, str) or not c.strip() for c in names):
            raise ValueError("classes needs at least two non-empty class names, e.g. ['sport', 'politics'].")
        if names != self.class_names:
            self.classes = None
        self.class_names = names

    def missing(self, mode: str) -> tuple[Callable[[], Any], str] | None:
        """The work ``mode`` still needs and what it is called, or None when nothing is missing."""
        es = self.embeddings
        if mode == "outliers" and self.outliers is None:
            return (lambda k=self.outlier_k: es.outliers(k)), "outlier scores"
        if mode == "duplicates" and self.duplicates is None:
            return (lambda t=self.threshold: es.duplicates(t)), "near-duplicates"
        if mode == "classes" and self.classes is None:
            return (lambda names=list(self.class_names or []): es.classify(names)), "classes"
        return None

    def store(self, mode: str, result: Any) -> None:
        if mode not in SLOW_MODES:
            raise KeyError(f"{mode!r} is not a slow colour mode {SLOW_MODES}.")
        setattr(self, mode, result)  # the attributes are named after their modes

    def colors(self, mode: str) -> Colors:
        if mode == "outliers":
            return colors.outlier_colors(self.outliers, self.outlier_k)
        if mode == "duplicates":
            return colors.duplicate_colors(len(self.embeddings), self.duplicates, self.threshold)
        return colors.class_colors(self.classes, self.class_names or [])


def mode_colors(
    mode: str,
    embeddings: EmbeddingSet,
    *,
    clusters: np.ndarray | None,
    names: pd.DataFrame | None,
    query: str,
    scores: SlowScores,
) -> Colors:
    """(values, legend) for the colour mode or metadata column ``mode``."""
    if mode == "none":
        return colors.one_colour("single colour")
    if mode == "cluster":
        return colors.cluster_colors(clusters, names)
    if mode == "similarity":
        query = query.strip()
        return colors.similarity_colors(embeddings.similarities(query) if query else None, query)
    if mode in SLOW_MODES:
        return scores.colors(mode)
    column = colors.metadata_column(embeddings.metadata.columns, mode)
    if column is None:
        raise KeyError(f"no metadata column {mode!r}.")
    return colors.column_colors(embeddings.metadata[column], str(column))

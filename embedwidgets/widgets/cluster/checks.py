"""ClusterView's argument and trait checks, as plain functions: each returns the accepted value or raises an
error that says what to pass instead."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ...engine.embeddings import EmbeddingSet
from .colors import COLOR_MODES, PLAIN, metadata_column
from .layout import PROJECTIONS

CLUSTERINGS = ("kmeans", "hdbscan")
MAX_K = 256  # clusters
MAX_QUERY_K = 10_000  # nearest points a query highlights
SVG_MAX_POINTS = 50_000  # the SVG export draws every point in view, so it stops here
# What the view needs to know from Python: the limits of its inputs and export, the clustering methods as
# [value, text] pairs, and its one plain colour.
VIEW_OPTIONS = {
    "max_k": MAX_K,
    "max_query_k": MAX_QUERY_K,
    "svg_limit": SVG_MAX_POINTS,
    "methods": [["kmeans", "k-means"], ["hdbscan", "HDBSCAN"]],
    "plain_color": PLAIN,
}
# The numeric traits' ranges: (lowest, highest, unit in the message).
RANGES: dict[str, tuple[float, float, str]] = {
    "query_k": (1, MAX_QUERY_K, ""),
    "point_size": (0.1, 40, " pixels"),
    "opacity": (0.01, 1, ""),
    "height": (150, 4000, " pixels"),
}


ROW_CONTAINERS = (list, tuple, range, np.ndarray, pd.Index, pd.Series)


class RowList(traitlets.List):
    """Sorted, distinct row numbers of the widget's set: a list of ints in Python, accepting lists, tuples,
    ranges and numpy arrays. The checks run on numpy, so a lasso of a million rows is accepted in milliseconds
    (a per-element trait check would take seconds)."""

    def validate(self, obj: Any, value: Any) -> list[int]:
        if not isinstance(value, ROW_CONTAINERS):
            raise traitlets.TraitError(f"selected holds row numbers (a list of integers), not {type(value).__name__}.")
        return check_rows(value, len(obj.embeddings)).tolist()


def check_arguments(embeddings: Any, text_column: str | None, seed: Any) -> None:
    """The constructor's arguments that are not traits."""
    if not isinstance(embeddings, EmbeddingSet):
        raise TypeError(f"embeddings must be an EmbeddingSet, not {type(embeddings).__name__}.")
    if len(embeddings) == 0:
        raise ValueError("the embedding set is empty; there is nothing to map.")
    if text_column is not None and text_column not in embeddings.metadata.columns:
        raise KeyError(f"no metadata column {text_column!r}; the columns are {list(embeddings.metadata.columns)}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}.")


def in_range(name: str, value: Any) -> Any:
    """``value`` if it lies in the range of the trait ``name``.

    >>> in_range("opacity", 0.5)
    0.5
    """
    low, high, unit = RANGES[name]
    if not low <= value <= high:
        raise traitlets.TraitError(f"{name} must be between {low} and {high}{unit}, got {value}.")
    return value


def check_projection(value: str, *, custom: bool) -> str:
    allowed = PROJECTIONS + (("custom",) if custom else ())
    if value not in allowed:
        hint = " (pass an n × 2 array as projection= to the constructor for your own)" if value == "custom" else ""
        raise traitlets.TraitError(f"projection={value!r} is not available{hint}; use one of {list(allowed)}.")
    return value


def check_cluster_method(value: str) -> str:
    if value not in CLUSTERINGS:
        raise traitlets.TraitError(f"cluster_method={value!r} is not a clustering; use one of {list(CLUSTERINGS)}.")
    return value


def check_color_by(value: str, columns: Iterable[Any], *, classes: bool) -> str:
    columns = list(columns)
    if value == "classes" and not classes:
        raise traitlets.TraitError('color_by="classes" needs class names: call show_classes(["sport", ...]) first.')
    if value in COLOR_MODES or metadata_column(columns, value) is not None:
        return value
    names = [str(c) for c in columns]
    raise traitlets.TraitError(
        f"color_by={value!r} is neither a colour mode {list(COLOR_MODES)} nor a metadata column {names}."
    )


def check_rows(value: Any, n: int) -> np.ndarray:
    """Row numbers of a set of ``n`` rows, sorted and without repeats, as int64.

    >>> check_rows([7, 3, 3], 10).tolist()
    [3, 7]
    """
    rows = np.asarray(value)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    if rows.ndim != 1 or rows.dtype.kind not in "iu":
        raise traitlets.TraitError("selected holds row numbers (integers), e.g. [0, 4, 17].")
    rows = rows.astype(np.int64, copy=False)
    if not bool(np.all(rows[1:] > rows[:-1])):  # a lasso's rows arrive sorted: skip the sort then
        rows = np.unique(rows)
    if rows[0] < 0 or rows[-1] >= n:
        bad = int(rows[0] if rows[0] < 0 else rows[-1])
        raise traitlets.TraitError(f"selected row {bad} is outside the set's {n:,} rows (0 to {n - 1}).")
    return rows


def query_set(queries: Any, text_column: str, relevant_column: str | None) -> tuple[list[str], list | None]:
    """show_queries' input as query texts and (with ``relevant_column``) each query's relevant items.
    ``queries``: a DataFrame with ``text_column`` (and ``relevant_column``), a Series or a list of strings."""
    if isinstance(queries, pd.DataFrame):
        missing = [c for c in (text_column, relevant_column) if c is not None and c not in queries.columns]
        if missing:
            raise ValueError(
                f"the queries have no column {', '.join(map(repr, missing))}; their columns are "
                f"{list(map(str, queries.columns))}. Name the right ones with text_column= and relevant_column=."
            )
        texts = queries[text_column].tolist()
        relevant = None if relevant_column is None else queries[relevant_column].tolist()
    elif isinstance(queries, str):
        raise TypeError("show_queries takes several queries (a list or a DataFrame); for one, use show_query.")
    elif isinstance(queries, (list, tuple, pd.Series, np.ndarray)):
        if relevant_column is not None:
            raise TypeError(
                "relevant_column names a column of a DataFrame; pass the queries as a DataFrame with a "
                f"{text_column!r} column and a {relevant_column!r} column."
            )
        texts, relevant = list(queries), None
    else:
        raise TypeError(f"queries is a list of strings or a DataFrame, not {type(queries).__name__}.")
    if not texts:
        raise ValueError("show_queries needs at least one query.")
    blank = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if blank:
        raise ValueError(f"queries {blank[:10]} are empty or not text; every query needs a text (or a label).")
    return texts, relevant

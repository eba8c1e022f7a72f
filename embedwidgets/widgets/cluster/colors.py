"""Colour encoding for the map: pure functions from data to ``(values, legend)``.

``values`` holds one number per point: a category (uint8, or int32 past 255 categories) that indexes
``legend["colors"]``, or a float32 in [0, 1] along the ramp. An empty array means "every point in one colour".
``legend`` is the JSON the view draws: ``title, kind ("categorical" | "continuous" | "none"), dtype, colors,
items, note`` (and ``min, max`` on a ramp, ``more`` for categories without a legend row).

This module holds the package's only palette and default colour; the standalone page uses them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

# Categorical colours (ours); grey marks noise, "other" and rows without a value.
PALETTE = [
    "#2f6db5",
    "#e8772e",
    "#3a9a4a",
    "#d0393e",
    "#8a63c2",
    "#9a6a4f",
    "#dd6fb5",
    "#1fa5b8",
    "#b8b532",
    "#5d6470",
    "#8fb6e8",
    "#f5b26b",
    "#8fd17f",
    "#f28e8b",
    "#c6aee6",
    "#c9a08a",
    "#f2b3d8",
    "#86d5df",
    "#e0de8a",
    "#a9a9b3",
]
GREY = "#b3b7bf"
PLAIN = "#4a7fc1"  # every point, when nothing colours them
# A sequential ramp from dark blue-violet to yellow (perceptually ordered, readable on light and dark pages).
RAMP_ANCHORS = ["#2a1858", "#31408f", "#236d9c", "#1c9392", "#33b17b", "#8ccc4b", "#f1e04a"]

COLOR_MODES = ("cluster", "outliers", "similarity", "duplicates", "classes", "none")
COLUMN_PREFIX = "column:"
MAX_CATEGORIES = 20  # colours of a categorical column before the rest become "other"
MAX_LEGEND = 30  # legend rows for clusters and duplicate groups

Colors = tuple[np.ndarray, dict]


def one_colour(title: str, note: str = "") -> Colors:
    """Every point in the plain colour; ``note`` says why (e.g. the scores are still computing)."""
    legend = {"title": title, "kind": "none", "dtype": "uint8", "colors": [PLAIN], "items": [], "note": note}
    return np.zeros(0, dtype=np.uint8), legend


def categorical(
    ids: np.ndarray,
    order: list[int],
    texts: dict[int, str],
    title: str,
    *,
    noise_text: str = "other",
    limit: int = MAX_LEGEND,
) -> Colors:
    """Category values 0..m-1 in ``order`` (the first ``limit`` get legend rows), plus one grey value, named
    ``noise_text``, for every id not in ``order`` (HDBSCAN noise, rows without a duplicate, rare values).

    >>> values, legend = categorical(np.array([7, 3, 7, -1]), [7, 3], {7: "seven"}, "ids")
    >>> values.tolist(), [item["label"] for item in legend["items"]]
    ([0, 1, 0, 2], ['seven', '3', 'other'])
    """
    ids = np.asarray(ids, dtype=np.int64)
    grey = len(order)
    values = np.full(len(ids), grey, dtype=np.int64)
    if order:
        known = np.asarray(order, dtype=np.int64)
        sorter = np.argsort(known)
        where = np.clip(np.searchsorted(known, ids, sorter=sorter), 0, len(known) - 1)
        hit = known[sorter[where]] == ids
        values[hit] = sorter[where[hit]]
    counts = np.bincount(values, minlength=grey + 1)
    colors = [PALETTE[i % len(PALETTE)] for i in range(grey)] + [GREY]
    items = [
        {"value": i, "label": texts.get(cid, str(cid)), "color": colors[i], "count": int(counts[i])}
        for i, cid in enumerate(order[:limit])
    ]
    if counts[grey]:
        items.append({"value": grey, "label": noise_text, "color": GREY, "count": int(counts[grey])})
    dtype = np.uint8 if grey < 256 else np.int32
    legend = {
        "title": title,
        "kind": "categorical",
        "dtype": np.dtype(dtype).name,
        "colors": colors,
        "items": items,
        "more": max(0, len(order) - limit),
        "note": "",
    }
    return values.astype(dtype), legend


def continuous(scores: np.ndarray, title: str) -> Colors:
    """Scores scaled to [0, 1] along the ramp; missing scores sit at the low end, and the legend says so.

    >>> continuous(np.array([2.0, 4.0, 3.0]), "score")[0].tolist()
    [0.0, 1.0, 0.5]
    """
    scores = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(scores)
    low = float(scores[finite].min()) if finite.any() else 0.0
    high = float(scores[finite].max()) if finite.any() else 1.0
    span = high - low
    values = np.where(finite, (scores - low) / span if span > 0 else 0.5, 0.0).astype(np.float32)
    missing = int((~finite).sum())
    legend = {
        "title": title,
        "kind": "continuous",
        "dtype": "float32",
        "colors": ramp(256),
        "min": low,
        "max": high,
        "items": [],
        "note": f"{missing:,} rows without a value are drawn at the low end" if missing else "",
    }
    return np.clip(values, 0.0, 1.0), legend


def column_colors(column: pd.Series, name: str) -> Colors:
    """A metadata column as colours: numbers with many distinct values on the ramp, anything else by category."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and (pd.api.types.is_float_dtype(column) or column.nunique(dropna=True) > 12):
        return continuous(column.to_numpy(dtype=np.float64, na_value=np.nan), name)
    texts = column.map(display_text, na_action="ignore")
    counts = texts.value_counts(dropna=True)
    top = list(counts.index[: MAX_CATEGORIES - 1]) if len(counts) > MAX_CATEGORIES else list(counts.index)
    codes = {value: i for i, value in enumerate(top)}
    ids = texts.map(codes).fillna(-1).to_numpy(dtype=np.int64)
    rest = len(counts) - len(top)
    other = f"other ({rest:,} values)" if rest else "missing"
    if rest and texts.isna().any():
        other = f"other ({rest:,} values) or missing"
    names = {i: clip(v, 60) for i, v in enumerate(top)}
    return categorical(ids, list(range(len(top))), names, name, noise_text=other, limit=MAX_CATEGORIES)


def cluster_colors(clusters: np.ndarray | None, names: pd.DataFrame | None) -> Colors:
    """One colour per cluster, in the order of ``names`` (``cluster, label``: biggest first); noise is grey."""
    if clusters is None:
        return one_colour("clusters", "clustering…")
    if names is None:
        names = pd.DataFrame(columns=["cluster", "label"])
    order = [int(c) for c in names.cluster]
    texts = {int(r.cluster): f"{int(r.cluster)} · {r.label}" for r in names.itertuples(index=False)}
    return categorical(clusters, order, texts, "clusters", noise_text="noise")


def similarity_colors(similarity: np.ndarray | None, query: str) -> Colors:
    """Cosine similarity to ``query`` on the ramp (None: no query yet)."""
    if similarity is None:
        return one_colour("similarity", "type a query to colour by similarity")
    return continuous(similarity, f"cosine similarity to “{query}”")


def outlier_colors(scores: pd.Series | None, k: int) -> Colors:
    """Outlier scores (distance to the k-th neighbour) on the ramp (None: still computing)."""
    if scores is None:
        return one_colour("outlier score", "computing outlier scores…")
    return continuous(scores.to_numpy(), f"outlier score (distance to neighbour {k})")


def duplicate_colors(n: int, groups: pd.DataFrame | None, threshold: float) -> Colors:
    """One colour per group of near-duplicates (``group, row, label``); every other point is grey."""
    if groups is None:
        return one_colour("near-duplicates", "computing near-duplicates…")
    ids = np.full(n, -1, dtype=np.int64)
    if len(groups):
        ids[groups.row.to_numpy(dtype=np.int64)] = groups.group.to_numpy(dtype=np.int64)
    firsts = groups.drop_duplicates("group") if len(groups) else groups
    texts = {int(r.group): f"group {int(r.group)} · {clip(r.label, 60)}" for r in firsts.itertuples(index=False)}
    order = [int(g) for g in firsts.group] if len(groups) else []
    title = f"near-duplicates (cosine ≥ {threshold:g})"
    values, legend = categorical(ids, order, texts, title, noise_text="no near-duplicate")
    legend["note"] = (
        f"{len(order):,} groups, {len(groups):,} rows" if len(groups) else "no near-duplicates at this threshold"
    )
    return values, legend


def class_colors(classes: pd.DataFrame | None, class_names: Sequence[str]) -> Colors:
    """One colour per zero-shot class (the ``class`` column), in the order the classes were given."""
    if classes is None:
        return one_colour("classes", "computing classes…")
    names = list(class_names)
    index = {name: i for i, name in enumerate(names)}
    ids = classes["class"].map(index).to_numpy(dtype=np.int64)
    return categorical(ids, list(range(len(names))), dict(enumerate(names)), "zero-shot classes", limit=len(names))


def metadata_column(columns: Iterable[Any], value: str) -> Any:
    """The column among ``columns`` that a ``color_by`` value names (``"column:<name>"`` or a bare name that
    is not a colour mode), or None.

    >>> metadata_column(["kind", "cluster"], "column:cluster"), metadata_column(["kind", "cluster"], "cluster")
    ('cluster', None)
    """
    by_text = {str(c): c for c in columns}
    if value.startswith(COLUMN_PREFIX) and value[len(COLUMN_PREFIX) :] in by_text:
        return by_text[value[len(COLUMN_PREFIX) :]]
    if value not in COLOR_MODES and value in by_text:
        return by_text[value]
    return None


def color_choices(columns: Iterable[Any], *, classes: bool) -> list[list[str]]:
    """The colour menu as ``[value, text]`` pairs: the modes, then one entry per metadata column."""
    choices = [
        ["cluster", "cluster"],
        ["outliers", "outlier score"],
        ["similarity", "similarity to the query"],
        ["duplicates", "near-duplicates"],
    ]
    if classes:
        choices.append(["classes", "zero-shot classes"])
    choices.append(["none", "single colour"])
    for column in columns:
        name = str(column)
        value = name if name not in COLOR_MODES and not name.startswith(COLUMN_PREFIX) else COLUMN_PREFIX + name
        choices.append([value, f"column · {name}"])
    return choices


def ramp(steps: int) -> list[str]:
    """``steps`` colours along the sequential ramp, as #rrggbb.

    >>> ramp(2)
    ['#2a1858', '#f1e04a']
    """
    anchors = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in RAMP_ANCHORS], dtype=np.float64)
    where = np.linspace(0, len(anchors) - 1, steps)
    low = np.floor(where).astype(int).clip(0, len(anchors) - 2)
    mix = (where - low)[:, None]
    colours = anchors[low] * (1 - mix) + anchors[low + 1] * mix
    return ["#" + "".join(f"{round(v):02x}" for v in rgb) for rgb in colours]


def display_text(value: Any) -> str:
    """A metadata value as text: floats to 6 significant digits, NaN as empty."""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}"
    return str(value)


def clip(text: object, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was longer.

    >>> clip("embedding", 6)
    'embed…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"

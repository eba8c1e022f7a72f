"""The map's geometry: user coordinates checked, layouts scaled into [-1, 1], label places, point defaults."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from .colors import PALETTE

PROJECTIONS = ("umap", "pca", "tsne")


def as_coordinates(projection: Any, n: int) -> np.ndarray:
    """A user's own layout (array, tensor, nested list) as float32 (n × 2), or a ValueError saying what is wrong."""
    if isinstance(projection, torch.Tensor):
        projection = projection.detach().cpu().numpy()
    try:
        coords = np.asarray(projection, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"projection is {PROJECTIONS} or an (n × 2) array of numbers, not {type(projection).__name__}."
        ) from None
    if coords.shape != (n, 2):
        raise ValueError(f"projection coordinates must have shape ({n}, 2), one row per point; got {coords.shape}.")
    if not np.isfinite(coords).all():
        raise ValueError("projection coordinates contain NaN or infinite values.")
    return coords.astype(np.float32)


def projection_choices(*, custom: bool) -> list[list[str]]:
    """The projection menu as ``[value, text]`` pairs; "custom" only when the user gave coordinates."""
    choices = [[p, p.upper() if p != "tsne" else "t-SNE"] for p in PROJECTIONS]
    return choices + ([["custom", "your coordinates"]] if custom else [])


def to_unit_square(coords: np.ndarray) -> np.ndarray:
    """Centre the coordinates and scale both axes by the same factor so the longer side spans [-1, 1].

    >>> to_unit_square(np.array([[0.0, 0.0], [4.0, 1.0]])).tolist()
    [[-1.0, -0.25], [1.0, 0.25]]
    """
    coords = np.asarray(coords, dtype=np.float64)
    if not len(coords):
        return np.zeros((0, 2), dtype=np.float32)
    low, high = coords.min(0), coords.max(0)
    half = float((high - low).max()) / 2
    centred = coords - (low + high) / 2
    unit = centred / half if half > 0 else np.zeros_like(centred)
    return np.clip(unit, -1.0, 1.0).astype(np.float32)


def label_places(xy: np.ndarray | None, clusters: np.ndarray | None, names: pd.DataFrame | None, limit: int) -> list:
    """Where each cluster's keyword label goes: the median of its points, for the first ``limit`` clusters of
    ``names`` (biggest first), each with the colour its cluster has on the map."""
    if xy is None or clusters is None or names is None:
        return []
    places = []
    for position, row in enumerate(names.head(limit).itertuples(index=False)):
        members = xy[clusters == row.cluster]
        if not len(members):
            continue
        x, y = np.median(members, axis=0)
        places.append(
            {
                "cluster": int(row.cluster),
                "x": float(x),
                "y": float(y),
                "text": str(row.label),
                "size": int(row.size),
                "color": PALETTE[position % len(PALETTE)],
            }
        )
    return places


def default_point_size(n: int) -> float:
    """Smaller points for bigger sets, so a million points do not become one blot."""
    return 6.0 if n < 2_000 else 4.0 if n < 20_000 else 2.5 if n < 200_000 else 1.5


def default_opacity(n: int) -> float:
    return 0.9 if n < 20_000 else 0.7 if n < 200_000 else 0.5


# From this many points the view shows a density image while it draws them: on software WebGL the first frame of
# 1M points takes about 4-5 s, of 10M 40-50 s, while the data arrive in 1.4 s and 5-6 s (benchmarks/render.py).
DENSITY_FROM = 1_000_000
DENSITY_BINS = 256


def density_image(xy_unit: np.ndarray, bins: int = DENSITY_BINS) -> np.ndarray:
    """Points per cell of a bins × bins grid over the square [-1, 1]², log-scaled to 0..255, top row (y = 1) first:
    the approximate picture of millions of points that the view shows until it has drawn them.

    >>> density_image(np.array([[-1, -1], [1, 1], [1, 1]], dtype=np.float32), bins=2).tolist()
    [[0, 255], [161, 0]]
    """
    cells = np.clip(((np.asarray(xy_unit) + 1) * (bins / 2)).astype(np.int32), 0, bins - 1)
    counts = np.bincount((bins - 1 - cells[:, 1]) * bins + cells[:, 0], minlength=bins * bins)
    scaled = np.log1p(counts) / max(float(np.log1p(counts.max())), 1e-9)
    return np.round(scaled * 255).astype(np.uint8).reshape(bins, bins)

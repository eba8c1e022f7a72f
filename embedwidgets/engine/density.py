"""Density contours of a 2-D layout: a kernel density estimate on a grid, and its contour lines.

The estimate bins the points on a ``bins`` × ``bins`` grid over [-1, 1]² and smooths the counts with a Gaussian
(a binned KDE: approximate to a grid cell, and quick at millions of points). The contour lines come from
marching squares, as separate line segments (x1, y1, x2, y2) in the same coordinates, each with its level.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

# For each of the 16 corner cases of a cell (bit 0: bottom-left above the level, 1: bottom-right, 2: top-right,
# 3: top-left), the pairs of cell edges a contour line joins. Edges: 0 bottom, 1 right, 2 top, 3 left.
# The two saddle cases (5, 10) take one of their two readings; at a grid's resolution either is fine.
CASES: dict[int, list[tuple[int, int]]] = {
    1: [(3, 0)],
    2: [(0, 1)],
    3: [(3, 1)],
    4: [(1, 2)],
    5: [(3, 2), (0, 1)],
    6: [(0, 2)],
    7: [(3, 2)],
    8: [(2, 3)],
    9: [(2, 0)],
    10: [(2, 1), (0, 3)],
    11: [(2, 1)],
    12: [(1, 3)],
    13: [(1, 0)],
    14: [(0, 3)],
}


def kde_grid(xy: np.ndarray, *, bins: int = 128, bandwidth: float = 0.03) -> np.ndarray:
    """Density of the points ``xy`` (in [-1, 1]²) on a bins × bins grid, rows along y (row 0 at y = -1),
    scaled so the densest cell is 1. ``bandwidth`` is the Gaussian's standard deviation in map units.

    >>> grid = kde_grid(np.zeros((10, 2)), bins=8, bandwidth=0.2)
    >>> grid.shape, float(grid.max()), bool(grid[4, 4] > grid[0, 0])
    ((8, 8), 1.0, True)
    """
    xy = np.asarray(xy, dtype=np.float64)
    counts, _, _ = np.histogram2d(xy[:, 1], xy[:, 0], bins=bins, range=[[-1, 1], [-1, 1]])
    smooth = gaussian_filter(counts, sigma=bandwidth * bins / 2, mode="constant")
    top = float(smooth.max())
    return smooth / top if top > 0 else smooth


def contour_segments(grid: np.ndarray, levels: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares over ``grid`` (cell centres spread over [-1, 1]²): the segments ``(m, 4)`` float32 of
    every level's contour lines, and the index of each segment's level ``(m,)`` uint8.

    >>> grid = np.zeros((5, 5)); grid[2, 2] = 1.0
    >>> segments, level = contour_segments(grid, [0.5])
    >>> len(segments), set(level.tolist())
    (4, {0})
    """
    rows, cols = grid.shape
    ys = -1 + (np.arange(rows) + 0.5) * 2 / rows
    xs = -1 + (np.arange(cols) + 0.5) * 2 / cols
    out, which = [], []
    bl, br, tr, tl = grid[:-1, :-1], grid[:-1, 1:], grid[1:, 1:], grid[1:, :-1]
    x0, y0 = np.meshgrid(xs[:-1], ys[:-1])
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    for index, level in enumerate(levels):
        case = (bl > level) * 1 + (br > level) * 2 + (tr > level) * 4 + (tl > level) * 8

        def cross(a: np.ndarray, b: np.ndarray, level: float = level) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                t = (level - a) / (b - a)
            return np.clip(np.nan_to_num(t, nan=0.5), 0, 1)

        # Where each edge of every cell meets the level (x, y), computed once per level.
        edges = [
            (x0 + cross(bl, br) * dx, y0),  # bottom
            (x0 + dx, y0 + cross(br, tr) * dy),  # right
            (x0 + cross(tl, tr) * dx, y0 + dy),  # top
            (x0, y0 + cross(bl, tl) * dy),  # left
        ]
        for code, pairs in CASES.items():
            hit = case == code
            if not hit.any():
                continue
            for a, b in pairs:
                out.append(np.stack([edges[a][0][hit], edges[a][1][hit], edges[b][0][hit], edges[b][1][hit]], 1))
                which.append(np.full(int(hit.sum()), index, dtype=np.uint8))
    if not out:
        return np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.uint8)
    return np.concatenate(out).astype(np.float32), np.concatenate(which)


def density_contours(
    xy: np.ndarray, *, levels: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75), bins: int = 128, bandwidth: float = 0.03
) -> tuple[np.ndarray, np.ndarray]:
    """Contour segments of the points' density at ``levels`` (fractions of the densest cell's density)."""
    return contour_segments(kde_grid(xy, bins=bins, bandwidth=bandwidth), list(levels))

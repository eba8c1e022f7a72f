"""Landmark UMAP: fit UMAP on a seeded random sample of rows, then place every other row from its nearest landmarks.

A full UMAP costs minutes per 100k points; a landmark layout costs one UMAP on the landmarks plus one exact,
chunked top-k search of every row against them (never an n × n matrix, at most ``SCORE_ELEMENTS`` scores at once).
Each placed row sits at the similarity-weighted mean of its ``neighbours`` nearest landmarks' coordinates
(a softmax of cosine similarity with temperature ``temperature``). The result is approximate; ``describe`` says so
in words a widget can show.

Auto rule: ``landmarks=None`` uses ``DEFAULT_LANDMARKS`` landmarks when a set has more than ``AUTO_THRESHOLD`` rows
and a full UMAP otherwise; ``landmarks=0`` always forces a full UMAP.

Placement search: exact while rows × landmarks × dims ≤ ``EXACT_PLACEMENT_WORK`` (1M rows of 64 dims against
50k landmarks, about 3 minutes here). Past that (10M rows of 384 dims would take hours on 2 cores) the nearest
landmarks are found with a FAISS HNSW graph over the landmarks when faiss is installed, with exact cosine
similarities for the landmarks it finds; ``describe`` says which search placed the points.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Progress = Callable[[float, str], None]
AUTO_THRESHOLD = 100_000  # above this many rows, "auto" switches to landmarks
DEFAULT_LANDMARKS = 50_000
DEFAULT_NEIGHBOURS = 10  # landmarks each placed row is averaged over
DEFAULT_TEMPERATURE = 0.002  # softmax temperature on cosine similarity: sharp, nearest landmark dominates
SCORE_ELEMENTS = 1 << 24  # rows × landmarks scored per chunk (64 MB of float32)
EXACT_PLACEMENT_WORK = 4e12  # rows × landmarks × dims above which the placement search uses an HNSW graph
HNSW_ROWS = 1 << 16  # rows searched in the HNSW graph per step (one float32 chunk)


def landmark_count(n_rows: int, landmarks: int | None) -> int:
    """How many landmarks a set of ``n_rows`` gets: 0 means a full UMAP.

    >>> landmark_count(5_000, None), landmark_count(500_000, None), landmark_count(500_000, 0)
    (0, 50000, 0)
    >>> landmark_count(1_000, 5_000)  # at least as many landmarks as rows: a full UMAP
    0
    """
    if landmarks is None:
        return DEFAULT_LANDMARKS if n_rows > AUTO_THRESHOLD else 0
    if isinstance(landmarks, bool) or not isinstance(landmarks, (int, np.integer)) or landmarks < 0:
        raise ValueError(f"landmarks must be None (auto), 0 (full UMAP) or a positive count, got {landmarks!r}.")
    return 0 if landmarks >= n_rows else int(landmarks)


def placement_search(n_rows: int, n_landmarks: int, dim: int) -> str:
    """ "exact" or "hnsw": how the nearest landmarks of the placed rows are found (see the module notes).

    >>> placement_search(1_000_000, 50_000, 64), placement_search(10_000_000, 50_000, 384) in ("hnsw", "exact")
    ('exact', True)
    """
    if float(n_rows) * n_landmarks * dim <= EXACT_PLACEMENT_WORK:
        return "exact"
    try:
        import faiss  # noqa: F401
    except ImportError:
        return "exact"  # slow at this size, but right; faiss comes with embedwidgets[index]
    return "hnsw"


def describe(
    n_rows: int, n_landmarks: int, neighbours: int = DEFAULT_NEIGHBOURS, dim: int = 0, search: str | None = None
) -> dict:
    """What a UMAP layout of ``n_rows`` is: exact or approximate, and a one-line note to show beside the map."""
    if not n_landmarks:
        return {"approximate": False, "landmarks": 0, "note": f"UMAP of all {n_rows:,} points"}
    search = search or placement_search(n_rows, n_landmarks, dim)
    found = " (found with an HNSW graph)" if search == "hnsw" else ""
    return {
        "approximate": True,
        "landmarks": n_landmarks,
        "placement_search": search,
        "note": (
            f"approximate: UMAP of {n_landmarks:,} random landmarks; the other {n_rows - n_landmarks:,} points "
            f"placed from their {neighbours} nearest landmarks{found}"
        ),
    }


def pick_landmarks(n_rows: int, n_landmarks: int, seed: int) -> np.ndarray:
    """Sorted row numbers of a seeded random sample, without repeats."""
    return np.sort(np.random.default_rng(seed).choice(n_rows, n_landmarks, replace=False))


def nearest_landmarks(
    unit: torch.Tensor,
    landmark_unit: torch.Tensor,
    k: int,
    progress: Progress | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact top-``k`` cosine similarities of every row of ``unit`` against the landmarks, chunk by chunk.
    Returns (similarities, landmark numbers), rows × k each."""
    n = unit.shape[0]
    k = min(k, landmark_unit.shape[0])
    step = max(1, SCORE_ELEMENTS // landmark_unit.shape[0])
    landmarks_t = landmark_unit.float().T.contiguous()
    scores = torch.empty(n, k, dtype=torch.float32, device=unit.device)
    where = torch.empty(n, k, dtype=torch.int64, device=unit.device)
    report_every = max(1, n // step // 50)
    for number, start in enumerate(range(0, n, step)):
        block = unit[start : start + step].float() @ landmarks_t
        top = block.topk(k, dim=1)
        scores[start : start + step], where[start : start + step] = top.values, top.indices
        if progress and number % report_every == 0:
            done = min(1.0, (start + step) / n)
            progress(span[0] + (span[1] - span[0]) * done, f"landmark UMAP: placing points ({done:.0%})")
    return scores, where


def landmark_graph(landmark_unit: torch.Tensor, k: int) -> Any:
    """A FAISS HNSW graph over the unit landmarks (inner product), searched for ``k`` neighbours."""
    import faiss

    marks = np.ascontiguousarray(landmark_unit.float().cpu().numpy())
    graph = faiss.IndexHNSWFlat(marks.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = 80
    graph.add(marks)
    graph.hnsw.efSearch = max(64, 4 * k)
    return graph


def nearest_landmarks_hnsw(
    unit: torch.Tensor,
    landmark_unit: torch.Tensor,
    k: int,
    progress: Progress | None = None,
    span=(0.0, 1.0),
    graph: Any = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Like ``nearest_landmarks``, through a FAISS HNSW graph over the landmarks (inner product on unit
    vectors, so the similarities it returns are the exact cosines of the landmarks it finds). ``graph``: one
    already built by ``landmark_graph`` (the caller placing rows in slices builds it once)."""
    k = min(k, landmark_unit.shape[0])
    if graph is None:
        graph = landmark_graph(landmark_unit, k)
    n = unit.shape[0]
    scores = np.empty((n, k), dtype=np.float32)
    where = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, HNSW_ROWS):
        block = np.ascontiguousarray(unit[start : start + HNSW_ROWS].float().cpu().numpy())
        scores[start : start + HNSW_ROWS], where[start : start + HNSW_ROWS] = graph.search(block, k)
        if progress:
            done = min(1.0, (start + HNSW_ROWS) / n)
            progress(span[0] + (span[1] - span[0]) * done, f"landmark UMAP: placing points ({done:.0%})")
    return torch.from_numpy(scores).to(unit.device), torch.from_numpy(where).to(unit.device)


def place(
    landmark_coords: np.ndarray, similarities: torch.Tensor, where: torch.Tensor, temperature: float
) -> np.ndarray:
    """Each row at the softmax(similarity / temperature)-weighted mean of its nearest landmarks' coordinates."""
    weights = torch.softmax(similarities.double() / temperature, dim=1)
    coords = torch.from_numpy(np.asarray(landmark_coords, dtype=np.float64)).to(where.device)
    return (weights[:, :, None] * coords[where]).sum(1).float().cpu().numpy()


def landmark_umap(
    unit: torch.Tensor,
    n_components: int,
    n_landmarks: int,
    fit: Callable[[np.ndarray], np.ndarray],
    *,
    seed: int = 0,
    neighbours: int = DEFAULT_NEIGHBOURS,
    temperature: float = DEFAULT_TEMPERATURE,
    progress: Progress | None = None,
    search: str | None = None,
) -> np.ndarray:
    """Landmark layout of the unit rows: ``fit`` (a UMAP) on ``n_landmarks`` seeded random rows, the rest placed.

    Landmarks keep the coordinates ``fit`` gave them; every other row is placed by ``place``. ``search``:
    "exact" or "hnsw" for the nearest-landmark search (default: ``placement_search``'s rule).
    """
    search = search or placement_search(unit.shape[0], n_landmarks, unit.shape[1])
    n = unit.shape[0]
    chosen = pick_landmarks(n, n_landmarks, seed)
    chosen_t = torch.from_numpy(chosen).to(unit.device)
    landmark_unit = unit[chosen_t].float()
    if progress:
        progress(0.02, f"landmark UMAP: fitting {n_landmarks:,} landmarks")
    landmark_coords = np.asarray(fit(landmark_unit.cpu().numpy()), dtype=np.float32)
    if progress:
        progress(0.6, f"landmark UMAP: {n_landmarks:,} landmarks fitted")
    others = np.ones(n, dtype=bool)
    others[chosen] = False
    other_rows = torch.from_numpy(np.flatnonzero(others)).to(unit.device)
    out = np.empty((n, n_components), dtype=np.float32)
    out[chosen] = landmark_coords
    finder: Callable[..., tuple[torch.Tensor, torch.Tensor]] = nearest_landmarks
    if search == "hnsw":  # one graph for every slice below (building it costs as much as searching a slice)
        finder = functools.partial(nearest_landmarks_hnsw, graph=landmark_graph(landmark_unit, neighbours))
    # Placed in slices of rows, so the gathered rows and their neighbours stay a bounded size.
    slice_rows = 1 << 18
    for start in range(0, len(other_rows), slice_rows):
        rows = other_rows[start : start + slice_rows]
        span = (0.6 + 0.4 * start / len(other_rows), 0.6 + 0.4 * min(1.0, (start + slice_rows) / len(other_rows)))
        similarities, where = finder(unit[rows], landmark_unit, neighbours, progress, span)
        out[rows.cpu().numpy()] = place(landmark_coords, similarities, where, temperature)
    if progress:
        progress(1.0, "landmark UMAP: done (approximate)")
    return out

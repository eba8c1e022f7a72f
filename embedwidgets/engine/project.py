"""Projections to 2-D (or n-D): exact PCA in torch, UMAP, t-SNE, and axes defined by words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from . import landmarks as _landmarks
from ._checks import normalise_rows

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

PROJECTIONS = ("pca", "umap", "tsne")
Progress = Callable[[float, str], None]  # (fraction done, what is happening)
COVARIANCE_CHUNK = 65536


def pca_2d(vectors: np.ndarray | torch.Tensor) -> np.ndarray:
    """Exact PCA of a few vectors onto their first two principal axes (float64 SVD).

    The sign of each axis is fixed (largest loading positive) so the picture does not flip between runs.

    >>> pca_2d(np.eye(3)).shape
    (3, 2)
    """
    matrix = torch.as_tensor(np.asarray(vectors, dtype=np.float64))
    centred = matrix - matrix.mean(0, keepdim=True)
    if centred.shape[0] < 2 or not torch.any(centred):
        return np.zeros((matrix.shape[0], 2))
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    axes = vh[:2]
    if axes.shape[0] < 2:
        axes = torch.cat([axes, torch.zeros(2 - axes.shape[0], axes.shape[1], dtype=axes.dtype)])
    return (centred @ _fix_signs(axes).T).numpy()


def _fix_signs(axes: torch.Tensor) -> torch.Tensor:
    signs = torch.sign(axes.gather(1, axes.abs().argmax(1, keepdim=True)))
    return axes * torch.where(signs == 0, 1.0, signs)


def pca(matrix: torch.Tensor, n_components: int = 2, progress: Progress | None = None) -> np.ndarray:
    """Exact PCA of every row: the principal axes (``principal_axes``), then the rows projected onto them in
    float32, chunk by chunk."""
    n, d = matrix.shape
    mean, axes, total_variance = principal_axes(matrix, n_components)
    if progress:
        progress(0.8, "PCA: covariance")
    axes_t, offset = _like(matrix, axes.T), _like(matrix, mean @ axes.T)
    centre = _like(matrix, mean)
    fold = float(mean @ mean) <= MEAN_TO_SPREAD * total_variance
    out = np.empty((n, axes.shape[0]), dtype=np.float32)
    for rows in _chunks(n, d):
        block = _chunk(matrix, rows)
        # x·a - μ·a loses digits only when |μ| dwarfs the spread; then each chunk is centred first.
        out[rows] = _host((block @ axes_t - offset) if fold else ((block - centre) @ axes_t))
    if progress:
        progress(1.0, "PCA: done")
    return out


def principal_axes(matrix: torch.Tensor, n_components: int = 2) -> tuple[np.ndarray, np.ndarray, float]:
    """(mean, axes as rows, total variance) of ``matrix``'s rows, in float64, chunk by chunk (memory stays at
    one chunk). Each axis's sign is fixed (largest loading positive).

    The covariance is summed in float64 from float32 chunk products: from the plain sums Σx and Σxxᵀ when the
    mean is small beside the spread, where that loses nothing, and otherwise from chunks centred on their own
    means and merged with the exact correction for their means (Chan et al.), so a large mean never cancels out
    of a float32 sum. On the CPU the products go through numpy's BLAS, about twice torch's speed for these tall,
    thin products here (measured)."""
    n, d = matrix.shape
    mean, covariance = _covariance(matrix, centred=False)
    if float(mean @ mean) > MEAN_TO_SPREAD * float(covariance.trace()) / max(n, 1):
        mean, covariance = _covariance(matrix, centred=True)
    _, vectors = np.linalg.eigh(covariance)
    axes = _fix_signs(torch.from_numpy(vectors[:, ::-1][:, : min(n_components, d)].T.copy())).numpy()
    return mean, axes, max(float(covariance.trace()), 0.0) / max(n, 1)


MEAN_TO_SPREAD = 1.0  # |mean|² above this × the total variance: centre before summing products
PCA_CHUNK_ELEMENTS = 1 << 22  # 16 MB of float32 per chunk, within the cache


def _covariance(matrix: torch.Tensor, *, centred: bool) -> tuple[np.ndarray, np.ndarray]:
    """(mean, covariance × n) in float64, from float32 chunk products summed in float64."""
    d = matrix.shape[1]
    mean, covariance, seen = np.zeros(d), np.zeros((d, d)), 0
    for rows in _chunks(matrix.shape[0], d):
        block = _chunk(matrix, rows)
        count = block.shape[0]
        block_mean = _host(block.sum(0)).astype(np.float64) / count
        if centred:
            block = block - _like(matrix, block_mean)
            shift = block_mean - mean
            covariance += _host(block.T @ block) + np.outer(shift, shift) * (seen * count / (seen + count))
            mean += shift * (count / (seen + count))
        else:
            covariance += _host(block.T @ block)
            mean += block_mean * count
        seen += count
    if not centred:
        mean /= max(seen, 1)
        covariance -= seen * np.outer(mean, mean)
    return mean, covariance


def _chunks(n: int, d: int):
    step = max(1, PCA_CHUNK_ELEMENTS // max(d, 1))
    for start in range(0, n, step):
        yield slice(start, start + step)


def _chunk(matrix: torch.Tensor, rows: slice) -> Any:
    """Rows as float32: numpy on the CPU (no copy for float32 rows), a torch tensor on other devices."""
    block = matrix[rows].float()
    return block.numpy() if block.device.type == "cpu" else block


def _like(matrix: torch.Tensor, values: np.ndarray) -> Any:
    """float32 ``values`` of the kind ``_chunk`` gives for ``matrix``."""
    values = np.ascontiguousarray(values, dtype=np.float32)
    return values if matrix.device.type == "cpu" else torch.from_numpy(values).to(matrix.device)


def _host(values: Any) -> np.ndarray:
    return values.cpu().numpy() if isinstance(values, torch.Tensor) else values


def project(
    es: EmbeddingSet,
    method: str = "pca",
    n_components: int = 2,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    landmarks: int | None = None,
    **options: Any,
) -> np.ndarray:
    """Coordinates of every row (float32, rows × n_components) from the normalised vectors, cached per
    set and parameters.

    UMAP only: ``landmarks`` (None = auto, 0 = full UMAP, or a count) fits UMAP on that many seeded random rows
    and places the others from their nearest landmarks (see ``landmarks.py``): approximate, and
    ``projection_info`` says so. Auto uses 50,000 landmarks above 100,000 rows. ``landmark_neighbours`` and
    ``landmark_temperature`` tune the placement; ``landmark_search`` ("exact" or "hnsw") overrides how the
    nearest landmarks are found (by default exact, and an HNSW graph past about 4e12 rows × landmarks × dims)."""
    if method not in PROJECTIONS:
        raise ValueError(f"method={method!r} is not a projection; use one of {PROJECTIONS}.")
    if not isinstance(n_components, int) or n_components < 1:
        raise ValueError(f"n_components must be a positive integer, got {n_components!r}.")
    placement = _landmark_settings(len(es), method, landmarks, options)
    key = _projection_key(method, n_components, seed, placement, options)
    built = False

    def build() -> np.ndarray:
        nonlocal built
        built = True
        unit = es.unit  # in its storage dtype: each step widens a chunk at a time, never the whole matrix
        if method == "pca":
            coords = pca(unit, n_components, progress)
        elif len(es) <= n_components + 1:
            coords = pca(unit, n_components, progress)  # too few points for a neighbourhood graph
        elif method == "umap" and placement["landmarks"]:
            coords = _landmarks.landmark_umap(
                unit,
                n_components,
                placement["landmarks"],
                lambda sample: fit_umap(sample, n_components, seed, None, options),
                seed=seed,
                neighbours=placement["neighbours"],
                temperature=placement["temperature"],
                progress=progress,
                search=placement.get("search"),
            )
        elif method == "umap":
            coords = fit_umap(unit.float().cpu().numpy(), n_components, seed, progress, options)
        else:
            coords = _tsne(unit.float().cpu().numpy(), n_components, seed, progress, options)
        return np.ascontiguousarray(coords, dtype=np.float32)

    coords = es.cached("projection", key, build)
    if not built and progress:
        progress(1.0, f"{method}: cached")
    return coords


def _landmark_settings(n_rows: int, method: str, landmarks: int | None, options: dict) -> dict:
    """The landmark count and placement settings of a projection (pops them from ``options``)."""
    neighbours = options.pop("landmark_neighbours", _landmarks.DEFAULT_NEIGHBOURS)
    temperature = options.pop("landmark_temperature", _landmarks.DEFAULT_TEMPERATURE)
    search = options.pop("landmark_search", None)
    if search not in (None, "exact", "hnsw"):
        raise ValueError(f"landmark_search={search!r}: use 'exact', 'hnsw' or None (chosen by size).")
    if method != "umap":
        if landmarks:
            raise ValueError(f"landmarks= applies to method='umap' only, not {method!r}.")
        return {"landmarks": 0}
    count = _landmarks.landmark_count(n_rows, landmarks)
    if not count:
        return {"landmarks": 0}
    settings = {"landmarks": count, "neighbours": int(neighbours), "temperature": float(temperature)}
    return settings if search is None else {**settings, "search": search}


def _projection_key(method: str, n_components: int, seed: int, placement: dict, options: dict) -> tuple:
    """The cache key: a full UMAP keeps the key it always had; a landmark layout adds its count and placement."""
    settings = dict(options)
    if placement["landmarks"]:
        settings.update(
            landmarks=placement["landmarks"],
            landmark_neighbours=placement["neighbours"],
            landmark_temperature=placement["temperature"],
        )
        if "search" in placement:
            settings["landmark_search"] = placement["search"]
    return (method, n_components, seed, tuple(sorted((k, repr(v)) for k, v in settings.items())))


def projection_info(
    es: EmbeddingSet, method: str = "pca", landmarks: int | None = None, **options: Any
) -> dict[str, Any]:
    """Whether ``project`` with these arguments is exact, and a one-line ``note`` to show beside the map.

    Answers without computing the projection. Keys: ``method``, ``approximate``, ``landmarks``, ``note``.
    """
    placement = _landmark_settings(len(es), method, landmarks, dict(options))
    if method == "umap":
        info = _landmarks.describe(
            len(es), placement["landmarks"], placement.get("neighbours", 0), es.dim, placement.get("search")
        )
    else:
        info = {"approximate": False, "landmarks": 0, "note": f"{method} of all {len(es):,} points"}
    return {"method": method, **info}


def fit_umap(data: np.ndarray, n_components: int, seed: int, progress: Progress | None, options: dict) -> np.ndarray:
    """umap-learn with this package's settings (15 neighbours, seeded, one job), so every map of a set agrees."""
    try:
        import umap
    except ImportError:
        raise ImportError("UMAP needs umap-learn: pip install umap-learn, or use method='pca'.") from None
    if progress:
        progress(0.05, "UMAP: neighbours and layout")
    settings = {"n_neighbors": min(15, len(data) - 1), "random_state": seed, "n_jobs": 1, **options}
    coords = umap.UMAP(n_components=n_components, **settings).fit_transform(data)
    if progress:
        progress(1.0, "UMAP: done")
    return coords


def _tsne(data: np.ndarray, n_components: int, seed: int, progress: Progress | None, options: dict) -> np.ndarray:
    from sklearn.manifold import TSNE

    if progress:
        progress(0.05, "t-SNE: optimising")
    settings = {"perplexity": min(30.0, (len(data) - 1) / 3), "init": "pca", "random_state": seed, **options}
    coords = TSNE(n_components=n_components, **settings).fit_transform(data)
    if progress:
        progress(1.0, "t-SNE: done")
    return coords


def axes(es: EmbeddingSet, x: tuple[Any, Any], y: tuple[Any, Any] | None = None) -> np.ndarray:
    """Coordinates along directions defined by pairs: ``x=("man", "woman")`` is the cosine-space direction
    from man to woman. Each end is a label or a vector. Returns rows × 1 (x only) or rows × 2.

    >>> words.axes(x=("man", "woman"), y=("king", "queen"))   # doctest: +SKIP
    """
    columns = torch.stack([_direction(es, x, "x")] + ([_direction(es, y, "y")] if y is not None else []), dim=1)
    unit, out = es.unit, np.empty((len(es), columns.shape[1]), dtype=np.float32)
    for start in range(0, len(es), COVARIANCE_CHUNK):  # widened a chunk at a time, as in pca()
        out[start : start + COVARIANCE_CHUNK] = (unit[start : start + COVARIANCE_CHUNK].float() @ columns).cpu().numpy()
    return out


def place(
    es: EmbeddingSet, queries: Sequence[Any], *, x: tuple[Any, Any] | None = None, y: tuple[Any, Any] | None = None
) -> np.ndarray:
    """2-D coordinates of a few queries (labels, texts when the set has an encoder, or vectors), as rows × 2.

    Without ``x`` and ``y``: a PCA of the queries' unit vectors (``pca_2d``), so the map shows how these items
    differ from each other. With both: their cosine-space coordinates along two directions defined by pairs,
    exactly as ``axes()`` places the rows of the set. Unknown words raise one ``UnknownTokenError`` naming all.

    >>> words.place(["king", "queen", "man", "woman"], x=("man", "woman"), y=("young", "old"))  # doctest: +SKIP
    """
    if (x is None) != (y is None):
        raise ValueError("place() takes both x= and y= (two word-defined axes), or neither (a PCA).")
    queries = list(queries)
    # The axes first, so their words are checked even for an empty map.
    columns = None if x is None or y is None else torch.stack([_direction(es, x, "x"), _direction(es, y, "y")], dim=1)
    if not queries:
        return np.zeros((0, 2))
    unit = _unit_queries(es, queries)
    if columns is None:
        return pca_2d(unit.cpu().numpy())
    return (unit @ columns).cpu().numpy().astype(np.float64)


def _unit_queries(es: EmbeddingSet, queries: list[Any]) -> torch.Tensor:
    """Unit vectors of queries; a label takes its row of ``es.unit``, so it sits where ``axes()`` puts it."""
    vectors, rows = es._query_vectors(queries)
    unit = normalise_rows(torch.as_tensor(vectors, device=es.device).float())
    for i, row in enumerate(rows):
        if row is not None:
            unit[i] = es.unit[row].float()
    return unit


def _direction(es: EmbeddingSet, pair: tuple[Any, Any], name: str) -> torch.Tensor:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"{name}= takes a pair (from, to) of labels or vectors, e.g. ('man', 'woman').")
    ends = []
    for end in pair:
        if isinstance(end, str) and (end in es or es.encoder is None):
            vector = es.unit[es.rows([end])[0]].float()
        elif isinstance(end, str):  # a text, encoded by the set's encoder
            vector = _unit_queries(es, [end])[0]
        else:
            vector = torch.as_tensor(np.asarray(end, dtype=np.float32), device=es.device)
            if vector.shape != (es.dim,):
                raise ValueError(
                    f"a vector end of {name}= must have dimension {es.dim}, got shape {tuple(vector.shape)}."
                )
            vector = normalise_rows(vector)
        ends.append(vector)
    direction = ends[1] - ends[0]
    length = direction.norm()
    if length == 0:
        raise ValueError(f"the two ends of {name}= are the same point, so they define no direction.")
    return direction / length

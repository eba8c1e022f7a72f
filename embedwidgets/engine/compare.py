"""Two embeddings of the same items, compared: layouts aligned by Procrustes, and how much each item's
neighbourhood changed (1 − overlap@k of its k nearest neighbours in one and in the other)."""

from __future__ import annotations

import numpy as np
import torch


def procrustes(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, dict]:
    """``source`` rotated (or reflected), scaled and shifted to lie as close as possible to ``target`` (least
    squares over the rows, which are the same items): the aligned coordinates and the transform.

    >>> a = np.array([[0.0, 0], [1, 0], [0, 2]])
    >>> turned = a @ np.array([[0.0, 1], [-1, 0]]) * 3 + 5
    >>> np.allclose(procrustes(turned, a)[0], a)
    True
    """
    source, target = np.asarray(source, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if source.shape != target.shape or source.ndim != 2:
        raise ValueError(
            f"procrustes needs two arrays of the same (n, d) shape, got {source.shape} and {target.shape}."
        )
    mu_s, mu_t = source.mean(0), target.mean(0)
    s, t = source - mu_s, target - mu_t
    u, sigma, vt = np.linalg.svd(s.T @ t)
    rotation = u @ vt
    norm = float((s**2).sum())
    scale = float(sigma.sum() / norm) if norm > 0 else 1.0
    aligned = s @ rotation * scale + mu_t
    return aligned, {"rotation": rotation, "scale": scale, "shift": mu_t - mu_s @ rotation * scale}


def _knn(unit: torch.Tensor, k: int, chunk: int = 4096) -> torch.Tensor:
    """Each row's k nearest other rows by cosine (unit rows), exactly, in chunks."""
    out = []
    for start in range(0, len(unit), chunk):
        scores = unit[start : start + chunk] @ unit.T
        rows = torch.arange(start, min(start + chunk, len(unit)))
        scores[torch.arange(len(rows)), rows] = -float("inf")  # not its own neighbour
        out.append(scores.topk(k, dim=1).indices)
    return torch.cat(out)


def neighbourhood_change(a: torch.Tensor, b: torch.Tensor, k: int = 10) -> np.ndarray:
    """1 − overlap@k of every row's k nearest neighbours in ``a`` and in ``b`` (unit rows, same items):
    0 = the same neighbours, 1 = none shared.

    >>> x = torch.nn.functional.normalize(torch.randn(50, 8), dim=1)
    >>> float(neighbourhood_change(x, x, k=5).max())
    0.0
    """
    if len(a) != len(b):
        raise ValueError(f"the two sets must hold the same items: {len(a)} rows against {len(b)}.")
    k = min(k, len(a) - 1)
    if k < 1:
        return np.zeros(len(a))
    na, nb = _knn(a.float(), k), _knn(b.float(), k)
    n = len(a)
    shared = np.zeros(n)
    na_np, nb_np = na.cpu().numpy(), nb.cpu().numpy()
    for i in range(n):
        shared[i] = len(np.intersect1d(na_np[i], nb_np[i], assume_unique=True))
    return 1 - shared / k

"""Projections to 2-D."""

from __future__ import annotations

import numpy as np
import torch


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
    signs = torch.sign(axes.gather(1, axes.abs().argmax(1, keepdim=True)))
    return (centred @ (axes * torch.where(signs == 0, 1.0, signs)).T).numpy()

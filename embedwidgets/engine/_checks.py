"""Checks and small transforms that several engine modules share, written once."""

from __future__ import annotations

import numpy as np
import torch

TINY = torch.finfo(torch.float32).tiny  # the smallest length a row is divided by, so zero rows stay zero


def check_k(k: object) -> int:
    """``k`` as an int: a TypeError when it is not an integer, a ValueError when it is below 1.

    >>> check_k(3)
    3
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer, got {type(k).__name__}.")
    if k <= 0:
        raise ValueError(f"k must be at least 1, got {k}.")
    return int(k)


def normalise_rows(matrix: torch.Tensor) -> torch.Tensor:
    """Rows (or one vector) divided by their length, as float32; zero rows stay zero (cosine 0, never NaN)."""
    matrix = matrix.float()
    return matrix / matrix.norm(dim=-1, keepdim=True).clamp_min(TINY)

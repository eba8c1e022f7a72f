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


# Lengths outside this range may have lost their squares to float32 overflow (inf) or underflow (0).
SAFE_LENGTHS = (1e-18, 1e18)


def normalise_rows(matrix: torch.Tensor) -> torch.Tensor:
    """Rows (or one vector) divided by their length, as float32; zero rows stay zero (cosine 0, never NaN).

    Rows with huge or tiny entries (|x| beyond ~1e19 or below ~1e-19) are scaled by their largest entry first,
    so they too come out with length 1 rather than 0 or 1e8.

    >>> normalise_rows(torch.tensor([[3e-30, 4e-30], [3e30, 4e30], [0.0, 0.0]])).round(decimals=4).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    matrix = matrix.float()
    lengths = matrix.norm(dim=-1, keepdim=True)
    risky = (lengths < SAFE_LENGTHS[0]) | (lengths > SAFE_LENGTHS[1])  # zero rows too, which the rescale keeps zero
    if matrix.device.type != "cpu":  # a GPU rescales every row rather than wait for a host sync to pick some
        return torch.where(risky, _rescaled(matrix), matrix / lengths)
    out = matrix / lengths
    picked = risky.squeeze(-1)
    if bool(picked.any()):
        out[picked] = _rescaled(matrix[picked])
    return out


def _rescaled(rows: torch.Tensor) -> torch.Tensor:
    """Unit rows, each divided by its largest entry first so its squares neither overflow nor underflow."""
    scaled = rows / rows.abs().amax(dim=-1, keepdim=True).clamp_min(TINY)
    return scaled / scaled.norm(dim=-1, keepdim=True).clamp_min(TINY)

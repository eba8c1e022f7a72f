"""Where tensors live: cuda, then mps, then cpu, unless the caller says otherwise."""

from __future__ import annotations

import torch

_DTYPES = {"float32": torch.float32, "float16": torch.float16}


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """The device to use: ``device`` when given, else cuda → mps → cpu.

    >>> pick_device("cpu")
    device(type='cpu')
    """
    if device is not None:
        chosen = torch.device(device)
        if chosen.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                "device='cuda' was asked for, but torch sees no CUDA GPU here. "
                "Leave device=None to pick the best device available."
            )
        if chosen.type == "mps" and not torch.backends.mps.is_available():
            raise ValueError(
                "device='mps' was asked for, but MPS is not available here. "
                "Leave device=None to pick the best device available."
            )
        return chosen
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def storage_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    """The dtype of the normalised search copy: float32, or float16 on a GPU to halve memory."""
    if dtype is None:
        return torch.float32
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(f"dtype={dtype!r} is not supported; use 'float32' or 'float16'.")
        dtype = _DTYPES[dtype]
    if dtype not in (torch.float32, torch.float16):
        raise ValueError(f"dtype={dtype} is not supported; use torch.float32 or torch.float16.")
    if dtype == torch.float16 and device.type == "cpu":
        raise ValueError(
            "float16 storage is for GPUs: on the CPU it is slower and less exact. "
            "Use dtype='float32' (the default) on the CPU."
        )
    return dtype

"""Where tensors live: cuda, then mps, then cpu, unless the caller says otherwise."""

from __future__ import annotations

import torch

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


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
    """The dtype of the normalised working copy: float32 (the default), or float16 / bfloat16 to halve it.

    Reduced storage works on the CPU too: cosine search scans the reduced copy and rescores its
    candidates in float32 from the original vectors, so the neighbours stay exact.

    >>> storage_dtype("bfloat16", torch.device("cpu"))
    torch.bfloat16
    """
    if dtype is None:
        return torch.float32
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(f"storage={dtype!r} is not supported; use one of {sorted(_DTYPES)}.")
        return _DTYPES[dtype]
    if dtype not in _DTYPES.values():
        raise ValueError(f"storage={dtype} is not supported; use torch.float32, torch.float16 or torch.bfloat16.")
    return dtype

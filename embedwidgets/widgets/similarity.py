"""SimilarityMatrix: a cosine heat-map of a few texts or labels, ordered so that similar ones sit together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ..engine.embeddings import EmbeddingSet
from ..engine.similarity import cosine_matrix, similarity_order
from ._arrays import ArrayTrait
from ._base import STATIC, EmbedWidget

MAX_ITEMS = 300


class SimilarityMatrix(EmbedWidget):
    """Cosine similarity of every pair, as a heat-map with exact values on hover.

    >>> ew.SimilarityMatrix(["heart attack symptoms", "myocardial infarction signs", "cheap flights"])  # doctest: +SKIP
    >>> ew.SimilarityMatrix(words.head(5000), labels=["king", "queen", "apple"])  # doctest: +SKIP

    Texts are encoded with ``encoder`` (default: the bundled MiniLM). An EmbeddingSet is used as it is
    (all of it, or the rows named in ``labels``). ``order="cluster"`` puts similar items next to each other;
    ``order="input"`` keeps the given order. ``matrix`` is the DataFrame shown.
    """

    _esm = STATIC / "similarity.js"
    _css = STATIC / "similarity.css"

    order = traitlets.Enum(("cluster", "input"), default_value="cluster").tag(sync=True)
    _labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _values = ArrayTrait(dtype="float32").tag(sync=True)  # (n, n), in display order
    _options = traitlets.Dict({"max_items": MAX_ITEMS}).tag(sync=True)

    def __init__(
        self,
        texts_or_set: Sequence[str] | EmbeddingSet,
        *,
        encoder: Any = None,
        labels: Sequence[str] | None = None,
        order: str = "cluster",
        **kwargs: Any,
    ) -> None:
        items, vectors = _vectors(texts_or_set, encoder, labels)
        self._items = items
        self._similarity = cosine_matrix(vectors)
        kwargs.setdefault("title", "Cosine similarity")
        super().__init__(order=order, **kwargs)
        self._show()

    @traitlets.observe("order")
    def _reorder(self, _change: dict) -> None:
        self._show()

    @property
    def matrix(self) -> pd.DataFrame:
        """The similarities in the order shown, labelled on both axes."""
        rows = self._display_order()
        items = [self._items[i] for i in rows]
        return pd.DataFrame(self._similarity[np.ix_(rows, rows)], index=items, columns=items)

    def _display_order(self) -> np.ndarray:
        if self.order == "input":
            return np.arange(len(self._items))
        return similarity_order(self._similarity)

    def _show(self) -> None:
        rows = self._display_order()
        with self.hold_sync():
            self._labels = [self._items[i] for i in rows]
            self._values = self._similarity[np.ix_(rows, rows)]


def _vectors(source: Any, encoder: Any, labels: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    if isinstance(source, EmbeddingSet):
        items = list(labels) if labels is not None else source.labels
        rows = source.rows(items)
        vectors = source.vectors[rows].astype(np.float64)
    else:
        if isinstance(source, str):
            raise TypeError("SimilarityMatrix takes a list of texts or an EmbeddingSet, not one string.")
        items = [str(t) for t in source]
        if labels is not None:
            raise TypeError("labels= picks rows of an EmbeddingSet; with a list of texts, pass just the texts.")
        if encoder is None:
            from ..models import minilm

            encoder = minilm()
        vectors = np.asarray(encoder.encode(items), dtype=np.float64) if items else np.zeros((0, 1))
    if not 2 <= len(items) <= MAX_ITEMS:
        raise ValueError(
            f"a similarity matrix shows between 2 and {MAX_ITEMS} items, got {len(items)}; "
            f"pick a subset (labels=[...]) for bigger sets."
        )
    if len(set(items)) != len(items):
        raise ValueError("the items repeat; pass each text or label once.")
    return items, vectors

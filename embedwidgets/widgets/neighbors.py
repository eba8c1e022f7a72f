"""NeighborBrowser: walk through the neighbourhood of a word or text, optionally against a second set."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ..engine.embeddings import EmbeddingSet
from ..engine.search import METRICS
from ._base import STATIC, QueryWidget, check_k, error_payload, handler

MAX_K = 200
MAX_HISTORY = 50


class NeighborBrowser(QueryWidget):
    """Ranked neighbours of a query, with score bars; click one to make it the query.

    >>> ew.NeighborBrowser(ew.glove(), query="frog")                       # doctest: +SKIP
    >>> ew.NeighborBrowser(glove_average_docs, compare=minilm_docs)         # doctest: +SKIP

    ``compare=`` puts a second set's neighbours of the same query beside the first, highlights the
    neighbours both share and shows overlap@k. Python side: the traits ``query``, ``k``, ``metric`` and
    ``history``; ``results`` and ``compare_results`` (DataFrames) and ``overlap``.

    A set with an index (``es.build_index(...)``) answers through it above the exact-scan threshold (see
    ``EmbeddingSet.neighbors``); the view then shows "approximate (recall@10 0.97)" beside those results.
    """

    _esm = STATIC / "neighbors.js"
    _css = STATIC / "neighbors.css"

    query = traitlets.Unicode("").tag(sync=True)
    k = traitlets.Int(15).tag(sync=True)
    metric = traitlets.Enum(METRICS, default_value="cosine").tag(sync=True)
    history = traitlets.List(traitlets.Unicode()).tag(sync=True)
    accepts_text = traitlets.Bool(False).tag(sync=True)
    _rows = traitlets.List().tag(sync=True)
    _compare_rows = traitlets.List().tag(sync=True)
    _compare_error = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _overlap = traitlets.Float(allow_none=True, default_value=None).tag(sync=True)
    # Per panel, how its answer was found: "" when exact, else e.g. "approximate (recall@10 0.97)".
    _index_notes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _names = traitlets.List().tag(sync=True)
    _options = traitlets.Dict({"max_k": MAX_K, "metrics": [[m, m] for m in METRICS]}).tag(sync=True)
    _question = ("query", "k", "metric")

    def __init__(
        self,
        embeddings: EmbeddingSet,
        *,
        query: str | None = None,
        k: int = 15,
        metric: str = "cosine",
        compare: EmbeddingSet | None = None,
        **kwargs: Any,
    ) -> None:
        for name, value in (("embeddings", embeddings), ("compare", compare)):
            if value is not None and not isinstance(value, EmbeddingSet):
                raise TypeError(f"{name} must be an EmbeddingSet, not {type(value).__name__}.")
        self.embeddings, self.compare = embeddings, compare
        self._completion_set = embeddings
        if query is None:
            query = "frog" if "frog" in embeddings else embeddings.labels[0]
        names = [embeddings.name] + ([compare.name] if compare is not None else [])
        kwargs.setdefault("title", f"Neighbours · {embeddings.name}")
        super().__init__(
            query=query,
            k=k,
            metric=metric,
            history=[query],
            _names=names,
            accepts_text=embeddings.encoder is not None,
            **kwargs,
        )

    @traitlets.validate("k")
    def _check_k(self, proposal: dict) -> int:
        return check_k(proposal["value"], MAX_K)

    @traitlets.observe("query")
    def _remember(self, change: dict) -> None:
        if not self.history or self.history[-1] != change["new"]:
            self.history = (self.history + [change["new"]])[-MAX_HISTORY:]

    @property
    def compare_results(self) -> pd.DataFrame:
        """The second set's neighbours of the same query (empty without ``compare=``)."""
        return pd.DataFrame(self._compare_rows, columns=["rank", "label", "score"])

    @property
    def overlap(self) -> float | None:
        """overlap@k: the share of the first set's neighbours that the second set also returns (None without
        ``compare=`` or when the second set could not answer)."""
        return self._overlap

    def _compute(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        query = self.query.strip()
        if not query:
            raise ValueError("type a word or a text to see its neighbours.")
        found = self.embeddings.neighbors(query, k=self.k, metric=self.metric)
        other, other_error = None, None
        if self.compare is not None:
            try:
                other = self.compare.neighbors(query, k=self.k, metric=self.metric)
            except self._expected_errors as error:
                other_error = error_payload(error)
        shared = set(found.label) & set(other.label) if other is not None else set()
        shown = {
            "_rows": _records(found, self.metric, shared),
            "_compare_rows": [] if other is None else _records(other, self.metric, shared),
            "_overlap": None if other is None else len(shared) / max(len(found), 1),
            "_compare_error": other_error,
            "_index_notes": [_approximate_note(found)] + ([] if other is None else [_approximate_note(other)]),
        }
        return found, shown

    def _cleared(self) -> dict[str, Any]:
        return {"_rows": [], "_compare_rows": [], "_overlap": None, "_compare_error": None, "_index_notes": []}

    def back(self) -> None:
        """Return to the previous query of the trail."""
        if len(self.history) > 1:
            trail = self.history[:-1]
            self.history = trail
            self.query = trail[-1]

    @handler("back")
    def _back_request(self) -> dict:
        self.back()
        return {"query": self.query}

    @handler("goto")
    def _goto_request(self, index: int = -1) -> dict:
        if not isinstance(index, int) or not -len(self.history) <= index < len(self.history):
            raise ValueError(f"no step {index} in the trail of {len(self.history)}.")
        trail = self.history[: index % len(self.history) + 1]
        self.history = trail
        self.query = trail[-1]
        return {"query": self.query}


def _approximate_note(frame: pd.DataFrame) -> str:
    """The note shown beside results an index answered ("" for exact ones)."""
    note = frame.attrs.get("note", "exact")
    return "" if note == "exact" else str(note)


def _records(frame: pd.DataFrame, metric: str, shared: set[str]) -> list[dict]:
    """Rows for the view, each with a bar length in [0, 1] (longer is closer)."""
    scores = frame.score.to_numpy(dtype=np.float64)
    if metric == "cosine":
        bars = np.clip(scores, 0.0, 1.0)
    elif metric == "dot":
        top = np.abs(scores).max() if len(scores) else 1.0
        bars = np.clip(scores / top, 0.0, 1.0) if top > 0 else np.zeros_like(scores)
    else:  # distances: the nearest gets the longest bar
        far = scores.max() if len(scores) else 1.0
        bars = 1.0 - scores / far if far > 0 else np.ones_like(scores)
    return [
        {"rank": int(r.rank), "label": r.label, "score": float(r.score), "bar": float(bar), "shared": r.label in shared}
        for r, bar in zip(frame.itertuples(index=False), bars)
    ]

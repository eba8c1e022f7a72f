"""SearchCompare: keyword search (BM25) and semantic search side by side, for the same query and texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ..engine.embeddings import EmbeddingSet
from ..engine.encoders import encode_queries
from ..engine.errors import EmbedWidgetsError
from ..engine.keyword_search import BM25, split_marked, token_spans
from ._base import STATIC, QueryWidget, check_k

MAX_K = 50
SNIPPET_CHARS = 600  # longer texts are shown as a window around their first matched word
LESSON_QUERY = "chest tightness, left arm pain, sweating"


class SearchCompare(QueryWidget):
    """Keyword search and semantic search over the same texts, side by side.

    >>> ew.SearchCompare(ew.datasets.articles())                                   # doctest: +SKIP
    >>> ew.SearchCompare(["a cat sat on the mat", "a feline rested on the rug"], query="cat")  # doctest: +SKIP

    The left column ranks the texts by Okapi BM25 (k1=1.5, b=0.75) over their words, with the query's
    words marked where they occur; it says so plainly when no text contains any query word. The right
    column ranks them by cosine similarity of sentence embeddings (the bundled all-MiniLM-L6-v2 unless
    ``encoder=`` says otherwise) and flags results that share no word with the query.

    ``texts``: a list of strings, a DataFrame with a ``text_column`` (and a ``title`` column, used when
    present), or an EmbeddingSet of texts made with an encoder (its vectors are reused).
    Python side: the traits ``query`` and ``k``; ``keyword_results``, ``semantic_results`` and ``results`` (both
    in one frame, its ``search`` column saying which) as DataFrames.
    """

    _esm = STATIC / "search_compare.js"
    _css = STATIC / "search_compare.css"

    query = traitlets.Unicode("").tag(sync=True)
    k = traitlets.Int(5).tag(sync=True)
    _keyword_rows = traitlets.List().tag(sync=True)
    _semantic_rows = traitlets.List().tag(sync=True)
    _terms = traitlets.List(traitlets.Unicode()).tag(sync=True)  # the words keyword search looked for
    _keyword_total = traitlets.Int(0).tag(sync=True)  # texts that contain at least one of them
    _info = traitlets.Dict().tag(sync=True)
    _options = traitlets.Dict({"max_k": MAX_K}).tag(sync=True)
    _question = ("query", "k")
    _expected_errors = (EmbedWidgetsError, KeyError, ValueError, TypeError)

    def __init__(
        self,
        texts: Sequence[str] | pd.DataFrame | EmbeddingSet,
        *,
        encoder: Any = None,
        query: str = LESSON_QUERY,
        k: int = 5,
        text_column: str = "text",
        title_column: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.texts, self.titles = _texts_and_titles(texts, text_column, title_column)
        if not self.texts:
            raise ValueError("SearchCompare needs at least one text to search.")
        documents = [t if title is None else f"{title}\n{t}" for t, title in zip(self.texts, self.titles)]
        self.index = BM25(documents)
        self.embeddings = _embeddings(texts, documents, encoder)
        self.encoder = self.embeddings.encoder
        model = getattr(self.encoder, "name", "embeddings")
        kwargs.setdefault("title", "Keyword search vs semantic search")
        super().__init__(
            query=query,
            k=k,
            _info={
                "count": len(self.texts),
                "model": model,
                "keyword": f"BM25 (k1={self.index.k1:g}, b={self.index.b:g})",
            },
            **kwargs,
        )

    @traitlets.validate("k")
    def _check_k(self, proposal: dict) -> int:
        return check_k(proposal["value"], MAX_K)

    @property
    def keyword_results(self) -> pd.DataFrame:
        """The keyword (BM25) results shown now: ``rank, row, title, text, score, matched``."""
        return self._frame(self._keyword_rows)

    @property
    def semantic_results(self) -> pd.DataFrame:
        """The semantic results shown now: ``rank, row, title, text, score, matched`` (cosine scores)."""
        return self._frame(self._semantic_rows)

    def _frame(self, rows: list[dict]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "rank": [r["rank"] for r in rows],
                "row": [r["row"] for r in rows],
                "title": [self.titles[r["row"]] for r in rows],
                "text": [self.texts[r["row"]] for r in rows],
                "score": [r["score"] for r in rows],
                "matched": [r["matched"] for r in rows],
            }
        )

    def _compute(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        query = self.query.strip()
        if not query:
            raise ValueError("type a query to search the texts.")
        terms = self.index.query_terms(query)
        scores = self.index.scores(query)
        hits = np.flatnonzero(scores > 0)
        top = hits[np.argsort(-scores[hits], kind="stable")][: self.k]
        vector = encode_queries(self.encoder, [query])
        similarity, rows = self.embeddings.search(vector, min(self.k, len(self.texts)))
        best = float(scores[top[0]]) if len(top) else 1.0
        keyword_rank = {int(row): rank for rank, row in enumerate(top, 1)}
        keyword_rows = [
            self._row(rank, int(row), float(scores[row]), float(scores[row]) / best, terms)
            for rank, row in enumerate(top, 1)
        ]
        semantic_rows = []
        for rank, (row, score) in enumerate(zip(rows[0], similarity[0]), 1):
            if row < 0:
                continue
            entry = self._row(rank, int(row), float(score), float(np.clip(score, 0.0, 1.0)), terms)
            entry["keyword_rank"] = keyword_rank.get(int(row))
            semantic_rows.append(entry)
        shown = {
            "_terms": terms,
            "_keyword_total": int(len(hits)),
            "_keyword_rows": keyword_rows,
            "_semantic_rows": semantic_rows,
        }
        # ``results``: both lists in one frame, ``search`` saying which ("keyword" is BM25, "semantic" the encoder).
        results = pd.concat(
            [self._frame(keyword_rows).assign(search="keyword"), self._frame(semantic_rows).assign(search="semantic")],
            ignore_index=True,
        )
        return results, shown

    def _cleared(self) -> dict[str, Any]:
        return {"_keyword_rows": [], "_semantic_rows": [], "_terms": [], "_keyword_total": 0}

    def _empty_results(self) -> pd.DataFrame:
        return pd.DataFrame(columns=["rank", "row", "title", "text", "score", "matched", "search"])

    def _row(self, rank: int, row: int, score: float, bar: float, terms: list[str]) -> dict:
        """One result for the view: the title and text cut into plain and matched pieces."""
        title, text = self.titles[row], self.texts[row]
        found = set(self.index.tokenize(text if title is None else f"{title}\n{text}"))
        return {
            "rank": rank,
            "row": row,
            "score": score,
            "bar": bar,
            "matched": [t for t in terms if t in found],
            "title": None if title is None else _pieces(title, terms, None),
            "text": _pieces(text, terms, SNIPPET_CHARS),
        }


def _pieces(text: str, terms: Sequence[str], limit: int | None) -> list[list]:
    """``text`` as ``[piece, is_match]`` pairs that join back to it (or to a window of it, with "…" pieces,
    when it is longer than ``limit`` characters)."""
    spans = token_spans(text, terms)
    if limit is None or len(text) <= limit:
        return [[piece, hit] for piece, hit in split_marked(text, spans)]
    start = max(0, spans[0][0] - limit // 4) if spans else 0
    start = min(start, len(text) - limit)
    if start > 0:  # begin at a word boundary
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    stop = start + limit
    inside = [(a - start, b - start) for a, b in spans if a >= start and b <= stop]
    pieces = [[piece, hit] for piece, hit in split_marked(text[start:stop], inside)]
    return ([["…", False]] if start > 0 else []) + pieces + ([["…", False]] if stop < len(text) else [])


def _texts_and_titles(texts: Any, text_column: str, title_column: str | None) -> tuple[list[str], list[str | None]]:
    if isinstance(texts, EmbeddingSet):
        frame = texts.metadata
        titles = (
            frame[title_column].astype(str).tolist()
            if title_column and title_column in frame.columns
            else [None] * len(texts)
        )
        return list(texts.labels), titles
    if isinstance(texts, pd.DataFrame):
        if text_column not in texts.columns:
            raise KeyError(
                f"no column {text_column!r} in the DataFrame; its columns are {list(texts.columns)}. "
                f"Name the text column with text_column=."
            )
        if title_column is None and "title" in texts.columns:
            title_column = "title"
        if title_column is not None and title_column not in texts.columns:
            raise KeyError(f"no column {title_column!r} in the DataFrame; its columns are {list(texts.columns)}.")
        items = texts[text_column].tolist()
        titles = (
            [None] * len(items)
            if title_column is None
            else [None if pd.isna(t) else str(t) for t in texts[title_column]]
        )
    elif isinstance(texts, str):
        raise TypeError("texts must be a list of strings or a DataFrame, not one string. Wrap it: [text].")
    elif isinstance(texts, pd.Series):
        items, titles = texts.tolist(), [None] * len(texts)
    else:
        items = list(texts)
        titles = [None] * len(items)
    bad = next((i for i, t in enumerate(items) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(
            f"every text must be a string; item {bad} is {type(items[bad]).__name__}. Convert them with str() first."
        )
    return items, titles


def _embeddings(source: Any, documents: list[str], encoder: Any) -> EmbeddingSet:
    """The texts' embeddings: reused from an EmbeddingSet, else encoded (MiniLM unless ``encoder`` is given)."""
    if isinstance(source, EmbeddingSet):
        if encoder is not None:
            raise ValueError("pass either an EmbeddingSet (which brings its own encoder) or encoder=, not both.")
        if source.encoder is None:
            raise ValueError(
                "this EmbeddingSet has no encoder, so a query cannot be embedded; build it with "
                "EmbeddingSet.from_texts(texts, encoder=...)."
            )
        return source
    if encoder is None:
        from ..models import minilm

        encoder = minilm()
    if not hasattr(encoder, "encode"):
        raise TypeError(f"encoder must have an encode(texts) method, not {type(encoder).__name__}.")
    vectors = encoder.encode(documents)
    # Row i is text i: repeated texts get numbered labels instead of being dropped.
    return EmbeddingSet(
        documents, vectors, encoder=encoder, duplicates="number", name=getattr(encoder, "name", "texts")
    )

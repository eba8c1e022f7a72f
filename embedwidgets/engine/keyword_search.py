"""Keyword search, the baseline embeddings are measured against: a word tokenizer and Okapi BM25.

BM25 ranks documents by the query words they contain. For each distinct query term ``t`` and document ``d``:

    idf(t)     = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))
    score(d)  += idf(t) * f(t, d) * (k1 + 1) / (f(t, d) + k1 * (1 - b + b * len(d) / avg_len))

where ``N`` is the number of documents, ``n_t`` how many contain ``t``, ``f(t, d)`` how often ``t`` occurs in
``d`` and ``len(d)`` the number of tokens of ``d`` (stop words left out). The idf is the always-positive form
that Lucene uses, so a word found in most documents still counts a little instead of subtracting.

Matching is on exact tokens: lower-cased runs of letters and digits, no stemming. That is the point of
the comparison: "physician" does not match "doctor", and "flight" does not match "flights".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ._checks import check_k

TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
"""A word: letters and digits, with inner apostrophes kept (don't, patient's)."""


def normalise(word: str) -> str:
    """A word as the index compares it: lower case, straight apostrophe, possessive 's dropped."""
    word = word.lower().replace("\u2019", "'")
    return word[:-2] if word.endswith("'s") and len(word) > 2 else word


STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)
"""Common English function words, left out of both documents and queries (as a search engine's analyser
would), so "how to ..." does not match every text that contains "to"."""


def tokenize(text: str, *, stop_words: Iterable[str] | None = STOP_WORDS) -> list[str]:
    """The lower-cased word tokens of ``text``, stop words removed.

    >>> tokenize("Chest tightness, left-arm pain; the patient's sweating!")
    ['chest', 'tightness', 'left', 'arm', 'pain', 'patient', 'sweating']
    """
    stop = frozenset(stop_words or ())
    return [word for word in (normalise(m.group()) for m in TOKEN.finditer(text)) if word not in stop]


def token_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the words of ``text`` that are one of ``terms`` (lower case),
    in order. ``text[start:end]`` is the word as written.

    >>> token_spans("Heart attack? A heart-attack.", ["heart"])
    [(0, 5), (16, 21)]
    """
    wanted = set(terms)
    return [m.span() for m in TOKEN.finditer(text) if normalise(m.group()) in wanted]


def split_marked(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces ``(piece, is_match)`` at ``spans``; the pieces join back to ``text``.

    >>> split_marked("a red fox", [(2, 5)])
    [('a ', False), ('red', True), (' fox', False)]
    """
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


class BM25:
    """An Okapi BM25 index over a list of texts.

    >>> index = BM25(["the cat sat on the mat", "a dog barked", "cats and dogs"])
    >>> index.search("cat", k=3).row.tolist()
    [0]
    >>> index.search("feline").empty        # no shared word, no result
    True
    """

    def __init__(
        self, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75, stop_words: Iterable[str] | None = STOP_WORDS
    ) -> None:
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not one string. Wrap it: [text].")
        texts = list(texts)
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"every text must be a string; item {bad} is {type(texts[bad]).__name__}.")
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}.")
        self.texts = texts
        self.k1, self.b = float(k1), float(b)
        self.stop_words = frozenset(stop_words or ())
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float64)
        for row, text in enumerate(texts):
            tokens = self.tokenize(text)
            lengths[row] = len(tokens)
            bag: dict[int, int] = {}
            for token in tokens:
                column = vocabulary.setdefault(token, len(vocabulary))
                bag[column] = bag.get(column, 0) + 1
            rows.extend([row] * len(bag))
            cols.extend(bag)
            counts.extend(bag.values())
        self.vocabulary = vocabulary
        # Documents × terms, stored by column: a query reads only its terms' columns.
        self.counts = sparse.csc_matrix(
            (np.asarray(counts, dtype=np.float64), (rows, cols)), shape=(len(texts), len(vocabulary))
        )
        self.lengths = lengths
        self.average_length = float(lengths.mean()) if len(texts) and lengths.mean() > 0 else 1.0
        n_docs = len(texts)
        document_frequency = np.diff(self.counts.indptr).astype(np.float64)
        self.idf = np.log1p((n_docs - document_frequency + 0.5) / (document_frequency + 0.5))

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        return f"BM25({len(self):,} texts, {len(self.vocabulary):,} terms, k1={self.k1}, b={self.b})"

    def tokenize(self, text: str) -> list[str]:
        """The tokens this index sees in ``text``."""
        return tokenize(text, stop_words=self.stop_words)

    def query_terms(self, query: str) -> list[str]:
        """The distinct terms of ``query``, in order of first appearance (stop words left out)."""
        return list(dict.fromkeys(self.tokenize(query)))

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every text for ``query`` (0 where a text shares no term with it)."""
        out = np.zeros(len(self.texts), dtype=np.float64)
        norm = self.k1 * (1.0 - self.b + self.b * self.lengths / self.average_length)
        for term in self.query_terms(query):
            column = self.vocabulary.get(term)
            if column is None:
                continue
            start, stop = self.counts.indptr[column], self.counts.indptr[column + 1]
            rows = self.counts.indices[start:stop]
            frequency = self.counts.data[start:stop]
            out[rows] += self.idf[column] * frequency * (self.k1 + 1.0) / (frequency + norm[rows])
        return out

    def search(self, query: str, k: int = 10) -> pd.DataFrame:
        """The best ``k`` texts that contain at least one query term: ``rank, row, label, score, matched``.

        ``matched`` lists the query terms each text contains. Fewer than ``k`` rows (or none) come back
        when fewer texts share a word with the query; ties keep the texts' order.
        """
        k = check_k(k)
        if not isinstance(query, str):
            raise TypeError(f"the query must be a string, not {type(query).__name__}.")
        scores = self.scores(query)
        hits = np.flatnonzero(scores > 0)
        order = hits[np.argsort(-scores[hits], kind="stable")][:k]
        terms = self.query_terms(query)
        matched = [[t for t in terms if t in set(self.tokenize(self.texts[r]))] for r in order]
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(order) + 1),
                "row": order.astype(np.int64),
                "label": [self.texts[r] for r in order],
                "score": scores[order],
                "matched": matched,
            }
        )

    def spans(self, text: str, query: str) -> list[tuple[int, int]]:
        """Where the words of ``query`` occur in ``text``, as character spans (for highlighting)."""
        return token_spans(text, self.query_terms(query))

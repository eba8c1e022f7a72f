"""Contextual token vectors: what a transformer encoder holds for each word piece before it pools them.

A static word table (GloVe) has one vector per spelling. A transformer gives every occurrence of a word its
own vector, computed from the whole text, so "bank" in "river bank" and in "bank account" differ.

>>> from embedwidgets.engine.contextual import word_vectors                  # doctest: +SKIP
>>> word_vectors(ew.minilm(), ["the river bank", "a bank account"], "bank").shape   # doctest: +SKIP
(2, 384)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .encoders import check_texts
from .errors import EmbedWidgetsError


@dataclass(frozen=True)
class TokenVectors:
    """One text as the encoder sees it: its word pieces, their output vectors and the word each belongs to.

    ``tokens[0]`` is the model's first special token (``[CLS]`` for BERT-style models); ``words[i]`` is the
    index of the word piece ``i`` belongs to, ``None`` for special tokens.
    """

    text: str
    tokens: list[str]
    vectors: np.ndarray  # (len(tokens), dim) float32, the transformer's output before pooling
    words: list[int | None]


def _model(encoder: Any) -> Any:
    model = getattr(encoder, "model", encoder)
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None or not getattr(tokenizer, "is_fast", False):
        raise TypeError(
            "token vectors need a sentence-transformers model with a fast (Rust) tokenizer, "
            f"or a SentenceEncoder around one; got {type(encoder).__name__}."
        )
    return model


def token_vectors(encoder: Any, texts: Sequence[str], *, batch_size: int = 32) -> list[TokenVectors]:
    """The unpooled output vectors of every word piece of each text (not cached; truncated like ``encode``).

    ``encoder`` is a ``SentenceEncoder`` or a sentence-transformers model. The mean of a text's vectors,
    L2-normalised, is what a mean-pooling model's ``encode`` returns.

    >>> tv = token_vectors(ew.minilm(), ["I opened a bank account"])[0]   # doctest: +SKIP
    >>> tv.tokens                                                            # doctest: +SKIP
    ['[CLS]', 'i', 'opened', 'a', 'bank', 'account', '[SEP]']
    """
    texts = check_texts(texts)
    model = _model(encoder)
    if not texts:
        return []
    outputs = model.encode(texts, batch_size=batch_size, output_value="token_embeddings", show_progress_bar=False)
    limit = getattr(model, "max_seq_length", None)
    found = []
    for text, output in zip(texts, outputs):
        pieces = model.tokenizer(text, truncation=limit is not None, max_length=limit)
        tokens = model.tokenizer.convert_ids_to_tokens(pieces["input_ids"])
        vectors = np.asarray(output.detach().float().cpu().numpy(), dtype=np.float32)
        if len(tokens) != len(vectors):
            raise EmbedWidgetsError(
                f"the tokenizer gave {len(tokens)} pieces but the model returned {len(vectors)} vectors for "
                f"{text[:40]!r}; this model's tokenizer and transformer do not line up."
            )
        found.append(TokenVectors(text, tokens, vectors, list(pieces.word_ids())))
    return found


def word_vectors(encoder: Any, texts: Sequence[str], word: str, *, batch_size: int = 32) -> np.ndarray:
    """The contextual vector of ``word`` in each text: the mean of its pieces' vectors at its first occurrence.

    ``word`` is matched as a whole word, after the model's own tokenizer (so case follows the model).
    Returns float32, one row per text; raises ``EmbedWidgetsError`` naming the texts without ``word``.

    >>> word_vectors(ew.minilm(), ["the river bank", "a bank account"], "bank").shape   # doctest: +SKIP
    (2, 384)
    """
    if not isinstance(word, str) or not word.strip():
        raise ValueError(f"word must be a non-empty string, got {word!r}.")
    model = _model(encoder)
    target = model.tokenizer.tokenize(word)
    rows = []
    missing = []
    for tv in token_vectors(model, texts, batch_size=batch_size):
        span = _find(tv, target)
        if span is None:
            missing.append(tv.text)
        else:
            rows.append(tv.vectors[span[0] : span[1]].mean(axis=0))
    if missing:
        shown = "; ".join(repr(t[:60]) for t in missing[:3])
        raise EmbedWidgetsError(
            f"{word!r} (pieces {target}) is not a whole word in {len(missing)} text(s): {shown}. "
            "Check the spelling, or pass only texts that contain it."
        )
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, _dim(model)), dtype=np.float32)


def _find(tv: TokenVectors, target: list[str]) -> tuple[int, int] | None:
    """The piece span of the first whole-word occurrence of ``target`` in ``tv``."""
    n = len(target)
    for start in range(len(tv.tokens) - n + 1):
        word = tv.words[start]
        if word is None or tv.tokens[start : start + n] != target:
            continue
        starts_word = start == 0 or tv.words[start - 1] != word
        ends_word = start + n == len(tv.words) or tv.words[start + n] != word
        if starts_word and ends_word:
            return start, start + n
    return None


def _dim(model: Any) -> int:
    dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(dim())

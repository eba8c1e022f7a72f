"""Placeholder, filled below."""

from __future__ import annotations

from typing import Any


def build_corpus_index(uri: Any, **options: Any) -> Any:
    raise NotImplementedError


def open_corpus(uri: Any, **options: Any) -> Any:
    raise NotImplementedError

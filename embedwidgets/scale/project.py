"""Placeholder, filled below."""

from __future__ import annotations

from typing import Any


def project_corpus(uri: Any, **options: Any) -> Any:
    raise NotImplementedError

"""What the widget base and the sidebar both need: where the built front end lives, and the marker that
makes a method the handler of one request kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"

Handler = Callable[..., dict]


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of requests of ``kind``."""

    def mark(method: Handler) -> Handler:
        method._request_kind = kind  # type: ignore[attr-defined]
        return method

    return mark

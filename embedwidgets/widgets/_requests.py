"""What the widget base and the sidebar both need: where the built front end lives, the marker that
makes a method the handler of one request kind, and the front-end traits that do not leak."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets

STATIC = Path(__file__).resolve().parent.parent / "static"

Handler = Callable[..., dict]


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of requests of ``kind``."""

    def mark(method: Handler) -> Handler:
        method._request_kind = kind  # type: ignore[attr-defined]
        return method

    return mark


def front_end_traits(widget: Any) -> None:
    """Give ``widget`` its ``_esm`` and ``_css`` as plain synced traits, before ``AnyWidget.__init__`` runs.

    anywidget turns a class's ``_esm`` path into one shared ``FileContents`` and connects, for every instance, a
    lambda holding that instance to its ``changed`` signal, strongly and for ever: no widget of the class could
    ever be freed (tests/widgets/test_leaks.py). With the traits already there it connects nothing. Our files
    are built once, so there is no live reload to lose.
    """
    traits = {}
    for key in ("_esm", "_css"):
        source = getattr(type(widget), key, None)
        if source is not None and not widget.has_trait(key):
            traits[key] = traitlets.Unicode(str(source)).tag(sync=True)
    if traits:
        widget.add_traits(**traits)

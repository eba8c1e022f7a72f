"""The Embedding Explorer: a NeighborBrowser and an AnalogyExplorer on one set, as tabs.

The JupyterLab launcher card and the "Embedding Explorer" command run ``open_explorer()`` in a kernel, so a
new user gets a working explorer in the side panel without typing code.
"""

from __future__ import annotations

from typing import Any

import traitlets
from ipywidgets import widget_serialization

from ..engine.embeddings import EmbeddingSet
from ._base import STATIC, EmbedWidget
from .analogy import AnalogyExplorer
from .neighbors import NeighborBrowser


class EmbeddingExplorer(EmbedWidget):
    """Neighbours and analogies over one EmbeddingSet (the bundled GloVe words by default), one tab each.

    >>> ew.EmbeddingExplorer().show_in_sidebar()                           # doctest: +SKIP
    """

    _esm = STATIC / "explorer.js"
    _css = STATIC / "explorer.css"

    tabs = traitlets.List(traitlets.Instance(EmbedWidget)).tag(sync=True, **widget_serialization)
    tab_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected_index = traitlets.Int(0).tag(sync=True)

    def __init__(self, embeddings: EmbeddingSet | None = None, *, query: str | None = None, **kwargs: Any) -> None:
        if embeddings is None:
            from ..models import glove

            embeddings = glove()
        if query is None and "king" in embeddings:
            query = "king"  # the word the analogy tab starts from, too
        self.neighbors = NeighborBrowser(embeddings, query=query)
        self.analogies = AnalogyExplorer(embeddings)
        kwargs.setdefault("title", "Embedding Explorer")
        super().__init__(tabs=[self.neighbors, self.analogies], tab_names=["Neighbours", "Analogies"], **kwargs)

    @traitlets.validate("selected_index")
    def _check_index(self, proposal: dict) -> int:
        index = proposal["value"]
        if not 0 <= index < len(self.tabs):
            raise traitlets.TraitError(f"selected_index must be between 0 and {len(self.tabs) - 1}, got {index}.")
        return index


_opened: EmbeddingExplorer | None = None


def open_explorer(area: str = "right") -> None:
    """Pin an Embedding Explorer on the GloVe words into the side panel (the same one when run again)."""
    global _opened
    if _opened is None or _opened.comm is None:
        _opened = EmbeddingExplorer()
    _opened._pin(area, None)

"""The Embedding Explorer: a NeighborBrowser, an AnalogyExplorer and an EmbeddingMap on one set, as tabs.

The JupyterLab launcher card and the "Embedding Explorer" command run ``open_explorer()`` in a kernel, so a
new user gets a working explorer in the side panel without typing code.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import traitlets
from ipywidgets import widget_serialization

from ..engine.embeddings import EmbeddingSet
from ._base import STATIC, EmbedWidget
from .analogy import AnalogyExplorer
from .embedding_map import EmbeddingMap
from .neighbors import NeighborBrowser

MAP_STARTER = ["man", "woman", "king", "queen", "boy", "girl"]  # the Map tab's first items, when the set has them


class EmbeddingExplorer(EmbedWidget):
    """Neighbours, analogies and a map over one EmbeddingSet (the bundled GloVe words by default), one tab each.

    >>> ex = ew.EmbeddingExplorer()                                        # doctest: +SKIP
    >>> ex.map_items = ["king", "queen", "man", "woman"]; ex.map_points     # doctest: +SKIP
    >>> ex.show_in_sidebar()                                               # doctest: +SKIP

    The tabs are ``.neighbors``, ``.analogies`` and ``.map``; ``map_items``, ``map_layout``, ``map_axes`` and
    ``map_analogy`` read and set the Map tab's traits, and ``map_points`` is its points as a DataFrame.
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
        starter = [w for w in MAP_STARTER if w in embeddings]
        self.map = EmbeddingMap(embeddings, items=starter if len(starter) == len(MAP_STARTER) else [])
        kwargs.setdefault("title", "Embedding Explorer")
        super().__init__(
            tabs=[self.neighbors, self.analogies, self.map], tab_names=["Neighbours", "Analogies", "Map"], **kwargs
        )

    def close(self) -> None:
        """Close the explorer and its three tabs: they were made for it, and would stay alive otherwise."""
        super().close()
        for tab in (self.neighbors, self.analogies, self.map):
            tab.close()

    # The Map tab's state, under the explorer's own names, so a notebook can drive it from here.
    @property
    def map_items(self) -> list[str]:
        """The words or sentences on the Map tab."""
        return list(self.map.items)

    @map_items.setter
    def map_items(self, items: list[str]) -> None:
        self.map.items = list(items)

    @property
    def map_layout(self) -> str:
        """The Map tab's layout: "pca" (of the items) or "axes" (word-defined, see ``map_axes``)."""
        return self.map.projection

    @map_layout.setter
    def map_layout(self, layout: str) -> None:
        self.map.projection = layout

    @property
    def map_axes(self) -> list[str]:
        """The Map tab's axes: [x from, x to, y from, y to]."""
        return list(self.map.axes)

    @map_axes.setter
    def map_axes(self, axes: list[str]) -> None:
        self.map.axes = list(axes)

    @property
    def map_analogy(self) -> list[str]:
        """The analogy drawn on the map as arrows: [a, b, c], or []."""
        return list(self.map.analogy)

    @map_analogy.setter
    def map_analogy(self, words: list[str]) -> None:
        self.map.analogy = list(words)

    @property
    def map_points(self) -> pd.DataFrame:
        """The Map tab's points: label, x, y, role."""
        return self.map.points

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

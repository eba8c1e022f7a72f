"""CompareView: two embeddings of the same items side by side, as two ClusterViews with one selection.

The second layout is aligned to the first by Procrustes (engine/compare.py), so regions that did not change sit
in the same place. Both maps colour each point by how much its neighbourhood changed (1 − overlap@k of its k
nearest neighbours in a and in b, in the original spaces), and ``moved_most`` lists the items that changed most.
A lasso or click in either map selects the same rows in both (``selected``), and the point under the pointer in
one map is hovered in the other too, with its tooltip (``hovered``, linked in the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets
import numpy as np
import pandas as pd
import traitlets

from ...engine.compare import neighbourhood_change, procrustes
from ...engine.embeddings import EmbeddingSet
from .widget import ClusterView

CHANGE = "neighbourhood change"


class CompareView(ipywidgets.HBox):
    """Two maps of the same items (two models, or before and after fine-tuning), aligned and linked.

    >>> cmp = ew.CompareView(minilm_docs, glove_docs, k=10)     # doctest: +SKIP
    >>> cmp.moved_most(10)                                       # doctest: +SKIP
    >>> cmp.selected = [3, 4]                                    # both maps select rows 3 and 4   # doctest: +SKIP

    ``projection`` ("pca", "umap", "tsne") lays out each set; other keywords go to both ClusterViews.
    """

    def __init__(
        self, a: EmbeddingSet, b: EmbeddingSet, *, k: int = 10, projection: str = "pca", seed: int = 0, **view: Any
    ) -> None:
        for name, es in (("a", a), ("b", b)):
            if not isinstance(es, EmbeddingSet):
                raise TypeError(f"{name} must be an EmbeddingSet, not {type(es).__name__}.")
        if len(a) != len(b):
            raise ValueError(f"the two sets must hold the same items: {len(a):,} rows against {len(b):,}.")
        if list(a.labels) != list(b.labels):
            raise ValueError("the two sets must hold the same items in the same order (their labels differ).")
        self.k = int(k)
        self.change = neighbourhood_change(a.unit, b.unit, self.k)
        xy_a = np.asarray(a.project(projection, 2, seed=seed), dtype=np.float64)
        xy_b, _ = procrustes(np.asarray(b.project(projection, 2, seed=seed), dtype=np.float64), xy_a)
        self.coordinates = (xy_a, xy_b)
        views = []
        for es, xy in ((a, xy_a), (b, xy_b)):
            marked = EmbeddingSet(
                es.labels, es.vectors, metadata=es.metadata.assign(**{CHANGE: self.change}), name=es.name
            )
            options = {"labels": False, "color_by": f"column:{CHANGE}", "background": False, **view}
            views.append(ClusterView(marked, projection=xy, seed=seed, **options))
        self.a_view, self.b_view = views
        for child in views:  # an HBox gives its children no width of their own: each takes half
            child.layout = ipywidgets.Layout(flex="1 1 0", min_width="300px", width="50%")
        # One selection: each map's selection follows the other's (an equal value sends nothing back).
        self._links = [traitlets.link((self.a_view, "selected"), (self.b_view, "selected"))]
        # One hover: linked in the page (no round trip through the kernel), so the other map follows the pointer.
        self._hover_link = ipywidgets.jslink((self.a_view, "hovered"), (self.b_view, "hovered"))
        super().__init__(children=views, layout=ipywidgets.Layout(width="100%"))
        self.add_class("ew-compare")

    @property
    def selected(self) -> list[int]:
        """The rows selected in both maps."""
        return list(self.a_view.selected)

    @selected.setter
    def selected(self, rows: Any) -> None:
        self.a_view.selected = rows

    def save_html(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write one standalone HTML page (no kernel, no network) with both maps side by side, as they are now.

        Each map is the page ClusterView.save_html writes; the linked selection and hover need the kernel.
        """
        from .._standalone import write_page

        maps = [view._page_payload(None) for view in (self.a_view, self.b_view)]
        shown = title if title is not None else f"{self.a_view.title} vs {self.b_view.title}"
        return write_page(path, {"kind": "row", "items": maps}, title=shown)

    def moved_most(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` items whose neighbourhood changed most: ``row, label, change`` (1 − overlap@k)."""
        order = np.argsort(-self.change, kind="stable")[:n]
        labels = self.a_view.embeddings.labels
        return pd.DataFrame({"row": order, "label": [labels[i] for i in order], "change": self.change[order]})

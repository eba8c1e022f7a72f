"""EmbeddingMap: type words or sentences and see them on a 2-D map, with analogies drawn as arrows."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
import traitlets

from ..engine.embeddings import EmbeddingSet
from ..engine.errors import EmbedWidgetsError
from ._base import STATIC, EmbedWidget, handler

MAX_ITEMS = 40
PROJECTIONS = ("pca", "axes")
DEFAULT_AXES = ["man", "woman", "young", "old"]  # x: man → woman, y: young → old


class EmbeddingMap(EmbedWidget):
    """Words or sentences placed on a 2-D map: a PCA of the typed items, or two word-defined axes.

    >>> m = ew.EmbeddingMap(ew.glove(), items=["king", "queen", "man", "woman"], analogy=["man", "king", "woman"])
    >>> m.points                      # doctest: +SKIP   (label, x, y, role): the engine's coordinates
    >>> m.answer                      # doctest: +SKIP   'queen', as words.analogy(["king", "woman"], ["man"])

    Python side: the traits ``items``, ``projection`` ("pca" or "axes"), ``axes`` ([x from, x to, y from, y to])
    and ``analogy`` ([a, b, c] or []); ``points`` and ``arrows`` (DataFrames) and ``answer``. A change that
    names an unknown word shows an inline error and the map, and the trait, stay as they were.
    """

    _esm = STATIC / "embedding_map.js"
    _css = STATIC / "embedding_map.css"

    items = traitlets.List(traitlets.Unicode()).tag(sync=True)
    projection = traitlets.Enum(PROJECTIONS, default_value="pca").tag(sync=True)
    axes = traitlets.List(traitlets.Unicode(), default_value=DEFAULT_AXES).tag(sync=True)
    analogy = traitlets.List(traitlets.Unicode()).tag(sync=True)
    answer = traitlets.Unicode("").tag(sync=True)  # the analogy's top answer, or ""
    _points = traitlets.List(traitlets.Dict()).tag(sync=True)  # {label, x, y, role}; role: item, a, b, c or answer
    _arrows = traitlets.List(traitlets.Dict()).tag(
        sync=True
    )  # {source, target, kind, x1, y1, x2, y2}; kind: pair or answer
    _axis_names = traitlets.List(["PCA 1", "PCA 2"]).tag(sync=True)
    _options = traitlets.Dict({"max_items": MAX_ITEMS}).tag(sync=True)
    _question = ("items", "projection", "axes", "analogy")

    def __init__(
        self,
        embeddings: EmbeddingSet,
        *,
        items: list[str] | tuple[str, ...] = (),
        projection: str = "pca",
        axes: list[str] | tuple[str, ...] | None = None,
        analogy: list[str] | tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        if not isinstance(embeddings, EmbeddingSet):
            raise TypeError(f"EmbeddingMap needs an EmbeddingSet (e.g. ew.glove()), not {type(embeddings).__name__}.")
        self.embeddings = self._completion_set = embeddings
        self._quiet = True  # no runs while the traits are first set
        self._good: dict[str, Any] | None = None  # the traits of the map on screen, restored after a failure
        self._failure: BaseException | None = None
        if axes is None:
            axes = _default_axes(embeddings)
        kwargs.setdefault("title", f"Map · {embeddings.name}")
        super().__init__(items=list(items), projection=projection, axes=list(axes), analogy=list(analogy), **kwargs)
        self.observe(self._rerun, names=list(self._question))
        self._quiet = False
        self.run()

    # ---- validation: shapes only; whether the words exist is the engine's question -----------------

    @traitlets.validate("items")
    def _check_items(self, proposal: dict) -> list[str]:
        items = list(dict.fromkeys(item.strip() for item in proposal["value"] if item.strip()))
        if len(items) > MAX_ITEMS:
            raise traitlets.TraitError(f"the map holds at most {MAX_ITEMS} items; remove some first.")
        return items

    @traitlets.validate("axes")
    def _check_axes(self, proposal: dict) -> list[str]:
        axes = [word.strip() for word in proposal["value"]]
        if len(axes) != 4 or not all(axes):
            raise traitlets.TraitError(
                "axes takes four words: x from, x to, y from, y to (e.g. man, woman, young, old)."
            )
        return axes

    @traitlets.validate("analogy")
    def _check_analogy(self, proposal: dict) -> list[str]:
        words = [word.strip() for word in proposal["value"]]
        if words and (len(words) != 3 or not all(words)):
            raise traitlets.TraitError("analogy takes three words a, b, c (a is to b as c is to ?), or [] for none.")
        return words

    # ---- the map ------------------------------------------------------------------------------

    @property
    def points(self) -> pd.DataFrame:
        """The points on the map: ``label, x, y, role`` (role ``item``, or ``a``/``b``/``c``/``answer``)."""
        return pd.DataFrame(self._points, columns=["label", "x", "y", "role"])

    @property
    def arrows(self) -> pd.DataFrame:
        """The analogy's arrows: a → b and c → answer, with their ends' coordinates."""
        return pd.DataFrame(self._arrows, columns=["source", "target", "kind", "x1", "y1", "x2", "y2"])

    @property
    def failure(self) -> BaseException | None:
        """The error of the last change (also shown inline), or None when it succeeded."""
        return self._failure

    def run(self, changed: Collection[str] = ()) -> pd.DataFrame:
        """Place the items (and the analogy's words) again. After an expected error the previous map and its
        traits come back, and the error shows inline. ``changed`` names the traits that changed."""
        self._failure = None
        self.busy = True
        try:
            shown = self._compute(check_axes="axes" in changed)
        except (EmbedWidgetsError, KeyError, ValueError) as error:
            self._failure = error
            shown = {}
        finally:
            self.busy = False
        with self.hold_sync():
            if self._failure is None:
                self._good = {name: list(getattr(self, name)) for name in ("items", "axes", "analogy")}
                self._good["projection"] = self.projection
            elif self._good is not None:
                self._restore(self._good)
            for name, value in shown.items():
                setattr(self, name, value)
            self._report(self._failure)
        return self.points

    def _compute(self, check_axes: bool = False) -> dict[str, Any]:
        es = self.embeddings
        answer = ""
        if self.analogy:
            a, b, c = self.analogy
            answer = str(es.analogy([b, c], [a], k=1).label.iloc[0])
        extra = [w for w in (*self.analogy, answer) if w and w not in self.items]
        labels = list(dict.fromkeys([*self.items, *extra]))
        x_from, x_to, y_from, y_to = self.axes
        if self.projection == "axes" or check_axes:  # new axis words are checked even while the map is a PCA
            xy = es.place(labels, x=(x_from, x_to), y=(y_from, y_to))
        if self.projection == "axes":
            names = [f"{x_from} → {x_to}", f"{y_from} → {y_to}"]
        else:
            xy = es.place(labels)
            names = ["PCA 1", "PCA 2"]
        roles = dict(zip(["a", "b", "c", "answer"], [*self.analogy, answer])) if self.analogy else {}
        role_of = {word: role for role, word in roles.items()}
        points: list[dict[str, Any]] = [
            {"label": label, "x": float(x), "y": float(y), "role": "item" if label in self.items else role_of[label]}
            for label, (x, y) in zip(labels, xy)
        ]
        where: dict[str, tuple[float, float]] = {p["label"]: (p["x"], p["y"]) for p in points}
        arrows = []
        if self.analogy:
            for source, target, kind in ((roles["a"], roles["b"], "pair"), (roles["c"], answer, "answer")):
                (x1, y1), (x2, y2) = where[source], where[target]
                arrows.append(
                    {"source": source, "target": target, "kind": kind, "x1": x1, "y1": y1, "x2": x2, "y2": y2}
                )
        return {"_points": points, "_arrows": arrows, "answer": answer, "_axis_names": names}

    def _restore(self, good: dict[str, Any]) -> None:
        quiet, self._quiet = self._quiet, True
        try:
            for name, value in good.items():
                setattr(self, name, value)
        finally:
            self._quiet = quiet

    def _answer(self, changed: list[str]) -> None:
        self.run(changed)

    # ---- the view's commands --------------------------------------------------------------------

    def add(self, item: str) -> None:
        """Put a word or a sentence on the map (an unknown word shows an inline error instead)."""
        refused = None
        if not isinstance(item, str) or not item.strip():
            refused = ValueError("type a word or a sentence to put on the map.")
        elif item.strip() in self.items:
            refused = None  # already there: nothing to do, and an old error goes
        elif len(self.items) >= MAX_ITEMS:
            refused = ValueError(f"the map holds at most {MAX_ITEMS} items; remove some first.")
        else:
            self.items = [*self.items, item]
            return
        self._failure = refused
        self._report(refused)

    def remove(self, item: str) -> None:
        """Take an item off the map."""
        self.items = [i for i in self.items if i != item]

    @handler("map_add")
    def _add_request(self, item: str = "") -> dict:
        self.add(item)
        return {"items": list(self.items), "added": self.error is None}

    @handler("map_remove")
    def _remove_request(self, item: str = "") -> dict:
        self.remove(item)
        return {"items": list(self.items)}


def _default_axes(embeddings: EmbeddingSet) -> list[str]:
    """man → woman × young → old where the set knows them; otherwise its first labels, so the map still opens."""
    if embeddings.encoder is not None or all(word in embeddings for word in DEFAULT_AXES):
        return list(DEFAULT_AXES)
    labels = embeddings.labels[:4] or ["?"]
    return [labels[i % len(labels)] for i in range(4)]

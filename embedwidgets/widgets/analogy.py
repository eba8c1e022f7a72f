"""AnalogyExplorer: "a is to b as c is to ?", with ranked answers and the parallelogram drawn."""

from __future__ import annotations

from typing import Any

import pandas as pd
import traitlets

from ..engine.analogy import METHODS, analogy_geometry
from ..engine.embeddings import EmbeddingSet
from ._base import STATIC, QueryWidget, check_k

MAX_K = 100
METHOD_NAMES = {"3cosadd": "3CosAdd", "3cosmul": "3CosMul"}  # as the view labels them
PLOTTED_ANSWERS = 5
# From the lesson, with what GloVe 6B 50d really answers.
PRESETS = [
    {
        "name": "king − man + woman",
        "a": "man",
        "b": "king",
        "c": "woman",
        "note": "The classic: queen comes first, at cosine 0.852.",
    },
    {
        "name": "Paris − France + Germany",
        "a": "france",
        "b": "paris",
        "c": "germany",
        "note": "Capitals: berlin comes first.",
    },
    {"name": "walked − walk + run", "a": "walk", "b": "walked", "c": "run", "note": "Verb tense: ran comes first."},
    {
        "name": "bigger − big + small",
        "a": "big",
        "b": "bigger",
        "c": "small",
        "note": "GloVe 50d answers larger first and smaller only second: analogies are approximate.",
    },
]


class AnalogyExplorer(QueryWidget):
    """Type three words and see which words complete "a is to b as c is to ?" (that is, b − a + c).

    >>> ew.AnalogyExplorer(ew.glove(), a="man", b="king", c="woman")   # doctest: +SKIP

    Python side: the traits ``a``, ``b``, ``c``, ``k``, ``method`` and ``exclude_inputs``;
    ``results`` (a DataFrame) and ``run()``. Setting a trait re-runs the analogy and the view follows.
    """

    _esm = STATIC / "analogy.js"
    _css = STATIC / "analogy.css"

    a = traitlets.Unicode("man").tag(sync=True)
    b = traitlets.Unicode("king").tag(sync=True)
    c = traitlets.Unicode("woman").tag(sync=True)
    k = traitlets.Int(10).tag(sync=True)
    method = traitlets.Enum(METHODS, default_value="3cosadd").tag(sync=True)
    exclude_inputs = traitlets.Bool(True).tag(sync=True)
    _rows = traitlets.List().tag(sync=True)
    _flipped_rows = traitlets.List().tag(sync=True)  # the same question with exclude_inputs flipped
    _plot = traitlets.List().tag(sync=True)
    _presets = traitlets.List(PRESETS).tag(sync=True)
    _options = traitlets.Dict({"max_k": MAX_K, "methods": [[m, METHOD_NAMES[m]] for m in METHODS]}).tag(sync=True)
    _question = ("a", "b", "c", "k", "method", "exclude_inputs")

    def __init__(
        self,
        words: EmbeddingSet,
        *,
        a: str = "man",
        b: str = "king",
        c: str = "woman",
        k: int = 10,
        method: str = "3cosadd",
        exclude_inputs: bool = True,
        **kwargs: Any,
    ) -> None:
        if not isinstance(words, EmbeddingSet):
            raise TypeError(
                f"AnalogyExplorer needs an EmbeddingSet of words (e.g. ew.glove()), not {type(words).__name__}."
            )
        self.words = self._completion_set = words
        kwargs.setdefault("title", f"Analogies · {words.name}")
        super().__init__(a=a, b=b, c=c, k=k, method=method, exclude_inputs=exclude_inputs, **kwargs)

    @traitlets.validate("k")
    def _check_k(self, proposal: dict) -> int:
        return check_k(proposal["value"], MAX_K)

    def _compute(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        words = [w.strip() for w in (self.a, self.b, self.c)]
        if not all(words):
            raise ValueError("type three words: a is to b as c is to ?")
        a, b, c = words
        found = self.words.analogy([b, c], [a], k=self.k, method=self.method, exclude_inputs=self.exclude_inputs)
        flipped = self.words.analogy([b, c], [a], k=3, method=self.method, exclude_inputs=not self.exclude_inputs)
        geometry = analogy_geometry(self.words, a, b, c, found.label[:PLOTTED_ANSWERS].tolist())
        inputs = {a, b, c}
        shown = {
            "_rows": _records(found, inputs),
            "_flipped_rows": _records(flipped, inputs),
            "_plot": geometry.to_dict("records"),
            "_index_note": "" if found.attrs.get("exact", True) else found.attrs["note"],
        }
        return found, shown

    def _cleared(self) -> dict[str, Any]:
        return {"_rows": [], "_flipped_rows": [], "_plot": [], "_index_note": ""}


def _records(frame: pd.DataFrame, inputs: set[str]) -> list[dict]:
    return [
        {"rank": int(r.rank), "label": r.label, "score": float(r.score), "is_input": r.label in inputs}
        for r in frame.itertuples(index=False)
    ]

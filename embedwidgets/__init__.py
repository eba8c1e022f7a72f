"""embedwidgets: see what an embedding space does, in Jupyter.

>>> import embedwidgets as ew                                    # doctest: +SKIP
>>> words = ew.glove()                                           # doctest: +SKIP
>>> words.analogy(positive=["king", "woman"], negative=["man"])  # doctest: +SKIP
"""

from . import datasets
from .engine import (
    AnalogyReport,
    DuplicateLabelError,
    EmbeddingSet,
    EmbedWidgetsError,
    SentenceEncoder,
    SimilarityReport,
    UnknownTokenError,
    WordAverage,
    pick_device,
)
from .models import glove, minilm

_WIDGETS = (
    "AnalogyExplorer",
    "ClusterView",
    "CompareView",
    "EmbeddingExplorer",
    "NeighborBrowser",
    "SearchCompare",
    "SimilarityMatrix",
)


def __getattr__(name: str):
    """Widgets load on first use, so ``embedwidgets.engine`` works where no Jupyter packages are installed."""
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'embedwidgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WIDGETS))


__version__ = "0.1.0"

__all__ = [
    "AnalogyExplorer",
    "AnalogyReport",
    "ClusterView",
    "CompareView",
    "DuplicateLabelError",
    "EmbeddingExplorer",
    "EmbeddingSet",
    "EmbedWidgetsError",
    "NeighborBrowser",
    "SearchCompare",
    "SentenceEncoder",
    "SimilarityMatrix",
    "SimilarityReport",
    "UnknownTokenError",
    "WordAverage",
    "__version__",
    "datasets",
    "glove",
    "minilm",
    "pick_device",
]

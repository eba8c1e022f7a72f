"""embedwidgets: see what an embedding space does, in Jupyter.

>>> import embedwidgets as ew                                    # doctest: +SKIP
>>> words = ew.glove()                                           # doctest: +SKIP
>>> words.analogy(positive=["king", "woman"], negative=["man"])  # doctest: +SKIP
"""

from . import check, datasets
from .engine import (
    AnalogyReport,
    DuplicateLabelError,
    EmbeddingSet,
    EmbedWidgetsError,
    MultilingualE5,
    SentenceEncoder,
    SimilarityReport,
    UnknownTokenError,
    WordAverage,
    pick_device,
)
from .models import glove, minilm, multilingual_e5
from .questions import Question

_WIDGETS = (
    "AnalogyExplorer",
    "ClusterView",
    "CompareView",
    "EmbeddingExplorer",
    "EmbeddingMap",
    "NeighborBrowser",
    "Quiz",
    "SearchCompare",
    "SimilarityMatrix",
)
# The corpus pipeline past one machine (embedwidgets.scale), loaded on first use like the widgets.
_SCALE = ("build_corpus_index", "corpus_map", "encode_corpus", "open_corpus", "project_corpus")


def __getattr__(name: str):
    """Widgets load on first use, so ``embedwidgets.engine`` works where no Jupyter packages are installed."""
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    if name in _SCALE:
        from . import scale

        return getattr(scale, name)
    raise AttributeError(f"module 'embedwidgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WIDGETS) | set(_SCALE))


__version__ = "0.1.0"

__all__ = [
    "AnalogyExplorer",
    "AnalogyReport",
    "ClusterView",
    "CompareView",
    "DuplicateLabelError",
    "EmbeddingExplorer",
    "EmbeddingMap",
    "EmbeddingSet",
    "EmbedWidgetsError",
    "MultilingualE5",
    "NeighborBrowser",
    "Question",
    "Quiz",
    "SearchCompare",
    "SentenceEncoder",
    "SimilarityMatrix",
    "SimilarityReport",
    "UnknownTokenError",
    "WordAverage",
    "__version__",
    "build_corpus_index",
    "check",
    "corpus_map",
    "datasets",
    "encode_corpus",
    "glove",
    "minilm",
    "multilingual_e5",
    "open_corpus",
    "pick_device",
    "project_corpus",
]

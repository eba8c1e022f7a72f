"""Notebook widgets: thin anywidget classes over the engine."""

from .analogy import AnalogyExplorer
from .cluster import ClusterView, CompareView
from .embedding_map import EmbeddingMap
from .explorer import EmbeddingExplorer
from .neighbors import NeighborBrowser
from .quiz import Quiz
from .search_compare import SearchCompare
from .similarity import SimilarityMatrix

__all__ = [
    "AnalogyExplorer",
    "ClusterView",
    "CompareView",
    "EmbeddingExplorer",
    "EmbeddingMap",
    "NeighborBrowser",
    "Quiz",
    "SearchCompare",
    "SimilarityMatrix",
]

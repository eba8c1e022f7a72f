"""Notebook widgets: thin anywidget classes over the engine."""

from .analogy import AnalogyExplorer
from .cluster import ClusterView
from .explorer import EmbeddingExplorer
from .neighbors import NeighborBrowser
from .search_compare import SearchCompare
from .similarity import SimilarityMatrix

__all__ = [
    "AnalogyExplorer",
    "ClusterView",
    "EmbeddingExplorer",
    "NeighborBrowser",
    "SearchCompare",
    "SimilarityMatrix",
]

"""Notebook widgets: thin anywidget classes over the engine."""

from .analogy import AnalogyExplorer
from .cluster import ClusterView
from .neighbors import NeighborBrowser
from .search_compare import SearchCompare
from .similarity import SimilarityMatrix

__all__ = ["AnalogyExplorer", "ClusterView", "NeighborBrowser", "SearchCompare", "SimilarityMatrix"]

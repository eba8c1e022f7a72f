"""Notebook widgets: thin anywidget classes over the engine."""

from .analogy import AnalogyExplorer
from .cluster import ClusterView
from .neighbors import NeighborBrowser

__all__ = ["AnalogyExplorer", "ClusterView", "NeighborBrowser"]

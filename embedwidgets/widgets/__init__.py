"""Notebook widgets: thin anywidget classes over the engine."""

from .analogy import AnalogyExplorer
from .neighbors import NeighborBrowser

__all__ = ["AnalogyExplorer", "NeighborBrowser"]

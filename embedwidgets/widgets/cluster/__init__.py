"""ClusterView in parts: the widget (traits and wiring), its background jobs, its colours and its geometry."""

from .checks import MAX_QUERY_K, SVG_MAX_POINTS
from .colors import GREY, PALETTE, PLAIN, ramp
from .compare import CompareView
from .widget import ClusterView

__all__ = ["GREY", "MAX_QUERY_K", "PALETTE", "PLAIN", "SVG_MAX_POINTS", "ClusterView", "CompareView", "ramp"]

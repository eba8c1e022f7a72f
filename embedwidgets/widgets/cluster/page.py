"""ClusterView's saved page: the points, colours, labels and tooltips in a compact form (``js/src/cluster/
page_model.ts`` reads it), inside the page that every widget saves (``widgets/_standalone.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._standalone import wire
from .colors import clip, display_text

LABEL_CHARS = 500
FIELD_CHARS = 300


def cluster_payload(
    *,
    title: str,
    xy: np.ndarray,
    values: np.ndarray,
    legend: dict,
    labels: Sequence[str],
    metadata: pd.DataFrame,
    cluster_labels: list[dict],
    point_size: float,
    opacity: float,
) -> dict:
    """The map's page data. ``xy`` is (n × 2) in [-1, 1]; ``values`` and ``legend`` as the widget sends them."""
    n = len(xy)
    values = np.asarray(values)
    return {
        "kind": "cluster",
        "title": title,
        "n": n,
        "xy": wire(np.asarray(xy, dtype=np.float32).reshape(n, 2)),
        "values": wire(values) if len(values) == n else None,
        "legend": legend,
        "labels": [clip(label, LABEL_CHARS) for label in labels],
        "columns": [str(c) for c in metadata.columns],
        "fields": [[_field(v) for v in metadata[c].tolist()] for c in metadata.columns],
        "clusters": cluster_labels,
        "pointSize": float(point_size),
        "opacity": float(opacity),
    }


def _field(value: object) -> str:
    return "" if value is None else clip(display_text(value), FIELD_CHARS)

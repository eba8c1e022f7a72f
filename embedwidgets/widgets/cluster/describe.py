"""What ClusterView tells about points and clusters: a point's tooltip, cluster names with their places on the
map, the rows a query highlights."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...engine.embeddings import EmbeddingSet
from .colors import clip, display_text
from .layout import label_places

TOOLTIP_CHARS = 300
NAME_COLUMNS = ["cluster", "size", "keywords", "label", "x", "y"]


def point_details(
    embeddings: EmbeddingSet, index: int, clusters: np.ndarray | None, names: pd.DataFrame | None
) -> dict:
    """The tooltip of row ``index``: its label, its cluster (once known) and its metadata, each clipped."""
    n = len(embeddings)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise ValueError(f"no point {index!r}; there are {n:,}.")
    fields = []
    if clusters is not None:
        cluster = int(clusters[index])
        found = names.loc[names.cluster == cluster, "label"] if names is not None else []
        name = str(found.iloc[0]) if len(found) else ""
        fields.append(["cluster", f"{cluster} · {name}" if cluster >= 0 else "noise"])
    for column, value in embeddings.metadata.iloc[index].items():
        fields.append([clip(str(column), 60), clip(display_text(value), TOOLTIP_CHARS)])
    return {"index": index, "label": clip(embeddings.labels[index], TOOLTIP_CHARS), "fields": fields}


def names_with_places(names: pd.DataFrame | None, xy: np.ndarray | None, clusters: np.ndarray | None) -> pd.DataFrame:
    """Cluster keywords with the place of each label on the map (``x, y`` in [-1, 1], NaN before the layout)."""
    if names is None:
        return pd.DataFrame(columns=NAME_COLUMNS)
    frame = names.copy()
    places = {p["cluster"]: (p["x"], p["y"]) for p in label_places(xy, clusters, frame, len(frame))}
    frame["x"] = [places.get(int(c), (np.nan, np.nan))[0] for c in frame.cluster]
    frame["y"] = [places.get(int(c), (np.nan, np.nan))[1] for c in frame.cluster]
    return frame[NAME_COLUMNS]


def nearest_rows(embeddings: EmbeddingSet, query: str, k: int) -> tuple[np.ndarray, str]:
    """The query's own row (when it is a label) and its ``k`` nearest rows, with the note the view shows.
    Raises the engine's error (e.g. an unknown word, with close spellings) when the query cannot be run."""
    found = embeddings.neighbors(query, k=min(k, len(embeddings)))
    rows = [embeddings.row(label) for label in found.label]
    own = embeddings.row(query)
    rows = ([own] if own is not None else []) + [r for r in rows if r is not None]
    return np.asarray(rows, dtype=np.int64), f"the {len(found):,} points nearest to “{query}”"

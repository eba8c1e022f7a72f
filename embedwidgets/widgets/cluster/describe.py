"""What ClusterView tells about points and clusters: a point's tooltip, cluster names with their places on the
map, the selection as a table, and the rows a search, a query or a legend entry highlights."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ...engine import rag
from ...engine.embeddings import EmbeddingSet
from ...engine.errors import EmbedWidgetsError
from ...engine.hierarchy import label_tree
from .colors import clip, display_text
from .jobs import Progress
from .layout import label_places

TOOLTIP_CHARS = 300
SUB_CLUSTERS = 4  # children of each cluster in the label tree
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
        found = [] if names is None else names.loc[names.cluster == cluster, "label"].tolist()
        name = str(found[0]) if found else ""
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
    own = embeddings.row(query)
    rows = [own] if own is not None else []
    rows += [row for row in map(embeddings.row, found["label"]) if row is not None]
    how = found.attrs.get("note", "exact")  # "approximate (recall@10 0.97)" when the set's index answered
    note = f"the {len(found):,} points nearest to “{query}”" + ("" if how == "exact" else f", {how}")
    return np.asarray(rows, dtype=np.int64), note


def clusters_with_names(
    embeddings: EmbeddingSet, method: str, k: int, *, seed: int, text_column: str | None, progress: Progress
) -> tuple[np.ndarray, pd.DataFrame]:
    """Cluster the set and name each cluster by its keywords (from ``text_column`` or the labels)."""
    clusters = embeddings.cluster(method, k, seed=seed, progress=progress)
    progress(1.0, "cluster keywords")
    return clusters, embeddings.cluster_labels(clusters, text_column=text_column)


def sub_clusters(
    embeddings: EmbeddingSet,
    clusters: np.ndarray,
    *,
    seed: int,
    text_column: str | None,
    labeler: Callable[[list[str]], str] | None,
    progress: Progress,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The label tree over ``clusters`` (engine/hierarchy.py): each cluster split into sub-clusters, all named."""
    texts = embeddings.labels if text_column is None else embeddings.metadata[text_column].astype(str).tolist()
    return label_tree(
        embeddings.unit, texts, clusters, children=SUB_CLUSTERS, seed=seed, labeler=labeler, progress=progress
    )


def search_rows(embeddings: EmbeddingSet, text: str) -> tuple[np.ndarray, str]:
    """Rows whose label contains ``text`` (ignoring case), with the note the view shows."""
    rows = embeddings.label_index.containing(text)
    return rows, f"{len(rows):,} labels contain “{text}”" if len(rows) else f"no label contains “{text}”"


def legend_rows(values: np.ndarray, legend: dict, index: int) -> tuple[np.ndarray, str]:
    """Rows coloured by entry ``index`` of a categorical legend, with the note the view shows."""
    items = legend.get("items", [])
    if legend.get("kind") != "categorical" or not isinstance(index, int) or not 0 <= index < len(items):
        raise ValueError("pick an entry of a categorical legend.")
    rows = np.flatnonzero(values == items[index]["value"])
    return rows, f"{len(rows):,} points: {items[index]['label']}"


def selection_frame(embeddings: EmbeddingSet, selected: Sequence[int], clusters: np.ndarray | None) -> pd.DataFrame:
    """The ``selected`` rows: ``label``, the cluster (once known) and every metadata column, indexed by row."""
    rows = np.asarray(selected, dtype=np.int64)
    frame = embeddings.metadata.iloc[rows].copy()
    labels = embeddings.labels
    frame.insert(0, _free_name("label", frame), [labels[r] for r in rows])
    if clusters is not None:
        frame.insert(1, _free_name("cluster", frame), clusters[rows])
    frame.index = pd.Index(rows, name="row")
    return frame


def png_from_data_url(data: object) -> bytes:
    """The PNG image inside a ``data:image/png;base64,...`` URL, as the view's PNG export sends it."""
    prefix = "data:image/png;base64,"
    if not isinstance(data, str) or not data.startswith(prefix):
        raise ValueError("expected a PNG data URL.")
    image = base64.b64decode(data[len(prefix) :], validate=True)
    if not image.startswith(b"\x89PNG"):
        raise ValueError("the export is not a PNG image.")
    return image


def _free_name(name: str, frame: pd.DataFrame) -> str:
    """``name``, with leading underscores until no column of ``frame`` has it."""
    while name in frame.columns:
        name = "_" + name
    return name


class Highlighter:
    """What the map highlights, and why: labels containing the search text, the points nearest the query, or
    the points of a legend entry. Every change goes to ``publish(rows, note)``, which puts it in the view, and
    a query's outcome to ``report`` (the error, or None)."""

    def __init__(
        self,
        embeddings: EmbeddingSet,
        publish: Callable[[np.ndarray, str], None],
        report: Callable[[BaseException | None], None],
    ) -> None:
        self.embeddings = embeddings
        self.publish = publish
        self.report = report
        self.source = ""  # "search", "query", "legend" or "" (nothing highlighted)

    def show(self, rows: np.ndarray, note: str, source: str) -> None:
        self.source = source
        self.publish(np.asarray(rows, dtype=np.int32), note)

    def clear(self, source: str | None = None) -> None:
        """Remove the highlight (only if ``source`` made it, when given)."""
        if source is None or self.source == source:
            self.show(np.zeros(0, dtype=np.int32), "", "")

    def search(self, text: str) -> None:
        text = text.strip()
        if text:
            self.show(*search_rows(self.embeddings, text), "search")
        else:
            self.clear("search")

    def query(self, query: str, k: int) -> bool:
        """Highlight the ``k`` points nearest ``query``. An error (an unknown word, with close spellings) goes
        to ``report`` and leaves the highlight as it was; then this returns False."""
        query = query.strip()
        if not query:
            self.clear("query")
            return True
        try:
            rows, note = nearest_rows(self.embeddings, query, k)
        except (EmbedWidgetsError, KeyError, ValueError) as error:
            self.report(error)
            return False
        self.show(rows, note, "query")
        self.report(None)
        return True

    def legend(self, values: np.ndarray, legend: dict, index: int) -> int:
        rows, note = legend_rows(values, legend, index)
        self.show(rows, note, "legend")
        return len(rows)


def _retrieved_rows(embeddings: EmbeddingSet, found: object) -> list[int]:
    """A retriever's answer (labels or row numbers, best first) as rows; a clear error for anything else."""
    if isinstance(found, (str, bytes)) or not isinstance(found, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        raise TypeError(f"a retriever returns a list of labels or row numbers, not {type(found).__name__}.")
    items = list(found)
    if all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items):
        n = len(embeddings)
        bad = [int(i) for i in items if not 0 <= int(i) < n]
        if bad:
            raise ValueError(f"the retriever returned rows outside 0..{n - 1}: {bad[:5]}.")
        return [int(i) for i in items]
    return embeddings.rows([str(i) for i in items])


def _placed(embeddings: EmbeddingSet, xy: np.ndarray, found: pd.DataFrame, k: int) -> tuple:
    """One query's exact top-k rows and scores, its place on the map and those rows' ranks on the map."""
    rows = np.asarray(embeddings.rows(found["label"].tolist()), dtype=np.int64)
    scores = found["score"].to_numpy(dtype=np.float64)
    point = rag.place(xy, rows, scores)
    top = rows[:k]
    return top, scores[:k], point, rag.map_ranks(xy, point, top)


def _retriever_rows(embeddings: EmbeddingSet, retriever: Callable, text: str, k: int) -> list[int]:
    if not callable(retriever):
        raise TypeError(f"retriever is a function of the query text, not {type(retriever).__name__}.")
    return _retrieved_rows(embeddings, retriever(text))[:k]


def query_on_map(
    embeddings: EmbeddingSet, xy: np.ndarray, text: str, k: int, retriever: Callable | None
) -> tuple[pd.DataFrame, dict]:
    """show_query's table and the overlay the view draws (engine/rag.py does the geometry)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("show_query needs a query text (or a label).")
    found = embeddings.neighbors(text, k=max(k, rag.PLACE_K))
    top, top_scores, point, ranks = _placed(embeddings, xy, found, k)
    far = ranks > rag.FAR * k
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "row": top,
            "label": [embeddings.labels[r] for r in top],
            "score": top_scores,
            "map_rank": ranks,
            "far": far,
        }
    )
    trust = rag.map_trust(ranks, k)
    frame.attrs.update(trust=trust, x=float(point[0]), y=float(point[1]), index=found.attrs.get("index", "exact"))
    overlay: dict = {
        "text": clip(text, TOOLTIP_CHARS),
        "x": float(point[0]),
        "y": float(point[1]),
        "k": int(k),
        "trust": trust,
        "hits": [
            {"row": int(r), "rank": i + 1, "x": float(xy[r, 0]), "y": float(xy[r, 1]), "far": bool(f)}
            for i, (r, f) in enumerate(zip(top.tolist(), far.tolist()))
        ],
        "retrieved": [],
    }
    if retriever is not None:
        theirs = _retriever_rows(embeddings, retriever, text, k)
        share, only_exact, only_theirs = rag.overlap(top.tolist(), theirs, k)
        frame["retrieved"] = frame["row"].isin(theirs)
        frame.attrs.update(overlap=share, only_exact=only_exact, only_retriever=only_theirs)
        overlay["overlap"] = share
        overlay["retrieved"] = [
            {"row": r, "rank": i + 1, "x": float(xy[r, 0]), "y": float(xy[r, 1])} for i, r in enumerate(theirs)
        ]
    return frame, overlay


def relevant_rows(embeddings: EmbeddingSet, cells: Sequence[object], texts: Sequence[str]) -> list[set[int]]:
    """Each query's judged relevant items (row numbers or labels; a list, a set, one item, or empty) as rows.
    Every item that is not in the set is named in one error, with its query and the fix."""
    n = len(embeddings)
    out: list[set[int]] = []
    bad: list[str] = []
    for position, (cell, text) in enumerate(zip(cells, texts)):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            items: list = []
        elif isinstance(cell, (str, bytes, int, np.integer)):
            items = [cell]
        elif isinstance(cell, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
            items = list(cell)
        else:
            raise TypeError(
                f"query {position} (“{clip(text, 60)}”): relevant items come as a list or set of row numbers or "
                f"labels, not {type(cell).__name__}."
            )
        rows = set()
        for item in items:
            if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                row = int(item) if 0 <= int(item) < n else None
            else:
                row = embeddings.row(str(item))
            if row is None:
                bad.append(f"query {position} (“{clip(text, 40)}”): {item!r}")
            else:
                rows.add(row)
        out.append(rows)
    if bad:
        example = clip(embeddings.labels[0], 40)
        raise ValueError(
            f"{len(bad)} relevant item(s) are not in the set: {'; '.join(bad[:8])}"
            + (f"; and {len(bad) - 8} more" if len(bad) > 8 else "")
            + f". Give row numbers 0..{n - 1} or labels of the set (such as {example!r}); to use your own ids, "
            "map them to rows first, e.g. row_of = {id: i for i, id in enumerate(ids)}."
        )
    return out


def queries_on_map(
    embeddings: EmbeddingSet,
    xy: np.ndarray,
    texts: Sequence[str],
    k: int,
    relevant: Sequence[set[int]] | None,
    retriever: Callable | None,
) -> tuple[pd.DataFrame, dict]:
    """show_queries' table (engine/rag.py scores it, worst first) and what focusing one query needs later."""
    founds = embeddings.neighbors(list(texts), k=max(k, rag.PLACE_K))
    assert isinstance(founds, list)  # a list of texts gives a list of frames
    placed = [_placed(embeddings, xy, found, k) for found in founds]
    retrieved = None if retriever is None else [_retriever_rows(embeddings, retriever, t, k) for t in texts]
    exact = [p[0].tolist() for p in placed]
    frame = rag.score_queries(texts, exact, [p[3] for p in placed], k, relevant=relevant, retrieved=retrieved)
    frame.attrs["k"] = k
    markers = [
        {"position": i, "text": clip(text, TOOLTIP_CHARS), "x": float(p[2][0]), "y": float(p[2][1])}
        for i, (text, p) in enumerate(zip(texts, placed))
    ]
    state = {"texts": list(texts), "k": k, "retriever": retriever, "relevant": relevant, "markers": markers}
    return frame, state


def focused_query(embeddings: EmbeddingSet, xy: np.ndarray, state: dict, position: int) -> tuple[pd.DataFrame, dict]:
    """One of show_queries' queries drawn in full (show_query's table and overlay), every other query as a
    numbered marker, and its judged relevant rows (when given) marked, found or not."""
    frame, overlay = query_on_map(embeddings, xy, state["texts"][position], state["k"], state["retriever"])
    overlay["queries"] = state["markers"]
    overlay["focus"] = position
    if state["relevant"] is not None:
        relevant = sorted(state["relevant"][position])
        frame["relevant"] = frame["row"].isin(relevant)
        top = set(frame["row"])
        frame.attrs["missed"] = [r for r in relevant if r not in top]
        overlay["relevant"] = [
            {"row": r, "x": float(xy[r, 0]), "y": float(xy[r, 1]), "found": r in top} for r in relevant
        ]
    return frame, overlay

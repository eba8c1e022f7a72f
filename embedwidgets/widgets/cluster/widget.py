"""ClusterView: every point of an embedding set on a zoomable WebGL map, coloured by cluster, metadata, outlier
score or similarity, with keyword labels, search, lasso selection and exports.

The class holds the traits and the wiring. Its parts: :mod:`.jobs` runs the background work, :mod:`.colors` and
:mod:`.modes` turn data into colours and legends, :mod:`.layout` holds the geometry, :mod:`.checks` the argument
and trait checks, and :mod:`.describe` what the view tells about points (tooltips, highlights, the selection).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ...engine.density import density_contours
from ...engine.embeddings import EmbeddingSet
from ...engine.errors import EmbedWidgetsError
from .._arrays import ArrayTrait
from .._base import STATIC, EmbedWidget, check_k, handler
from . import checks, colors, describe, layout
from .checks import MAX_K, VIEW_OPTIONS, RowList
from .filters import Filters, TableRows
from .jobs import JobRunner, Progress
from .modes import SlowScores, mode_colors

MAX_LABELS = 40  # keyword labels drawn on the map (the biggest clusters)
TAG_COLUMN = "tag"  # the metadata column that holds the tags
MAX_SUB_LABELS = 160  # sub-cluster labels, shown once zoomed in
JOB_KINDS = ("project", "cluster", "color")


class ClusterView(EmbedWidget):
    """Every point of an embedding set on a zoomable map: clusters with keyword labels, colours, search, lasso.

    >>> docs = ew.EmbeddingSet.from_texts(texts, encoder=ew.minilm(), metadata=df)   # doctest: +SKIP
    >>> cv = ew.ClusterView(docs, color_by="cluster", k=8)                            # doctest: +SKIP
    >>> cv.cluster_names                     # keywords of each cluster                # doctest: +SKIP
    >>> cv.selected = [0, 5, 9]; cv.selection_df()                                     # doctest: +SKIP
    >>> cv.show_outliers(k=10); cv.save_html("map.html")                               # doctest: +SKIP

    ``projection`` is ``"umap"``, ``"pca"``, ``"tsne"`` or an (n × 2) array of your own coordinates.
    ``color_by`` is ``"cluster"``, ``"outliers"``, ``"similarity"`` (to ``query``), ``"duplicates"``,
    ``"classes"`` (after :meth:`show_classes`), ``"none"`` or a metadata column (``"column:<name>"`` also works).
    The layout and clusters run in the background (``background=False`` computes them before returning);
    :meth:`wait` blocks until they are done.

    In the map: drag to pan, wheel to zoom, shift-drag (or the lasso button) to select, click a point to select
    it; the selection is the synced trait ``selected`` (it travels as one binary buffer, so a lasso of
    millions of points reaches Python in a moment). ``search`` highlights labels containing a text,
    ``query`` highlights the ``query_k`` nearest points (a text is encoded by the set's encoder).
    """

    _esm = STATIC / "cluster.js"
    _css = STATIC / "cluster.css"

    projection = traitlets.Unicode("umap").tag(sync=True)
    color_by = traitlets.Unicode("cluster").tag(sync=True)
    k = traitlets.Int(8).tag(sync=True)
    cluster_method = traitlets.Unicode("kmeans").tag(sync=True)
    labels = traitlets.Bool(True).tag(sync=True)
    point_size = traitlets.Float(3.0).tag(sync=True)
    opacity = traitlets.Float(0.8).tag(sync=True)
    # The selection as Python sees it. It does not sync itself: ``_selection`` carries it to and from the view
    # as one int32 buffer, because a lasso of a million rows as a JSON list takes seconds to send and parse.
    selected = RowList()
    search = traitlets.Unicode("").tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)
    query_k = traitlets.Int(50).tag(sync=True)
    hovered = traitlets.Int(-1).tag(sync=True)  # the row under the pointer (-1: none); CompareView links it
    height = traitlets.Int(520).tag(sync=True)
    progress = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    accepts_text = traitlets.Bool(False).tag(sync=True)

    _n = traitlets.Int(0).tag(sync=True)
    _xy = ArrayTrait(dtype="float32").tag(sync=True)  # (n, 2) in [-1, 1]
    _values = ArrayTrait().tag(sync=True)  # one colour value per point: uint8/int32 categories or float32
    _legend = traitlets.Dict().tag(sync=True)
    _highlight = ArrayTrait(dtype="int32").tag(sync=True)  # rows
    _selection = ArrayTrait(dtype="int32").tag(sync=True)  # ``selected`` on the wire: sorted rows
    _density = ArrayTrait(dtype="uint8").tag(sync=True)  # (bins, bins) from DENSITY_FROM points, else empty
    _highlight_note = traitlets.Unicode("").tag(sync=True)
    _cluster_labels = traitlets.List().tag(sync=True)
    _sub_labels = traitlets.List().tag(sync=True)  # level 1 of the label tree, shown once zoomed in
    _color_options = traitlets.List().tag(sync=True)
    _projection_options = traitlets.List().tag(sync=True)
    _options = traitlets.Dict(default_value=VIEW_OPTIONS).tag(sync=True)  # limits the view applies, set by Python
    # Density contours (engine/density.py): segments (m × 4, x1 y1 x2 y2 in [-1, 1]) and each one's level.
    density = traitlets.Bool(False).tag(sync=True)
    _contours = ArrayTrait(dtype="float32").tag(sync=True)
    _contour_levels = ArrayTrait(dtype="uint8").tag(sync=True)
    # show_query's overlay: the placed query, its neighbours (rank, map place, far or not) and the retriever's.
    _query_overlay = traitlets.Dict().tag(sync=True)
    _tag_count = traitlets.Int(0).tag(sync=True)  # rows with a tag (the view's curation row shows it)
    _tag_version = traitlets.Int(0).tag(sync=True)  # counts tag edits: the view's table fetches its rows again
    # The workbench: the linked table and the filter charts (filters.py).
    table = traitlets.Bool(False).tag(sync=True)
    # The active filters as Python sees them (dates as Timestamps); ``_filter_state`` carries them as JSON.
    filters = traitlets.Dict()
    _filter_state = traitlets.Dict().tag(sync=True)
    _charts = traitlets.List().tag(sync=True)  # each chart: column, kind, bars or edges, total and cross counts
    _filtered = ArrayTrait(dtype="uint8").tag(sync=True)  # 1 = passes the filters; empty when none is active

    def __init__(
        self,
        embeddings: EmbeddingSet,
        *,
        projection: str | Any = "umap",
        color_by: str = "cluster",
        labels: bool = True,
        k: int = 8,
        cluster_method: str = "kmeans",
        seed: int = 0,
        text_column: str | None = None,
        point_size: float | None = None,
        opacity: float | None = None,
        filters: Sequence[str] | dict | None = None,
        table: bool = False,
        labeler: Callable[[list[str]], str] | None = None,
        density: bool = False,
        background: bool = True,
        **kwargs: Any,
    ) -> None:
        checks.check_arguments(embeddings, text_column, seed)
        columns = list(filters) if isinstance(filters, dict) else [] if filters is None else filters
        self._filters = Filters(embeddings.metadata, columns)
        self._mask: np.ndarray | None = None  # None: no filter is active
        self._table = TableRows(embeddings.labels, embeddings.metadata)
        if labeler is not None and not callable(labeler):
            raise TypeError(
                f"labeler must be a function of a list of texts returning a str, not {type(labeler).__name__}."
            )
        self._labeler = labeler
        self._tree: pd.DataFrame | None = None
        self._fine: np.ndarray | None = None
        n = len(embeddings)
        self.embeddings = self._completion_set = embeddings
        self.text_column = text_column
        self.seed = int(seed)
        self._custom = None if isinstance(projection, str) else layout.as_coordinates(projection, n)
        projection = projection if self._custom is None else "custom"
        self._lock = threading.RLock()  # every multi-trait update holds it, so background threads never interleave
        self._jobs = JobRunner(
            background=bool(background),
            on_progress=lambda state: setattr(self, "progress", state),
            on_error=self._report,
            lock=self._lock,
            name="ew-cluster",
            rerun_hint="Run it again with rerun() on this widget, or change a setting",
        )
        self._coords: np.ndarray | None = None
        self._xy_unit: np.ndarray | None = None
        self._query_set: dict | None = None  # show_queries' queries, for focus_query
        self._clusters: np.ndarray | None = None
        self._names: pd.DataFrame | None = None
        self._scores = SlowScores(embeddings)
        self._color_values = np.zeros(0, dtype=np.uint8)
        self._rows_highlighted = np.zeros(0, dtype=np.int32)
        self._highlighter = describe.Highlighter(embeddings, self._set_highlight, self._report)
        self.last_png: bytes | None = None
        self._quiet = True  # observers stay still while several traits change together
        kwargs.setdefault("title", f"Clusters · {embeddings.name}")
        try:
            super().__init__(
                projection=projection,
                color_by=color_by,
                labels=labels,
                k=k,
                cluster_method=cluster_method,
                _n=n,
                accepts_text=embeddings.encoder is not None,
                point_size=layout.default_point_size(n) if point_size is None else point_size,
                opacity=layout.default_opacity(n) if opacity is None else opacity,
                table=table,
                density=density,
                **kwargs,
            )
        except traitlets.TraitError as error:
            raise ValueError(str(error)) from None
        self._projection_options = layout.projection_choices(custom=self._custom is not None)
        self._color_options = colors.color_choices(embeddings.metadata.columns, classes=False)
        self._tag_count = int((self.tags != "").sum())  # tags saved with the set come back with it
        self._quiet = False
        self._apply_filters(dict(filters) if isinstance(filters, dict) else {})
        self._start_projection()
        self._ensure_clusters()
        self._recolor()
        self._run_search()
        if self.query:
            self._run_query()

    # ---- validation -----------------------------------------------------------------------------

    @traitlets.validate("projection")
    def _check_projection(self, proposal: dict) -> str:
        return checks.check_projection(proposal["value"], custom=self._custom is not None)

    @traitlets.validate("cluster_method")
    def _check_method(self, proposal: dict) -> str:
        return checks.check_cluster_method(proposal["value"])

    @traitlets.validate("k")
    def _check_k(self, proposal: dict) -> int:
        return check_k(proposal["value"], MAX_K, "k (the number of clusters)")

    @traitlets.validate("query_k", "point_size", "opacity", "height")
    def _check_range(self, proposal: dict) -> Any:
        return checks.in_range(proposal["trait"].name, proposal["value"])

    @traitlets.validate("filters")
    def _check_filters(self, proposal: dict) -> dict:
        return self._filters.check(proposal["value"])

    @traitlets.validate("_filter_state")
    def _check_filter_state(self, proposal: dict) -> dict:
        # The view's filters, read as Python's and written back: a bad one is refused (and shown inline).
        return self._filters.to_wire(self._filters.from_wire(proposal["value"]))

    @traitlets.validate("color_by")
    def _check_color_by(self, proposal: dict) -> str:
        columns = self.embeddings.metadata.columns
        return checks.check_color_by(proposal["value"], columns, classes=bool(self._scores.class_names))

    # ---- reacting to changes (from Python or the view) ------------------------------------------

    @traitlets.observe("projection", "k", "cluster_method", "labels", "color_by", "search", "query", "query_k")
    def _on_setting(self, change: dict) -> None:
        if self._quiet:
            return
        name = change["name"]
        if name == "projection":
            self._start_projection()
        if name in ("k", "cluster_method", "labels", "color_by"):
            self._ensure_clusters()
        if name == "color_by":
            self._recolor()
        if name == "search":
            self._run_search()
        if name in ("query", "query_k"):
            self._run_query()

    @traitlets.observe("selected")
    def _selected_to_view(self, change: dict) -> None:
        # Setting the same rows back (the view's own lasso, echoed) is no change to an array trait: nothing sent.
        self._selection = np.asarray(change["new"], dtype=np.int32)

    @traitlets.observe("_selection")
    def _selection_from_view(self, change: dict) -> None:
        self.selected = change["new"]  # checked (range, order) like a selection made in Python

    @traitlets.observe("density")
    def _density_changed(self, change: dict) -> None:
        with self._lock, self.hold_sync():
            self._draw_contours()

    def _draw_contours(self) -> None:
        """Contour lines of the layout's density (a binned KDE, approximate to a grid cell), when ``density``."""
        if not self.density or self._xy_unit is None:
            self._contours, self._contour_levels = np.zeros((0, 4), np.float32), np.zeros(0, np.uint8)
            return
        segments, levels = density_contours(self._xy_unit)
        self._contours, self._contour_levels = segments, levels

    @traitlets.observe("filters")
    def _filters_changed(self, change: dict) -> None:
        if not self._quiet:
            self._apply_filters(change["new"])

    @traitlets.observe("_filter_state")
    def _filters_from_view(self, change: dict) -> None:
        if not self._quiet:
            self._apply_filters(self._filters.from_wire(change["new"]))

    def _apply_filters(self, filters: dict) -> None:
        """Check ``filters``, then publish them, the mask of passing rows and the charts' cross-filter counts."""
        checked = self._filters.check(filters)
        mask = self._filters.mask(checked) if checked else None
        charts = self._filters.chart_counts(checked)
        with self._lock, self._quietly(), self.hold_sync():
            self._mask = mask
            self.filters = checked
            self._filter_state = self._filters.to_wire(checked)
            self._charts = charts
            self._filtered = np.zeros(0, dtype=np.uint8) if mask is None else mask.astype(np.uint8)

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Change traits without the observers reacting: the caller does what they would."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # ---- what Python can read back --------------------------------------------------------------

    @property
    def background(self) -> bool:
        """Whether the layout, clusters and slow colours compute in background threads."""
        return self._jobs.background

    @property
    def coordinates(self) -> np.ndarray | None:
        """The layout's coordinates (rows × 2, as the projection made them), or None while it runs."""
        return None if self._coords is None else self._coords.copy()

    @property
    def map_coordinates(self) -> np.ndarray | None:
        """The layout as the map draws it: centred and scaled into [-1, 1] (rows × 2), or None while it runs."""
        return None if self._xy_unit is None else self._xy_unit.copy()

    @property
    def clusters(self) -> np.ndarray | None:
        """The cluster id of every row (-1 is HDBSCAN noise), or None while clustering runs."""
        return None if self._clusters is None else self._clusters.copy()

    @property
    def cluster_names(self) -> pd.DataFrame:
        """Keywords of each cluster: ``cluster, size, keywords, label, x, y`` (x, y: the label's place on the
        map, in [-1, 1]); empty while clustering runs."""
        return describe.names_with_places(self._names, self._xy_unit, self._clusters)

    @property
    def label_tree(self) -> pd.DataFrame:
        """The labels' hierarchy: ``level`` (0 the clusters, 1 their sub-clusters, shown once zoomed in),
        ``cluster``, ``parent`` (-1 at level 0), ``size`` and ``label``; empty while clustering runs."""
        if self._tree is None:
            return pd.DataFrame(columns=["level", "cluster", "parent", "size", "label"])
        return self._tree.copy()

    @property
    def sub_clusters(self) -> np.ndarray | None:
        """Every row's level-1 cluster in ``label_tree`` (-1 for noise), or None while clustering runs."""
        return None if self._fine is None else self._fine.copy()

    @property
    def legend(self) -> dict:
        """The legend the map shows: ``title``, ``kind`` (categorical, continuous, none), ``items``, ``note``..."""
        return dict(self._legend)

    @property
    def color_values(self) -> np.ndarray:
        """The colour value of every point (a category of ``legend["items"]``, or a float in [0, 1] on the
        ramp); empty when every point has one colour."""
        return self._color_values.copy()

    @property
    def color_choices(self) -> dict[str, str]:
        """What ``color_by`` accepts now, each with the text the view's menu shows."""
        return dict(self._color_options)

    @property
    def projection_choices(self) -> dict[str, str]:
        """What ``projection`` accepts, each with the text the view's menu shows."""
        return dict(self._projection_options)

    @property
    def highlighted(self) -> np.ndarray:
        """Rows highlighted now by ``search``, ``query`` or a legend click."""
        return self._rows_highlighted.astype(np.int64)

    @property
    def outlier_scores(self) -> pd.Series | None:
        """The last :meth:`show_outliers` result (cosine distance to the k-th neighbour), or None."""
        return self._scores.outliers

    @property
    def duplicates(self) -> pd.DataFrame | None:
        """The last :meth:`show_duplicates` result (``group, row, label, similarity``), or None."""
        return self._scores.duplicates

    @property
    def classes(self) -> pd.DataFrame | None:
        """The last :meth:`show_classes` result (``label, class, score, score:<class>...``), or None."""
        return self._scores.classes

    @property
    def visible(self) -> np.ndarray:
        """The rows that pass ``filters``, in row order (every row when no filter is active)."""
        n = len(self.embeddings)
        return np.arange(n, dtype=np.int64) if self._mask is None else np.flatnonzero(self._mask).astype(np.int64)

    def filtered_df(self) -> pd.DataFrame:
        """The rows that pass ``filters``: ``label``, the cluster (once known) and every metadata column."""
        return describe.selection_frame(self.embeddings, self.visible, self._clusters)

    def selection_df(self) -> pd.DataFrame:
        """The selected rows: ``label``, the cluster (once known) and every metadata column, indexed by row."""
        return describe.selection_frame(self.embeddings, self.selected, self._clusters)

    # ---- one-call overlays ----------------------------------------------------------------------

    def show_outliers(self, k: int = 10) -> pd.Series:
        """Colour every point by how isolated it is (cosine distance to its k-th nearest neighbour).

        Returns the scores (also in ``outlier_scores``), highest = most isolated.
        """
        self._scores.want_outliers(k)
        self._show("outliers")
        return self._scores.outliers  # type: ignore[return-value]

    def show_duplicates(self, threshold: float = 0.95) -> pd.DataFrame:
        """Colour the groups of near-duplicates (cosine ≥ threshold); every other point turns grey.

        Returns ``group, row, label, similarity`` (also in ``duplicates``).
        """
        self._scores.want_duplicates(threshold)
        self._show("duplicates")
        return self._scores.duplicates  # type: ignore[return-value]

    def show_classes(self, classes: Sequence[str]) -> pd.DataFrame:
        """Zero-shot classes: colour each point by the nearest class name (encoded by the set's encoder, or the
        class names' own vectors in a word set). Returns ``label, class, score, ...`` (also in ``classes``)."""
        self._scores.want_classes(classes)
        self._color_options = colors.color_choices(self.embeddings.metadata.columns, classes=True)
        self._show("classes")
        return self._scores.classes  # type: ignore[return-value]

    def show_query(self, text: str, k: int = 10, retriever: Callable[[str], Sequence] | None = None) -> pd.DataFrame:
        """Draw a retrieval query on the map: its place, its ``k`` nearest rows (original space) with lines and
        ranks, and which of them the map puts far away. Returns ``rank, row, label, score, map_rank, far``
        (``map_rank``: the row's rank among the query's nearest points on the map); ``attrs`` holds ``trust``
        (the share of the top-k also among its k nearest on the map) and the query's ``x, y``.

        ``retriever(text)`` (your own: labels or row numbers, best first) is drawn beside the exact top-k, with
        ``attrs["overlap"]`` (overlap@k), ``only_exact`` and ``only_retriever`` (rows), and a ``retrieved``
        column. The query's place is approximate: the similarity-weighted mean of its 5 nearest rows' places.
        """
        check_k(k, MAX_K * 4, "k")
        xy = self._query_map()
        frame, overlay = describe.query_on_map(self.embeddings, xy, text, k, retriever)
        self._query_set = None
        self._query_overlay = overlay
        return frame

    def show_queries(
        self,
        queries: pd.DataFrame | Sequence[str],
        k: int = 10,
        *,
        text_column: str = "query",
        relevant_column: str | None = None,
        retriever: Callable[[str], Sequence] | None = None,
    ) -> pd.DataFrame:
        """Put many queries on the map at once (an evaluation set) and find the worst ones.

        ``queries`` is a list of strings or a DataFrame with a ``text_column``; ``relevant_column`` names its
        column of judged relevant items per query (a list or set of row numbers or labels of the set).
        Returns one row per query, indexed by its position in ``queries``, worst first: ``query``, ``trust``
        (the share of its exact top-k also among its k nearest points on the map), ``far`` (top-k rows the map
        puts far away); with relevance ``recall`` (recall@k of the exact top-k) and ``missed`` (relevant rows
        outside it); with ``retriever=`` (as in show_query) ``overlap`` (overlap@k with the exact top-k) and,
        with relevance, ``retriever_recall``. Worst first means the lowest recall (then retriever recall,
        overlap, trust); a query with no relevant item sorts last.

        The map shows every query as a numbered marker (its position) and draws the worst one in full, as
        show_query does, with its relevant rows as squares (dashed when the top-k missed them).
        ``focus_query(position)`` draws another one in full.

        >>> table = cv.show_queries(evalset, k=5, relevant_column="relevant", retriever=bm25)  # doctest: +SKIP
        >>> cv.focus_query(table.index[1])                                                    # doctest: +SKIP
        """
        check_k(k, MAX_K * 4, "k")
        texts, relevant = checks.query_set(queries, text_column, relevant_column)
        xy = self._query_map()
        rows = None if relevant is None else describe.relevant_rows(self.embeddings, relevant, texts)
        frame, state = describe.queries_on_map(self.embeddings, xy, texts, k, rows, retriever)
        self._query_set = state
        self.focus_query(int(frame.index[0]))
        return frame

    def focus_query(self, position: int) -> pd.DataFrame:
        """Draw query ``position`` of the last show_queries in full (lines to its top-k, the retriever's rings,
        its relevant rows) and keep the others as markers. Returns show_query's table for it, with a
        ``relevant`` column and ``attrs["missed"]`` when relevance was given."""
        state = self._query_set
        if state is None:
            raise EmbedWidgetsError("no query set is shown; call show_queries(...) first.")
        count = len(state["texts"])
        if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not 0 <= position < count:
            raise ValueError(
                f"position is a query's position in show_queries' input, 0..{count - 1}; got {position!r}."
            )
        frame, overlay = describe.focused_query(self.embeddings, self._query_map(), state, int(position))
        self._query_overlay = overlay
        return frame

    def clear_query(self) -> None:
        """Remove show_query's (or show_queries') overlay from the map."""
        self._query_set = None
        self._query_overlay = {}

    def _query_map(self) -> np.ndarray:
        """The map the queries are placed on, once the layout is ready."""
        self.wait()
        if self._xy_unit is None:
            raise EmbedWidgetsError("the layout is not ready (it failed, see the error); nothing to place on.")
        return self._xy_unit

    # ---- curation: tags and export ----------------------------------------------------------------

    @property
    def tags(self) -> pd.Series:
        """Every row's tag ("" for none), indexed by row. Tags live in the set's metadata column ``tag``, so
        ``es.save()`` keeps them and the table, the colour menu and the filters see them. Assign a Series (or a
        list, one per row) to set them all."""
        column = self.embeddings.metadata.get(TAG_COLUMN)
        if column is None:
            return pd.Series([""] * len(self.embeddings), dtype=object, name=TAG_COLUMN)
        return column.fillna("").astype(str).reset_index(drop=True).rename(TAG_COLUMN)

    @tags.setter
    def tags(self, values: Any) -> None:
        values = list(values.tolist() if isinstance(values, pd.Series) else values)
        if len(values) != len(self.embeddings):
            raise ValueError(f"tags needs one value per row ({len(self.embeddings):,}), got {len(values):,}.")
        self._write_tags(np.arange(len(values)), ["" if v is None else str(v) for v in values])

    def tag(self, name: str, indices: Sequence[int] | np.ndarray | None = None) -> int:
        """Tag the selection (or ``indices``) with ``name`` ("" removes their tag); returns how many rows."""
        if not isinstance(name, str):
            raise TypeError(f"a tag is a str, not {type(name).__name__}.")
        rows = checks.check_rows(self.selected if indices is None else indices, len(self.embeddings))
        self._write_tags(rows, [name] * len(rows))
        return len(rows)

    def _write_tags(self, rows: np.ndarray, names: list[str]) -> None:
        meta = self.embeddings.metadata
        if TAG_COLUMN not in meta.columns:
            meta[TAG_COLUMN] = ""  # a new column: no other data is touched
        meta.loc[meta.index[rows], TAG_COLUMN] = names
        self._table.forget(TAG_COLUMN)
        self._filters.refresh(meta, TAG_COLUMN)
        self._color_options = colors.color_choices(meta.columns, classes=bool(self._scores.class_names))
        self._apply_filters(self.filters)
        if self.color_by in (f"column:{TAG_COLUMN}", TAG_COLUMN):
            self._publish_colors()
        with self.hold_sync():
            self._tag_count = int((self.tags != "").sum())
            self._tag_version += 1

    def export_selection(self, path: str | Path, format: str = "parquet", *, vectors: bool = False) -> Path:
        """Write the selected rows (label, cluster, metadata, tags; the vectors too with ``vectors=True``) to
        ``path`` as Parquet or CSV. Returns the path."""
        if format not in ("parquet", "csv"):
            raise ValueError(f'format is "parquet" or "csv", not {format!r}.')
        frame = self.selection_df()
        if TAG_COLUMN not in frame.columns:
            frame[TAG_COLUMN] = ""
        if vectors:
            matrix = np.asarray(self.embeddings.vectors)[np.asarray(self.selected, dtype=np.int64)]
            if format == "csv":
                frame = pd.concat([frame, pd.DataFrame(matrix, index=frame.index).add_prefix("v")], axis=1)
            else:
                frame["vector"] = list(matrix.astype(np.float32))
        target = Path(path)
        if format == "csv":
            frame.to_csv(target)
        else:
            frame.to_parquet(target)
        return target

    def _show(self, mode: str) -> None:
        with self._quietly():
            self.color_by = mode
        self._recolor()
        self._jobs.wait(["color"])  # the layout may still run: the scores do not need it
        failure = self._jobs.failure("color")
        if failure is not None:
            raise failure

    def select(self, rows: Sequence[int] | np.ndarray) -> None:
        """Select rows by number (the same as setting ``selected``)."""
        self.selected = list(np.asarray(rows).ravel().tolist())

    def select_highlighted(self) -> None:
        """Make the highlighted points (search, query or legend) the selection."""
        self.selected = self._rows_highlighted.tolist()

    def clear_highlight(self) -> None:
        """Remove the highlight (and empty ``search`` and ``query``)."""
        with self._quietly():
            self.search, self.query = "", ""
        self._highlighter.clear()
        if self.color_by == "similarity":
            self._recolor()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current layout, clustering and colour jobs are done (superseded ones are not waited
        for: their results are dropped anyway)."""
        self._jobs.wait(JOB_KINDS, timeout)

    def rerun(self) -> list[str]:
        """Start again the background work that an interrupt of the kernel stopped (layout, clusters, colours);
        returns the kinds of work started again."""
        stopped = self._jobs.stopped()
        if "project" in stopped:
            self._start_projection()
        if "cluster" in stopped:
            self._ensure_clusters()
        if "color" in stopped:
            self._recolor()
        return stopped

    def _page_payload(self, title: str | None) -> dict:
        """The saved page's map (see ``save_html``): it waits for running jobs first."""
        from .page import cluster_payload

        self.wait()
        if self._xy_unit is None:
            raise EmbedWidgetsError("the layout is not ready (it failed, see the error); nothing to save.")
        values, legend = self._color_arrays()
        return cluster_payload(
            title=self.title if title is None else title,
            xy=self._xy_unit,
            values=values,
            legend=legend,
            labels=self.embeddings.labels,
            metadata=self.embeddings.metadata,
            cluster_labels=self._cluster_labels if self.labels else [],
            point_size=self.point_size,
            opacity=self.opacity,
        )

    # ---- background jobs: layout, clusters ------------------------------------------------------

    def _start_projection(self) -> None:
        method, seed, es, custom = self.projection, self.seed, self.embeddings, self._custom

        def work(progress: Progress) -> np.ndarray | None:
            return custom if method == "custom" else es.project(method, 2, seed=seed, progress=progress)

        self._jobs.start("project", work, self._apply_projection, f"{method}: starting")

    def _apply_projection(self, coords: np.ndarray) -> None:
        self._coords = np.asarray(coords, dtype=np.float32)
        self._xy_unit = layout.to_unit_square(self._coords)
        big = len(self._xy_unit) >= layout.DENSITY_FROM
        with self.hold_sync():
            self._density = layout.density_image(self._xy_unit) if big else np.zeros(0, dtype=np.uint8)
            self._xy = self._xy_unit
            self._place_labels()
            self._draw_contours()
        self._report(None)

    def _place_labels(self) -> None:
        top = layout.label_places(self._xy_unit, self._clusters, self._names, MAX_LABELS)
        self._cluster_labels = top
        self._sub_labels = layout.sub_label_places(self._xy_unit, self._fine, self._tree, top, MAX_SUB_LABELS)

    def _ensure_clusters(self) -> None:
        """Cluster when clusters are shown (colour or labels); the runner skips (method, k) shown or running."""
        if not (self.labels or self.color_by == "cluster"):
            return
        seed, es, column, method = self.seed, self.embeddings, self.text_column, self.cluster_method
        k = min(self.k, len(es)) if method == "kmeans" else None

        labeler = self._labeler

        def work(progress: Progress) -> tuple:
            clusters, names = describe.clusters_with_names(
                es, method, k or 8, seed=seed, text_column=column, progress=progress
            )
            tree, fine = describe.sub_clusters(
                es, clusters, seed=seed, text_column=column, labeler=labeler, progress=progress
            )
            return clusters, names, tree, fine

        def apply(result: tuple) -> None:
            self._clusters, self._names = np.asarray(result[0]), result[1]
            self._tree, self._fine = result[2], result[3]
            with self.hold_sync():
                self._place_labels()
                if self.color_by == "cluster":
                    self._recolor()
            self._report(None)

        self._jobs.start("cluster", work, apply, f"{method}: starting", key=(method, k))

    # ---- colours --------------------------------------------------------------------------------

    def _recolor(self) -> None:
        """Colour values and legend for ``color_by``; the slow modes compute their scores in a background job."""
        mode = self.color_by
        missing = self._scores.missing(mode)
        self._jobs.supersede("color")  # a job for another mode's scores is moot now
        self._publish_colors(pending=f"computing {missing[1]}…" if missing else None)
        if missing is None:
            return

        def apply(result: Any) -> None:
            self._scores.store(mode, result)
            if self.color_by == mode:
                self._publish_colors()

        self._jobs.start("color", lambda progress: missing[0](), apply, f"computing {missing[1]}")

    def _publish_colors(self, pending: str | None = None) -> None:
        try:
            values, legend = self._color_arrays()
            if pending:
                legend["note"] = pending
        except (EmbedWidgetsError, KeyError, ValueError) as error:
            values, legend = colors.one_colour(self.color_by)
            self._report(error)
        with self._lock, self.hold_sync():
            self._color_values = values
            self._values = values
            self._legend = legend

    def _color_arrays(self) -> colors.Colors:
        es, shown = self.embeddings, (self._clusters, self._names)
        return mode_colors(self.color_by, es, clusters=shown[0], names=shown[1], query=self.query, scores=self._scores)

    # ---- search and highlight -------------------------------------------------------------------

    def _run_search(self) -> None:
        self._highlighter.search(self.search)

    def _run_query(self) -> None:
        if self._highlighter.query(self.query, self.query_k) and self.color_by == "similarity":
            self._publish_colors()

    def _set_highlight(self, rows: np.ndarray, note: str) -> None:
        self._rows_highlighted = np.asarray(rows, dtype=np.int32)
        with self._lock, self.hold_sync():
            self._highlight = self._rows_highlighted
            self._highlight_note = note

    # ---- requests from the view (settings arrive as trait updates, not as requests) --------------

    @handler("point")
    def _point_request(self, index: int = -1) -> dict:
        return describe.point_details(self.embeddings, index, self._clusters, self._names)

    @handler("rows")
    def _rows_request(
        self, source: str = "all", start: int = 0, count: int = 50, sort: str = "", descending: bool = False
    ) -> dict:
        """A page of the table: the selection (``source="selection"``) or the rows passing the filters."""
        n = len(self.embeddings)
        if source == "selection":
            shown = np.zeros(n, dtype=bool)
            shown[np.asarray(self.selected, dtype=np.int64)] = True
        else:
            shown = self._mask
        page = self._table.page(
            shown, n, start=start, count=count, sort=str(sort), descending=bool(descending), clusters=self._clusters
        )
        return {**page, "source": source}

    @handler("tag")
    def _tag_request(self, name: str = "") -> dict:
        if not self.selected:
            raise ValueError("select points first (lasso or click), then tag them.")
        return {"count": self.tag(str(name).strip()), "name": str(name).strip()}

    @handler("legend")
    def _legend_request(self, index: int = -1) -> dict:
        return {"count": self._highlighter.legend(self._color_values, self._legend, index)}

    @handler("clear_highlight")
    def _clear_request(self) -> dict:
        self.clear_highlight()
        return {}

    @handler("select_highlighted")
    def _select_request(self) -> dict:
        self.select_highlighted()
        return {"count": len(self.selected)}

    @handler("png")
    def _png_request(self, data: str = "") -> dict:
        self.last_png = describe.png_from_data_url(data)
        return {"bytes": len(self.last_png)}

    def _report(self, error: BaseException | None) -> None:
        with self._lock:
            super()._report(error)

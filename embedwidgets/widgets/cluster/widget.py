"""ClusterView: every point of an embedding set on a zoomable WebGL map, coloured by cluster, metadata, outlier
score or similarity, with keyword labels, search, lasso selection and exports.

The class holds the traits and the wiring. Its parts: :mod:`.jobs` runs the background work, :mod:`.colors` and
:mod:`.modes` turn data into colours and legends, :mod:`.layout` holds the geometry, :mod:`.checks` the argument
and trait checks, and :mod:`.describe` what the view tells about points (tooltips, highlights, the selection).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ...engine.embeddings import EmbeddingSet
from ...engine.errors import EmbedWidgetsError
from .._arrays import ArrayTrait
from .._base import STATIC, EmbedWidget, check_k, handler
from . import checks, colors, describe, layout
from .checks import MAX_K, VIEW_OPTIONS, RowList
from .jobs import JobRunner, Progress
from .modes import SlowScores, mode_colors

MAX_LABELS = 40  # keyword labels drawn on the map (the biggest clusters)
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
    _color_options = traitlets.List().tag(sync=True)
    _projection_options = traitlets.List().tag(sync=True)
    _options = traitlets.Dict(default_value=VIEW_OPTIONS).tag(sync=True)  # limits the view applies, set by Python

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
        background: bool = True,
        **kwargs: Any,
    ) -> None:
        checks.check_arguments(embeddings, text_column, seed)
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
        )
        self._coords: np.ndarray | None = None
        self._xy_unit: np.ndarray | None = None
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
                **kwargs,
            )
        except traitlets.TraitError as error:
            raise ValueError(str(error)) from None
        self._projection_options = layout.projection_choices(custom=self._custom is not None)
        self._color_options = colors.color_choices(embeddings.metadata.columns, classes=False)
        self._quiet = False
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

    def save_html(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write a standalone HTML page (no kernel, no network) with the points, colours, labels and tooltips.

        It waits for running jobs first. Every string goes into the page as text.
        """
        from .._standalone import standalone_html

        self.wait()
        if self._xy_unit is None:
            raise EmbedWidgetsError("the layout is not ready (it failed, see the error); nothing to save.")
        values, legend = self._color_arrays()
        page = standalone_html(
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
        target = Path(path)
        target.write_text(page, encoding="utf-8")
        return target

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
            self._cluster_labels = layout.label_places(self._xy_unit, self._clusters, self._names, MAX_LABELS)
        self._report(None)

    def _ensure_clusters(self) -> None:
        """Cluster when clusters are shown (colour or labels); the runner skips (method, k) shown or running."""
        if not (self.labels or self.color_by == "cluster"):
            return
        seed, es, column, method = self.seed, self.embeddings, self.text_column, self.cluster_method
        k = min(self.k, len(es)) if method == "kmeans" else None

        def work(progress: Progress) -> tuple[np.ndarray, pd.DataFrame]:
            return describe.clusters_with_names(es, method, k or 8, seed=seed, text_column=column, progress=progress)

        def apply(result: tuple[np.ndarray, pd.DataFrame]) -> None:
            self._clusters, self._names = np.asarray(result[0]), result[1]
            with self.hold_sync():
                self._cluster_labels = layout.label_places(self._xy_unit, self._clusters, self._names, MAX_LABELS)
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

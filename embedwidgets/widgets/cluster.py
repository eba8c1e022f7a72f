"""ClusterView: every point of an embedding set on a zoomable WebGL map, coloured by cluster, metadata, outlier
score or similarity, with keyword labels, search, lasso selection and exports.

The layout (projection) and the clusters are computed in background threads, so the notebook stays usable;
changing a parameter starts a new job and the result of the one it replaces is dropped.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import traitlets

from ..engine.embeddings import EmbeddingSet
from ..engine.errors import EmbedWidgetsError
from ._arrays import ArrayTrait
from ._base import STATIC, EmbedWidget, check_k, handler, log

PROJECTIONS = ("umap", "pca", "tsne")
CLUSTERINGS = ("kmeans", "hdbscan")
COLOR_MODES = ("cluster", "outliers", "similarity", "duplicates", "classes", "none")
COLUMN_PREFIX = "column:"
MAX_K = 256  # clusters
MAX_QUERY_K = 10_000  # nearest points a query highlights
MAX_CATEGORIES = 20  # colours of a categorical column before the rest become "other"
MAX_LEGEND = 30  # legend rows for clusters and duplicate groups
MAX_LABELS = 40  # keyword labels drawn on the map (the biggest clusters)
SVG_MAX_POINTS = 50_000  # the SVG export draws every point in view, so it stops here
TOOLTIP_CHARS = 300
PROGRESS_INTERVAL_S = 0.1

# Categorical colours (ours), then grey for noise, "other" and rows without a value.
PALETTE = [
    "#2f6db5",
    "#e8772e",
    "#3a9a4a",
    "#d0393e",
    "#8a63c2",
    "#9a6a4f",
    "#dd6fb5",
    "#1fa5b8",
    "#b8b532",
    "#5d6470",
    "#8fb6e8",
    "#f5b26b",
    "#8fd17f",
    "#f28e8b",
    "#c6aee6",
    "#c9a08a",
    "#f2b3d8",
    "#86d5df",
    "#e0de8a",
    "#a9a9b3",
]
GREY = "#b3b7bf"
PLAIN = "#4a7fc1"
# A sequential ramp from dark blue-violet to yellow (perceptually ordered, readable on light and dark pages).
RAMP_ANCHORS = ["#2a1858", "#31408f", "#236d9c", "#1c9392", "#33b17b", "#8ccc4b", "#f1e04a"]


class _Superseded(Exception):
    """Raised inside a job's progress callback once a newer job of the same kind has started."""


class _Rows(traitlets.List):
    """A list of row indices; numpy arrays, ranges and tuples are accepted and become lists."""

    _cast_types = (tuple, np.ndarray, range, pd.Index, pd.Series)


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
    it; the selection is the synced trait ``selected``. ``search`` highlights labels containing a text,
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
    selected = _Rows().tag(sync=True)
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
    _highlight_note = traitlets.Unicode("").tag(sync=True)
    _cluster_labels = traitlets.List().tag(sync=True)
    _color_options = traitlets.List().tag(sync=True)
    _projection_options = traitlets.List().tag(sync=True)
    _options = traitlets.Dict(
        {
            "svg_limit": SVG_MAX_POINTS,
            "max_k": MAX_K,
            "max_query_k": MAX_QUERY_K,
            "methods": [["kmeans", "k-means"], ["hdbscan", "HDBSCAN"]],
        }
    ).tag(sync=True)

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
        if not isinstance(embeddings, EmbeddingSet):
            raise TypeError(f"embeddings must be an EmbeddingSet, not {type(embeddings).__name__}.")
        if len(embeddings) == 0:
            raise ValueError("the embedding set is empty; there is nothing to map.")
        if text_column is not None and text_column not in embeddings.metadata.columns:
            raise KeyError(f"no metadata column {text_column!r}; the columns are {list(embeddings.metadata.columns)}.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {type(seed).__name__}.")
        n = len(embeddings)
        self.embeddings = self._completion_set = embeddings
        self.text_column = text_column
        self.seed = int(seed)
        self.background = bool(background)
        self._custom: np.ndarray | None = None
        if not isinstance(projection, str):
            self._custom = _as_coordinates(projection, n)
            projection = "custom"
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._jobs: dict[str, int] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._active: dict[str, tuple[float, str]] = {}
        self._errors: dict[str, BaseException] = {}
        self._last_progress = 0.0
        self._coords: np.ndarray | None = None
        self._xy_unit: np.ndarray | None = None
        self._clusters: np.ndarray | None = None
        self._cluster_key: tuple | None = None  # (method, k) of the clusters shown
        self._cluster_pending: tuple | None = None  # (method, k) of the clustering job running
        self._names: pd.DataFrame | None = None
        self._outliers: pd.Series | None = None
        self._outlier_k = 10
        self._duplicates: pd.DataFrame | None = None
        self._duplicate_threshold = 0.95
        self._classes: pd.DataFrame | None = None
        self._class_names: list[str] | None = None
        self._rows_highlighted = np.zeros(0, dtype=np.int32)
        self._highlight_source = ""
        self._lowered: pd.Series | None = None
        self._query_failure: BaseException | None = None
        self.last_png: bytes | None = None
        self._quiet = True
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
                point_size=_default_size(n) if point_size is None else point_size,
                opacity=_default_opacity(n) if opacity is None else opacity,
                **kwargs,
            )
        except traitlets.TraitError as error:
            raise ValueError(str(error)) from None
        self._projection_options = [[p, p.upper() if p != "tsne" else "t-SNE"] for p in PROJECTIONS] + (
            [["custom", "your coordinates"]] if self._custom is not None else []
        )
        self._color_options = self._color_choices()
        self._quiet = False
        self._start_projection()
        self._ensure_clusters()
        self._recolor()
        if self.search:
            self._run_search()
        if self.query:
            self._run_query()

    # ---- validation -----------------------------------------------------------------------------

    @traitlets.validate("projection")
    def _check_projection(self, proposal: dict) -> str:
        value = proposal["value"]
        allowed = PROJECTIONS + (("custom",) if self._custom is not None else ())
        if value not in allowed:
            hint = " (pass an n × 2 array as projection= to the constructor for your own)" if value == "custom" else ""
            raise traitlets.TraitError(f"projection={value!r} is not available{hint}; use one of {list(allowed)}.")
        return value

    @traitlets.validate("cluster_method")
    def _check_method(self, proposal: dict) -> str:
        if proposal["value"] not in CLUSTERINGS:
            raise traitlets.TraitError(
                f"cluster_method={proposal['value']!r} is not a clustering; use one of {list(CLUSTERINGS)}."
            )
        return proposal["value"]

    @traitlets.validate("k")
    def _check_k(self, proposal: dict) -> int:
        return check_k(proposal["value"], MAX_K, "k (the number of clusters)")

    @traitlets.validate("query_k")
    def _check_query_k(self, proposal: dict) -> int:
        if not 1 <= proposal["value"] <= MAX_QUERY_K:
            raise traitlets.TraitError(f"query_k must be between 1 and {MAX_QUERY_K}, got {proposal['value']}.")
        return proposal["value"]

    @traitlets.validate("point_size")
    def _check_size(self, proposal: dict) -> float:
        if not 0.1 <= proposal["value"] <= 40:
            raise traitlets.TraitError(f"point_size must be between 0.1 and 40 pixels, got {proposal['value']}.")
        return proposal["value"]

    @traitlets.validate("opacity")
    def _check_opacity(self, proposal: dict) -> float:
        if not 0.01 <= proposal["value"] <= 1:
            raise traitlets.TraitError(f"opacity must be between 0.01 and 1, got {proposal['value']}.")
        return proposal["value"]

    @traitlets.validate("height")
    def _check_height(self, proposal: dict) -> int:
        if not 150 <= proposal["value"] <= 4000:
            raise traitlets.TraitError(f"height must be between 150 and 4000 pixels, got {proposal['value']}.")
        return proposal["value"]

    @traitlets.validate("color_by")
    def _check_color_by(self, proposal: dict) -> str:
        value = proposal["value"]
        if value == "classes" and not self._class_names:
            raise traitlets.TraitError('color_by="classes" needs class names: call show_classes(["sport", ...]) first.')
        if value in COLOR_MODES or self._column(value) is not None:
            return value
        columns = [str(c) for c in self.embeddings.metadata.columns]
        raise traitlets.TraitError(
            f"color_by={value!r} is neither a colour mode {list(COLOR_MODES)} nor a metadata column {columns}."
        )

    @traitlets.validate("selected")
    def _check_selected(self, proposal: dict) -> list[int]:
        value = proposal["value"]
        if not len(value):
            return []
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in value):
            raise traitlets.TraitError("selected holds row numbers (integers), e.g. [0, 4, 17].")
        rows = np.unique(np.asarray(value, dtype=np.int64))
        n = len(self.embeddings)
        if rows[0] < 0 or rows[-1] >= n:
            bad = int(rows[0] if rows[0] < 0 else rows[-1])
            raise traitlets.TraitError(f"selected row {bad} is outside the set's {n:,} rows (0 to {n - 1}).")
        return rows.tolist()

    # ---- reacting to changes --------------------------------------------------------------------

    @traitlets.observe("projection")
    def _on_projection(self, _change: dict) -> None:
        if not self._quiet:
            self._start_projection()

    @traitlets.observe("k", "cluster_method", "labels")
    def _on_clusters(self, _change: dict) -> None:
        if not self._quiet:
            self._ensure_clusters()

    @traitlets.observe("color_by")
    def _on_color(self, _change: dict) -> None:
        if not self._quiet:
            self._ensure_clusters()
            self._recolor()

    @traitlets.observe("search")
    def _on_search(self, _change: dict) -> None:
        if not self._quiet:
            self._run_search()

    @traitlets.observe("query", "query_k")
    def _on_query(self, _change: dict) -> None:
        if not self._quiet:
            self._run_query()

    # ---- what Python can read back --------------------------------------------------------------

    @property
    def coordinates(self) -> np.ndarray | None:
        """The layout's coordinates (rows × 2, as the projection made them), or None while it runs."""
        return None if self._coords is None else self._coords.copy()

    @property
    def clusters(self) -> np.ndarray | None:
        """The cluster id of every row (-1 is HDBSCAN noise), or None while clustering runs."""
        return None if self._clusters is None else self._clusters.copy()

    @property
    def cluster_names(self) -> pd.DataFrame:
        """Keywords of each cluster: ``cluster, size, keywords, label, x, y`` (x, y: the label's place on the
        map, in [-1, 1]); empty while clustering runs."""
        columns = ["cluster", "size", "keywords", "label", "x", "y"]
        if self._names is None:
            return pd.DataFrame(columns=columns)
        frame = self._names.copy()
        places = {item["cluster"]: (item["x"], item["y"]) for item in self._centres(len(frame))}
        frame["x"] = [places.get(int(c), (np.nan, np.nan))[0] for c in frame.cluster]
        frame["y"] = [places.get(int(c), (np.nan, np.nan))[1] for c in frame.cluster]
        return frame[columns]

    @property
    def highlighted(self) -> np.ndarray:
        """Rows highlighted now by ``search``, ``query`` or a legend click."""
        return self._rows_highlighted.astype(np.int64)

    @property
    def outlier_scores(self) -> pd.Series | None:
        """The last :meth:`show_outliers` result (cosine distance to the k-th neighbour), or None."""
        return self._outliers

    @property
    def duplicates(self) -> pd.DataFrame | None:
        """The last :meth:`show_duplicates` result (``group, row, label, similarity``), or None."""
        return self._duplicates

    @property
    def classes(self) -> pd.DataFrame | None:
        """The last :meth:`show_classes` result (``label, class, score, score:<class>...``), or None."""
        return self._classes

    def selection_df(self) -> pd.DataFrame:
        """The selected rows: ``label``, the cluster (once known) and every metadata column, indexed by row."""
        rows = np.asarray(self.selected, dtype=np.int64)
        frame = self.embeddings.metadata.iloc[rows].copy()
        labels = self.embeddings.labels
        frame.insert(0, _free_name("label", frame), [labels[r] for r in rows])
        if self._clusters is not None:
            frame.insert(1, _free_name("cluster", frame), self._clusters[rows])
        frame.index = pd.Index(rows, name="row")
        return frame

    # ---- one-call overlays ----------------------------------------------------------------------

    def show_outliers(self, k: int = 10) -> pd.Series:
        """Colour every point by how isolated it is (cosine distance to its k-th nearest neighbour).

        Returns the scores (also in ``outlier_scores``), highest = most isolated.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        if k != self._outlier_k:
            self._outliers = None
        self._outlier_k = int(k)
        self._show("outliers")
        return self._outliers  # type: ignore[return-value]

    def show_duplicates(self, threshold: float = 0.95) -> pd.DataFrame:
        """Colour the groups of near-duplicates (cosine ≥ threshold); every other point turns grey.

        Returns ``group, row, label, similarity`` (also in ``duplicates``).
        """
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not -1 <= threshold <= 1:
            raise ValueError(f"threshold is a cosine similarity between -1 and 1, got {threshold!r}.")
        if threshold != self._duplicate_threshold:
            self._duplicates = None
        self._duplicate_threshold = float(threshold)
        self._show("duplicates")
        return self._duplicates  # type: ignore[return-value]

    def show_classes(self, classes: Sequence[str]) -> pd.DataFrame:
        """Zero-shot classes: colour each point by the nearest class name (encoded by the set's encoder, or the
        class names' own vectors in a word set). Returns ``label, class, score, ...`` (also in ``classes``)."""
        if isinstance(classes, str):
            raise TypeError("classes is a list of class names, e.g. ['sport', 'politics'], not one string.")
        names = list(classes)
        if len(names) < 2 or any(not isinstance(c, str) or not c.strip() for c in names):
            raise ValueError("classes needs at least two non-empty class names, e.g. ['sport', 'politics'].")
        if names != self._class_names:
            self._classes = None
        self._class_names = names
        self._color_options = self._color_choices()
        self._show("classes")
        return self._classes  # type: ignore[return-value]

    def _show(self, mode: str) -> None:
        self._errors.pop("color", None)
        self._quiet = True
        try:
            self.color_by = mode
        finally:
            self._quiet = False
        self._recolor()
        self._wait(("color",))  # the layout may still run: the scores do not need it
        failure = self._errors.get("color")
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
        self._quiet = True
        try:
            self.search, self.query = "", ""
        finally:
            self._quiet = False
        self._set_highlight(np.zeros(0, dtype=np.int32), "", "")
        if self.color_by == "similarity":
            self._recolor()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current layout, clustering and colour jobs are done (superseded ones are not waited
        for: their results are dropped anyway)."""
        self._wait(("project", "cluster", "color"), timeout)

    def _wait(self, kinds: Sequence[str], timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                running = [
                    t
                    for kind, t in self._threads.items()
                    if kind in kinds and t.is_alive() and t is not threading.current_thread()
                ]
            if not running:
                return
            for thread in running:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                thread.join(left)
                if deadline is not None and time.monotonic() >= deadline and thread.is_alive():
                    raise TimeoutError(f"the view's background work did not finish in {timeout} s.")

    def save_html(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write a standalone HTML page (no kernel, no network) with the points, colours, labels and tooltips.

        It waits for running jobs first. Every string goes into the page as text.
        """
        from ._standalone import standalone_html

        self.wait()
        if self._xy_unit is None:
            raise EmbedWidgetsError("the layout is not ready (it failed, see the error); nothing to save.")
        values, legend = self._color_arrays()
        target = Path(path)
        target.write_text(
            standalone_html(
                title=self.title if title is None else title,
                xy=self._xy_unit,
                values=values,
                legend=legend,
                labels=self.embeddings.labels,
                metadata=self.embeddings.metadata,
                cluster_labels=self._cluster_labels if self.labels else [],
                point_size=self.point_size,
                opacity=self.opacity,
            ),
            encoding="utf-8",
        )
        return target

    # ---- background jobs ------------------------------------------------------------------------

    def _start(
        self, kind: str, work: Callable[[Callable[[float, str], None]], Any], apply: Callable[[Any], None], message: str
    ) -> int:
        """Run ``work(progress)`` (in a thread unless ``background=False``) and ``apply`` its result if no newer
        job of the same kind started meanwhile. Returns the job id."""
        with self._lock:
            job = next(self._ids)
            self._jobs[kind] = job
            self._errors.pop(kind, None)
            self._active[kind] = (0.0, message)
            self._publish_progress(force=True)

        def report(fraction: float, text: str) -> None:
            with self._lock:
                if self._jobs.get(kind) != job:
                    raise _Superseded()
                self._active[kind] = (float(fraction), str(text))
                self._publish_progress()

        def run() -> None:
            try:
                result = work(report)
            except _Superseded:
                return
            except Exception as error:  # shown inline; the kernel and the view stay alive
                with self._lock:
                    if self._jobs.get(kind) == job:
                        if not isinstance(error, (EmbedWidgetsError, KeyError, ValueError, TypeError, ImportError)):
                            log.exception("embedwidgets ClusterView %s job failed", kind)
                        self._errors[kind] = error
                        self._finish(kind)
                        self._report(error)
                return
            with self._lock:
                if self._jobs.get(kind) != job:
                    return  # superseded while it ran: drop the stale result
                try:
                    apply(result)
                except Exception as error:
                    log.exception("embedwidgets ClusterView could not apply a %s result", kind)
                    self._errors[kind] = error
                    self._report(error)
                finally:
                    self._finish(kind)

        if self.background:
            thread = threading.Thread(target=run, name=f"ew-cluster-{kind}-{job}", daemon=True)
            with self._lock:
                self._threads[kind] = thread  # a superseded job's thread may run on, but nobody waits for it
            thread.start()
        else:
            run()
        return job

    def _supersede(self, kind: str) -> None:
        """Make any running job of ``kind`` stale, without starting a new one."""
        with self._lock:
            if kind in self._jobs:
                self._jobs[kind] = next(self._ids)
            self._threads.pop(kind, None)
            self._finish(kind)

    def _finish(self, kind: str) -> None:
        self._active.pop(kind, None)
        self._publish_progress(force=True)

    def _publish_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        if not self._active:
            self.progress = None
            return
        kind, (fraction, message) = next(reversed(self._active.items()))
        self.progress = {
            "kind": kind,
            "fraction": max(0.0, min(1.0, fraction)),
            "message": message,
            "jobs": len(self._active),
        }

    def _start_projection(self) -> None:
        method, seed, es = self.projection, self.seed, self.embeddings
        if method == "custom":
            work = lambda report: self._custom  # noqa: E731
        else:
            work = lambda report: es.project(method, 2, seed=seed, progress=report)  # noqa: E731
        self._start("project", work, self._apply_projection, f"{method}: starting")

    def _apply_projection(self, coords: np.ndarray) -> None:
        coords = np.asarray(coords, dtype=np.float32)
        self._coords = coords
        self._xy_unit = _to_unit_square(coords)
        with self.hold_sync():
            self._xy = self._xy_unit
            self._cluster_labels = self._centres(MAX_LABELS)
        self._report(None)

    def _ensure_clusters(self) -> None:
        """Cluster when clusters are shown (colour or labels) and the shown ones are not for (method, k)."""
        method, es = self.cluster_method, self.embeddings
        wanted = (method, min(self.k, len(es)) if method == "kmeans" else None)
        if not (self.labels or self.color_by == "cluster"):
            return
        with self._lock:
            if wanted == self._cluster_pending:
                return
            if wanted == self._cluster_key:
                if self._cluster_pending is not None:  # back to what is shown: drop the job for something else
                    self._cluster_pending = None
                    self._supersede("cluster")
                return
            self._cluster_pending = wanted
        self._start_clustering(wanted)

    def _start_clustering(self, key: tuple) -> None:
        seed, es, column = self.seed, self.embeddings, self.text_column
        method, k = key[0], key[1] or 8

        def work(report: Callable[[float, str], None]) -> tuple[np.ndarray, pd.DataFrame]:
            try:
                clusters = es.cluster(method, k, seed=seed, progress=report)
                report(1.0, "cluster keywords")
                return clusters, es.cluster_labels(clusters, text_column=column)
            except BaseException:
                with self._lock:  # a failed job may be asked for again
                    if self._cluster_pending == key:
                        self._cluster_pending = None
                raise

        def apply(result: tuple[np.ndarray, pd.DataFrame]) -> None:
            self._cluster_key, self._cluster_pending = key, None
            self._apply_clusters(result)

        self._start("cluster", work, apply, f"{method}: starting")

    def _apply_clusters(self, result: tuple[np.ndarray, pd.DataFrame]) -> None:
        self._clusters, self._names = np.asarray(result[0]), result[1]
        with self.hold_sync():
            self._cluster_labels = self._centres(MAX_LABELS)
            if self.color_by == "cluster":
                self._recolor()
        self._report(None)

    # ---- colours --------------------------------------------------------------------------------

    def _recolor(self) -> None:
        """Colour values and legend for ``color_by``; slow modes compute in a background job."""
        mode = self.color_by
        slow = {
            "outliers": ("_outliers", lambda: self.embeddings.outliers(self._outlier_k), "outlier scores"),
            "duplicates": (
                "_duplicates",
                lambda: self.embeddings.duplicates(self._duplicate_threshold),
                "near-duplicates",
            ),
            "classes": ("_classes", lambda: self.embeddings.classify(self._class_names or []), "classes"),
        }
        if mode in slow and getattr(self, slow[mode][0]) is None:
            attribute, compute, message = slow[mode]

            def apply(result: Any) -> None:
                setattr(self, attribute, result)
                if self.color_by == mode:
                    self._publish_colors()

            self._publish_colors(pending=f"computing {message}…")
            self._start("color", lambda report: compute(), apply, f"computing {message}")
            return
        self._supersede("color")
        self._publish_colors()

    def _publish_colors(self, pending: str | None = None) -> None:
        try:
            values, legend = self._color_arrays()
            if pending:
                legend["note"] = pending
        except (EmbedWidgetsError, KeyError, ValueError) as error:
            values, legend = np.zeros(0, dtype=np.uint8), _plain_legend(self.color_by, "")
            self._report(error)
        with self._lock, self.hold_sync():
            self._values = values
            self._legend = legend

    def _color_arrays(self) -> tuple[np.ndarray, dict]:
        """(values, legend) for the current ``color_by``: values are uint8/int32 categories or float32 in [0, 1]."""
        mode = self.color_by
        n = len(self.embeddings)
        if mode == "none":
            return np.zeros(0, dtype=np.uint8), _plain_legend("single colour", "")
        if mode == "cluster":
            if self._clusters is None:
                return np.zeros(0, dtype=np.uint8), _plain_legend("clusters", "clustering…")
            names = self._names if self._names is not None else pd.DataFrame(columns=["cluster", "label", "size"])
            order = [int(c) for c in names.cluster]
            texts = {int(r.cluster): f"{int(r.cluster)} · {r.label}" for r in names.itertuples(index=False)}
            return _categorical(self._clusters, order, texts, "clusters", noise_text="noise")
        if mode == "similarity":
            query = self.query.strip()
            if not query:
                return np.zeros(0, dtype=np.uint8), _plain_legend("similarity", "type a query to colour by similarity")
            similarity = self.embeddings.similarities(query)
            return _continuous(similarity, f"cosine similarity to “{query}”")
        if mode == "outliers":
            if self._outliers is None:
                return np.zeros(0, dtype=np.uint8), _plain_legend("outlier score", "computing outlier scores…")
            return _continuous(self._outliers.to_numpy(), f"outlier score (distance to neighbour {self._outlier_k})")
        if mode == "duplicates":
            if self._duplicates is None:
                return np.zeros(0, dtype=np.uint8), _plain_legend("near-duplicates", "computing near-duplicates…")
            groups = np.full(n, -1, dtype=np.int64)
            frame = self._duplicates
            if len(frame):
                groups[frame.row.to_numpy(dtype=np.int64)] = frame.group.to_numpy(dtype=np.int64)
            firsts = frame.drop_duplicates("group") if len(frame) else frame
            texts = {
                int(r.group): f"group {int(r.group)} · {_clip(r.label, 60)}" for r in firsts.itertuples(index=False)
            }
            order = [int(g) for g in firsts.group] if len(frame) else []
            title = f"near-duplicates (cosine ≥ {self._duplicate_threshold:g})"
            values, legend = _categorical(groups, order, texts, title, noise_text="no near-duplicate")
            legend["note"] = (
                f"{len(order):,} groups, {len(frame):,} rows" if len(frame) else "no near-duplicates at this threshold"
            )
            return values, legend
        if mode == "classes":
            if self._classes is None:
                return np.zeros(0, dtype=np.uint8), _plain_legend("classes", "computing classes…")
            names = self._class_names or []
            index = {name: i for i, name in enumerate(names)}
            ids = self._classes["class"].map(index).to_numpy(dtype=np.int64)
            return _categorical(
                ids, list(range(len(names))), dict(enumerate(names)), "zero-shot classes", limit=len(names)
            )
        column = self._column(mode)
        if column is None:
            raise KeyError(f"no metadata column {mode!r}.")
        return _column_colors(self.embeddings.metadata[column], str(column))

    def _column(self, value: str) -> Any:
        """The metadata column that ``value`` names (``"column:<name>"`` or a bare name), or None."""
        columns = list(self.embeddings.metadata.columns)
        by_text = {str(c): c for c in columns}
        if value.startswith(COLUMN_PREFIX) and value[len(COLUMN_PREFIX) :] in by_text:
            return by_text[value[len(COLUMN_PREFIX) :]]
        if value not in COLOR_MODES and value in by_text:
            return by_text[value]
        return None

    def _color_choices(self) -> list[list[str]]:
        options = [
            ["cluster", "cluster"],
            ["outliers", "outlier score"],
            ["similarity", "similarity to the query"],
            ["duplicates", "near-duplicates"],
        ]
        if self._class_names:
            options.append(["classes", "zero-shot classes"])
        options.append(["none", "single colour"])
        for column in self.embeddings.metadata.columns:
            name = str(column)
            value = name if name not in COLOR_MODES and not name.startswith(COLUMN_PREFIX) else COLUMN_PREFIX + name
            options.append([value, f"column · {name}"])
        return options

    def _centres(self, limit: int) -> list[dict]:
        """Where each cluster's keyword label goes: the median of its points, for the biggest clusters."""
        if self._xy_unit is None or self._clusters is None or self._names is None:
            return []
        out = []
        for position, row in enumerate(self._names.head(limit).itertuples(index=False)):
            members = self._xy_unit[self._clusters == row.cluster]
            if not len(members):
                continue
            x, y = np.median(members, axis=0)
            out.append(
                {
                    "cluster": int(row.cluster),
                    "x": float(x),
                    "y": float(y),
                    "text": str(row.label),
                    "size": int(row.size),
                    "color": PALETTE[position % len(PALETTE)],
                }
            )
        return out

    # ---- search and highlight -------------------------------------------------------------------

    def _run_search(self) -> None:
        text = self.search.strip()
        if not text:
            if self._highlight_source == "search":
                self._set_highlight(np.zeros(0, dtype=np.int32), "", "")
            return
        if self._lowered is None:
            self._lowered = pd.Series(self.embeddings.labels, dtype=object).str.lower()
        rows = np.flatnonzero(self._lowered.str.contains(text.lower(), regex=False).to_numpy(dtype=bool))
        note = f"{len(rows):,} labels contain “{text}”" if len(rows) else f"no label contains “{text}”"
        self._set_highlight(rows, "search", note)

    def _run_query(self) -> None:
        query = self.query.strip()
        if not query:
            if self._highlight_source == "query":
                self._set_highlight(np.zeros(0, dtype=np.int32), "", "")
        else:
            try:
                found = self.embeddings.neighbors(query, k=min(self.query_k, len(self.embeddings)))
            except (EmbedWidgetsError, KeyError, ValueError) as error:
                self._query_failure = error
                self._report(error)
                return
            rows = [self.embeddings.row(label) for label in found.label]
            own = self.embeddings.row(query)
            rows = ([own] if own is not None else []) + [r for r in rows if r is not None]
            self._set_highlight(
                np.asarray(rows, dtype=np.int64), "query", f"the {len(found):,} points nearest to “{query}”"
            )
            self._report(None)
        if self.color_by == "similarity":
            self._publish_colors()

    def _set_highlight(self, rows: np.ndarray, source: str, note: str) -> None:
        self._rows_highlighted = np.asarray(rows, dtype=np.int32)
        self._highlight_source = source
        with self._lock, self.hold_sync():
            self._highlight = self._rows_highlighted
            self._highlight_note = note

    # ---- requests from the view -----------------------------------------------------------------

    @handler("set")
    def _set_request(self, **params: Any) -> dict:
        allowed = {
            "projection",
            "color_by",
            "k",
            "cluster_method",
            "labels",
            "point_size",
            "opacity",
            "search",
            "query",
            "query_k",
        }
        unknown = set(params) - allowed
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}.")
        self._query_failure = None
        try:
            with self._lock, self.hold_sync():
                for name, value in params.items():
                    setattr(self, name, value)
        except traitlets.TraitError as error:
            raise ValueError(str(error)) from None
        if self._query_failure is not None:  # shown inline already; the request fails too
            raise self._query_failure
        return {name: getattr(self, name) for name in params}

    @handler("point")
    def _point_request(self, index: int = -1) -> dict:
        n = len(self.embeddings)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise ValueError(f"no point {index!r}; there are {n:,}.")
        fields = []
        if self._clusters is not None:
            cluster = int(self._clusters[index])
            name = "noise" if cluster < 0 else self._cluster_name(cluster)
            fields.append(["cluster", f"{cluster} · {name}" if cluster >= 0 else name])
        for column, value in self.embeddings.metadata.iloc[index].items():
            fields.append([_clip(str(column), 60), _clip(_text(value), TOOLTIP_CHARS)])
        return {"index": index, "label": _clip(self.embeddings.labels[index], TOOLTIP_CHARS), "fields": fields}

    @handler("legend")
    def _legend_request(self, index: int = -1) -> dict:
        legend = self._legend
        items = legend.get("items", [])
        if legend.get("kind") != "categorical" or not isinstance(index, int) or not 0 <= index < len(items):
            raise ValueError("pick an entry of a categorical legend.")
        dtype = np.uint8 if legend.get("dtype") == "uint8" else np.int32
        values = np.frombuffer(self._values, dtype=dtype)
        value = items[index]["value"]
        rows = np.flatnonzero(values == value)
        self._set_highlight(rows, "legend", f"{len(rows):,} points: {items[index]['label']}")
        return {"count": int(len(rows))}

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
        prefix = "data:image/png;base64,"
        if not isinstance(data, str) or not data.startswith(prefix):
            raise ValueError("expected a PNG data URL.")
        image = base64.b64decode(data[len(prefix) :], validate=True)
        if not image.startswith(b"\x89PNG"):
            raise ValueError("the export is not a PNG image.")
        self.last_png = image
        return {"bytes": len(image)}

    def _report(self, error: BaseException | None) -> None:
        with self._lock:  # every multi-trait update holds the lock, so background threads never interleave
            super()._report(error)

    def _cluster_name(self, cluster: int) -> str:
        if self._names is None:
            return ""
        found = self._names.loc[self._names.cluster == cluster, "label"]
        return str(found.iloc[0]) if len(found) else ""


# ---- helpers ------------------------------------------------------------------------------------


def _as_coordinates(projection: Any, n: int) -> np.ndarray:
    if isinstance(projection, torch.Tensor):
        projection = projection.detach().cpu().numpy()
    try:
        coords = np.asarray(projection, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"projection is {PROJECTIONS} or an (n × 2) array of numbers, not {type(projection).__name__}."
        ) from None
    if coords.shape != (n, 2):
        raise ValueError(f"projection coordinates must have shape ({n}, 2), one row per point; got {coords.shape}.")
    if not np.isfinite(coords).all():
        raise ValueError("projection coordinates contain NaN or infinite values.")
    return coords.astype(np.float32)


def _to_unit_square(coords: np.ndarray) -> np.ndarray:
    """Centre the coordinates and scale both axes by the same factor so the longer side spans [-1, 1]."""
    coords = np.asarray(coords, dtype=np.float64)
    if not len(coords):
        return np.zeros((0, 2), dtype=np.float32)
    low, high = coords.min(0), coords.max(0)
    half = float((high - low).max()) / 2
    centred = coords - (low + high) / 2
    unit = centred / half if half > 0 else np.zeros_like(centred)
    return np.clip(unit, -1.0, 1.0).astype(np.float32)


def _default_size(n: int) -> float:
    return 6.0 if n < 2_000 else 4.0 if n < 20_000 else 2.5 if n < 200_000 else 1.5


def _default_opacity(n: int) -> float:
    return 0.9 if n < 20_000 else 0.7 if n < 200_000 else 0.5


def _plain_legend(title: str, note: str) -> dict:
    return {"title": title, "kind": "none", "dtype": "uint8", "colors": [PLAIN], "items": [], "note": note}


def _categorical(
    ids: np.ndarray,
    order: list[int],
    texts: dict[int, str],
    title: str,
    *,
    noise_text: str = "other",
    limit: int = MAX_LEGEND,
) -> tuple[np.ndarray, dict]:
    """Category values 0..m-1 in ``order`` (the first ``limit`` get legend rows), plus one grey value, named
    ``noise_text``, for every id not in ``order`` (HDBSCAN noise, rows without a duplicate, rare values)."""
    ids = np.asarray(ids, dtype=np.int64)
    lookup = {cid: i for i, cid in enumerate(order)}
    grey = len(order)
    values = np.full(len(ids), grey, dtype=np.int64)
    if order:
        known = np.asarray(order, dtype=np.int64)
        sorter = np.argsort(known)
        where = np.searchsorted(known, ids, sorter=sorter)
        where = np.clip(where, 0, len(known) - 1)
        hit = known[sorter[where]] == ids
        values[hit] = sorter[where[hit]]
    counts = np.bincount(values, minlength=grey + 1)
    colors = [PALETTE[i % len(PALETTE)] for i in range(grey)] + [GREY]
    items = [
        {"value": i, "label": texts.get(cid, str(cid)), "color": colors[i], "count": int(counts[i])}
        for cid, i in list(lookup.items())[:limit]
    ]
    if counts[grey]:
        items.append({"value": grey, "label": noise_text, "color": GREY, "count": int(counts[grey])})
    dtype = np.uint8 if grey < 256 else np.int32
    legend = {
        "title": title,
        "kind": "categorical",
        "dtype": np.dtype(dtype).name,
        "colors": colors,
        "items": items,
        "more": max(0, len(order) - limit),
        "note": "",
    }
    return values.astype(dtype), legend


def _continuous(scores: np.ndarray, title: str) -> tuple[np.ndarray, dict]:
    scores = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(scores)
    low = float(scores[finite].min()) if finite.any() else 0.0
    high = float(scores[finite].max()) if finite.any() else 1.0
    span = high - low
    values = np.where(finite, (scores - low) / span if span > 0 else 0.5, 0.0).astype(np.float32)
    missing = int((~finite).sum())
    legend = {
        "title": title,
        "kind": "continuous",
        "dtype": "float32",
        "colors": ramp(256),
        "min": low,
        "max": high,
        "items": [],
        "note": f"{missing:,} rows without a value are drawn at the low end" if missing else "",
    }
    return np.clip(values, 0.0, 1.0), legend


def _column_colors(column: pd.Series, name: str) -> tuple[np.ndarray, dict]:
    """A metadata column as colours: numbers with many distinct values on the ramp, anything else by category."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and (pd.api.types.is_float_dtype(column) or column.nunique(dropna=True) > 12):
        return _continuous(column.to_numpy(dtype=np.float64, na_value=np.nan), name)
    texts = column.map(_text, na_action="ignore")
    counts = texts.value_counts(dropna=True)
    top = list(counts.index[: MAX_CATEGORIES - 1]) if len(counts) > MAX_CATEGORIES else list(counts.index)
    codes = {value: i for i, value in enumerate(top)}
    ids = texts.map(codes).fillna(-1).to_numpy(dtype=np.int64)
    rest = len(counts) - len(top)
    other = f"other ({rest:,} values)" if rest else "missing"
    if rest and texts.isna().any():
        other = f"other ({rest:,} values) or missing"
    values, legend = _categorical(
        ids,
        list(range(len(top))),
        {i: _clip(v, 60) for i, v in enumerate(top)},
        name,
        noise_text=other,
        limit=MAX_CATEGORIES,
    )
    return values, legend


def ramp(steps: int) -> list[str]:
    """``steps`` colours along the sequential ramp, as #rrggbb."""
    anchors = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in RAMP_ANCHORS], dtype=np.float64)
    where = np.linspace(0, len(anchors) - 1, steps)
    low = np.floor(where).astype(int).clip(0, len(anchors) - 2)
    mix = (where - low)[:, None]
    colours = anchors[low] * (1 - mix) + anchors[low + 1] * mix
    return ["#%02x%02x%02x" % tuple(int(round(v)) for v in rgb) for rgb in colours]


def _text(value: Any) -> str:
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}"
    return str(value)


def _clip(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _free_name(name: str, frame: pd.DataFrame) -> str:
    while name in frame.columns:
        name = "_" + name
    return name

"""Indexes behind ``EmbeddingSet.neighbors``: exact search, FAISS HNSW / IVF-PQ in RAM, LanceDB IVF-PQ on disk.

Every index searches by cosine similarity and answers ``search(queries, k) -> (scores, rows)``, best
first, rows -1 where nothing was found. The approximate ones pick candidate rows; the scores of those
rows are then computed exactly from the set's unit vectors, so a returned score is always the true
cosine and only the choice of rows is approximate. ``recall`` is measured against exact search when
the index is built (``EmbeddingSet.index_recall``), never assumed.

An index belongs to the set it was built from, as the set was then: using it after the set's vectors
changed (or ``invalidate()`` ran) raises a ``StaleIndexError``.

FAISS (``pip install embedwidgets[index]``) and LanceDB (``pip install embedwidgets[scale]``) are
optional: they are imported only when such an index is built or opened.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import warnings
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ._checks import check_k, normalise_rows
from .errors import EmbedWidgetsError

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

KINDS = ("exact", "hnsw", "ivfpq", "lance")
# Below this many rows × dims, `neighbors(index="auto")` scans exactly even when the set has an index.
# Measured here (2 shared CPU cores, float32, one query): 10k×384 ≈ 13 ms, 50k×384 ≈ 30 ms, so the
# exact scan stays near 20 ms up to about 2^23 elements (≈ 22k rows of 384 dims, 168k rows of 50).
AUTO_EXACT_ELEMENTS = 1 << 23
ADD_BATCH = 65_536  # rows added to an index per step (one progress tick)
LANCE_TABLE = "vectors"
POINTER = "index.json"  # in a set's sidecar folder: which index file there belongs to the set
LANCE_STAMP = "embedwidgets-index.json"


class StaleIndexError(EmbedWidgetsError, RuntimeError):
    """The index was built from other vectors than the set holds now."""


class MissingExtraError(EmbedWidgetsError, ImportError):
    """An optional dependency that this index needs is not installed."""


def require(module: str, extra: str, kind: str) -> Any:
    """Import ``module`` or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtraError(
            f"the {kind!r} index needs the {module!r} package, which is not installed; "
            f"install it with `pip install embedwidgets[{extra}]`."
        ) from error


class Index:
    """Top-k cosine search over one set's rows. Subclasses implement ``_candidates``."""

    kind = "index"
    exact = False

    def __init__(self, embeddings: EmbeddingSet, params: dict[str, Any]) -> None:
        self._owner = weakref.ref(embeddings)
        self._stamp = stamp(embeddings)
        self.rows_indexed = len(embeddings)
        self.dim = embeddings.dim
        self.params = params
        self.recall: float | None = 1.0 if self.exact else None  # measured by EmbeddingSet.index_recall
        self.recall_k: int | None = None

    # ---- what callers use -----------------------------------------------------------------------

    def search(self, queries: Any, k: int, *, exclude: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for each query vector (queries × dim): ``(scores, rows)``, cosine, best first.

        ``exclude`` lists one row per query to leave out (-1 for none), e.g. a label query's own row.
        """
        k = check_k(k)
        embeddings = self.check()
        vectors = np.ascontiguousarray(np.asarray(queries, dtype=np.float32).reshape(-1, self.dim))
        own = None if exclude is None else np.asarray(exclude, dtype=np.int64).reshape(-1)
        if self.exact:
            return self._exact(embeddings, vectors, k, own)
        unit = normalise_rows(torch.from_numpy(vectors)).numpy()
        wanted = min(k + (own is not None), len(embeddings))
        rows = self._candidates(unit, wanted)
        return _rescore(embeddings, unit, rows, k, own)

    def check(self) -> EmbeddingSet:
        """The set this index belongs to; a ``StaleIndexError`` when it changed since the build."""
        embeddings = self._owner()
        if embeddings is None:
            raise StaleIndexError(f"the set this {self.kind} index was built from no longer exists.")
        if stamp(embeddings) is not self._stamp or len(embeddings) != self.rows_indexed:
            raise StaleIndexError(
                f"this {self.kind} index was built from {self.rows_indexed:,} rows that have changed since "
                f"(new vectors, or invalidate()); build it again with es.build_index({self.kind!r}, ...)."
            )
        return embeddings

    def belongs_to(self, embeddings: EmbeddingSet) -> bool:
        return self._owner() is embeddings

    @property
    def label(self) -> str:
        """How the results are described next to them: "exact" or "approximate (recall@10 0.97)"."""
        if self.exact:
            return "exact"
        if self.recall is None:
            return "approximate (recall not measured)"
        shown = np.floor(self.recall * 100) / 100  # rounded down, so 0.997 never reads as a perfect 1.00
        return f"approximate (recall@{self.recall_k} {shown:.2f})"

    def describe(self) -> dict[str, Any]:
        """Kind, size, parameters and measured recall, as a dict."""
        return {
            "kind": self.kind,
            "exact": self.exact,
            "rows": self.rows_indexed,
            "dim": self.dim,
            "recall": self.recall,
            "recall_k": self.recall_k,
            **self.params,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rows_indexed:,} rows, {self.label})"

    # ---- what subclasses provide -------------------------------------------------------------------

    def _candidates(self, unit_queries: np.ndarray, k: int) -> np.ndarray:
        """Up to ``k`` candidate rows per unit query, -1 where fewer were found."""
        raise NotImplementedError

    def _exact(self, embeddings: EmbeddingSet, vectors: np.ndarray, k: int, own: np.ndarray | None) -> Any:
        raise NotImplementedError


class ExactIndex(Index):
    """Today's exact chunked scan (``EmbeddingSet.search``), as an index: recall 1 by construction."""

    kind = "exact"
    exact = True

    def _exact(self, embeddings: EmbeddingSet, vectors: np.ndarray, k: int, own: np.ndarray | None) -> Any:
        exclude = None if own is None else torch.as_tensor(own[:, None], device=embeddings.device)
        return embeddings.search(vectors, min(k, len(embeddings)), exclude=exclude)


class FaissIndex(Index):
    """A FAISS index over the unit vectors by inner product, in RAM: HNSW (a graph) or IVF-PQ (compressed)."""

    def __init__(self, embeddings: EmbeddingSet, faiss_index: Any, params: dict[str, Any], kind: str) -> None:
        self.kind = kind
        super().__init__(embeddings, params)
        self.faiss_index = faiss_index

    def _candidates(self, unit_queries: np.ndarray, k: int) -> np.ndarray:
        _, rows = self.faiss_index.search(unit_queries, k)
        return rows

    def save(self, path: str | Path) -> None:
        """Write the index with FAISS's own writer (no pickle)."""
        faiss = require("faiss", "index", self.kind)
        faiss.write_index(self.faiss_index, str(path))


class LanceIndex(Index):
    """A LanceDB table of the unit vectors with an IVF-PQ index, on disk at ``path``; reopened when it matches."""

    kind = "lance"

    def __init__(self, embeddings: EmbeddingSet, table: Any, params: dict[str, Any]) -> None:
        super().__init__(embeddings, params)
        self.table = table
        self.path = params["path"]

    def _candidates(self, unit_queries: np.ndarray, k: int) -> np.ndarray:
        query = self.table.search(unit_queries).distance_type("dot").limit(k).select(["row", "_distance"])
        query = query.nprobes(self.params["nprobes"])
        if self.params.get("refine_factor"):
            query = query.refine_factor(self.params["refine_factor"])
        found = query.to_arrow()
        rows = np.full((len(unit_queries), k), -1, dtype=np.int64)
        which = (
            found.column("query_index").to_numpy()
            if "query_index" in found.column_names
            else np.zeros(found.num_rows, np.int64)
        )
        found_rows = found.column("row").to_numpy()
        for q in range(len(unit_queries)):
            mine = found_rows[which == q][:k]
            rows[q, : len(mine)] = mine
        return rows


# ---- building ------------------------------------------------------------------------------------


def stamp(embeddings: EmbeddingSet) -> object:
    """A token that lives exactly as long as the set's derived-data cache: a new one after every change."""
    return embeddings.cached("index stamp", None, object)


def build(
    embeddings: EmbeddingSet, kind: str, path: str | Path | None, params: dict[str, Any], progress: bool
) -> Index:
    if kind == "exact":
        return ExactIndex(embeddings, {})
    if kind in ("hnsw", "ivfpq"):
        make = _build_hnsw if kind == "hnsw" else _build_ivfpq
        if path is None:
            return make(embeddings, params, progress)
        return _open_or_build_faiss(embeddings, kind, Path(path), params, lambda: make(embeddings, params, progress))
    if kind == "lance":
        if path is None:
            raise ValueError("a 'lance' index lives on disk: pass path= (a folder for the LanceDB database).")
        return _open_or_build_lance(embeddings, Path(path), params, progress)
    raise ValueError(f"kind={kind!r} is not an index kind; use one of {KINDS}.")


def _unit_batches(embeddings: EmbeddingSet, progress: bool, what: str):
    """The unit vectors as float32 numpy batches of ``ADD_BATCH`` rows, with a progress bar."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    unit = embeddings.unit
    with tqdm(total=len(embeddings), desc=what, unit="rows", disable=not progress) as bar:
        for start in range(0, len(embeddings), ADD_BATCH):
            batch = unit[start : start + ADD_BATCH].float().cpu().numpy()
            yield np.ascontiguousarray(batch)
            bar.update(len(batch))


def _sample_unit(embeddings: EmbeddingSet, n: int, seed: int = 0) -> np.ndarray:
    rows = np.sort(np.random.default_rng(seed).choice(len(embeddings), size=min(n, len(embeddings)), replace=False))
    return np.ascontiguousarray(embeddings.unit[torch.from_numpy(rows)].float().cpu().numpy())


def _build_hnsw(embeddings: EmbeddingSet, params: dict[str, Any], progress: bool) -> Index:
    faiss = require("faiss", "index", "hnsw")
    m = int(params.pop("m", 32))
    ef_construction = int(params.pop("ef_construction", 80))
    ef_search = int(params.pop("ef_search", 64))
    _no_more(params, "hnsw")
    index = faiss.IndexHNSWFlat(embeddings.dim, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.hnsw.efSearch = ef_search
    for batch in _unit_batches(embeddings, progress, "HNSW index"):
        index.add(batch)
    return FaissIndex(embeddings, index, {"m": m, "ef_construction": ef_construction, "ef_search": ef_search}, "hnsw")


def _build_ivfpq(embeddings: EmbeddingSet, params: dict[str, Any], progress: bool) -> Index:
    faiss = require("faiss", "index", "ivfpq")
    n, dim = len(embeddings), embeddings.dim
    # About 4·√n lists, each with at least the 39 training points FAISS asks for.
    nlist = int(params.pop("nlist", max(1, min(4096, int(4 * np.sqrt(n)), n // 39))))
    sub_vectors = int(params.pop("sub_vectors", _sub_vectors(dim)))
    nbits = int(params.pop("nbits", 8 if n >= 256 * 39 else 4))
    nprobe = int(params.pop("nprobe", max(1, nlist // 8)))
    refine = int(params.pop("refine", 10))  # candidates per result, rescored exactly in float32
    _no_more(params, "ivfpq")
    if dim % sub_vectors:
        raise ValueError(f"sub_vectors={sub_vectors} must divide the dimension {dim}.")
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFPQ(quantizer, dim, nlist, sub_vectors, nbits, faiss.METRIC_INNER_PRODUCT)
    index.train(_sample_unit(embeddings, max(40 * nlist, 256 << nbits)))
    for batch in _unit_batches(embeddings, progress, "IVF-PQ index"):
        index.add(batch)
    index.nprobe = nprobe
    chosen = {"nlist": nlist, "sub_vectors": sub_vectors, "nbits": nbits, "nprobe": nprobe, "refine": refine}
    return _RefinedFaissIndex(embeddings, index, chosen, "ivfpq")


class _RefinedFaissIndex(FaissIndex):
    """IVF-PQ: ``refine`` × k compressed candidates, rescored exactly (from the set's own unit vectors, no copy)."""

    def _candidates(self, unit_queries: np.ndarray, k: int) -> np.ndarray:
        wide = min(self.rows_indexed, k * max(1, self.params["refine"]))
        return super()._candidates(unit_queries, wide)


def _sub_vectors(dim: int) -> int:
    """PQ sub-vectors: about 8 dims each (finer than FAISS's usual 16..32, for recall), a divisor of dim."""
    for size in (4, 5, 8, 6, 2, 1) if dim <= 64 else (8, 4, 5, 6, 2, 1):
        if dim % size == 0:
            return dim // size
    return dim


def _no_more(params: dict[str, Any], kind: str) -> None:
    if params:
        raise TypeError(f"unknown parameters for a {kind!r} index: {sorted(params)}.")


def fingerprint(embeddings: EmbeddingSet) -> str:
    """A digest of the set's size and about 1,000 spread-out rows (cheap at any size), to tell whether an index
    on disk was built from these vectors."""
    n = len(embeddings)
    rows = np.unique(np.linspace(0, n - 1, num=min(n, 1024)).astype(np.int64))
    digest = hashlib.sha256(f"{n}x{embeddings.dim}".encode())
    digest.update(np.ascontiguousarray(embeddings.vectors[rows], dtype=np.float32).tobytes())
    return digest.hexdigest()


def _read_faiss(embeddings: EmbeddingSet, kind: str, path: Path) -> FaissIndex | None:
    """The FAISS index in the file ``path`` when its note says it was built from these vectors, else None."""
    note = path.with_name(path.name + ".json")
    if not (path.exists() and note.exists()):
        return None
    saved = json.loads(note.read_text())
    if saved.get("fingerprint") != fingerprint(embeddings) or saved.get("kind") != kind:
        return None
    faiss = require("faiss", "index", kind)
    found = faiss.read_index(str(path))
    kept = {**saved["params"], "path": str(path), "reopened": True}
    opened = (FaissIndex if kind == "hnsw" else _RefinedFaissIndex)(embeddings, found, kept, kind)
    if kind == "hnsw":
        found.hnsw.efSearch = kept["ef_search"]
    else:
        found.nprobe = kept["nprobe"]
    opened.recall, opened.recall_k = saved.get("recall"), saved.get("recall_k")
    return opened


def _write_faiss(index: FaissIndex, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    note = path.with_name(path.name + ".json")
    note.unlink(missing_ok=True)  # a half-written index must never look finished
    index.save(path)
    params = {k: v for k, v in index.params.items() if k not in ("path", "reopened")}
    note.write_text(json.dumps({"fingerprint": fingerprint(index.check()), "kind": index.kind, "params": params}))
    index.params["path"] = str(path)


def _open_or_build_faiss(
    embeddings: EmbeddingSet, kind: str, path: Path, params: dict[str, Any], make: Any
) -> FaissIndex:
    """A FAISS index kept in the file ``path`` (FAISS's own format) with a JSON note beside it: read back when
    it was built from these vectors, else built and written."""
    require("faiss", "index", kind)
    if not params.pop("rebuild", False):
        found = _read_faiss(embeddings, kind, path)
        if found is not None:
            return found
    built = make()
    _write_faiss(built, path)
    built.params["reopened"] = False
    return built


def _read_lance(embeddings: EmbeddingSet, path: Path, nprobes: int = 0, refine_factor: int = 10) -> Index | None:
    """The LanceDB index in the folder ``path`` when its stamp says it was built from these vectors, else None."""
    stamp_file = path / LANCE_STAMP
    if not stamp_file.exists():
        return None
    saved = json.loads(stamp_file.read_text())
    if saved.get("fingerprint") != fingerprint(embeddings):
        return None
    lancedb = require("lancedb", "scale", "lance")
    db = lancedb.connect(str(path))
    if LANCE_TABLE not in db.list_tables().tables:
        return None
    chosen = {
        "path": str(path),
        "nprobes": nprobes or saved.get("nprobes") or _default_nprobes(saved["num_partitions"]),
        "refine_factor": refine_factor,
        "num_partitions": saved["num_partitions"],
        "num_sub_vectors": saved["num_sub_vectors"],
        "reopened": True,
    }
    opened = LanceIndex(embeddings, db.open_table(LANCE_TABLE), chosen)
    measured_at = (saved.get("nprobes"), saved.get("refine_factor", 10))
    if (nprobes or measured_at[0], refine_factor) == measured_at:  # a recall holds for the settings it was measured at
        opened.recall, opened.recall_k = saved.get("recall"), saved.get("recall_k")
    return opened


def _default_nprobes(partitions: int) -> int:
    return max(20, partitions // 8)  # an eighth of the partitions: recall over speed


def _open_or_build_lance(embeddings: EmbeddingSet, path: Path, params: dict[str, Any], progress: bool) -> Index:
    lancedb = require("lancedb", "scale", "lance")
    import pyarrow as pa

    n, dim = len(embeddings), embeddings.dim
    rebuild = bool(params.pop("rebuild", False))
    nprobes = int(params.pop("nprobes", 0))
    refine_factor = int(params.pop("refine_factor", 10))
    partitions = int(params.pop("num_partitions", max(1, min(4096, int(np.sqrt(n))))))
    sub_vectors = int(params.pop("num_sub_vectors", _sub_vectors(dim)))
    _no_more(params, "lance")
    if not rebuild:
        found = _read_lance(embeddings, path, nprobes, refine_factor)
        if found is not None:
            return found
    nprobes = nprobes or _default_nprobes(partitions)
    chosen = {"path": str(path), "nprobes": nprobes, "refine_factor": refine_factor}
    stamp_file = path / LANCE_STAMP
    stamp_file.unlink(missing_ok=True)  # a half-written rebuild must never look finished
    db = lancedb.connect(str(path))
    schema = pa.schema([("row", pa.int64()), ("vector", pa.list_(pa.float32(), dim))])

    def batches():
        start = 0
        for batch in _unit_batches(embeddings, progress, "Lance table"):
            vectors = pa.FixedSizeListArray.from_arrays(pa.array(batch.reshape(-1)), dim)
            yield pa.record_batch([pa.array(np.arange(start, start + len(batch))), vectors], schema=schema)
            start += len(batch)

    table = db.create_table(LANCE_TABLE, data=pa.RecordBatchReader.from_batches(schema, batches()), mode="overwrite")
    if n >= 256:  # IVF-PQ needs enough rows to train; a tiny table is scanned
        from lancedb.index import IvfPq

        config = IvfPq(distance_type="dot", num_partitions=partitions, num_sub_vectors=sub_vectors)
        table.create_index("vector", config=config)
    stamp_file.write_text(
        json.dumps(
            {
                "fingerprint": fingerprint(embeddings),
                "rows": n,
                "dim": dim,
                "num_partitions": partitions,
                "num_sub_vectors": sub_vectors,
                "nprobes": nprobes,
                "refine_factor": refine_factor,
            }
        )
    )
    chosen.update(num_partitions=partitions, num_sub_vectors=sub_vectors, reopened=False)
    return LanceIndex(embeddings, table, chosen)


# ---- kept beside a set's source ------------------------------------------------------------------


def default_path(embeddings: EmbeddingSet, kind: str) -> Path | None:
    """Where an index of a set with a source goes when no path is given: its sidecar folder."""
    folder = getattr(embeddings, "sidecar", None)
    if folder is None or kind == "exact":
        return None
    return Path(folder) / ("lance-index" if kind == "lance" else f"{kind}.faiss")


def remember(index: Index, path: Path | None = None, folder: Path | None = None) -> None:
    """Record the measured recall in the note of the index at ``path`` (default: where it was built) and point
    ``folder`` (default: its set's sidecar, when the index lives there) at it, so that opening the set's
    source again reopens the index with its recall instead of building it."""
    where = path if path is not None else index.params.get("path")
    if where is None or index.exact:
        return
    path = Path(where)
    note = path / LANCE_STAMP if isinstance(index, LanceIndex) else path.with_name(path.name + ".json")
    if note.exists():
        saved = json.loads(note.read_text())
        saved.update(recall=index.recall, recall_k=index.recall_k)
        note.write_text(json.dumps(saved))
    if folder is None:
        sidecar = getattr(index.check(), "sidecar", None)
        folder = Path(sidecar) if sidecar is not None and path.parent == Path(sidecar) else None
    if folder is not None:
        (folder / POINTER).write_text(json.dumps({"kind": index.kind, "path": path.name}))


def persist(index: Index, folder: Path) -> None:
    """Write ``index`` into ``folder`` (the sidecar of a saved set) with its recall, and point the folder at it."""
    path = folder / ("lance-index" if isinstance(index, LanceIndex) else f"{index.kind}.faiss")
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(index, FaissIndex):
        _write_faiss(index, path)
    elif isinstance(index, LanceIndex):
        if path.resolve() != Path(index.path).resolve():
            if path.exists():
                shutil.rmtree(path)
            shutil.copytree(index.path, path)
    else:
        return
    remember(index, path, folder)


def reopen(embeddings: EmbeddingSet) -> Index | None:
    """The index the set's sidecar points at, when it was built from these vectors; kept in the set."""
    folder = getattr(embeddings, "sidecar", None)
    pointer = None if folder is None else Path(folder) / POINTER
    if pointer is None or not pointer.exists():
        return None
    entry = json.loads(pointer.read_text())
    path = pointer.parent / entry["path"]
    try:
        kind = entry["kind"]
        found = _read_lance(embeddings, path) if kind == "lance" else _read_faiss(embeddings, kind, path)
    except MissingExtraError as error:
        warnings.warn(f"the index beside this set was not opened: {error}", stacklevel=3)
        return None
    if found is not None:
        embeddings.keep_index(found)
    return found


# ---- answering -----------------------------------------------------------------------------------


def _rescore(
    embeddings: EmbeddingSet, unit_queries: np.ndarray, candidates: np.ndarray, k: int, own: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine scores of the candidate rows; the best ``k`` per query, own rows left out."""
    candidates = np.asarray(candidates, dtype=np.int64)
    if own is not None:
        candidates = np.where(candidates == own[:, None], -1, candidates)
    valid = candidates >= 0
    # Half-precision storage is rescored from the float32 vectors (a mapped file's pages, read on demand).
    full = embeddings.dtype == torch.float32
    source = embeddings.unit if full else embeddings.original
    rows = torch.from_numpy(np.where(valid, candidates, 0)).to(source.device)
    queries = torch.from_numpy(unit_queries).to(source.device)
    scores = np.empty(candidates.shape, dtype=np.float32)
    step = max(1, (1 << 22) // max(1, candidates.shape[1] * embeddings.dim))  # queries per gather (≤ 16 MB)
    for q0 in range(0, len(rows), step):
        gathered = source[rows[q0 : q0 + step]].float()  # (queries, candidates, dim)
        if not full:
            gathered = normalise_rows(gathered.reshape(-1, embeddings.dim)).reshape(gathered.shape)
        scores[q0 : q0 + step] = torch.bmm(gathered, queries[q0 : q0 + step, :, None])[:, :, 0].cpu().numpy()
    scores[~valid] = -np.inf
    k = min(k, candidates.shape[1])
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    best_scores = np.take_along_axis(scores, order, axis=1).astype(np.float32)
    best_rows = np.take_along_axis(candidates, order, axis=1)
    best_rows[~np.isfinite(best_scores)] = -1
    return best_scores, best_rows


def recall_at_k(index: Index, embeddings: EmbeddingSet, k: int, sample: int, seed: int) -> float:
    """Share of the exact top ``k`` that the index also returns, for ``sample`` of the set's own rows as queries
    (each query's own row left out of both answers)."""
    n = len(embeddings)
    k = min(check_k(k), n - 1)
    if k < 1:
        return 1.0
    rows = np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False)
    queries = np.ascontiguousarray(embeddings.vectors[rows], dtype=np.float32)
    exclude = torch.as_tensor(rows[:, None], device=embeddings.device)
    _, exact_rows = embeddings.search(queries, k, exclude=exclude)
    _, found_rows = index.search(queries, k, exclude=rows)
    hits = sum(len(set(a[a >= 0].tolist()) & set(b[b >= 0].tolist())) for a, b in zip(exact_rows, found_rows))
    return hits / (len(rows) * k)

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


def _open_or_build_faiss(
    embeddings: EmbeddingSet, kind: str, path: Path, params: dict[str, Any], make: Any
) -> FaissIndex:
    """A FAISS index kept in the file ``path`` (FAISS's own format) with a JSON note beside it: read back when
    it was built from these vectors, else built and written."""
    faiss = require("faiss", "index", kind)
    rebuild = bool(params.pop("rebuild", False))
    note = path.with_name(path.name + ".json")
    digest = fingerprint(embeddings)
    if not rebuild and path.exists() and note.exists():
        saved = json.loads(note.read_text())
        if saved.get("fingerprint") == digest and saved.get("kind") == kind:
            found = faiss.read_index(str(path))
            kept = {**saved["params"], "path": str(path), "reopened": True}
            opened = (FaissIndex if kind == "hnsw" else _RefinedFaissIndex)(embeddings, found, kept, kind)
            if kind == "hnsw":
                found.hnsw.efSearch = kept["ef_search"]
            else:
                found.nprobe = kept["nprobe"]
            return opened
    note.unlink(missing_ok=True)  # a half-written rebuild must never look finished
    built = make()
    built.save(path)
    note.write_text(json.dumps({"fingerprint": digest, "kind": kind, "params": built.params}))
    built.params.update(path=str(path), reopened=False)
    return built


def _open_or_build_lance(embeddings: EmbeddingSet, path: Path, params: dict[str, Any], progress: bool) -> Index:
    lancedb = require("lancedb", "scale", "lance")
    import pyarrow as pa

    n, dim = len(embeddings), embeddings.dim
    rebuild = bool(params.pop("rebuild", False))
    nprobes = int(params.pop("nprobes", 0))
    refine_factor = int(params.pop("refine_factor", 10))
    partitions = int(params.pop("num_partitions", max(1, min(4096, int(np.sqrt(n))))))
    sub_vectors = int(params.pop("num_sub_vectors", _sub_vectors(dim)))
    nprobes = nprobes or max(20, partitions // 8)  # an eighth of the partitions: recall over speed
    _no_more(params, "lance")
    chosen = {"path": str(path), "nprobes": nprobes, "refine_factor": refine_factor}
    stamp_file = path / LANCE_STAMP
    digest = fingerprint(embeddings)
    db = lancedb.connect(str(path))
    if not rebuild and stamp_file.exists():
        saved = json.loads(stamp_file.read_text())
        if saved.get("fingerprint") == digest and LANCE_TABLE in db.list_tables().tables:
            chosen.update(
                num_partitions=saved["num_partitions"], num_sub_vectors=saved["num_sub_vectors"], reopened=True
            )
            return LanceIndex(embeddings, db.open_table(LANCE_TABLE), chosen)
    stamp_file.unlink(missing_ok=True)  # a half-written rebuild must never look finished
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
            {"fingerprint": digest, "rows": n, "dim": dim, "num_partitions": partitions, "num_sub_vectors": sub_vectors}
        )
    )
    chosen.update(num_partitions=partitions, num_sub_vectors=sub_vectors, reopened=False)
    return LanceIndex(embeddings, table, chosen)


# ---- answering -----------------------------------------------------------------------------------


def _rescore(
    embeddings: EmbeddingSet, unit_queries: np.ndarray, candidates: np.ndarray, k: int, own: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine scores of the candidate rows; the best ``k`` per query, own rows left out."""
    candidates = np.asarray(candidates, dtype=np.int64)
    if own is not None:
        candidates = np.where(candidates == own[:, None], -1, candidates)
    valid = candidates >= 0
    unit = embeddings.unit
    rows = torch.from_numpy(np.where(valid, candidates, 0)).to(unit.device)
    queries = torch.from_numpy(unit_queries).to(unit.device)
    scores = np.empty(candidates.shape, dtype=np.float32)
    step = max(1, (1 << 22) // max(1, candidates.shape[1] * embeddings.dim))  # queries per gather (≤ 16 MB)
    for q0 in range(0, len(rows), step):
        gathered = unit[rows[q0 : q0 + step]].float()  # (queries, candidates, dim)
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

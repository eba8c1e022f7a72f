"""EmbeddingSet: labels, vectors and metadata, with exact neighbour search and analogies."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import torch

from . import analogy as _analogy
from . import cluster as _cluster
from . import index as _index
from . import project as _project
from . import search
from . import similarity as _similarity
from . import store as _store
from ._checks import check_k, normalise_rows
from .analogy import AnalogyReport, SimilarityReport
from .device import pick_device, storage_dtype
from .encoders import Encoder, check_texts, encode_queries
from .errors import UnknownTokenError
from .index import Index
from .labels import LabelIndex, clean_labels, resolve_duplicates
from .search import LinearScorer

Query = Any  # a label, a text, a vector, or a list of these
T = TypeVar("T")


class EmbeddingSet:
    """A set of labelled vectors with metadata, searchable on the GPU when there is one.

    Labels are unique strings (other types go through ``str``). ``metadata`` is a DataFrame with one
    row per vector. An L2-normalised copy lives on ``device`` for cosine search.

    Everything computed from the labels and vectors (that copy, search copies, projections, clusters,
    the label index) is kept in one cache that ``invalidate()`` empties. Assigning ``vectors`` empties
    it too; after changing the vectors in place, call ``invalidate()``.

    Vectors may be memory-mapped (``np.load(path, mmap_mode="r")``): a float32 C-ordered array is used
    as it is, never copied, and the pages a pass over it reads are handed back to the kernel.

    Memory: the raw float32 vectors (in RAM or mapped), one normalised working copy in the ``storage``
    dtype (float32, or float16 / bfloat16 for half the size), and during a search one 32 MB score
    buffer plus rows/64 floats per query in flight. On CPUs fast at bfloat16 a float32 set screens big
    scans with a bfloat16 copy instead, built straight from the vectors, and rescores from them, so a
    search alone needs half the matrix. No n×n matrix is ever built. ``memory()`` reports the parts.

    Exactness: neighbours over reduced storage are rescored in float32 from the vectors, so they are
    exact. Results that are not (dot or Euclidean search over float16 storage on a GPU) carry
    ``frame.attrs["exact"] = False``; every result frame has that attribute.

    >>> words = EmbeddingSet(["cat", "dog", "car"], [[1, 0], [0.9, 0.1], [0, 1]])
    >>> words.neighbors("cat", k=1).label.tolist()
    ['dog']
    """

    def __init__(
        self,
        labels: Sequence[object],
        vectors: Any,
        metadata: Any = None,
        *,
        name: str | None = None,
        encoder: Encoder | None = None,
        device: str | torch.device | None = None,
        dtype: str | torch.dtype | None = None,
        storage: str | torch.dtype | None = None,
        duplicates: str = "error",
    ) -> None:
        labels = clean_labels(labels)
        matrix = _as_matrix(vectors)
        if len(labels) != matrix.shape[0]:
            raise ValueError(
                f"got {len(labels)} labels but {matrix.shape[0]} vectors; there must be one label per vector (row)."
            )
        table = _as_metadata(metadata, len(labels))
        labels, keep = resolve_duplicates(labels, duplicates)
        if keep is not None:
            matrix = matrix[keep]
            table = table.iloc[keep].reset_index(drop=True)
        _check_finite(matrix)
        _check_encoder_dim(encoder, matrix)
        self.name = name or "embeddings"
        self.encoder = encoder
        self.metadata = table
        self.device = pick_device(device)
        if (
            dtype is not None
            and storage is not None
            and storage_dtype(dtype, self.device) != storage_dtype(storage, self.device)
        ):
            raise ValueError("pass storage= or its older name dtype=, not both with different values.")
        self.dtype = storage_dtype(storage if storage is not None else dtype, self.device)
        self._labels = labels
        self._vectors = matrix
        self._derived: dict[str, dict[Hashable, Any]] = {}
        # Widgets compute in background threads: _cache_lock guards _derived and _building (held only to look
        # up or store, never during a build); each entry being built has its own lock in _building.
        self._cache_lock = threading.Lock()
        self._building: dict[tuple[str, Hashable], _Building] = {}
        # Set by from_parquet / from_lance: the file it came from, and the folder beside it that holds a
        # memory-mapped copy of big vectors and the indexes built for it (see build_index).
        self.source: Path | None = None
        self.sidecar: Path | None = None

    # ---- constructors -------------------------------------------------------------------------

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        label_column: str,
        vector_column: str | None = None,
        vector_columns: Sequence[str] | None = None,
        **options: Any,
    ) -> EmbeddingSet:
        """From a DataFrame: one column of vectors, or one column per dimension. Other columns become metadata.

        >>> df = pd.DataFrame({"word": ["a", "b"], "x": [1.0, 0.0], "y": [0.0, 1.0], "pos": ["n", "v"]})
        >>> EmbeddingSet.from_dataframe(df, label_column="word", vector_columns=["x", "y"]).metadata.columns.tolist()
        ['pos']
        """
        if (vector_column is None) == (vector_columns is None):
            raise ValueError(
                "pass exactly one of vector_column= (a column holding whole vectors) "
                "or vector_columns= (one column per dimension)."
            )
        used = [vector_column] if vector_column is not None else list(vector_columns or [])
        missing = [c for c in [label_column, *used] if c not in df.columns]
        if missing:
            raise KeyError(f"columns {missing} are not in the DataFrame; it has {list(df.columns)}.")
        if vector_column is not None:
            vectors = _as_matrix(list(df[vector_column]))
        else:
            vectors = _as_matrix(df[list(used)].to_numpy())
        metadata = df.drop(columns=[label_column, *used]).reset_index(drop=True)
        return cls(df[label_column].tolist(), vectors, metadata, **options)

    @classmethod
    def from_keyed_vectors(cls, kv: Any, **options: Any) -> EmbeddingSet:
        """From gensim ``KeyedVectors``, keeping its order (usually most frequent first)."""
        options.setdefault("name", "keyed-vectors")
        return cls(list(kv.index_to_key), np.asarray(kv.vectors), **options)

    @classmethod
    def from_texts(
        cls,
        texts: Sequence[str],
        *,
        encoder: Encoder,
        metadata: Any = None,
        batch_size: int = 64,
        progress: bool | None = None,
        **options: Any,
    ) -> EmbeddingSet:
        """Encode ``texts`` and keep the encoder, so text queries work on the result.

        >>> docs = EmbeddingSet.from_texts(["a cat sat", "stocks fell"], encoder=minilm())  # doctest: +SKIP
        """
        texts = check_texts(texts)
        vectors = encoder.encode(texts, batch_size=batch_size, progress=progress)
        options.setdefault("name", getattr(encoder, "name", "texts"))
        return cls(texts, vectors, metadata, encoder=encoder, **options)

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike[str],
        *,
        vector_column: str,
        label_column: str | None = None,
        text_column: str | None = None,
        metadata_columns: Sequence[str] | None = None,
        vectors_cache: bool | str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> EmbeddingSet:
        """From a Parquet file or a folder of them, through Arrow: ``vector_column`` holds fixed-size or
        variable lists of numbers, streamed into one float32 array (no second copy). Labels come from
        ``label_column``, else ``text_column``, else the row numbers; ``metadata_columns`` defaults to
        every other column. ``options`` go to the constructor (``storage=``, ``device=``, ...).

        ``vectors_cache``: vectors over 1 GiB (the default, ``None``) or always (``True``) are streamed once into
        ``<path>.ew/vectors.npy`` beside the source and memory-mapped from there, so they cost disk rather than
        RAM; opening the unchanged source again reuses that file. ``False`` holds them in RAM; a folder path
        puts the copy there instead. Indexes built for the set go into the same folder (see ``build_index``).

        >>> docs = EmbeddingSet.from_parquet("corpus/", vector_column="embedding", text_column="text")  # doctest: +SKIP
        """
        return _store.from_parquet(
            cls,
            path,
            vector_column=vector_column,
            label_column=label_column,
            text_column=text_column,
            metadata_columns=metadata_columns,
            vectors_cache=vectors_cache,
            **options,
        )

    @classmethod
    def from_lance(
        cls,
        uri: str | os.PathLike[str],
        *,
        vector_column: str | None = None,
        label_column: str | None = None,
        text_column: str | None = None,
        metadata_columns: Sequence[str] | None = None,
        vectors_cache: bool | str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> EmbeddingSet:
        """From a Lance dataset (``pip install embedwidgets[scale]``), like ``from_parquet`` (``vectors_cache``
        too). A dataset written by ``save()`` needs no column names and brings back its projections, clusters
        and index; an index built later with ``build_index`` is reopened the next time too.

        >>> docs = EmbeddingSet.from_lance("docs.lance")  # doctest: +SKIP
        """
        return _store.from_lance(
            cls,
            uri,
            vector_column=vector_column,
            label_column=label_column,
            text_column=text_column,
            metadata_columns=metadata_columns,
            vectors_cache=vectors_cache,
            **options,
        )

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> os.PathLike[str]:
        """Write the set as one Lance dataset: labels, vectors (float32), metadata columns, and the cached
        projections (landmark layouts included) and clusters, which ``from_lance`` puts back into the cache.
        The set's index, if it has one, goes into ``<path>.ew/`` with its measured recall and is reopened
        by ``from_lance``. Other derived data (search copies, label index, analogy tables) is rebuilt when
        needed. The dataset is written in batches beside ``path`` and moved into place, so a failed save leaves
        nothing behind.

        >>> words.save("words.lance")  # doctest: +SKIP
        """
        return _store.save(self, path, overwrite=overwrite)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_cache_lock"], state["_building"]  # locks do not pickle; a copy gets its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache_lock = threading.Lock()
        self._building = {}

    # ---- container protocol -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, label: object) -> bool:
        return label in self.label_index

    def __getitem__(self, label: object) -> np.ndarray:
        """The raw vector of ``label``."""
        return self.vectors[self.rows([label])[0]].copy()

    def __iter__(self):
        return iter(self._labels)

    def __repr__(self) -> str:
        encoder = f", encoder={self.encoder.name!r}" if self.encoder is not None else ""
        return (
            f"EmbeddingSet({self.name!r}, {len(self):,} labels × {self.dim} dims, device={self.device.type}{encoder})"
        )

    @property
    def labels(self) -> list[str]:
        return self._labels

    @property
    def vectors(self) -> np.ndarray:
        """The raw vectors (float32, rows × dims). Assigning new ones empties the cache of derived data."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: Any) -> None:
        matrix = _as_matrix(value)
        if matrix.shape[0] != len(self):
            raise ValueError(
                f"got {matrix.shape[0]} vectors for {len(self)} labels; the new vectors need one row per label."
            )
        _check_finite(matrix)
        _check_encoder_dim(self.encoder, matrix)
        self._vectors = matrix
        self.invalidate()

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    # ---- derived data -------------------------------------------------------------------------

    def cached(self, kind: str, key: Hashable, build: Callable[[], T], *, keep: int | None = None) -> T:
        """The ``kind`` of derived data for ``key`` (e.g. a projection for its parameters): built by ``build``
        on first use, then kept until ``invalidate()``. ``keep`` bounds how many keys of this kind stay,
        newest kept, for big data asked for with changing parameters.

        Thread-safe: threads asking for the same entry at once run ``build`` once and all get its result (if
        that build fails, the next waiting thread builds instead); different entries build in parallel.

        >>> es = EmbeddingSet(["a", "b"], [[1, 0], [0, 2]])
        >>> es.cached("lengths", None, lambda: np.linalg.norm(es.vectors, axis=1)).tolist()
        [1.0, 2.0]
        """
        with self._cache_lock:
            store = self._derived.setdefault(kind, {})
            if key in store:
                return store[key]
            building = self._building.setdefault((kind, key), _Building())
            building.waiting += 1
        try:
            with building.lock:
                with self._cache_lock:  # again: the thread we waited for may have built it
                    store = self._derived.setdefault(kind, {})
                    if key in store:
                        return store[key]
                value = build()
                with self._cache_lock:
                    # A build that an invalidate() overtook stores into the dropped dict, so it is never served.
                    if keep is not None:
                        for old in list(store)[: max(0, len(store) - keep + 1)]:
                            store.pop(old, None)
                    store[key] = value
                return value
        finally:
            with self._cache_lock:
                building.waiting -= 1
                if not building.waiting:
                    self._building.pop((kind, key), None)

    def cached_items(self, kind: str) -> list[tuple[Hashable, Any]]:
        """The ``(key, value)`` pairs of one kind of derived data built so far, oldest first.

        >>> es = EmbeddingSet(["a", "b"], [[1, 0], [0, 2]])
        >>> _ = es.project("pca", 1)
        >>> [key[0] for key, _ in es.cached_items("projection")]
        ['pca']
        """
        with self._cache_lock:
            return list(self._derived.get(kind, {}).items())

    def invalidate(self) -> None:
        """Drop everything derived from the labels and vectors: the normalised and search copies,
        projections, clusters, the label index. Each is built again when next needed."""
        with self._cache_lock:
            self._derived = {}

    @property
    def label_index(self) -> LabelIndex:
        """Label → row lookup, prefix completion and close spellings."""
        return self.cached("label index", None, lambda: LabelIndex(self._labels))

    def row(self, label: str) -> int | None:
        """The row of ``label``, or None."""
        return self.label_index.row(label)

    def rows(self, labels: Sequence[object]) -> list[int]:
        """The rows of ``labels``, in order; an ``UnknownTokenError`` names every unknown one with close
        spellings. Non-string labels go through ``str``.

        >>> EmbeddingSet(["cat", "dog"], [[1, 0], [0, 1]]).rows(["dog", "cat"])
        [1, 0]
        """
        if isinstance(labels, str):
            raise TypeError(f"rows() takes a list of labels, not one string; use rows([{labels!r}]) or row().")
        index = self.label_index
        rows: list[int] = []
        missing: list[str] = []
        for label in labels:
            key = label if isinstance(label, str) else str(label)
            row = index.row(key)
            if row is None:
                missing.append(key)
            else:
                rows.append(row)
        if missing:
            missing = list(dict.fromkeys(missing))
            raise UnknownTokenError(missing, {m: self.suggest(m) for m in missing})
        return rows

    def result_frame(self, scores: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
        """One query's search result as a ``rank, label, score`` DataFrame; unfilled rows (-1) are left out.

        >>> EmbeddingSet(["cat", "dog"], [[1, 0], [0, 1]]).result_frame(np.array([0.9, 0.0]), np.array([1, -1]))
           rank label  score
        0     1   dog    0.9
        """
        rows, scores = np.asarray(rows), np.asarray(scores)
        keep = rows >= 0
        rows, scores = rows[keep], scores[keep]
        labels = self._labels
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(rows) + 1),
                "label": [labels[r] for r in rows],
                "score": scores.astype(np.float64),
            }
        )

    def complete(self, prefix: str, limit: int = 20) -> list[str]:
        """Labels that start with ``prefix``, first rows (most frequent, for word sets) first."""
        return self.label_index.complete(prefix, limit)

    def suggest(self, token: str, n: int = 3) -> list[str]:
        """Up to ``n`` known labels spelled like ``token``."""
        return self.label_index.suggest(token, n)

    def head(self, n: int, *, name: str | None = None) -> EmbeddingSet:
        """The first ``n`` rows (for GloVe, the ``n`` most frequent words)."""
        if n <= 0:
            raise ValueError(f"n must be positive, got {n}.")
        return EmbeddingSet(
            self.labels[:n],
            self.vectors[:n],
            self.metadata.iloc[:n],
            name=name or self.name,
            encoder=self.encoder,
            device=self.device,
            storage=self.dtype,
        )

    # ---- tensors on the device ----------------------------------------------------------------

    @property
    def unit(self) -> torch.Tensor:
        """The L2-normalised vectors on the device. Zero vectors stay zero."""
        return self.cached("unit", None, self._build_unit)

    def _build_unit(self) -> torch.Tensor:
        return self._normalised_copy(self.dtype)

    def _normalised_copy(self, dtype: torch.dtype) -> torch.Tensor:
        """The unit rows in ``dtype`` on the device, built a block at a time so no second full-size
        float32 copy exists; a memory-mapped original's pages are released after each block."""
        # Padded with zero rows to whole groups of 64, so search can copy candidate groups as blocks.
        padded = torch.zeros(-(-len(self) // 64) * 64, self.dim, device=self.device, dtype=dtype)
        original, step = self.original, max(1, BLOCK_ELEMENTS // self.dim)
        for start in range(0, len(self), step):
            stop = min(len(self), start + step)
            padded[start:stop] = normalise_rows(original[start:stop].to(self.device))
            _store.release_pages(self.vectors, start, stop)
        return padded[: len(self)]

    @property
    def original(self) -> torch.Tensor:
        """The raw float32 vectors as a CPU tensor sharing their memory (a mapped file stays mapped)."""

        def build() -> torch.Tensor:
            with warnings.catch_warnings():  # a read-only mapping: torch warns, and nothing here writes to it
                warnings.simplefilter("ignore", UserWarning)
                return torch.from_numpy(self.vectors)

        return self.cached("original", None, build)

    def screen_matrix(self, n_rows: int, n_queries: int, screen: bool | None = None) -> torch.Tensor | None:
        """The bfloat16 copy of the unit vectors when a float32 search should be screened with it, else None."""
        if screen is None:
            screen = self.dtype == torch.float32 and search.should_screen(self.device, n_rows, self.dim, n_queries)
        if not screen or self.dtype != torch.float32:
            return None

        def build() -> torch.Tensor:
            if "unit" in self._derived:
                return self.unit.to(torch.bfloat16)
            return self._normalised_copy(torch.bfloat16)

        return self.cached("screen", None, build)[:n_rows]

    @property
    def raw(self) -> torch.Tensor:
        """The raw vectors on the device (for dot and Euclidean search): on the CPU the vectors themselves,
        on a GPU a copy in the storage dtype."""
        if self.device.type == "cpu":
            return self.original
        return self.cached("raw", None, lambda: self.original.to(self.device, self.dtype))

    def exact(self, metric: str = "cosine") -> bool:
        """Whether ``search`` with ``metric`` gives the float32 answer (ties aside); see the class notes."""
        return metric == "cosine" or self.device.type == "cpu" or self.dtype == torch.float32

    def memory(self) -> pd.DataFrame:
        """Bytes held, by part: ``part, bytes, mb, where``. Parts are the vectors (in RAM or a mapped file,
        whose pages are only resident while read), the search copies, other cached data (projections,
        clusters, label index arrays) and indexes (cache kinds whose name starts with "index").

        >>> EmbeddingSet(["a", "b"], [[1.0, 0.0], [0.0, 1.0]]).memory().part.tolist()
        ['vectors', 'search copies', 'caches', 'indexes']
        """
        mapped = _store.is_memory_mapped(self.vectors)
        seen = {_data_address(self.vectors)}
        totals = {"search copies": 0, "caches": 0, "indexes": 0}
        with self._cache_lock:  # a snapshot: another thread may add entries meanwhile
            derived = [(kind, list(entries.values())) for kind, entries in self._derived.items()]
        for kind, entries in derived:
            part = "search copies" if kind in SEARCH_COPIES else "indexes" if kind.startswith("index") else "caches"
            for value in entries:
                totals[part] += _nbytes(value, seen)
        return _store.memory_frame(
            [
                ("vectors", int(self.vectors.nbytes), "memory-mapped file" if mapped else "RAM"),
                *[
                    (part, size, str(self.device) if part == "search copies" else "RAM")
                    for part, size in totals.items()
                ],
            ]
        )

    # ---- neighbours ---------------------------------------------------------------------------

    def neighbors(
        self, query: Query, k: int = 10, *, metric: str = "cosine", index: str | Index = "auto"
    ) -> pd.DataFrame | list[pd.DataFrame]:
        """The ``k`` nearest rows to ``query``: a DataFrame with ``rank``, ``label``, ``score``.

        ``query`` is a label (left out of its own results), a text (when the set has an encoder),
        a vector, or a list of these / a 2-D array (then a list of DataFrames comes back).
        Scores: cosine similarity or dot product (higher first), or Euclidean distance (lower first).
        Exact search equals scikit-learn's brute-force ``NearestNeighbors``, ties aside.

        ``index``: ``"exact"`` scans every row; an ``Index`` (from ``build_index``) answers approximately;
        ``"auto"`` (the default) scans exactly while rows × dims ≤ ``AUTO_EXACT_ELEMENTS`` (2^23, about
        22k rows of 384 dims, where one exact query takes ~20 ms on 2 CPU cores) or when the set has no
        index, and uses the set's index above that. Indexes search by cosine only; other metrics are exact.
        Each frame says which answered: ``frame.attrs["index"]`` is ``"exact"`` or the index's kind
        (``"hnsw"``, ``"ivfpq"``, ``"lance"``), ``frame.attrs["recall"]`` its measured recall@k (1.0 when
        exact) and ``frame.attrs["note"]`` a short text such as ``"approximate (recall@10 0.97)"``.
        The scores an index returns are exact cosines; only which rows come back is approximate.

        >>> words = EmbeddingSet(["cat", "dog", "car"], [[1, 0], [0.9, 0.1], [0, 1]])
        >>> words.neighbors([1.0, 0.0], k=2).label.tolist()
        ['cat', 'dog']
        """
        check_k(k)
        if metric not in search.METRICS:
            raise ValueError(f"metric={metric!r} is not supported; use one of {search.METRICS}.")
        answering = self.pick_index(index, metric)
        queries, single = self._split_queries(query)
        vectors, own_rows = self._query_vectors(queries)
        k = min(k, len(self))
        if answering is not None:
            own = np.array([r if r is not None else -1 for r in own_rows], dtype=np.int64)
            scores, rows = answering.search(vectors, k, exclude=own if (own >= 0).any() else None)
            what = {"index": answering.kind, "recall": answering.recall, "note": answering.label, "exact": False}
        else:
            exclude = None
            if any(r is not None for r in own_rows):
                exclude = torch.tensor([[r if r is not None else -1] for r in own_rows], device=self.device)
            if k == 0:  # an empty set: nothing to scan (top-k needs k ≥ 1)
                scores, rows = np.zeros((len(vectors), 0), np.float32), np.zeros((len(vectors), 0), np.int64)
            else:
                scores, rows = self.search(vectors, k, metric=metric, exclude=exclude)
            # A scan is exact unless it ran over half-precision storage with nothing to rescore from.
            scanned_exactly = self.exact(metric)
            note = "exact" if scanned_exactly else f"approximate ({str(self.dtype).removeprefix('torch.')} storage)"
            what = {
                "index": "exact",
                "recall": 1.0 if scanned_exactly else None,
                "note": note,
                "exact": scanned_exactly,
            }
        frames = [self.result_frame(s, r) for s, r in zip(scores, rows)]
        for frame in frames:
            frame.attrs.update(what)
        return frames[0] if single else frames

    def pick_index(self, index: str | Index = "auto", metric: str = "cosine") -> Index | None:
        """The approximate index that should answer, or None for the exact scan (see ``neighbors``)."""
        if isinstance(index, Index):
            if not index.belongs_to(self):
                raise ValueError("this index was built from another set; build one for this set with build_index().")
            index.check()
            if metric != "cosine":
                raise ValueError(
                    f"indexes search by cosine similarity; use metric='cosine' or index='exact', not {metric!r}."
                )
            return None if index.exact else index
        if index == "exact":
            return None
        if index != "auto":
            raise ValueError(f"index={index!r}: use 'auto', 'exact' or an index from build_index().")
        built = self.index
        if built is None or built.exact or metric != "cosine":
            return None
        if len(self) * self.dim <= _index.AUTO_EXACT_ELEMENTS:
            return None
        return built

    # ---- indexes ------------------------------------------------------------------------------

    @property
    def index(self) -> Index | None:
        """The index ``build_index`` made last (None before, and after the vectors change)."""
        return self._derived.get("index", {}).get(None)

    def build_index(
        self,
        kind: str = "hnsw",
        path: str | None = None,
        *,
        progress: bool = True,
        recall_sample: int = 1000,
        **params: Any,
    ) -> Index:
        """Build an approximate cosine index for ``neighbors``, measure its recall@10 and keep it in the set.

        ``kind``: ``"hnsw"`` (FAISS graph in RAM; ``m``, ``ef_construction``, ``ef_search``), ``"ivfpq"``
        (FAISS IVF-PQ in RAM, compressed; ``nlist``, ``sub_vectors``, ``nbits``, ``nprobe``, and ``refine``:
        candidates per result rescored exactly in float32) or ``"lance"`` (LanceDB IVF-PQ on disk in the folder
        ``path``; ``num_partitions``, ``num_sub_vectors``, ``nprobes``, ``refine_factor``; an index already at
        ``path`` built from these same vectors is reopened instead of rebuilt unless ``rebuild=True``).
        With ``path=``, a FAISS index is written there by FAISS's own writer (a JSON note beside it records which
        vectors it indexes) and read back instead of rebuilt when those vectors come again; ``rebuild=True``
        forces a new build. A set opened with ``from_parquet`` / ``from_lance`` keeps its index in the sidecar
        folder beside its source (``<source>.ew/``) when no path is given, and reopens it, recall included, the
        next time the source is opened.
        FAISS comes with ``pip install embedwidgets[index]``, LanceDB with ``embedwidgets[scale]``.

        The recall (``index_recall(k=10, sample=recall_sample)``) is printed and kept on the index. The index
        is dropped with the rest of the derived data when the vectors change or ``invalidate()`` runs; an
        index kept elsewhere then raises a ``StaleIndexError`` when used.
        """
        chosen = path if path is not None else _index.default_path(self, kind)
        built = _index.build(self, kind, chosen, dict(params), progress)
        self.keep_index(built)
        if not built.exact and recall_sample > 0 and not (built.params.get("reopened") and built.recall is not None):
            built.recall = self.index_recall(k=10, sample=recall_sample, index=built)
            built.recall_k = min(10, len(self) - 1)
            _index.remember(built)
        if not built.exact:
            how = "reopened" if built.params.get("reopened") else "built"
            recall = "not measured" if built.recall is None else f"{built.recall:.3f}"
            print(f"{kind} index over {len(self):,} rows ({how}): recall@10 {recall} against exact search")
        return built

    def keep_index(self, index: Index) -> None:
        """Make ``index`` (built for this set) the one ``neighbors(index="auto")`` and the widgets use."""
        if not index.belongs_to(self):
            raise ValueError("this index was built from another set; build one for this set with build_index().")
        with self._cache_lock:
            self._derived["index"] = {None: index}

    def index_recall(self, k: int = 10, sample: int = 1000, *, index: Index | None = None, seed: int = 0) -> float:
        """recall@k of ``index`` (default: the set's) against exact search, with ``sample`` random rows of the set
        as queries (each left out of its own answers): the share of the exact top k that the index also finds."""
        chosen = index if index is not None else self.index
        if chosen is None:
            raise ValueError("this set has no index yet; build one with build_index().")
        chosen.check()
        return _index.recall_at_k(chosen, self, k, sample, seed)

    def similarities(self, query: Query) -> np.ndarray:
        """Cosine similarity of every row to one query (a label, a text when the set has an encoder, or a
        vector): a float32 array aligned with the rows. A label query scores 1.0 against itself.

        >>> words = EmbeddingSet(["cat", "dog", "car"], [[1, 0], [0.9, 0.1], [0, 1]])
        >>> [round(float(s), 2) for s in words.similarities("cat")]
        [1.0, 0.99, 0.0]
        """
        queries, single = self._split_queries(query)
        if not single:
            raise ValueError("similarities() takes one query (a label, a text or a vector), not a batch.")
        vectors, _ = self._query_vectors(queries)
        direction = normalise_rows(torch.as_tensor(vectors, device=self.device))[0]
        unit, out = self.unit, np.empty(len(self), dtype=np.float32)
        step = 1 << 18  # rows per block, so a float16 copy never widens the whole matrix at once
        for start in range(0, len(self), step):
            out[start : start + step] = (unit[start : start + step].float() @ direction).cpu().numpy()
        return out

    def search(
        self,
        vectors: torch.Tensor | np.ndarray,
        k: int,
        *,
        metric: str = "cosine",
        exclude: torch.Tensor | None = None,
        restrict: int | None = None,
        screen: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Low-level exact top-k for a (queries, dim) array: ``(scores, rows)`` as numpy arrays.

        Rows that could not be filled (too few rows left after ``exclude``) have row -1.
        ``screen`` (cosine only) forces the bfloat16 screen on or off; by default it is used for
        big batches on CPUs that are fast at bfloat16. The results are the same either way.
        """
        queries = torch.as_tensor(
            np.asarray(vectors, dtype=np.float32) if not isinstance(vectors, torch.Tensor) else vectors,
            device=self.device,
        ).float()
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(
                f"query vectors have dimension {queries.shape[-1]}, but this set's vectors "
                f"have dimension {self.dim}; encode the query with the same model."
            )
        n = len(self) if restrict is None else max(1, min(restrict, len(self)))
        if metric == "cosine":
            scorer = self._cosine_scorer(n, normalise_rows(queries), screen)
        elif metric == "dot":
            scorer = search.LinearScorer(self.raw[:n], queries.to(self.dtype))
        else:
            scorer = search.LinearScorer(self.raw[:n].float(), queries, self._half_sq_norms()[:n])
        scores, rows = search.top_k(scorer, k, exclude=exclude)
        scores = scores.float()
        if metric == "euclidean":
            scores = -scores
        rows = rows.masked_fill(torch.isinf(scores), -1)
        return scores.cpu().numpy(), rows.cpu().numpy()

    def _cosine_scorer(self, n: int, queries: torch.Tensor, screen: bool | None) -> LinearScorer:
        release = self._release_vectors if _store.is_memory_mapped(self.vectors) else None
        if self.dtype != torch.float32:  # scan the reduced copy, rescore from the float32 vectors
            return LinearScorer(self.original[:n], queries, screen=self.unit[:n], normalise=True, release=release)
        screen_copy = self.screen_matrix(n, len(queries), screen)
        if screen_copy is None or "unit" in self._derived:
            return LinearScorer(self.unit[:n], queries, screen=screen_copy)
        # Only the screen exists: rescore from the vectors rather than build a float32 unit copy.
        return LinearScorer(self.original[:n], queries, screen=screen_copy, normalise=True, release=release)

    def _release_vectors(self) -> None:
        _store.release_pages(self.vectors, 0, len(self))

    def _half_sq_norms(self) -> torch.Tensor:
        """Half of each raw row's squared length, for Euclidean search."""

        def build() -> torch.Tensor:
            raw = self.raw.float()
            return (raw * raw).sum(1) / 2

        return self.cached("half squared norms", None, build)

    def _split_queries(self, query: Query) -> tuple[list[Any], bool]:
        if isinstance(query, str):
            return [query], True
        if isinstance(query, (np.ndarray, torch.Tensor)):
            if query.ndim == 1:
                return [query], True
            if query.ndim == 2:
                if query.shape[0] == 0:
                    raise ValueError("the query batch is empty; pass at least one query.")
                return list(query), False
            raise ValueError(f"a vector query must be 1-D (one vector) or 2-D (a batch), not {query.ndim}-D.")
        if isinstance(query, (list, tuple)):
            if not query:
                raise ValueError("the query is empty; pass a label, a text or a vector.")
            if all(isinstance(q, (int, float, np.number)) and not isinstance(q, bool) for q in query):
                return [np.asarray(query, dtype=np.float32)], True
            return list(query), False
        raise TypeError(f"a query is a label, a text, a vector or a list of these, not {type(query).__name__}.")

    def _query_vectors(self, queries: list[Any]) -> tuple[np.ndarray, list[int | None]]:
        """Vectors for each query and, for label queries, the row to leave out."""
        out = np.empty((len(queries), self.dim), dtype=np.float32)
        own: list[int | None] = [None] * len(queries)
        texts: dict[int, str] = {}
        unknown: list[str] = []
        for i, q in enumerate(queries):
            if isinstance(q, str):
                row = self.row(q)
                if row is None and not q.strip():  # a label may be blank; only then is a blank query one
                    raise ValueError("the query is an empty string; type a label or a text.")
                if row is not None:
                    own[i] = row
                    out[i] = self.vectors[row]
                elif self.encoder is not None:
                    texts[i] = q
                else:
                    unknown.append(q)
            else:
                vector = np.asarray(q.detach().cpu() if isinstance(q, torch.Tensor) else q, dtype=np.float32)
                if vector.ndim != 1:
                    raise ValueError(f"each vector query must be 1-D, got shape {vector.shape}.")
                if vector.shape[0] != self.dim:
                    raise ValueError(
                        f"the query vector has dimension {vector.shape[0]}, but this set's "
                        f"vectors have dimension {self.dim}."
                    )
                if not np.isfinite(vector).all():
                    raise ValueError("the query vector contains NaN or infinite values.")
                out[i] = vector
        if unknown:
            unknown = list(dict.fromkeys(unknown))
            raise UnknownTokenError(unknown, {u: self.suggest(u) for u in unknown})
        if texts and self.encoder is not None:
            out[list(texts)] = encode_queries(self.encoder, list(texts.values()))
        return out, own

    # ---- analogies ----------------------------------------------------------------------------

    def analogy(
        self,
        positive: Sequence[str],
        negative: Sequence[str] = (),
        k: int = 5,
        *,
        method: str = "3cosadd",
        exclude_inputs: bool = True,
        restrict_vocab: int | None = None,
        index: str | Index = "auto",
    ) -> pd.DataFrame:
        """Words that complete an analogy, as gensim's ``most_similar`` / ``most_similar_cosmul`` rank them.

        king − man + woman is ``analogy(positive=["king", "woman"], negative=["man"])``.
        With ``exclude_inputs=False`` the inputs may come back themselves (often "king" first).
        ``index`` works as in ``neighbors``: with ``"auto"``, a big set with an index answers 3CosAdd
        through it (3CosMul and ``restrict_vocab`` always scan exactly), and ``frame.attrs["note"]`` says
        "exact" or "approximate (recall@10 ...)".

        >>> glove().analogy(["king", "woman"], ["man"], k=1).label[0]   # doctest: +SKIP
        'queen'
        """
        return _analogy.analogy(
            self,
            positive,
            negative,
            k=k,
            method=method,
            exclude_inputs=exclude_inputs,
            restrict_vocab=restrict_vocab,
            index=index,
        )

    def analogies(
        self,
        questions: Any,
        k: int = 1,
        *,
        method: str = "3cosadd",
        exclude_inputs: bool = True,
        restrict_vocab: int | None = None,
    ) -> pd.DataFrame:
        """Answer many "a is to b as c is to ?" questions (b − a + c) in one pass on the device.

        ``questions`` is a list of (a, b, c) triples or a DataFrame with columns a, b, c. Returns one
        row per answer: ``question, a, b, c, rank, label, score``.
        """
        return _analogy.analogies(
            self, questions, k=k, method=method, exclude_inputs=exclude_inputs, restrict_vocab=restrict_vocab
        )

    def evaluate_analogies(
        self,
        path: str | None = None,
        *,
        restrict_vocab: int = 300000,
        method: str = "3cosadd",
        case_insensitive: bool = True,
    ) -> AnalogyReport:
        """Accuracy on an analogy benchmark (default: the Google ``questions-words.txt``), as gensim scores it."""
        return _analogy.evaluate_analogies(
            self, path, restrict_vocab=restrict_vocab, method=method, case_insensitive=case_insensitive
        )

    def evaluate_similarity(
        self, name_or_path: str = "wordsim353", *, restrict_vocab: int = 300000, case_insensitive: bool = True
    ) -> SimilarityReport:
        """Spearman correlation with human similarity judgements (wordsim353, simlex999 or a TSV path)."""
        return _analogy.evaluate_similarity(
            self, name_or_path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
        )

    # ---- structure and the uses beyond retrieval -----------------------------------------------

    def project(
        self,
        method: str = "pca",
        n_components: int = 2,
        *,
        seed: int = 0,
        progress: Any = None,
        landmarks: int | None = None,
        **options: Any,
    ) -> np.ndarray:
        """Coordinates of every row: ``"pca"`` (exact, torch), ``"umap"`` or ``"tsne"``; cached per parameters.

        ``progress(fraction, message)`` is called as the work goes on. UMAP above 100,000 rows is a landmark
        layout by default (UMAP of 50,000 seeded random rows, the rest placed from their nearest landmarks), which
        is approximate: ``landmarks=0`` forces a full UMAP, a count sets the landmarks, and
        ``projection_info`` says which one a call gives.

        >>> xy = words.head(5000).project("pca")   # doctest: +SKIP
        """
        return _project.project(
            self, method, n_components, seed=seed, progress=progress, landmarks=landmarks, **options
        )

    def projection_info(self, method: str = "pca", *, landmarks: int | None = None, **options: Any) -> dict:
        """Whether ``project(method, landmarks=..., **options)`` is exact or approximate, with a one-line note
        to show beside the map, e.g. ``{"approximate": True, "landmarks": 50000, "note": "approximate: ..."}``."""
        return _project.projection_info(self, method, landmarks=landmarks, **options)

    def axes(self, x: tuple[Any, Any], y: tuple[Any, Any] | None = None) -> np.ndarray:
        """Coordinates along word-defined directions, e.g. ``axes(x=("man", "woman"), y=("king", "queen"))``."""
        return _project.axes(self, x, y)

    def place(
        self, queries: Sequence[Any], *, x: tuple[Any, Any] | None = None, y: tuple[Any, Any] | None = None
    ) -> np.ndarray:
        """2-D coordinates of a few labels, texts or vectors: their PCA, or with ``x`` and ``y`` two word axes.

        >>> words.place(["king", "queen"], x=("man", "woman"), y=("young", "old"))   # doctest: +SKIP
        """
        return _project.place(self, queries, x=x, y=y)

    def cluster(
        self, method: str = "kmeans", k: int = 8, *, seed: int = 0, progress: Any = None, **options: Any
    ) -> np.ndarray:
        """A cluster id per row: k-means in torch (k-means++ start) or HDBSCAN (-1 = noise)."""
        clusters = _cluster.cluster(self, method, k, seed=seed, progress=progress, **options)
        with self._cache_lock:
            self._derived["last clusters"] = {None: clusters}  # what cluster_labels() labels by default
        return clusters

    def cluster_labels(
        self, clusters: Sequence[int] | np.ndarray | None = None, *, top_n: int = 3, text_column: str | None = None
    ) -> pd.DataFrame:
        """Keywords per cluster by class-based TF-IDF over the labels (or a metadata text column).

        ``clusters`` defaults to the last ``cluster()`` result.
        """
        if clusters is None:
            clusters = self._derived.get("last clusters", {}).get(None)
            if clusters is None:
                raise ValueError("no clusters yet: call cluster() first, or pass clusters=.")
        if len(clusters) != len(self):
            raise ValueError(f"clusters has {len(clusters)} entries but the set has {len(self)} rows.")
        if text_column is not None and text_column not in self.metadata.columns:
            raise KeyError(f"no metadata column {text_column!r}; the columns are {list(self.metadata.columns)}.")
        texts = self.labels if text_column is None else self.metadata[text_column].astype(str).tolist()
        return _cluster.keyword_labels(texts, clusters, top_n)

    def duplicates(self, threshold: float = 0.95) -> pd.DataFrame:
        """Groups of near-duplicates (cosine ≥ threshold), found exactly: ``group, row, label, similarity``."""
        return _similarity.duplicates(self, threshold)

    def outliers(self, k: int = 10) -> pd.Series:
        """Each row's cosine distance to its k-th nearest neighbour (high = isolated), indexed by label."""
        return _similarity.outliers(self, k)

    def classify(self, classes: Sequence[str], encoder: Encoder | None = None) -> pd.DataFrame:
        """Zero-shot classification: the nearest class-name embedding wins: ``label, class, score, ...``."""
        return _similarity.classify(self, classes, encoder)

    def recommend(self, liked: Sequence[str], k: int = 10) -> pd.DataFrame:
        """Rows nearest to the mean of the liked rows, the liked ones left out: ``rank, label, score``."""
        check_k(k)
        return _similarity.recommend(self, liked, k)


class _Building:
    """One cache entry being built: its lock, and how many threads hold or wait for it."""

    def __init__(self) -> None:
        # Re-entrant, so a build that asks for its own entry fails with a RecursionError rather than hanging.
        self.lock = threading.RLock()
        self.waiting = 0


def _check_encoder_dim(encoder: Encoder | None, matrix: np.ndarray) -> None:
    if encoder is not None and getattr(encoder, "dim", matrix.shape[1]) != matrix.shape[1]:
        raise ValueError(
            f"the encoder makes {encoder.dim}-dimensional vectors but these are "
            f"{matrix.shape[1]}-dimensional; pass the encoder that made them."
        )


def _as_matrix(vectors: Any) -> np.ndarray:
    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().cpu().float().numpy()
    if np.iscomplexobj(vectors):  # numpy would drop the imaginary parts with only a warning
        raise ValueError(
            "vectors are complex numbers; pass real ones (e.g. the real part, or real and imaginary side by side)."
        )
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"vectors must be a 2-D array of numbers with one row per label, all rows the same length ({error})."
        ) from None
    if matrix.ndim != 2:
        raise ValueError(f"vectors must be 2-D (rows × dimensions), got shape {matrix.shape}.")
    if matrix.shape[1] == 0:
        raise ValueError("vectors have zero dimensions; each row needs at least one number.")
    return np.ascontiguousarray(matrix)


SEARCH_COPIES = ("unit", "screen", "raw", "original", "half squared norms")
BLOCK_ELEMENTS = 1 << 24  # values per block when a whole-matrix pass goes a block at a time


def _data_address(value: Any) -> int:
    if isinstance(value, torch.Tensor):
        return value.untyped_storage().data_ptr()
    return int(np.asarray(value).__array_interface__["data"][0])


def _nbytes(value: Any, seen: set[int], depth: int = 0) -> int:
    """Bytes of the arrays in a cached value, each buffer counted once (views of the vectors not at all)."""
    if isinstance(value, torch.Tensor):
        address = value.untyped_storage().data_ptr()
        if address in seen:
            return 0
        seen.add(address)
        return int(value.untyped_storage().nbytes())
    if isinstance(value, np.ndarray):
        root = value
        while isinstance(root.base, np.ndarray):
            root = root.base
        address = _data_address(root)
        if address in seen:
            return 0
        seen.add(address)
        return int(root.nbytes)
    if depth > 2:  # arrays inside cached objects, not whatever those objects point to
        return 0
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v, seen, depth + 1) for v in value if isinstance(v, (np.ndarray, torch.Tensor)))
    if isinstance(value, dict):
        return sum(_nbytes(v, seen, depth + 1) for v in value.values())
    return sum(_nbytes(v, seen, depth + 1) for v in getattr(value, "__dict__", {}).values())


def _check_finite(matrix: np.ndarray) -> None:
    step = max(1, BLOCK_ELEMENTS // max(1, matrix.shape[1]))
    bad_blocks = []
    for start in range(0, matrix.shape[0], step):
        block = matrix[start : start + step]
        bad_blocks.append(start + np.flatnonzero(~np.isfinite(block).all(axis=1)))
        _store.release_pages(matrix, start, start + step)
    bad = np.concatenate(bad_blocks) if bad_blocks else np.zeros(0, dtype=np.int64)
    if bad.size:
        shown = ", ".join(str(r) for r in bad[:10])
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        raise ValueError(
            f"vectors contain NaN or infinite values in rows {shown}{more}; "
            f"drop or repair those rows before building the set."
        )


def _as_metadata(metadata: Any, n: int) -> pd.DataFrame:
    if metadata is None:
        return pd.DataFrame(index=pd.RangeIndex(n))
    try:
        table = metadata if isinstance(metadata, pd.DataFrame) else pd.DataFrame(metadata)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"metadata must be a DataFrame, or a dict of columns / list of rows that makes one, with one row per "
            f"vector; a {type(metadata).__name__} does not ({error})."
        ) from None
    if len(table) != n:
        raise ValueError(
            f"metadata has {len(table)} rows but there are {n} vectors; it needs one row per vector, in the same order."
        )
    return table.reset_index(drop=True)

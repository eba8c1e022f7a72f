"""Sets in and out of files: Parquet and Lance in, one Lance dataset out, memory-mapped arrays kept as they are.

Vectors come in as at most one float32 working copy: Arrow batches are streamed into one preallocated
array, never a whole Arrow table plus a numpy copy. A memory-mapped ``.npy`` (``np.load(path,
mmap_mode="r")``) is used in place, and after a pass over it the pages that pass read are handed back
to the kernel (``release_pages``), so scanning a mapped file does not leave it resident.

Parquet and Lance pages cannot be mapped as one float32 matrix, so vectors bigger than
``CACHE_ABOVE_BYTES`` are streamed once into a ``.npy`` file in the source's sidecar folder
(``<source>.ew/``) and memory-mapped from there: a 10M×384 corpus then costs disk, not RAM, and opening it
again reuses that file while the source is unchanged. Indexes built for a set with a source live in the
same folder and are reopened with it.

Lance (``pylance``) is optional: ``pip install embedwidgets[scale]``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

LABEL_COLUMN = "label"
VECTOR_COLUMN = "vector"
# The derived data that save() writes and from_lance() puts back: projections and clusters.
SAVED_KINDS = ("projection", "clusters")
SCHEMA_KEY = b"embedwidgets"
SIDECAR_SUFFIX = ".ew"
CACHE_ABOVE_BYTES = 1 << 30  # float32 vectors bigger than this are memory-mapped from the sidecar, not held in RAM
VECTORS_FILE = "vectors.npy"
SAVE_BATCH_ELEMENTS = 1 << 24  # vector values per batch that save() writes (64 MB of float32)


class StoreError(ValueError):
    """A file or dataset that cannot become an EmbeddingSet; the message names the problem and the fix."""


# ---- memory-mapped arrays --------------------------------------------------------------------------


def _mapping(array: np.ndarray) -> tuple[mmap.mmap, int] | None:
    """The read-only or shared file mapping behind ``array`` and the address where it starts, or None."""
    base: Any = array
    while isinstance(base, np.ndarray):
        parent = base.base
        if isinstance(parent, mmap.mmap):
            if getattr(base, "mode", None) not in ("r", "r+"):
                return None  # copy-on-write mappings may hold the caller's edits: never drop those pages
            start = base.ctypes.data - int(getattr(base, "offset", 0)) % mmap.ALLOCATIONGRANULARITY
            return parent, start
        base = parent
    return None


def is_memory_mapped(array: np.ndarray) -> bool:
    """Whether ``array`` reads straight from a file mapping (e.g. ``np.load(path, mmap_mode="r")``)."""
    return _mapping(array) is not None


def release_pages(array: np.ndarray, start: int, stop: int) -> None:
    """Let the kernel drop rows ``start:stop`` of a memory-mapped array from this process's memory; they
    are read back from the file when next touched. Does nothing for arrays in RAM."""
    found = _mapping(array)
    if found is None or not hasattr(mmap, "MADV_DONTNEED") or stop <= start:
        return
    mapping, mapped_at = found
    row_bytes = array.strides[0]
    first = array.ctypes.data + start * row_bytes - mapped_at
    last = array.ctypes.data + stop * row_bytes - mapped_at
    first -= first % mmap.PAGESIZE
    last = min(len(mapping), -(-last // mmap.PAGESIZE) * mmap.PAGESIZE)
    if last > first:
        with contextlib.suppress(OSError, ValueError):  # only a memory saving; the data is right either way
            mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


# ---- Arrow vectors -----------------------------------------------------------------------------------


def _require_lance() -> Any:
    try:
        import lance
    except ImportError:
        raise ImportError(
            "Lance datasets need the optional package pylance; install it with: pip install embedwidgets[scale]"
        ) from None
    return lance


def _vector_width(kind: pa.DataType, column: str) -> int | None:
    if pa.types.is_fixed_size_list(kind):
        value_type, width = kind.value_type, kind.list_size
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        value_type, width = kind.value_type, None
    else:
        raise StoreError(
            f"column {column!r} holds {kind}, not vectors; pass vector_column= the column of "
            f"fixed-size or variable lists of floats."
        )
    if not (pa.types.is_floating(value_type) or pa.types.is_integer(value_type)):
        raise StoreError(f"column {column!r} holds lists of {value_type}, not numbers; pass a column of float lists.")
    return width


class _RamSink:
    """Vectors streamed into one preallocated float32 array in RAM."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.array: np.ndarray | None = None

    def put(self, row: int, block: np.ndarray) -> None:
        if self.array is None:
            self.array = np.empty((self.n, block.shape[1]), dtype=np.float32)
        self.array[row : row + len(block)] = block

    def finish(self) -> np.ndarray | None:
        return self.array

    def discard(self) -> None:
        self.array = None


class _FileSink:
    """Vectors streamed, in row order, into a ``.npy`` file by plain writes (no mapping, so they never count
    as this process's memory), then opened memory-mapped. Until ``finish`` they sit under a scratch name."""

    def __init__(self, n: int, target: Path) -> None:
        self.n, self.target = n, target
        self.scratch = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        self.file: Any = None
        self.written = 0

    def put(self, row: int, block: np.ndarray) -> None:
        if self.file is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(self.scratch, "wb")  # noqa: SIM115 - closed in finish/discard
            header = {"descr": "<f4", "fortran_order": False, "shape": (self.n, block.shape[1])}
            np.lib.format.write_array_header_1_0(self.file, header)
        assert row == self.written, "vector batches arrive in row order"
        self.file.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
        self.written += len(block)

    def finish(self) -> np.ndarray | None:
        if self.file is None:
            return None
        self.file.close()
        os.replace(self.scratch, self.target)
        return np.load(self.target, mmap_mode="r", allow_pickle=False)

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        self.scratch.unlink(missing_ok=True)


def _fill_vectors(batches: Any, n: int, column: str, width: int | None, sink: Any = None) -> np.ndarray:
    """Stream record batches of one list column into a single (n, d) float32 array: in RAM, or through
    ``sink`` (a ``_FileSink``) into a memory-mapped file. Nothing is left behind when a row is refused."""
    sink = sink if sink is not None else _RamSink(n)
    row = 0
    try:
        for batch in batches:
            values = batch.column(0)
            if values.null_count:
                first = row + int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
                raise StoreError(
                    f"column {column!r} has an empty (null) vector at row {first}; drop or fill those rows."
                )
            if len(values) == 0:
                continue
            if width is None:  # variable lists: every row must have the first row's length
                lengths = np.diff(values.offsets.to_numpy())
                if row == 0:
                    width = int(lengths[0])
                bad = np.flatnonzero(lengths != width)
                if bad.size:
                    raise StoreError(
                        f"column {column!r} has rows of different lengths: row {row + int(bad[0])} has "
                        f"{int(lengths[bad[0]])} values but row 0 has {width}; every vector needs the same dimension."
                    )
            if not width:
                raise StoreError(f"column {column!r} holds empty vectors; each needs at least one number.")
            block = values.flatten().to_numpy(zero_copy_only=False).reshape(len(values), width)
            sink.put(row, block)
            row += len(values)
        out = sink.finish()
    except BaseException:
        sink.discard()
        raise
    if out is None:
        raise StoreError(f"column {column!r} has no rows; there is nothing to load.")
    return out


# ---- the sidecar folder: a mapped copy of the vectors, and indexes --------------------------------


def sidecar(source: Path) -> Path:
    """The folder beside ``source`` where what embedwidgets derives from it is kept (``corpus.lance.ew``)."""
    return source.with_name(source.name + SIDECAR_SUFFIX)


def _parquet_signature(dataset: Any, source: Path) -> dict[str, Any]:
    files = []
    for name in sorted(dataset.files):
        stat = os.stat(name)
        files.append([os.path.relpath(name, source.parent), stat.st_size, stat.st_mtime_ns])
    return {"format": "parquet", "files": hashlib.sha256(json.dumps(files).encode()).hexdigest()}


def _lance_signature(dataset: Any) -> dict[str, Any]:
    return {"format": "lance", "version": int(dataset.version), "rows": int(dataset.count_rows())}


def _cache_folder(vectors_cache: Any, source: Path, nbytes: int) -> Path | None:
    """Where the mapped copy of the vectors goes: None keeps them in RAM. ``vectors_cache``: None (auto: to
    the sidecar when bigger than ``CACHE_ABOVE_BYTES``), True, False, or a folder of the caller's choice."""
    if vectors_cache is None:
        return sidecar(source) if nbytes > CACHE_ABOVE_BYTES else None
    if isinstance(vectors_cache, bool):
        return sidecar(source) if vectors_cache else None
    if isinstance(vectors_cache, (str, os.PathLike)):
        return Path(vectors_cache).expanduser()
    raise TypeError(f"vectors_cache must be None (auto), True, False or a folder path, not {vectors_cache!r}.")


def _read_vectors(
    batches: Callable[[], Any], n: int, column: str, width: int | None, folder: Path | None, signature: dict
) -> np.ndarray:
    """The vector column as a float32 matrix: in RAM when ``folder`` is None, else memory-mapped from
    ``folder/vectors.npy``, which is reused while the source's ``signature`` and the column are unchanged."""
    if folder is None:
        return _fill_vectors(batches(), n, column, width)
    note_path = folder / (VECTORS_FILE + ".json")
    note = {**signature, "column": column, "rows": n}
    cached = folder / VECTORS_FILE
    if cached.exists() and note_path.exists() and json.loads(note_path.read_text()) == note:
        found = np.load(cached, mmap_mode="r", allow_pickle=False)
        if found.dtype == np.float32 and found.shape[0] == n:
            return found
    note_path.unlink(missing_ok=True)  # the old copy is no longer vouched for while it is rewritten
    try:
        vectors = _fill_vectors(batches(), n, column, width, _FileSink(n, cached))
    except PermissionError as error:
        raise StoreError(
            f"cannot write the memory-mapped copy of the vectors to {str(folder)!r} ({error.strerror}); pass "
            f"vectors_cache= a writable folder, or vectors_cache=False to hold them in RAM."
        ) from None
    note_path.write_text(json.dumps(note))
    return vectors


def _metadata_columns(
    names: Sequence[str], used: Sequence[str | None], metadata_columns: Sequence[str] | None
) -> list[str]:
    if metadata_columns is not None:
        return list(metadata_columns)
    return [c for c in names if c not in used and not c.startswith("_ew_")]


def _check_columns(wanted: Sequence[str | None], names: Sequence[str], where: str) -> None:
    missing = [c for c in wanted if c is not None and c not in names]
    if missing:
        raise StoreError(
            f"{where} has no column {missing[0]!r}" + (f" (nor {missing[1:]})" if len(missing) > 1 else "") + f"; "
            f"its columns are {list(names)}. Pass the right name with vector_column= / label_column=."
        )


def _check_path(path: str | os.PathLike[str], what: str) -> Path:
    found = Path(path).expanduser()
    if not found.exists():
        raise FileNotFoundError(f"{what} {str(found)!r} does not exist; check the path (a file or a folder).")
    return found


def _build(
    cls: type[EmbeddingSet],
    table: pa.Table,
    vectors: np.ndarray,
    label_column: str | None,
    text_column: str | None,
    meta: list[str],
    options: dict[str, Any],
    source: Path,
    folder: Path | None,
) -> EmbeddingSet:
    frame = table.select(meta).to_pandas() if meta else None
    if label_column is not None:
        labels: list[Any] = table.column(label_column).to_pylist()
    elif text_column is not None:
        labels = table.column(text_column).to_pylist()
    else:
        labels = [str(i) for i in range(len(vectors))]
    if text_column is not None and label_column is not None and frame is not None and text_column not in frame:
        frame[text_column] = table.column(text_column).to_pylist()
    try:
        es = cls(labels, vectors, frame, **options)
    except Exception:
        if folder is not None:  # a refused set leaves no mapped copy behind
            (folder / (VECTORS_FILE + ".json")).unlink(missing_ok=True)
            (folder / VECTORS_FILE).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    es.source = source
    es.sidecar = folder if folder is not None else sidecar(source)
    from . import index as _index  # deferred: index imports nothing from here, but keep the import light

    _index.reopen(es)
    return es


# ---- readers -----------------------------------------------------------------------------------------


def from_parquet(
    cls: type[EmbeddingSet],
    path: str | os.PathLike[str],
    *,
    vector_column: str,
    label_column: str | None = None,
    text_column: str | None = None,
    metadata_columns: Sequence[str] | None = None,
    vectors_cache: Any = None,
    **options: Any,
) -> EmbeddingSet:
    """See ``EmbeddingSet.from_parquet``."""
    import pyarrow.dataset as pads

    source = _check_path(path, "the Parquet file or folder")
    dataset = pads.dataset(str(source), format="parquet")
    names = dataset.schema.names
    _check_columns([vector_column, label_column, text_column, *(metadata_columns or [])], names, str(source))
    width = _vector_width(dataset.schema.field(vector_column).type, vector_column)
    n = dataset.count_rows()
    if width is None:  # variable lists: the first row's length, from one small batch (Arrow's head() reads ahead)
        first = next(dataset.to_batches(columns=[vector_column], batch_size=1, batch_readahead=0, fragment_readahead=0))
        folder = _cache_folder(vectors_cache, source, n * 4 * _first_row_width(first.column(0)))
    else:
        folder = _cache_folder(vectors_cache, source, n * 4 * width)
    vectors = _read_vectors(
        lambda: _parquet_batches(dataset.files, vector_column),
        n,
        vector_column,
        width,
        folder,
        _parquet_signature(dataset, source) if folder is not None else {},
    )
    meta = _metadata_columns(names, [vector_column, label_column], metadata_columns)
    wanted = list(dict.fromkeys([c for c in [label_column, text_column, *meta] if c is not None]))
    table = dataset.to_table(columns=wanted) if wanted else pa.table({})
    pa.default_memory_pool().release_unused()
    options.setdefault("name", source.stem)
    return _build(cls, table, vectors, label_column, text_column, meta, options, source, folder)


def _parquet_batches(files: Sequence[str], column: str) -> Any:
    """One column's record batches, file by file and row group by row group, in the dataset's row order.

    Arrow's threaded dataset scan kept what it had read (about 1.5× the column, measured here: a 10M×384
    column would need 20+ GB), so the vectors are read one row group at a time, without read-ahead buffers,
    and Arrow's pool is told to hand the freed memory back after each group: at most one group is held.
    """
    import pyarrow.parquet as pq

    pool = pa.default_memory_pool()
    for name in files:
        with pq.ParquetFile(name, pre_buffer=False) as reader:
            for group in range(reader.num_row_groups):
                table = reader.read_row_group(group, columns=[column], use_threads=False)
                yield from table.to_batches()
                del table
                pool.release_unused()


def _first_row_width(column: pa.Array | pa.ChunkedArray) -> int:
    """How many numbers the first vector of a list column holds (0 for no rows)."""
    return len(column[0].values) if len(column) and column[0].values is not None else 0


def from_lance(
    cls: type[EmbeddingSet],
    uri: str | os.PathLike[str],
    *,
    vector_column: str | None = None,
    label_column: str | None = None,
    text_column: str | None = None,
    metadata_columns: Sequence[str] | None = None,
    vectors_cache: Any = None,
    **options: Any,
) -> EmbeddingSet:
    """See ``EmbeddingSet.from_lance``."""
    lance = _require_lance()
    source = _check_path(uri, "the Lance dataset")
    dataset = lance.dataset(str(source))
    schema = dataset.schema
    saved = json.loads(schema.metadata[SCHEMA_KEY]) if schema.metadata and SCHEMA_KEY in schema.metadata else None
    if saved is not None:
        vector_column = vector_column or saved["vector_column"]
        label_column = label_column or saved["label_column"]
        if metadata_columns is None:
            metadata_columns = saved["metadata_columns"]
        options.setdefault("name", saved.get("name"))
    if vector_column is None:
        raise StoreError(f"pass vector_column=: the dataset {str(source)!r} was not written by save().")
    names = schema.names
    _check_columns([vector_column, label_column, text_column, *(metadata_columns or [])], names, str(source))
    width = _vector_width(schema.field(vector_column).type, vector_column)
    n = dataset.count_rows()
    first = dataset.to_table(columns=[vector_column], limit=1).column(0)
    folder = _cache_folder(vectors_cache, source, n * 4 * (width or _first_row_width(first)))
    vectors = _read_vectors(
        lambda: dataset.to_batches(columns=[vector_column]),
        n,
        vector_column,
        width,
        folder,
        _lance_signature(dataset) if folder is not None else {},
    )
    meta = _metadata_columns(names, [vector_column, label_column], metadata_columns)
    wanted = list(dict.fromkeys([c for c in [label_column, text_column, *meta] if c is not None]))
    table = dataset.to_table(columns=wanted) if wanted else pa.table({})
    options.setdefault("name", source.stem)
    es = _build(cls, table, vectors, label_column, text_column, meta, options, source, folder)
    for entry in (saved or {}).get("caches", []):
        column = dataset.to_table(columns=[entry["column"]]).column(0)
        values = _column_to_numpy(column, entry["dtype"])
        es.cached(entry["kind"], _key_from_json(entry["key"]), _constant(values))
    return es


def _constant(value: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: value


def _column_to_numpy(column: pa.ChunkedArray, dtype: str) -> np.ndarray:
    column = column.combine_chunks()
    if pa.types.is_fixed_size_list(column.type):
        width = column.type.list_size
        return column.flatten().to_numpy(zero_copy_only=False).reshape(-1, width).astype(dtype, copy=False)
    return column.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def _key_to_json(key: Any) -> Any:
    if isinstance(key, tuple):
        return {"tuple": [_key_to_json(k) for k in key]}
    if key is None or isinstance(key, (str, int, float, bool)):
        return key
    raise TypeError(f"cache key part {key!r} cannot be saved")


def _key_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(_key_from_json(v) for v in value["tuple"])
    return value


# ---- writer ------------------------------------------------------------------------------------------


def _vector_array(matrix: np.ndarray) -> pa.FixedSizeListArray:
    flat = pa.array(np.ascontiguousarray(matrix).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, matrix.shape[1])


def save(es: EmbeddingSet, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """See ``EmbeddingSet.save``."""
    lance = _require_lance()
    target = Path(path).expanduser()
    if target.exists() and not overwrite:
        raise FileExistsError(f"{str(target)!r} already exists; pick another path or pass overwrite=True.")
    clash = [c for c in es.metadata.columns if str(c) in (LABEL_COLUMN, VECTOR_COLUMN) or str(c).startswith("_ew_")]
    if clash:
        raise StoreError(
            f"metadata columns {clash} clash with the columns save() writes ({LABEL_COLUMN!r}, {VECTOR_COLUMN!r}, "
            f"'_ew_*'); rename them in es.metadata first."
        )
    meta = pa.Table.from_pandas(es.metadata, preserve_index=False) if len(es.metadata.columns) else None
    parts: dict[str, Callable[[int, int], pa.Array]] = {
        LABEL_COLUMN: lambda a, b: pa.array(es.labels[a:b], pa.string()),
        VECTOR_COLUMN: lambda a, b: _vector_array(es.vectors[a:b]),
    }
    if meta is not None:
        for name in meta.column_names:
            parts[name] = partial(_table_slice, meta.column(name))
    caches = []
    for kind in SAVED_KINDS:
        for i, (key, value) in enumerate(es.cached_items(kind)):
            array = np.asarray(value)
            if array.shape[:1] != (len(es),):
                continue
            column = f"_ew_{kind}_{i}"
            parts[column] = partial(_array_slice, array)
            caches.append({"kind": kind, "key": _key_to_json(key), "column": column, "dtype": array.dtype.str})
    description = {
        "version": 1,
        "name": es.name,
        "label_column": LABEL_COLUMN,
        "vector_column": VECTOR_COLUMN,
        "metadata_columns": [] if meta is None else meta.column_names,
        "caches": caches,
    }
    step = max(1, SAVE_BATCH_ELEMENTS // max(1, es.dim))  # rows per written batch: one batch in RAM at a time
    first = pa.table({name: make(0, min(step, len(es))) for name, make in parts.items()})
    schema = first.schema.with_metadata({SCHEMA_KEY: json.dumps(description).encode()})

    def batches():
        for a in range(0, len(es), step):
            b = min(len(es), a + step)
            yield pa.record_batch([make(a, b) for make in parts.values()], schema=schema)
            release_pages(es.vectors, a, b)

    # Written beside the target and moved into place, so a failed write leaves nothing half-done.
    scratch = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        lance.write_dataset(pa.RecordBatchReader.from_batches(schema, batches()), str(scratch))
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    _save_index(es, target)
    return target


def _table_slice(column: pa.ChunkedArray, a: int, b: int) -> pa.Array:
    return column.slice(a, b - a).combine_chunks()


def _array_slice(array: np.ndarray, a: int, b: int) -> pa.Array:
    return _vector_array(array[a:b]) if array.ndim == 2 else pa.array(array[a:b])


def _save_index(es: EmbeddingSet, target: Path) -> None:
    """The set's index, written into the new dataset's sidecar (whatever was there before is dropped), so
    ``from_lance`` reopens it with its measured recall instead of building it again."""
    from . import index as _index

    folder = sidecar(target)
    if folder.exists() and folder != getattr(es, "sidecar", None):
        shutil.rmtree(folder)
    if es.index is not None and not es.index.exact:
        _index.persist(es.index, folder)


def memory_frame(parts: list[tuple[str, int, str]]) -> pd.DataFrame:
    """``part, bytes, mb, where`` rows, largest part first within its kind."""
    frame = pd.DataFrame(parts, columns=["part", "bytes", "where"])
    frame["mb"] = (frame["bytes"] / 2**20).round(1)
    return frame[["part", "bytes", "mb", "where"]]

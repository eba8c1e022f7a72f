"""What encode_corpus's engines share: the plan made before any work, the output's rows, and the errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engine.errors import EmbedWidgetsError

SCHEMA_KEY = b"embedwidgets"  # the key EmbeddingSet.save / from_lance use
VECTOR_COLUMN = "vector"


class CorpusError(EmbedWidgetsError, ValueError):
    """A corpus that cannot be encoded as asked; the message names the problem and the fix."""


class EmptyTextError(CorpusError):
    """Some texts are null or empty. ``count`` says how many, ``ids`` names the first few."""

    def __init__(self, message: str, count: int, ids: list[Any]) -> None:
        super().__init__(message)
        self.count = count
        self.ids = ids


class EncodingMismatchError(CorpusError):
    """The output already holds vectors of another model (or of other dimensions)."""


@dataclass
class Source:
    """Where the texts come from: a list of Parquet files, or one Lance dataset."""

    kind: str  # "parquet" or "lance"
    paths: list[str]
    description: str

    def dataset(self) -> Any:
        """A dataset with ``schema``, ``count_rows()`` and ``to_batches(columns=, batch_size=)``."""
        if self.kind == "lance":
            return _lance().dataset(self.paths[0])
        import pyarrow.dataset as pads

        return pads.dataset(self.paths, format="parquet")

    def batches(self, columns: Sequence[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        """The source's rows in its stored order (files sorted by name), a few columns at a time."""
        yield from self.dataset().to_batches(columns=list(columns), batch_size=batch_size)


def _is_lance(path: Path) -> bool:
    return path.suffix == ".lance" or (path.is_dir() and (path / "_versions").is_dir())


def _lance() -> Any:
    try:
        import lance
    except ImportError:
        raise ImportError(
            "encode_corpus writes Lance datasets, which need pylance; install it with: pip install embedwidgets[scale]"
        ) from None
    return lance


@dataclass
class Plan:
    """Everything decided before encoding starts."""

    source: Source
    text_column: str
    id_column: str | None  # in the source; None: ids are row numbers
    out_id_column: str  # in the output
    carried: list[str]  # other source columns, copied through
    rows: int
    empty_texts: int
    empty_ids: list[Any]
    skip_empty: bool
    output: Path
    encoder_info: dict[str, Any]
    done_ids: pa.Array | None  # ids already in the output
    schema: pa.Schema  # of the output, with the manifest


def _empty_mask(texts: pa.Array) -> pa.Array:
    """True where a text is null or only whitespace."""
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(texts)), 0)
    return pc.fill_null(blank, True)


def encode_table(table: pa.Table, plan: Plan, vectors: np.ndarray) -> pa.Table:
    """The output rows for one encoded batch, in the output's column order and schema."""
    flat = pa.array(vectors.reshape(-1), pa.float32())
    columns = [table.column(f.name) if f.name != VECTOR_COLUMN else None for f in plan.schema]
    columns[-1] = pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1])
    return pa.Table.from_arrays(columns, schema=plan.schema)


def _todo(batch: pa.RecordBatch | pa.Table, plan: Plan, first_row: int) -> pa.Table:
    """The rows of a source batch still to encode: ids added, done ids and (when asked) empty texts left out."""
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    if plan.id_column is None:
        ids = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
        table = table.append_column(plan.out_id_column, ids)
    keep = None
    if plan.done_ids is not None and len(plan.done_ids):
        keep = pc.invert(pc.is_in(table.column(plan.out_id_column), value_set=plan.done_ids))
    if plan.skip_empty and plan.empty_texts:
        filled = pc.invert(_empty_mask(table.column(plan.text_column)))
        keep = filled if keep is None else pc.and_(keep, filled)
    return table if keep is None else table.filter(keep)

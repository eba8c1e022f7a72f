"""``encode_corpus``: texts from Parquet or Lance in, one Lance dataset of ids, texts and vectors out.

Everything a user could get wrong is checked before any text is encoded: the text and id columns exist,
no text is null or empty (they are counted and named, never dropped silently), ids are unique, and an
existing output holds vectors of this same model. Each written chunk is one Lance commit, so a job stopped
halfway leaves whole chunks behind and a rerun encodes only the rows whose ids are missing. At the end the
output is checked to hold exactly one vector per input id, and the report says so.

The manifest (model, columns) is stored in the dataset's schema metadata in the form ``EmbeddingSet.save``
uses, so ``EmbeddingSet.from_lance`` opens the output as it is.
"""

from __future__ import annotations

import glob
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .common import (
    SCHEMA_KEY,
    VECTOR_COLUMN,
    CorpusError,
    EmptyTextError,
    EncodingMismatchError,
    Plan,
    Source,
    _empty_mask,
    _is_lance,
    _lance,
    _todo,
    encode_table,
)

DEFAULT_ID_COLUMN = "id"
COMMIT_EVERY = 8192  # rows per Lance commit: what a stopped job can lose at most
SCAN_BATCH = 65_536  # rows per batch when the checks scan the text and id columns
SHOW_EMPTY = 5  # ids of empty texts named in the error


@dataclass
class EncodeReport:
    """What ``encode_corpus`` did, and whether the output holds exactly one vector per input id."""

    output: str
    engine: str
    encoder: str
    rows_in_source: int
    rows_encoded: int  # by this run
    rows_already_done: int  # found in the output from an earlier run (resume)
    empty_texts: int  # null or empty texts in the source
    skipped_empty: int  # of those, left out because skip_empty=True
    rows_in_output: int
    duplicate_ids: int
    missing_ids: int
    unexpected_ids: int
    seconds: float
    workers: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every expected id is in the output exactly once, and nothing else is."""
        return not (self.duplicate_ids or self.missing_ids or self.unexpected_ids)

    @property
    def texts_per_second(self) -> float:
        return self.rows_encoded / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        check = (
            f"exactly one vector per id ({self.rows_in_output:,} rows)"
            if self.ok
            else f"CHECK FAILED: {self.duplicate_ids:,} duplicate, {self.missing_ids:,} missing and "
            f"{self.unexpected_ids:,} unexpected ids in {self.rows_in_output:,} rows"
        )
        lines = [
            f"encoded {self.rows_encoded:,} of {self.rows_in_source:,} texts with {self.encoder} "
            f"({self.engine}, {self.workers} worker{'s' if self.workers != 1 else ''}) in {self.seconds:.1f} s "
            f"({self.texts_per_second:,.0f} texts/s) into {self.output}",
            f"{self.rows_already_done:,} were already there from an earlier run; {check}",
        ]
        if self.empty_texts:
            lines.append(f"{self.empty_texts:,} null or empty texts, {self.skipped_empty:,} of them skipped")
        return "\n".join(lines + self.notes)


# ---- sources -----------------------------------------------------------------------------------------


def resolve_source(source: str | os.PathLike[str] | Sequence[str]) -> Source:
    """A Parquet file, a folder or glob of them, or a Lance dataset."""
    if not isinstance(source, (str, os.PathLike)):
        paths = [str(Path(p).expanduser()) for p in source]
        missing = [p for p in paths if not Path(p).is_file()]
        if missing:
            raise FileNotFoundError(f"source file {missing[0]!r} does not exist; check the list of Parquet files.")
        return Source("parquet", paths, f"{len(paths)} Parquet files")
    text = os.fspath(source)
    path = Path(text).expanduser()
    if any(c in text for c in "*?["):
        files = sorted(p for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
        if not files:
            raise FileNotFoundError(f"no file matches {text!r}; check the pattern (e.g. 'texts/*.parquet').")
        return Source("parquet", files, f"{len(files)} Parquet files matching {text!r}")
    if not path.exists():
        raise FileNotFoundError(
            f"the source {str(path)!r} does not exist; give a Parquet file, a folder or glob of them, "
            f"or a Lance dataset."
        )
    if _is_lance(path):
        return Source("lance", [str(path)], f"Lance dataset {str(path)!r}")
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"the folder {str(path)!r} holds no .parquet files (nor is it a Lance dataset).")
        return Source("parquet", files, f"{len(files)} Parquet files under {str(path)!r}")
    return Source("parquet", [str(path)], f"Parquet file {str(path)!r}")


# ---- checks before any work --------------------------------------------------------------------------


def check_source(
    source: Source, text_column: str, id_column: str | None, *, progress: bool = False
) -> tuple[int, int, list[Any], pa.Schema]:
    """Rows, null/empty text count, the first ids of those, and the schema; errors for missing columns or
    repeated ids. One pass over the text and id columns only."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    data = source.dataset()
    schema = data.schema
    names = list(schema.names)
    for what, column in (("text_column", text_column), ("id_column", id_column)):
        if column is not None and column not in names:
            raise CorpusError(
                f"{source.description} has no column {column!r}; its columns are {names}. "
                f"Pass the right name with {what}=."
            )
    kind = schema.field(text_column).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise CorpusError(
            f"column {text_column!r} holds {kind}, not text; pass text_column= a column of strings "
            f"(or convert it first)."
        )
    rows = data.count_rows()
    if rows == 0:
        raise CorpusError(f"{source.description} has no rows; there is nothing to encode.")
    empty, ids = 0, []
    empty_ids: list[Any] = []
    seen = 0
    columns = [text_column] + ([id_column] if id_column else [])
    with tqdm(total=rows, desc="checking texts", unit="rows", disable=not progress) as bar:
        for batch in source.batches(columns, SCAN_BATCH):
            mask = _empty_mask(batch.column(0))
            count = pc.sum(mask).as_py() or 0
            if count:
                empty += count
                if len(empty_ids) < SHOW_EMPTY:
                    where = np.flatnonzero(mask.to_numpy(zero_copy_only=False))[: SHOW_EMPTY - len(empty_ids)]
                    found = batch.column(1).take(pa.array(where)).to_pylist() if id_column else (where + seen).tolist()
                    empty_ids.extend(found)
            if id_column:
                ids.append(batch.column(1))
            seen += batch.num_rows
            bar.update(batch.num_rows)
    if id_column:
        all_ids = pa.chunked_array(ids, type=schema.field(id_column).type) if ids else pa.chunked_array([], pa.int64())
        if all_ids.null_count:
            raise CorpusError(f"column {id_column!r} has {all_ids.null_count:,} null ids; every row needs an id.")
        distinct = pc.count_distinct(all_ids).as_py()
        if distinct != rows:
            counts = pc.value_counts(all_ids)
            repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1)).to_pylist()
            raise CorpusError(
                f"column {id_column!r} repeats ids: {rows - distinct:,} rows share an id with another "
                f"(e.g. {repeated[:5]}). Ids must be unique, so that each gets exactly one vector; "
                f"deduplicate the source or pass another id_column=."
            )
    return rows, empty, empty_ids, schema


def encoder_info(encoder: Any) -> dict[str, Any]:
    """What identifies the vectors an encoder makes: its name, dimension and weights' fingerprint."""
    return {
        "name": str(getattr(encoder, "name", type(encoder).__name__)),
        "dim": int(encoder.dim),
        "fingerprint": str(getattr(encoder, "fingerprint", getattr(encoder, "name", ""))),
    }


def read_manifest(uri: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest ``encode_corpus`` stored in a Lance dataset's schema (model, columns, coordinates)."""
    dataset = _lance().dataset(os.fspath(uri))
    metadata = dataset.schema.metadata or {}
    if SCHEMA_KEY not in metadata:
        return {}
    return dict(json.loads(metadata[SCHEMA_KEY]))


def check_output(output: Path, info: dict[str, Any], id_column: str, *, resume: bool) -> pa.Array | None:
    """Ids already in ``output`` (None when it does not exist); errors for another model's vectors."""
    if not output.exists():
        return None
    if not _is_lance(output):
        raise CorpusError(f"the output {str(output)!r} exists and is not a Lance dataset; pick another output=.")
    manifest = read_manifest(output)
    corpus = manifest.get("corpus")
    if corpus is None:
        raise CorpusError(
            f"the output {str(output)!r} exists but was not written by encode_corpus; pick another output= "
            f"or delete it."
        )
    theirs = corpus["encoder"]
    if theirs["fingerprint"] != info["fingerprint"] or theirs["dim"] != info["dim"]:
        raise EncodingMismatchError(
            f"the output {str(output)!r} already holds vectors of another model ({theirs['name']}, "
            f"{theirs['dim']} dimensions, fingerprint {theirs['fingerprint']}), not of {info['name']} "
            f"({info['dim']} dimensions, fingerprint {info['fingerprint']}); vectors of two models must not mix. "
            f"Pick another output=, or delete it to start again."
        )
    if not resume:
        raise FileExistsError(
            f"the output {str(output)!r} already exists; pass resume=True to encode only its missing rows, "
            f"or delete it to start again."
        )
    if corpus["id_column"] != id_column:
        raise CorpusError(
            f"the output {str(output)!r} keys its rows by {corpus['id_column']!r}, not {id_column!r}; "
            f"pass the same id_column= as the first run."
        )
    return _lance().dataset(str(output)).to_table(columns=[id_column]).column(0).combine_chunks()


def output_schema(
    source_schema: pa.Schema,
    text_column: str,
    id_column: str | None,
    out_id: str,
    carried: list[str],
    info: dict[str, Any],
    source: Source,
) -> pa.Schema:
    """Id, text, carried columns, vector; with the manifest ``EmbeddingSet.from_lance`` reads."""
    fields = [
        pa.field(out_id, source_schema.field(id_column).type if id_column else pa.int64()),
        pa.field(text_column, pa.string()),
        *(source_schema.field(c) for c in carried),
        pa.field(VECTOR_COLUMN, pa.list_(pa.float32(), info["dim"])),
    ]
    manifest = {
        "version": 1,
        "name": Path(source.paths[0]).stem if len(source.paths) == 1 else "corpus",
        "label_column": out_id,
        "vector_column": VECTOR_COLUMN,
        "metadata_columns": [text_column, *carried],
        "caches": [],
        "corpus": {
            "encoder": info,
            "id_column": out_id,
            "text_column": text_column,
            "ids": "source" if id_column else "row number",
            "source": source.description,
        },
    }
    return pa.schema(fields, metadata={SCHEMA_KEY: json.dumps(manifest).encode()})


# ---- the public entry point --------------------------------------------------------------------------


def encode_corpus(
    source: str | os.PathLike[str] | Sequence[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    encoder: Any = "minilm",
    output: str | os.PathLike[str] = "corpus.lance",
    engine: str = "local",
    ray_address: str | None = None,
    batch_size: int | None = None,
    num_gpus_per_worker: float | None = None,
    workers: int | None = None,
    cpus_per_worker: float | None = None,
    resume: bool = True,
    skip_empty: bool = False,
    commit_every: int = COMMIT_EVERY,
    progress: bool = True,
) -> EncodeReport:
    """Encode every text of a Parquet or Lance corpus into a Lance dataset of ids, texts, metadata and vectors.

    ``engine="local"`` streams the source through the encoder in this process (memory stays flat);
    ``engine="ray"`` runs Ray Data on the cluster at ``ray_address`` (``"auto"``, ``"host:port"``; None starts
    a local one), one model per actor. ``id_column`` names unique ids; without it ids are row numbers (local
    engine only). Both engines commit the output every ``commit_every`` rows (the ray engine while its job
    runs, about that many), so a job stopped halfway keeps what it committed, and a rerun with the same
    ``output`` encodes only the missing ids (``resume``). Null or empty
    texts stop the job before it starts unless ``skip_empty=True``; either way they are counted in the report.

    >>> report = encode_corpus("texts.parquet", id_column="id", output="corpus.lance")   # doctest: +SKIP
    >>> report.ok, report.rows_in_output                                                 # doctest: +SKIP
    (True, 20000)
    """
    started_at = time.perf_counter()
    if engine not in ("local", "ray"):
        raise ValueError(f"engine={engine!r}: use 'local' or 'ray'.")
    if engine == "local" and (ray_address is not None or num_gpus_per_worker is not None):
        raise ValueError("ray_address= and num_gpus_per_worker= need engine='ray'.")
    if isinstance(commit_every, bool) or not isinstance(commit_every, int) or commit_every < 1:
        raise ValueError(f"commit_every must be a positive number of rows, got {commit_every!r}.")
    found = resolve_source(source)
    out = Path(output).expanduser()
    if engine == "ray" and id_column is None:
        raise CorpusError(
            "the ray engine reads the source in parallel, so row numbers are no stable ids; "
            "pass id_column= a column of unique ids (add one to the source if it has none)."
        )
    options = {
        "text_column": text_column,
        "id_column": id_column,
        "encoder": encoder,
        "engine": engine,
        "batch_size": batch_size,
        "num_gpus_per_worker": num_gpus_per_worker,
        "workers": workers,
        "cpus_per_worker": cpus_per_worker,
        "resume": resume,
        "skip_empty": skip_empty,
        "commit_every": commit_every,
        "progress": progress,
    }
    if engine == "ray":
        from .ray_encode import connect, disconnect

        started = connect(ray_address)  # an unreachable cluster fails here, before the model loads
        try:
            return _encode(found, out, started_at=started_at, **options)
        finally:
            if started:
                disconnect()
    return _encode(found, out, started_at=started_at, **options)


def _encode(
    found: Source,
    out: Path,
    *,
    started_at: float,
    text_column: str,
    id_column: str | None,
    encoder: Any,
    engine: str,
    batch_size: int | None,
    num_gpus_per_worker: float | None,
    workers: int | None,
    cpus_per_worker: float | None,
    resume: bool,
    skip_empty: bool,
    commit_every: int,
    progress: bool,
) -> EncodeReport:
    rows, empty, empty_ids, schema = check_source(found, text_column, id_column, progress=progress)
    if empty and not skip_empty:
        raise EmptyTextError(
            f"{empty:,} of {rows:,} texts in column {text_column!r} are null or empty (ids {empty_ids}"
            f"{', ...' if empty > len(empty_ids) else ''}); they would get no meaningful vector. Drop or fill "
            f"them in the source, or pass skip_empty=True to leave them out (they are counted in the report).",
            empty,
            empty_ids,
        )
    out_id = id_column or DEFAULT_ID_COLUMN
    if id_column is None and out_id in schema.names:
        raise CorpusError(
            f"the source has a column {out_id!r} but id_column= is not set; pass id_column={out_id!r} to use it "
            f"as the ids (or rename it)."
        )
    if VECTOR_COLUMN in schema.names:
        raise CorpusError(
            f"the source already has a column {VECTOR_COLUMN!r}; rename or drop it, as the output writes its "
            f"vectors there."
        )
    model, spec = resolve_encoder(encoder, engine)
    info = encoder_info(model)
    done = check_output(out, info, out_id, resume=resume)
    carried = [c for c in schema.names if c not in (text_column, id_column)]
    plan = Plan(
        source=found,
        text_column=text_column,
        id_column=id_column,
        out_id_column=out_id,
        carried=carried,
        rows=rows,
        empty_texts=empty,
        empty_ids=empty_ids,
        skip_empty=skip_empty,
        output=out,
        encoder_info=info,
        done_ids=done,
        schema=output_schema(schema, text_column, id_column, out_id, carried, info, found),
    )
    create_empty(plan)
    if engine == "local":
        encoded = _encode_local(plan, model, batch_size or 64, commit_every, progress)
        used_workers = 1
    else:
        from .ray_encode import encode_with_ray

        encoded, used_workers = encode_with_ray(
            plan,
            spec,
            batch_size=batch_size,
            num_gpus_per_worker=num_gpus_per_worker,
            workers=workers,
            cpus_per_worker=cpus_per_worker,
            commit_every=commit_every,
            progress=progress,
        )
    report = verify(plan, engine=engine, encoded=encoded, seconds=time.perf_counter() - started_at)
    report.workers = used_workers
    if not report.ok:
        raise CorpusError(f"the output does not hold exactly one vector per input id:\n{report}")
    return report


def resolve_encoder(encoder: Any, engine: str) -> tuple[Any, dict[str, Any]]:
    """The encoder to use here, and how a Ray actor loads the same one (``{"minilm": True}`` or a path)."""
    if isinstance(encoder, str) and encoder == "minilm":
        from ..models import minilm

        return minilm(cache=False, device="cpu" if engine == "ray" else None), {"minilm": True}
    if isinstance(encoder, (str, os.PathLike)):
        path = Path(encoder).expanduser()
        if not path.exists():
            raise FileNotFoundError(
                f"encoder={os.fspath(encoder)!r} is neither 'minilm' nor an existing sentence-transformers folder."
            )
        from ..engine.encoders import SentenceEncoder

        return SentenceEncoder(path, cache=False), {"path": str(path.resolve())}
    if not (hasattr(encoder, "encode") and hasattr(encoder, "dim")):
        raise TypeError(f"encoder must be 'minilm', a model folder or a SentenceEncoder, not {type(encoder).__name__}.")
    if engine == "ray":
        raise CorpusError(
            "the ray engine loads the model once in each actor, from a name or a folder every node can read; "
            "pass encoder='minilm' or encoder='/path/to/model' instead of a loaded encoder."
        )
    return encoder, {}


def _encode_texts(model: Any, texts: list[str], batch_size: int) -> np.ndarray:
    """Vectors straight from the model: a corpus run skips the per-text disk cache, whose index would grow
    with the corpus."""
    inner = getattr(model, "model", None)
    if inner is not None and hasattr(inner, "encode") and hasattr(model, "fingerprint"):
        vectors = inner.encode(texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True)
    else:
        vectors = model.encode(texts, batch_size=batch_size, progress=False)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _encode_local(plan: Plan, model: Any, batch_size: int, commit_every: int, progress: bool) -> int:
    """Stream the source through the model and append to the output one commit per ``commit_every`` rows."""
    from tqdm.auto import tqdm

    lance = _lance()
    columns = [plan.text_column, *([plan.id_column] if plan.id_column else []), *plan.carried]
    pending: list[pa.Table] = []
    pending_rows = encoded = 0

    def commit() -> None:
        nonlocal pending, pending_rows
        if pending:  # one append is one Lance commit: a stopped job leaves whole chunks or nothing
            lance.write_dataset(pa.concat_tables(pending), str(plan.output), mode="append")
        pending, pending_rows = [], 0

    done = 0 if plan.done_ids is None else len(plan.done_ids)
    with tqdm(total=plan.rows, initial=done, desc="encoding", unit="texts", disable=not progress) as bar:
        first_row = 0
        for batch in plan.source.batches(columns, min(commit_every, 4096)):
            table = _todo(batch, plan, first_row)
            first_row += batch.num_rows
            if table.num_rows:
                texts = table.column(plan.text_column).to_pylist()
                pending.append(encode_table(table, plan, _encode_texts(model, texts, batch_size)))
                pending_rows += table.num_rows
                encoded += table.num_rows
                bar.update(table.num_rows)
            if pending_rows >= commit_every:
                commit()
        commit()
    return encoded


def create_empty(plan: Plan) -> None:
    """An empty output with the schema and manifest, so that appends from any writer keep them."""
    if not plan.output.exists():
        _lance().write_dataset(plan.schema.empty_table(), str(plan.output), mode="create")


def verify(plan: Plan, *, engine: str, encoded: int, seconds: float) -> EncodeReport:
    """Compare the output's ids with the source's: duplicates, missing and unexpected ids."""
    lance = _lance()
    info = plan.encoder_info
    base = {
        "output": str(plan.output),
        "engine": engine,
        "encoder": info["name"],
        "rows_in_source": plan.rows,
        "rows_encoded": encoded,
        "rows_already_done": 0 if plan.done_ids is None else len(plan.done_ids),
        "empty_texts": plan.empty_texts,
        "skipped_empty": plan.empty_texts if plan.skip_empty else 0,
        "seconds": seconds,
    }
    if not plan.output.exists():
        return EncodeReport(
            **base, rows_in_output=0, duplicate_ids=0, missing_ids=plan.rows - base["skipped_empty"], unexpected_ids=0
        )
    got = lance.dataset(str(plan.output)).to_table(columns=[plan.out_id_column]).column(0).combine_chunks()
    duplicates = len(got) - pc.count_distinct(got).as_py()
    expected = _expected_ids(plan)
    missing = len(expected) - pc.sum(pc.is_in(expected, value_set=got)).as_py() if len(expected) else 0
    unexpected = len(got) - pc.sum(pc.is_in(got, value_set=expected)).as_py() if len(got) else 0
    return EncodeReport(
        **base, rows_in_output=len(got), duplicate_ids=duplicates, missing_ids=missing, unexpected_ids=unexpected
    )


def _expected_ids(plan: Plan) -> pa.Array:
    """The ids that must be in the output: every source id, less the empty texts when those are skipped."""
    if plan.id_column is None and not (plan.skip_empty and plan.empty_texts):
        return pa.array(np.arange(plan.rows, dtype=np.int64))
    parts = []
    first_row = 0
    columns = [plan.text_column] + ([plan.id_column] if plan.id_column else [])
    for batch in plan.source.batches(columns, SCAN_BATCH):
        ids = batch.column(1) if plan.id_column else pa.array(np.arange(first_row, first_row + batch.num_rows))
        first_row += batch.num_rows
        if plan.skip_empty and plan.empty_texts:
            ids = ids.filter(pc.invert(_empty_mask(batch.column(0))))
        parts.append(ids)
    return pa.chunked_array(parts).combine_chunks()

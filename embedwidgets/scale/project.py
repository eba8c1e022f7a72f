"""``project_corpus``: 2-D map coordinates of an encoded corpus, written back into it as two columns.

The engine's landmark UMAP (``engine/landmarks.py``), run in pieces: UMAP is fitted here on a seeded random
sample of rows (the landmarks, fetched by position, never the whole corpus); every other row is then placed at
the similarity-weighted mean of its nearest landmarks, one Lance fragment at a time. With ``engine="ray"`` the
fragments are placed by Ray tasks (lance-ray's ``add_columns``), each adding the columns to its fragment.
The layout is approximate when there are fewer landmarks than rows, and the manifest says so.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine import landmarks as _landmarks
from .corpus import VECTOR_COLUMN, CorpusError
from .index import _corpus, write_manifest

COLUMNS = ("map_x", "map_y")
SMALL_CORPUS = 100_000  # up to this many rows, 5,000 landmarks; above, the engine's 50,000
SMALL_LANDMARKS = 5_000


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class Placer:
    """Coordinates for a batch of corpus rows: a landmark keeps its UMAP position, any other row is placed.
    Plain arrays only, so Ray can ship it to tasks."""

    def __init__(
        self, id_column: str, ids: np.ndarray, unit: np.ndarray, coords: np.ndarray, neighbours: int, temperature: float
    ) -> None:
        self.id_column = id_column
        self.ids = ids
        self.unit = unit.astype(np.float32)
        self.coords = coords.astype(np.float32)
        self.neighbours = neighbours
        self.temperature = temperature

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        import torch

        ids = batch.column(self.id_column).to_numpy(zero_copy_only=False)
        column = batch.column(VECTOR_COLUMN)
        vectors = column.flatten().to_numpy().reshape(len(ids), -1).astype(np.float32)
        unit = torch.from_numpy(_unit(vectors).astype(np.float32))
        similarities, where = _landmarks.nearest_landmarks(unit, torch.from_numpy(self.unit), self.neighbours)
        placed = _landmarks.place(self.coords, similarities, where, self.temperature)
        known = pd.Index(self.ids).get_indexer(ids)
        placed[known >= 0] = self.coords[known[known >= 0]]
        return pa.RecordBatch.from_arrays(
            [pa.array(placed[:, 0], pa.float32()), pa.array(placed[:, 1], pa.float32())], names=list(COLUMNS)
        )


def project_corpus(
    uri: str | os.PathLike[str],
    *,
    engine: str = "local",
    ray_address: str | None = None,
    landmarks: int | None = None,
    seed: int = 0,
    neighbours: int = _landmarks.DEFAULT_NEIGHBOURS,
    temperature: float = _landmarks.DEFAULT_TEMPERATURE,
    workers: int | None = None,
) -> dict[str, Any]:
    """Landmark UMAP of an encoded corpus, written back as the columns ``map_x`` and ``map_y``.

    ``landmarks``: rows UMAP is fitted on (default 5,000, or 50,000 above 100,000 rows; all rows when the corpus
    is smaller). ``workers``: Ray processes placing fragments (default: one per fragment, at most the cluster's
    CPUs less one). Returns what the manifest records: landmarks, whether approximate, a note, seconds.

    >>> project_corpus("corpus.lance", engine="ray")["note"]        # doctest: +SKIP
    'approximate: UMAP of 5,000 random landmarks; the other 15,000 points placed from their 10 nearest landmarks'
    """
    if engine not in ("local", "ray"):
        raise ValueError(f"engine={engine!r}: use 'local' or 'ray'.")
    dataset, manifest = _corpus(uri)
    corpus = manifest["corpus"]
    id_column = corpus["id_column"]
    rows = dataset.count_rows()
    if landmarks is None:
        landmarks = SMALL_LANDMARKS if rows <= SMALL_CORPUS else _landmarks.DEFAULT_LANDMARKS
    if isinstance(landmarks, bool) or not isinstance(landmarks, int) or landmarks < 3:
        raise ValueError(f"landmarks must be a count of at least 3 rows, got {landmarks!r}.")
    count = min(landmarks, rows)
    if rows < 3:
        raise CorpusError(f"the corpus has {rows} rows; a map needs at least 3.")
    started = time.perf_counter()
    chosen = _landmarks.pick_landmarks(rows, count, seed)
    taken = dataset.take(chosen.tolist(), columns=[id_column, VECTOR_COLUMN])
    landmark_ids = taken.column(0).to_numpy(zero_copy_only=False)
    unit = _unit(taken.column(1).combine_chunks().flatten().to_numpy().reshape(count, -1).astype(np.float32))
    from ..engine.project import fit_umap  # the engine's UMAP settings, so a corpus map matches es.project("umap")

    coords = np.asarray(fit_umap(unit, 2, seed, None, {}), dtype=np.float32)
    placer = Placer(id_column, landmark_ids, unit, coords, neighbours, temperature)
    for existing in COLUMNS:  # a new map replaces the old one
        if existing in dataset.schema.names:
            dataset.drop_columns(list(COLUMNS))
            break
    if engine == "local":
        import lance

        udf = lance.batch_udf(output_schema=pa.schema([(c, pa.float32()) for c in COLUMNS]))(placer)
        _corpus(uri)[0].add_columns(udf, read_columns=[id_column, VECTOR_COLUMN])
    else:
        from .ray_encode import connect, disconnect

        started_ray = connect(ray_address)
        try:
            import lance_ray
            import ray

            fragments = len(_corpus(uri)[0].get_fragments())
            spare = max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
            lance_ray.add_columns(
                os.fspath(uri),
                transform=placer,
                read_columns=[id_column, VECTOR_COLUMN],
                concurrency=workers or max(1, min(fragments, spare)),  # each process loads torch: no idle ones
            )
        finally:
            if started_ray:
                disconnect()
    description = {
        "columns": list(COLUMNS),
        "method": "umap",
        "engine": engine,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 2),
        **_landmarks.describe(rows, count if count < rows else 0, neighbours),
    }
    manifest = _corpus(uri)[1]
    manifest["corpus"]["projection"] = description
    write_manifest(uri, manifest)
    return description

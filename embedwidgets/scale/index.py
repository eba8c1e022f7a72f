"""``build_corpus_index`` and ``open_corpus``: a Lance IVF-PQ index inside an encoded corpus, and the corpus as an
``EmbeddingSet`` whose ``neighbors`` can ask that index.

The index lives in the corpus dataset itself (Lance's own vector index on the ``vector`` column), built here
(``engine="local"``) or by lance-ray on a Ray cluster (``engine="ray"``, one index segment per worker, then
merged). Its recall@10 is measured against an exact, streamed scan of the corpus when it is built, and stored
in the manifest; results through it say "approximate (recall@10 0.96)".
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine.index import Index
from .corpus import SCHEMA_KEY, VECTOR_COLUMN, CorpusError, _lance, read_manifest

INDEX_NAME = "vector_idx"
RECALL_SAMPLE = 200
RECALL_K = 10
MIN_INDEX_ROWS = 256  # PQ trains 256 centroids per sub-vector: fewer rows cannot train it
SCAN_ROWS = 65_536


def _sub_vectors(dim: int) -> int:
    """PQ sub-vectors of 8 dimensions where the dimension allows it (384 → 48), else of 4, 2 or 1."""
    for width in (8, 4, 2, 1):
        if dim % width == 0:
            return dim // width
    return 1


def _corpus(uri: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    path = Path(uri).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"the corpus {str(path)!r} does not exist; encode it first with encode_corpus().")
    manifest = read_manifest(path)
    if "corpus" not in manifest:
        raise CorpusError(f"{str(path)!r} was not written by encode_corpus; encode the texts with it first.")
    return _lance().dataset(str(path)), manifest


def write_manifest(uri: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Store ``manifest`` in the dataset's schema metadata (a new Lance version; the data is untouched)."""
    dataset = _lance().dataset(os.fspath(uri))
    dataset.update_schema_metadata({SCHEMA_KEY.decode(): json.dumps(manifest)})


def build_corpus_index(
    uri: str | os.PathLike[str],
    *,
    kind: str = "ivfpq",
    engine: str = "local",
    ray_address: str | None = None,
    num_partitions: int | None = None,
    num_sub_vectors: int | None = None,
    workers: int | None = None,
    recall_sample: int = RECALL_SAMPLE,
    seed: int = 0,
) -> dict[str, Any]:
    """Build the cosine IVF-PQ index of an encoded corpus, measure its recall@10 and record both in the manifest.

    ``engine="ray"`` builds it with lance-ray on the cluster at ``ray_address``. Returns the description
    stored in the manifest: kind, engine, rows, partitions, sub-vectors, seconds, recall@10 and its sample size.

    >>> build_corpus_index("corpus.lance")["recall_at_10"]        # doctest: +SKIP
    0.97
    """
    if kind != "ivfpq":
        raise ValueError(f"kind={kind!r}: corpus indexes are 'ivfpq' (Lance IVF-PQ).")
    if engine not in ("local", "ray"):
        raise ValueError(f"engine={engine!r}: use 'local' or 'ray'.")
    dataset, manifest = _corpus(uri)
    rows = dataset.count_rows()
    if rows < MIN_INDEX_ROWS:
        raise CorpusError(
            f"the corpus has {rows} rows; IVF-PQ needs at least {MIN_INDEX_ROWS} to train, and an exact scan of "
            f"so few is fast anyway: open it with open_corpus() and search without an index."
        )
    dim = int(manifest["corpus"]["encoder"]["dim"])
    # √rows partitions, but IVF training samples 256 rows per partition, so never more than rows / 256.
    partitions = int(num_partitions or max(1, min(4096, int(np.sqrt(rows)), rows // 256)))
    sub_vectors = int(num_sub_vectors or _sub_vectors(dim))
    started = time.perf_counter()
    if engine == "local":
        dataset.create_index(
            VECTOR_COLUMN,
            index_type="IVF_PQ",
            name=INDEX_NAME,
            metric="cosine",
            num_partitions=partitions,
            num_sub_vectors=sub_vectors,
            replace=True,
        )
        used = 1
    else:
        from .ray_encode import connect, disconnect

        started_ray = connect(ray_address)
        try:
            import lance_ray
            import ray

            used = workers or max(1, int(ray.cluster_resources().get("CPU", 1) - 1))
            # lance-ray trains IVF and PQ on rows × (1 / sample_rate) samples; PQ needs 256 × sample_rate rows.
            sample_rate = min(256, rows // 256, rows // partitions)
            if sample_rate < 2:
                raise CorpusError(
                    f"lance-ray needs at least 512 rows to train an index (and 2 per partition); the corpus has "
                    f"{rows:,}. Build this one with engine='local'."
                )
            lance_ray.create_index(
                os.fspath(uri),
                column=VECTOR_COLUMN,
                index_type="IVF_PQ",
                name=INDEX_NAME,
                metric="cosine",
                num_partitions=partitions,
                num_sub_vectors=sub_vectors,
                num_workers=used,
                sample_rate=sample_rate,
                replace=True,
            )
        finally:
            if started_ray:
                disconnect()
    seconds = time.perf_counter() - started
    nprobes = max(20, partitions // 8)  # an eighth of the partitions: recall over speed, as for the set indexes
    recall, query_ms = measure_recall(uri, nprobes=nprobes, refine_factor=10, sample=recall_sample, seed=seed)
    description = {
        "kind": kind,
        "engine": engine,
        "workers": used,
        "rows": rows,
        "num_partitions": partitions,
        "num_sub_vectors": sub_vectors,
        "nprobes": nprobes,
        "refine_factor": 10,
        "seconds": round(seconds, 2),
        "recall_at_10": round(recall, 4),
        "recall_sample": min(recall_sample, rows),
        "query_ms": round(query_ms, 2),
    }
    manifest = read_manifest(uri)
    manifest["corpus"]["index"] = description
    write_manifest(uri, manifest)
    return description


def _search(dataset: Any, id_column: str, vector: np.ndarray, k: int, nprobes: int, refine_factor: int) -> np.ndarray:
    """Ids of the ``k`` nearest rows by the Lance index (cosine)."""
    found = dataset.to_table(
        columns=[id_column],
        disable_scoring_autoprojection=True,  # ids only; the scores are recomputed exactly
        nearest={
            "column": VECTOR_COLUMN,
            "q": vector,
            "k": k,
            "nprobes": nprobes,
            "refine_factor": refine_factor,
            "metric": "cosine",
        },
    )
    return found.column(id_column).to_numpy(zero_copy_only=False)


def exact_neighbours(uri: str | os.PathLike[str], queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-``k`` cosine ids for each query, from one streamed pass over the corpus (never all in RAM)."""
    dataset, manifest = _corpus(uri)
    id_column = manifest["corpus"]["id_column"]
    unit_q = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids: np.ndarray | None = None
    for batch in dataset.to_batches(columns=[id_column, VECTOR_COLUMN], batch_size=SCAN_ROWS):
        ids = batch.column(0).to_numpy(zero_copy_only=False)
        vectors = batch.column(1).flatten().to_numpy().reshape(len(ids), -1)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        scores = (unit_q @ vectors.T).astype(np.float32)
        if best_ids is None:
            best_ids = np.zeros((len(queries), k), dtype=ids.dtype)
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_ids = np.concatenate([best_ids, np.broadcast_to(ids, scores.shape)], axis=1)
        top = np.argsort(-merged_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(merged_scores, top, axis=1)
        best_ids = np.take_along_axis(merged_ids, top, axis=1)
    assert best_ids is not None
    return best_scores, best_ids


def measure_recall(
    uri: str | os.PathLike[str], *, nprobes: int, refine_factor: int, sample: int, seed: int
) -> tuple[float, float]:
    """recall@10 of the Lance index against exact search, and the mean milliseconds of one indexed query.
    Queries are ``sample`` random rows of the corpus, each left out of both answers."""
    dataset, manifest = _corpus(uri)
    id_column = manifest["corpus"]["id_column"]
    rows = dataset.count_rows()
    chosen = np.sort(np.random.default_rng(seed).choice(rows, size=min(sample, rows), replace=False))
    taken = dataset.take(chosen.tolist(), columns=[id_column, VECTOR_COLUMN])
    query_ids = taken.column(0).to_numpy(zero_copy_only=False)
    queries = taken.column(1).combine_chunks().flatten().to_numpy().reshape(len(chosen), -1).astype(np.float32)
    _, exact = exact_neighbours(uri, queries, RECALL_K + 1)
    hits = 0
    started = time.perf_counter()
    for own, query, truth in zip(query_ids, queries, exact):
        found = _search(dataset, id_column, query, RECALL_K + 1, nprobes, refine_factor)
        want = [t for t in truth if t != own][:RECALL_K]
        hits += len(set(want) & {f for f in found if f != own})
    query_ms = (time.perf_counter() - started) * 1000 / len(chosen)
    return hits / (len(chosen) * RECALL_K), query_ms


class CorpusIndex(Index):
    """The Lance IVF-PQ index inside an encoded corpus, answering for the set ``open_corpus`` made from it.

    Candidates come from Lance; their scores are then computed exactly from the set's vectors, like every
    other index here, so only which rows come back is approximate."""

    kind = "lance"

    def __init__(self, embeddings: Any, uri: str, description: dict[str, Any], ids: pa.Array) -> None:
        super().__init__(embeddings, {"path": uri, **description})
        self.dataset = _lance().dataset(uri)
        self.id_column = read_manifest(uri)["corpus"]["id_column"]
        self.positions = pd.Index(ids.to_pandas())  # id -> row of the set
        self.recall = description.get("recall_at_10")
        self.recall_k = RECALL_K

    def _candidates(self, unit_queries: np.ndarray, k: int) -> np.ndarray:
        rows = np.full((len(unit_queries), k), -1, dtype=np.int64)
        for q, query in enumerate(unit_queries):
            found = _search(
                self.dataset, self.id_column, query, k, self.params["nprobes"], self.params["refine_factor"]
            )
            where = self.positions.get_indexer(found)
            where = where[where >= 0][:k]
            rows[q, : len(where)] = where
        return rows


def open_corpus(
    uri: str | os.PathLike[str],
    *,
    encoder: Any = "minilm",
    label_column: str | None = None,
    **options: Any,
) -> Any:
    """The encoded corpus as an ``EmbeddingSet``, its texts as queries (``encoder``), the Lance index attached.

    Labels are the ids unless ``label_column`` names another column (e.g. ``"text"`` when texts are unique).
    ``neighbors(..., index=docs.index)`` asks the Lance index (so does ``index="auto"`` above 2^23 rows × dims);
    the map coordinates of ``project_corpus`` come from ``corpus_map(uri)``.

    >>> docs = open_corpus("corpus.lance")                          # doctest: +SKIP
    >>> docs.neighbors("chest pain", k=5, index=docs.index)         # doctest: +SKIP
    """
    from ..engine.embeddings import EmbeddingSet

    dataset, manifest = _corpus(uri)
    corpus = manifest["corpus"]
    if isinstance(encoder, str) and encoder == "minilm":
        from ..models import minilm

        encoder = minilm()
    if encoder is not None and getattr(encoder, "dim", corpus["encoder"]["dim"]) != corpus["encoder"]["dim"]:
        raise CorpusError(
            f"encoder= makes {encoder.dim}-dimensional vectors but the corpus holds {corpus['encoder']['dim']} "
            f"({corpus['encoder']['name']}); pass the encoder that encoded it."
        )
    # Past 1 GiB the vectors are memory-mapped from the sidecar copy (<uri>.ew/vectors.npy), not held in RAM.
    docs = EmbeddingSet.from_lance(uri, label_column=label_column, encoder=encoder, **options)
    description = corpus.get("index")
    if description:
        ids = dataset.to_table(columns=[corpus["id_column"]]).column(0).combine_chunks()
        index = CorpusIndex(docs, os.fspath(uri), description, ids)
        docs.keep_index(index)
    return docs


def corpus_map(uri: str | os.PathLike[str]) -> np.ndarray:
    """The 2-D coordinates ``project_corpus`` stored, rows in the corpus's order (what ``open_corpus`` gives)."""
    dataset, manifest = _corpus(uri)
    projection = manifest["corpus"].get("projection")
    if not projection:
        raise CorpusError(f"{os.fspath(uri)!r} has no map yet; compute one with project_corpus(uri).")
    table = dataset.to_table(columns=projection["columns"])
    return np.column_stack([table.column(c).to_numpy() for c in projection["columns"]]).astype(np.float32)

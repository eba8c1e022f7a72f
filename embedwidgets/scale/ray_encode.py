"""The ray engine of ``encode_corpus``: Ray Data reads, an actor pool encodes (one model per actor), Lance is written.

Sizing: Ray Data's read and write tasks need CPU too. If the encoding actors take every CPU of the cluster the
reads never get scheduled and the job hangs, which is what happens by default on a two-CPU node. So the actors
together always leave ``RESERVED_CPUS`` of the cluster's CPUs free, and the reads and writes ask for a
fraction of a CPU each. Lost actors are restarted and their batches retried (Ray Data's defaults for actor
pools, ``max_restarts=-1`` and ``max_task_retries=-1``, checked in Ray 2.60), so a node that dies mid-job costs time,
not rows; the final id check in ``corpus.verify`` proves it.

Commits: write tasks turn the encoded rows into Lance fragments (files no version lists yet) and hand only their
metadata back to this driver, which commits them every ``commit_every`` rows while the job still runs. So a job
stopped halfway keeps every committed slice, and its rerun encodes only the ids missing from the output. One
pipeline for the whole job, rather than one per slice of the source: each actor loads the model once, actors
never idle at slice boundaries, and a Lance source or one huge Parquet file slices as finely as many small
files. Fragments written after the last commit of a stopped job are orphans that no version reads; Lance's
``cleanup_old_versions(delete_unverified=True)`` removes them.
"""

from __future__ import annotations

import json
import math
import os
import socket
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa

from .common import CorpusError, Plan, _lance, _todo, encode_table

RESERVED_CPUS = 1.0  # left to Ray Data's read and write tasks
IO_TASK_CPUS = 0.25  # what each read or write task asks for
CONNECT_TIMEOUT_S = 10.0
REPARTITION_BELOW = 1_000_000  # rows: small inputs are split so that every actor gets batches
BLOCKS_PER_WORKER = 4
DEFAULT_BATCH = 256
MAX_FRAGMENT_ROWS = 65_536  # rows per written fragment: ~100 MB of 384-d vectors in a write task's memory
RAY_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


class RayUnreachableError(CorpusError, ConnectionError):
    """No Ray cluster answers at the address given."""


def _require_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ImportError(
            "engine='ray' needs Ray Data; install it with: pip install embedwidgets[scale] (or 'ray[data]')"
        ) from None
    return ray


def _probe(address: str) -> None:
    """Fail fast when nothing listens at ``host:port``: ``ray.init`` itself can wait minutes for a GCS."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise RayUnreachableError(
            f"ray_address={address!r} is not 'auto' nor 'host:port'; pass e.g. '127.0.0.1:6379' or 'auto'."
        )
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        raise RayUnreachableError(
            f"no Ray cluster answers at {address!r} ({error}). Start one there (`ray start --head --port={port}`), "
            f"or pass the address that `ray start` printed, or 'auto' on a node of the cluster."
        ) from None


def connect(address: str | None) -> bool:
    """Connect this process to Ray (a local one-node cluster when ``address`` is None); True if we started it."""
    ray = _require_ray()
    if ray.is_initialized():
        return False
    if address not in (None, "auto", "local"):
        _probe(address)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        ray.init(address=address, log_to_driver=False, include_dashboard=False, runtime_env={"env_vars": RAY_ENV})
    except ConnectionError as error:
        raise RayUnreachableError(
            f"could not connect to a Ray cluster at {address!r}: {error}. Start one with `ray start --head`, "
            f"or pass ray_address='host:port'."
        ) from None
    return True


def _settle_fsspec_http() -> None:
    """Without aiohttp, fsspec's http module cannot be imported. Ray 2.60 resolves several paths in threads that
    each try that import, and a thread that races another gets ImportError instead of the ModuleNotFoundError
    Ray handles, failing the read. Marking the module absent makes every attempt a clean ModuleNotFoundError."""
    import importlib.util
    import sys

    if "fsspec.implementations.http" not in sys.modules and importlib.util.find_spec("aiohttp") is None:
        sys.modules["fsspec.implementations.http"] = None  # type: ignore[assignment]


def disconnect() -> None:
    _require_ray().shutdown()


def plan_workers(
    cpus: float, gpus: float, *, workers: int | None, cpus_per_worker: float | None, gpus_per_worker: float | None
) -> tuple[int, float, float]:
    """How many actors, and the CPUs and GPUs each asks for, so that ``RESERVED_CPUS`` stay free.

    >>> plan_workers(2, 0, workers=None, cpus_per_worker=None, gpus_per_worker=None)  # a 2-CPU node: one actor
    (1, 1.0, 0.0)
    >>> plan_workers(2, 0, workers=2, cpus_per_worker=None, gpus_per_worker=None)  # two actors share one CPU
    (2, 0.5, 0.0)
    >>> plan_workers(16, 4, workers=None, cpus_per_worker=None, gpus_per_worker=1)  # one actor per GPU
    (4, 1.0, 1.0)
    """
    spare = cpus - RESERVED_CPUS
    if spare <= 0:
        raise CorpusError(
            f"the Ray cluster has {cpus:g} CPUs; encoding needs more than {RESERVED_CPUS:g}, which stays free for "
            f"reading and writing. Start the nodes with more CPUs (`ray start --num-cpus=2`)."
        )
    if gpus_per_worker:
        if gpus < gpus_per_worker:
            raise CorpusError(
                f"num_gpus_per_worker={gpus_per_worker:g} but the Ray cluster has {gpus:g} GPUs; "
                f"leave it unset to encode on CPUs, or add GPU nodes."
            )
        count = workers or int(gpus // gpus_per_worker)
        per_cpu = cpus_per_worker or min(1.0, spare / count)
        return count, per_cpu, float(gpus_per_worker)
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive number of actors, got {workers!r}.")
        per_cpu = cpus_per_worker or min(1.0, spare / workers)
        count = workers
    else:
        per_cpu = cpus_per_worker or 1.0
        count = max(1, int(spare // per_cpu))
    if count * per_cpu > spare + 1e-9:
        raise CorpusError(
            f"{count} workers × {per_cpu:g} CPUs would leave less than {RESERVED_CPUS:g} of the cluster's "
            f"{cpus:g} CPUs for reading and writing, and the job would hang; ask for fewer workers or fewer "
            f"cpus_per_worker."
        )
    return count, float(per_cpu), 0.0


class EncodeBatches:
    """A Ray Data callable class: loads the model once per actor, then encodes batch after batch."""

    def __init__(self, spec: dict[str, Any], text_column: str, batch_size: int, threads: int, plan: Plan) -> None:
        for key, value in RAY_ENV.items():
            os.environ.setdefault(key, value)
        import torch

        torch.set_num_threads(threads)  # a fraction of a CPU gets one thread, not all the node's cores
        if spec.get("minilm"):
            from ..models import minilm_path

            path = str(minilm_path())
        else:
            path = spec["path"]
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(path, device="cuda" if torch.cuda.is_available() else "cpu")
        self.text_column = text_column
        self.batch_size = batch_size
        self.plan = plan

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = batch.column(self.text_column).to_pylist()
        vectors = self.model.encode(texts, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True)
        return encode_table(batch, self.plan, np.ascontiguousarray(vectors, dtype=np.float32))


def _drop_done(batch: pa.Table, plan: Plan) -> pa.Table:
    """Rows not yet in the output (resume), empty texts left out when asked."""
    return _todo(batch, plan, 0)


def encode_with_ray(
    plan: Plan,
    spec: dict[str, Any],
    *,
    batch_size: int | None,
    num_gpus_per_worker: float | None,
    workers: int | None,
    cpus_per_worker: float | None,
    commit_every: int,
    progress: bool,
) -> tuple[int, int]:
    """Encode the plan's missing rows on the cluster and append them to the output, one commit per about
    ``commit_every`` rows; (rows encoded, actors)."""
    ray = _require_ray()
    # Connected by encode_corpus, which also disconnects.
    resources = ray.cluster_resources()
    count, per_cpu, per_gpu = plan_workers(
        float(resources.get("CPU", 0)),
        float(resources.get("GPU", 0)),
        workers=workers,
        cpus_per_worker=cpus_per_worker,
        gpus_per_worker=num_gpus_per_worker,
    )
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = progress
    columns = [plan.text_column, plan.out_id_column, *plan.carried]
    if plan.source.kind == "lance":
        import lance_ray

        data = lance_ray.read_lance(plan.source.paths[0], columns=columns, ray_remote_args={"num_cpus": IO_TASK_CPUS})
    else:
        _settle_fsspec_http()
        data = ray.data.read_parquet(plan.source.paths, num_cpus=IO_TASK_CPUS).select_columns(columns)
    todo = plan.rows - (0 if plan.done_ids is None else len(plan.done_ids))
    if todo <= 0:
        return 0, count  # a finished output: nothing to start
    if (plan.done_ids is not None and len(plan.done_ids)) or (plan.skip_empty and plan.empty_texts):
        data = data.map_batches(partial(_drop_done, plan=plan), batch_format="pyarrow", num_cpus=IO_TASK_CPUS)
    if plan.rows < REPARTITION_BELOW:
        data = data.repartition(max(1, min(todo, count * BLOCKS_PER_WORKER)))  # every actor gets work
    size = batch_size or DEFAULT_BATCH
    data = data.map_batches(
        EncodeBatches,
        fn_constructor_kwargs={
            "spec": spec,
            "text_column": plan.text_column,
            "batch_size": min(size, 64) if not per_gpu else size,
            "threads": max(1, math.floor(per_cpu)),
            "plan": replace(plan, done_ids=None),  # actors need the schema, not the done ids
        },
        batch_size=size,
        batch_format="pyarrow",
        concurrency=count,
        num_cpus=per_cpu,
        num_gpus=per_gpu or None,
    )
    # Fragments are written by tasks (Ray's own write_lance does not match pylance 14), so the vectors go from
    # the actors to storage and only fragment metadata, as JSON, reaches this driver.
    writer = WriteFragments(str(plan.output), plan.schema, _lance().dataset(str(plan.output)).data_storage_version)
    fragment_rows = min(commit_every, MAX_FRAGMENT_ROWS)
    # Encoded blocks are cut to fragment size as they stream out of the actors (a streaming repartition, no
    # barrier): otherwise a write task takes a whole actor output (up to the 128 MiB block target, ~80k rows of
    # 384-d vectors), and commits come that far apart whatever commit_every says.
    data = data.repartition(target_num_rows_per_block=fragment_rows)
    written = data.map_batches(
        writer,
        batch_size=fragment_rows,
        batch_format="pyarrow",
        num_cpus=IO_TASK_CPUS,
    )
    return _commit_in_slices(written, plan, commit_every), count


class WriteFragments:
    """A Ray Data write task: its batch becomes Lance fragment files that no version lists yet, and it returns
    their metadata as JSON (plain text for the driver to commit; never a pickle)."""

    def __init__(self, uri: str, schema: pa.Schema, storage_version: str) -> None:
        self.uri, self.schema, self.storage_version = uri, schema, storage_version

    def __call__(self, batch: pa.Table) -> pa.Table:
        fragments = _lance().fragment.write_fragments(
            batch,
            self.uri,
            schema=self.schema,
            mode="append",
            max_rows_per_file=MAX_FRAGMENT_ROWS,
            data_storage_version=self.storage_version,
        )
        return pa.table({"fragment": [json.dumps(f.to_json()) for f in fragments]})


def _commit_in_slices(written: Any, plan: Plan, commit_every: int) -> int:
    """Append the written fragments to the output, one Lance commit per ``commit_every`` rows; rows committed."""
    lance = _lance()
    pending: list[Any] = []
    pending_rows = committed = 0

    def commit() -> None:
        nonlocal pending, pending_rows, committed
        if pending:
            version = lance.dataset(str(plan.output)).version
            lance.LanceDataset.commit(str(plan.output), lance.LanceOperation.Append(pending), read_version=version)
            committed += pending_rows
        pending, pending_rows = [], 0

    # Blocks of fragment metadata arrive as write tasks finish, while later batches are still being encoded.
    for block in written.iter_batches(batch_size=None, batch_format="pyarrow"):
        for text in block.column("fragment").to_pylist():
            fragment = lance.fragment.FragmentMetadata.from_json(text)
            pending.append(fragment)
            pending_rows += fragment.num_rows
        if pending_rows >= commit_every:
            commit()
    commit()
    return committed

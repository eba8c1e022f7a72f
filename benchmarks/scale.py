"""Memory at scale: peak RSS of opening a memory-mapped 1M×384 float32 .npy and running 1,000 searches;
with ``--parts full``, a 10M×384 corpus from Parquet through every step a user takes.

    python benchmarks/scale.py [--json] [--rows 1000000] [--dim 384] [--queries 1000] [--storage float32]
    python benchmarks/scale.py --parts full [--full-rows 10000000] [--scratch FOLDER] [--json]
        [--steps open,ivfpq_index,reopen] [--corpus EXISTING.parquet]
    python benchmarks/scale.py --parts map [--matrix EXISTING.npy] [--scratch FOLDER] [--json]

The matrix is written to a temporary .npy (random rows, not normalised), then a fresh Python process
imports embedwidgets, opens it with ``np.load(path, mmap_mode="r")``, builds the set and runs 900 queries
in batches of 100 plus 100 one at a time. That process's peak RSS (``VmHWM``, which counts the mapped
file's resident pages too; not ``ru_maxrss``, which Linux carries over from the parent across exec)
divided by the matrix bytes is ``rss_ratio_1m``.
Goal: peak RSS ≤ 1.3 × matrix + 0.5 GB (issue 12). Other keys: the peak, the process's RSS right after its
imports (the floor every Python + torch process pays), the goal as a ratio, and the set's memory() report.

``--parts full`` (issue 12's 10M run; about 47 GB of scratch disk): a Parquet file of ``--full-rows`` clustered
384-d float32 vectors with an id column is written, then a fresh process opens it with ``from_parquet(...,
storage="float16")`` (the vectors are streamed once into the sidecar ``.npy`` and mapped from there), runs 1,000
searches, a PCA map, k-means (k=100, 10 Lloyd steps after k-means++), builds an IVF-PQ index and measures its
recall on 200 rows, then opens the file again (reusing the mapped copy). Each step's seconds and the peak RSS
after it are reported; ``loads_10m`` is true when every step finished and the peak stayed under the
machine's memory.

``--parts map`` (about 15 GB of scratch disk): the map of the same ``--full-rows`` corpus, written as a .npy and
opened memory-mapped with float16 storage: ``project("umap")`` with its defaults (50,000 landmarks; past 4e12
rows × landmarks × dims the nearest landmarks come from an HNSW graph). Keys ``landmark_umap_seconds_10m`` and
``peak_rss_map_10m_gb``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _common import finish, parser

GB = 1e9


def write_matrix(path: Path, rows: int, dim: int) -> None:
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, dim))
    rng = np.random.default_rng(0)
    for start in range(0, rows, 100_000):
        stop = min(rows, start + 100_000)
        out[start:stop] = rng.standard_normal((stop - start, dim), dtype=np.float32)
    out.flush()
    del out


def status_bytes(field: str) -> int:
    """One memory figure of this process from /proc/self/status (Linux), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status; this benchmark needs Linux")


def peak_rss_bytes() -> int:
    """This process's high-water RSS (VmHWM: anonymous memory plus resident pages of mapped files)."""
    return status_bytes("VmHWM")


def child(path: str, queries: int, storage: str) -> None:
    """Runs in its own process, so its peak RSS is this workload's alone."""
    import embedwidgets as ew

    floor = peak_rss_bytes()
    started = time.perf_counter()
    matrix = np.load(path, mmap_mode="r")
    es = ew.EmbeddingSet(np.arange(len(matrix)).astype(str).tolist(), matrix, device="cpu", storage=storage)
    rng = np.random.default_rng(1)
    batch = rng.standard_normal((queries, matrix.shape[1]), dtype=np.float32)
    loaded = time.perf_counter()
    singles = min(100, queries)
    for start in range(singles, queries, 100):
        es.search(batch[start : start + 100], 10)
    for q in batch[:singles]:
        es.search(q[None], 10)
    done = time.perf_counter()
    peak = peak_rss_bytes()
    print(
        json.dumps(
            {
                "peak_rss_bytes": peak,
                "import_rss_bytes": floor,
                "load_seconds": round(loaded - started, 2),
                "search_seconds": round(done - loaded, 2),
                "memory": es.memory().set_index("part")["bytes"].to_dict(),
            }
        )
    )


def write_parquet(path: Path, rows: int, dim: int, centres: int = 1000) -> None:
    """Clustered vectors (random centres plus noise, like real embeddings) and an id column, 100k rows a group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    middle = rng.standard_normal((centres, dim), dtype=np.float32)
    schema = pa.schema([("id", pa.string()), ("vector", pa.list_(pa.float32(), dim))])
    with pq.ParquetWriter(path, schema, compression="none") as writer:
        for start in range(0, rows, 100_000):
            stop = min(rows, start + 100_000)
            block = middle[rng.integers(0, centres, stop - start)]
            block += 0.5 * rng.standard_normal(block.shape, dtype=np.float32)
            vectors = pa.FixedSizeListArray.from_arrays(pa.array(block.reshape(-1)), dim)
            ids = pa.array([f"doc{i}" for i in range(start, stop)])
            writer.write_table(pa.table([ids, vectors], schema=schema))


FULL_STEPS = ("open", "search_1000", "pca_map", "kmeans_100", "ivfpq_index", "reopen")


def full_child(path: str, queries: int, wanted: tuple[str, ...] = FULL_STEPS) -> None:
    """Every step on the big corpus (or the ``wanted`` ones), in one process, with the peak RSS after each."""
    import embedwidgets as ew

    steps: dict[str, dict] = {}

    def step(name: str, work):
        if name not in wanted and name != "open":  # the set must be open for any other step
            return None
        highest = [0]
        running = threading.Event()
        running.set()

        def sample() -> None:  # the step's highest anonymous memory (VmHWM cannot be reset between steps)
            while running.is_set():
                highest[0] = max(highest[0], status_bytes("RssAnon"))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        value = work()
        running.clear()
        sampler.join()
        steps[name] = {
            "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": peak_rss_bytes() // 2**20,
            "anon_peak_mb": highest[0] // 2**20,  # during the step: memory that is not a mapped file's pages
        }
        print(name, steps[name], file=sys.stderr, flush=True)
        return value

    es = step(
        "open", lambda: ew.EmbeddingSet.from_parquet(path, vector_column="vector", label_column="id", storage="float16")
    )
    batch = np.random.default_rng(1).standard_normal((queries, es.dim), dtype=np.float32)

    def searches():
        singles = min(100, queries)
        for start in range(singles, queries, 100):
            es.search(batch[start : start + 100], 10)
        for q in batch[:singles]:
            es.search(q[None], 10)

    step("search_1000", searches)
    step("pca_map", lambda: es.project("pca", 2))
    step("kmeans_100", lambda: es.cluster("kmeans", k=100, n_init=1, max_iter=10))
    index = step("ivfpq_index", lambda: es.build_index("ivfpq", nlist=1024, recall_sample=200, progress=False))
    found = es.neighbors("doc123", k=10)
    if index is not None:
        started = time.perf_counter()
        for label in ("doc1", "doc77", "doc4242", "doc999999", "doc5000000"):
            es.neighbors(label, k=10)
        steps["ivfpq_index"]["query_ms"] = round((time.perf_counter() - started) / 5 * 1000, 1)
    memory = es.memory().set_index("part")["bytes"].to_dict()
    if index is not None:
        index.faiss_index.reset()  # the reopen step below measures a fresh open, not two indexes
    step(
        "reopen",
        lambda: ew.EmbeddingSet.from_parquet(path, vector_column="vector", label_column="id", storage="float16"),
    )
    print(
        json.dumps(
            {
                "steps": steps,
                "steps_skipped": [name for name in FULL_STEPS if name not in steps],
                "recall": found.attrs.get("recall"),
                "note": found.attrs.get("note"),
                "memory": memory,
                "peak_rss_bytes": peak_rss_bytes(),
            }
        )
    )


def map_child(path: str) -> None:
    import embedwidgets as ew

    matrix = np.load(path, mmap_mode="r")
    es = ew.EmbeddingSet(np.arange(len(matrix)).astype(str).tolist(), matrix, storage="float16")
    info = es.projection_info("umap")
    started = time.perf_counter()
    xy = es.project("umap", progress=lambda f, m: print(f"{f:.2f} {m}", file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "note": info["note"],
                "finite": bool(np.isfinite(xy).all()),
                "peak_rss_bytes": peak_rss_bytes(),
            }
        )
    )


def map_part(args) -> dict:
    with tempfile.TemporaryDirectory(dir=args.scratch) as folder:
        path = Path(args.matrix or Path(folder) / "matrix.npy")
        if not args.matrix:
            write_clustered_npy(path, args.full_rows, args.dim)
        command = [sys.executable, __file__, "--map-child", str(path)]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        return {"map_10m_error": done.stderr[-2000:]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "landmark_umap_seconds_10m": round(figures["seconds"], 1),
        "peak_rss_map_10m_gb": round(figures["peak_rss_bytes"] / GB, 2),
        "map_10m_note": figures["note"],
        "map_10m_finite": figures["finite"],
    }


def write_clustered_npy(path: Path, rows: int, dim: int, centres: int = 1000) -> None:
    rng = np.random.default_rng(0)
    middle = rng.standard_normal((centres, dim), dtype=np.float32)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, dim))
    for start in range(0, rows, 100_000):
        stop = min(rows, start + 100_000)
        block = middle[rng.integers(0, centres, stop - start)]
        out[start:stop] = block + 0.5 * rng.standard_normal(block.shape, dtype=np.float32)
    out.flush()
    del out


def full(args) -> dict:
    total = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    with tempfile.TemporaryDirectory(dir=args.scratch) as folder:
        path = Path(args.corpus or Path(folder) / "corpus.parquet")
        started = time.perf_counter()
        if not args.corpus:
            write_parquet(path, args.full_rows, args.dim)
        written = time.perf_counter() - started
        command = [sys.executable, __file__, "--full-child", str(path), "--queries", str(args.queries)]
        command += ["--steps", args.steps]
        log = Path(args.scratch or folder) / "full-steps.log"  # each step's line as it finishes, to follow the run
        with open(log, "w") as steps_log:
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=steps_log, text=True)
        done.stderr = log.read_text()
    if done.returncode:
        return {"loads_10m": False, "full_rows": args.full_rows, "error": done.stderr[-2000:]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak = figures["peak_rss_bytes"]
    return {
        "full_rows": args.full_rows,
        "full_matrix_gb": round(args.full_rows * args.dim * 4 / GB, 1),
        "parquet_write_seconds": round(written, 1) if not args.corpus else None,
        "loads_10m": peak < total and not figures["steps_skipped"],
        "steps_skipped": figures["steps_skipped"],
        "peak_rss_10m_gb": round(peak / GB, 2),
        "machine_memory_gb": round(total / GB, 1),
        "steps_10m": figures["steps"],
        "ivfpq_recall_10m": figures["recall"],
        "memory_10m_bytes": figures["memory"],
    }


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--parts", default="memory", help="comma-separated: memory (1M .npy), full, map (10M)")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--storage", default="float32")
    p.add_argument("--full-rows", type=int, default=10_000_000)
    p.add_argument("--steps", default=",".join(FULL_STEPS), help="with --parts full: steps to run (open always runs)")
    p.add_argument("--corpus", default=None, help="with --parts full: an existing Parquet corpus instead of a new one")
    p.add_argument("--matrix", default=None, help="with --parts map: an existing float32 .npy instead of a new one")
    p.add_argument("--scratch", default=None, help="folder for the scratch files (default: the temp folder)")
    p.add_argument("--child", help=argparse_hidden())
    p.add_argument("--full-child", help=argparse_hidden())
    p.add_argument("--map-child", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args.child, args.queries, args.storage)
        return
    if args.full_child:
        full_child(args.full_child, args.queries, tuple(args.steps.split(",")))
        return
    if args.map_child:
        map_child(args.map_child)
        return
    parts = args.parts.split(",")
    result: dict = {}
    if "memory" in parts:
        result.update(memory(args))
    if "full" in parts:
        result.update(full(args))
        print(
            f"{args.full_rows:,}×{args.dim} from Parquet: loads={result['loads_10m']}, "
            f"peak RSS {result.get('peak_rss_10m_gb')} GB; steps {result.get('steps_10m')}"
        )
    if "map" in parts:
        result.update(map_part(args))
        print(
            f"{args.full_rows:,}×{args.dim} landmark UMAP: {result.get('landmark_umap_seconds_10m')} s, "
            f"peak RSS {result.get('peak_rss_map_10m_gb')} GB"
        )
    finish(result, args.json)


def memory(args) -> dict:
    matrix_bytes = args.rows * args.dim * 4
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matrix.npy"
        write_matrix(path, args.rows, args.dim)
        command = [sys.executable, __file__, "--child", str(path), "--queries", str(args.queries)]
        command += ["--storage", args.storage]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak = figures["peak_rss_bytes"]
    result = {
        "rows": args.rows,
        "dim": args.dim,
        "queries": args.queries,
        "storage": args.storage,
        "matrix_mb": round(matrix_bytes / 2**20, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "import_rss_mb": round(figures["import_rss_bytes"] / 2**20, 1),
        "rss_ratio_1m": round(peak / matrix_bytes, 3),
        "goal_ratio": round(1.3 + 0.5 * GB / matrix_bytes, 3),
        "load_seconds": figures["load_seconds"],
        "search_seconds": figures["search_seconds"],
        "memory_bytes": figures["memory"],
    }
    result["within_goal"] = result["rss_ratio_1m"] <= result["goal_ratio"]
    print(
        f"{args.rows:,}×{args.dim} float32 ({result['matrix_mb']} MB), memory-mapped, {args.queries} searches: "
        f"peak RSS {result['peak_rss_mb']} MB = {result['rss_ratio_1m']}× the matrix "
        f"(goal ≤ {result['goal_ratio']}×; Python + torch alone {result['import_rss_mb']} MB)"
    )
    return result


def argparse_hidden() -> str:
    return "internal: run the measured workload on this .npy"


if __name__ == "__main__":
    main()

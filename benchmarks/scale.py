"""Memory at scale: peak RSS of opening a memory-mapped 1M×384 float32 .npy and running 1,000 searches.

    python benchmarks/scale.py [--json] [--rows 1000000] [--dim 384] [--queries 1000] [--storage float32]

The matrix is written to a temporary .npy (random rows, not normalised), then a fresh Python process
imports embedwidgets, opens it with ``np.load(path, mmap_mode="r")``, builds the set and runs 900 queries
in batches of 100 plus 100 one at a time. That process's peak RSS (``VmHWM``, which counts the mapped
file's resident pages too; not ``ru_maxrss``, which Linux carries over from the parent across exec)
divided by the matrix bytes is ``rss_ratio_1m``.
Goal: peak RSS ≤ 1.3 × matrix + 0.5 GB (issue 12). Other keys: the peak, the process's RSS right after its
imports (the floor every Python + torch process pays), the goal as a ratio, and the set's memory() report.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
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


def peak_rss_bytes() -> int:
    """This process's high-water RSS, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status; this benchmark needs Linux")


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


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--storage", default="float32")
    p.add_argument("--child", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args.child, args.queries, args.storage)
        return
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
    finish(result, args.json)


def argparse_hidden() -> str:
    return "internal: run the measured workload on this .npy"


if __name__ == "__main__":
    main()

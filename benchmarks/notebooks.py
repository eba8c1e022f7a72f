"""Wall time and peak kernel memory of each tutorial, run top to bottom as a reader would run it.

    python benchmarks/notebooks.py [--json] [--fresh-cache] [--timeout 1200] [notebooks/10_….ipynb ...]

Each notebook (default: every ``notebooks/*.ipynb``) runs in a new ``python3`` kernel started from this
interpreter, with ``notebooks/`` as its working directory. Wall time runs from the kernel's start to the last
cell's end. Peak RSS is the largest sum of resident memory over the kernel process and all its children,
polled every 50 ms. With ``--fresh-cache`` each notebook gets its own empty encoding cache
(``EMBEDWIDGETS_CACHE`` pointed at a new temporary directory), so it pays for every sentence it encodes,
as on a fresh Binder session; without it the cache in ``~/.cache/embedwidgets`` (or ``$EMBEDWIDGETS_CACHE``)
is used as it is.

The question this answers: does each tutorial fit in a Binder session (2 GB of memory), and how long does
a reader wait for Run All?
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from _common import finish, parser, table
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
POLL_SECONDS = 0.05
BINDER_LIMIT_BYTES = 2 * 10**9  # decimal GB throughout: the stricter reading of Binder's limit


class PeakRSS:
    """Polls a process and its children in a thread; ``peak`` is the largest summed RSS seen, in bytes."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):  # a child that exited meanwhile
                total += proc.memory_info().rss
        self.peak = max(self.peak, total)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._sample()
            except psutil.NoSuchProcess:
                return
            self._stop.wait(POLL_SECONDS)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_notebook(path: Path, timeout: float) -> dict:
    """Run ``path`` top to bottom in a fresh kernel; return its wall time, peak RSS and cell count."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    state: dict = {}

    def on_start(**_: object) -> None:
        pid = client.km.provisioner.pid
        exe = Path(psutil.Process(pid).exe()).resolve()
        if exe != Path(sys.executable).resolve():
            raise RuntimeError(f"the kernel runs {exe}, not this interpreter {sys.executable}")
        state["monitor"] = PeakRSS(pid)
        state["monitor"].start()

    client.on_notebook_start = on_start
    started = time.perf_counter()
    try:
        client.execute()
        seconds = time.perf_counter() - started
    finally:
        if "monitor" in state:
            state["monitor"].stop()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise RuntimeError(f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    monitor = state["monitor"]
    return {
        "notebook": path.name,
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(monitor.peak / 1e9, 2),
        "peak_rss_bytes": monitor.peak,
        "samples": monitor.samples,
        "code_cells": sum(cell.cell_type == "code" for cell in notebook.cells),
    }


def main() -> None:
    p = parser(__doc__)
    p.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    p.add_argument("--fresh-cache", action="store_true", help="an empty encoding cache for each notebook")
    p.add_argument("--timeout", type=float, default=1200, help="seconds allowed per cell")
    args = p.parse_args()
    paths = [path.resolve() for path in args.notebooks] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))

    rows = []
    for path in paths:
        if args.fresh_cache:
            with tempfile.TemporaryDirectory(prefix="embedwidgets-cache-") as cache:
                previous = os.environ.get("EMBEDWIDGETS_CACHE")
                os.environ["EMBEDWIDGETS_CACHE"] = cache  # the kernel inherits this environment
                try:
                    rows.append(run_notebook(path, args.timeout))
                    # shows the kernel really used the empty cache: what it wrote there
                    rows[-1]["cache_files_written"] = sum(f.is_file() for f in Path(cache).rglob("*"))
                finally:
                    if previous is None:
                        del os.environ["EMBEDWIDGETS_CACHE"]
                    else:
                        os.environ["EMBEDWIDGETS_CACHE"] = previous
        else:
            rows.append(run_notebook(path, args.timeout))
        print(f"{rows[-1]['notebook']}: {rows[-1]['seconds']} s, {rows[-1]['peak_rss_gb']} GB", file=sys.stderr)

    print(
        table(
            [(r["notebook"], f"{r['seconds']:.1f}", f"{r['peak_rss_gb']:.2f}") for r in rows],
            ("notebook", "wall s", "peak RSS GB"),
        )
    )
    print()
    print("| notebook | wall time | peak kernel RSS |")
    print("|---|---|---|")
    for r in rows:
        print(f"| `{r['notebook']}` | {r['seconds']:.0f} s | {r['peak_rss_gb']:.2f} GB |")
    under = all(r["peak_rss_bytes"] < BINDER_LIMIT_BYTES for r in rows)
    print(f"\nall under 2 GB: {under}")
    finish(
        {
            "benchmark": "notebooks",
            "fresh_cache": args.fresh_cache,
            "cpu_count": os.cpu_count(),
            "all_under_2gb": under,
            "rows": rows,
        },
        args.json,
    )


if __name__ == "__main__":
    main()

"""The corpus pipeline past one machine: encoding throughput local vs Ray (1 and 2 actors), and lance-ray's IVF-PQ.

    python benchmarks/distributed.py [--json] [--texts 2000] [--rows 1000000]

Same-run figures on this machine:
- ``texts_per_second_local``: ``encode_corpus(engine="local")`` (the model in this process, all its threads);
- ``texts_per_second_ray_1`` / ``_ray_2``: ``engine="ray"`` with one and two encoding actors on a one-node cluster
  of this machine (one CPU always left to Ray Data's reads and writes). Both include Ray's start-up of the
  actors (model load), as a job does; ``ray_2_over_ray_1`` is the scaling ratio, bounded by the cores here.
- ``lance_ray_recall_at_10`` / ``lance_ray_query_ms``: an IVF-PQ index built by lance-ray over ``--rows`` synthetic
  384-dim vectors (a mixture of 1,000 Gaussian clusters, unit length; encoding a million real texts would take
  hours here), recall@10 measured against an exact streamed scan for 200 of its rows, and the mean time of one
  indexed query.

Ray runs only on loopback: outside a network namespace the script re-runs itself inside one (`unshare -n`, root).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import finish, parser, table

HERE = Path(__file__).resolve()
PORT = 6395


def _in_namespace_or_reexec() -> None:
    if os.environ.get("EW_IN_NETNS") == "1":
        return
    if shutil.which("unshare") is None:
        sys.exit("benchmarks/distributed.py needs `unshare -n` (root) to keep its Ray cluster on loopback.")
    script = f'ip link set lo up && exec "{sys.executable}" "{HERE}" "$@"'
    env = {**os.environ, "EW_IN_NETNS": "1", "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run(["unshare", "-n", "bash", "-c", script, "bash", *sys.argv[1:]], env=env)
    sys.exit(done.returncode)


def _texts(n: int) -> list[str]:
    import random

    import embedwidgets as ew

    topics = ew.datasets.topics()
    rng = random.Random(0)
    texts = topics.text.tolist()
    return [f"{rng.choice(texts)} {rng.choice(texts)}"[:300] for _ in range(n)]


def _synthetic_corpus(path: Path, rows: int, dim: int = 384) -> None:
    """A Lance corpus of clustered unit vectors with the manifest encode_corpus writes."""
    import lance
    import numpy as np
    import pyarrow as pa

    from embedwidgets.scale.corpus import Source, output_schema

    rng = np.random.default_rng(0)
    centres = rng.standard_normal((1000, dim)).astype(np.float32)
    info = {"name": "synthetic", "dim": dim, "fingerprint": "synthetic"}
    schema = output_schema(
        pa.schema([("id", pa.int64()), ("text", pa.string())]),
        "text",
        "id",
        "id",
        [],
        info,
        Source("parquet", [], "synthetic"),
    )

    def batches():
        for start in range(0, rows, 65_536):
            n = min(65_536, rows - start)
            vectors = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.standard_normal((n, dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            yield pa.record_batch(
                [
                    pa.array(np.arange(start, start + n)),
                    pa.array([""] * n, pa.string()),
                    pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), dim),
                ],
                schema=schema,
            )

    lance.write_dataset(pa.RecordBatchReader.from_batches(schema, batches()), str(path), schema=schema)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--texts", type=int, default=2000, help="texts per encoding run")
    p.add_argument("--rows", type=int, default=1_000_000, help="synthetic vectors for the lance-ray index")
    args = p.parse_args()
    _in_namespace_or_reexec()
    import pandas as pd

    import embedwidgets as ew

    work = Path(tempfile.mkdtemp(prefix="ew-distributed-"))
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "ray"), "start", "--head", f"--port={PORT}", "--num-cpus=2", "--include-dashboard=false"]
        + ["--disable-usage-stats"],
        check=True,
        capture_output=True,
    )
    try:
        source = work / "texts.parquet"
        pd.DataFrame({"id": range(args.texts), "text": _texts(args.texts)}).to_parquet(source)
        ew.minilm()  # loaded once before timing, as a notebook has it
        result: dict = {"texts": args.texts, "cores": os.cpu_count()}
        runs = [("local", {}), ("ray_1", {"workers": 1}), ("ray_2", {"workers": 2})]
        for name, extra in runs:
            engine = "local" if name == "local" else "ray"
            address = None if engine == "local" else f"127.0.0.1:{PORT}"
            started = time.perf_counter()
            report = ew.encode_corpus(
                source,
                id_column="id",
                output=work / f"{name}.lance",
                engine=engine,
                ray_address=address,
                progress=False,
                **extra,
            )
            assert report.ok
            result[f"texts_per_second_{name}"] = round(args.texts / (time.perf_counter() - started), 1)
        result["ray_2_over_ray_1"] = round(result["texts_per_second_ray_2"] / result["texts_per_second_ray_1"], 2)
        result["ray_2_over_local"] = round(result["texts_per_second_ray_2"] / result["texts_per_second_local"], 2)
        corpus = work / "synthetic.lance"
        started = time.perf_counter()
        _synthetic_corpus(corpus, args.rows)
        written = time.perf_counter() - started
        index = ew.build_corpus_index(corpus, engine="ray", ray_address=f"127.0.0.1:{PORT}", workers=1)
        result.update(
            index_rows=args.rows,
            lance_ray_recall_at_10=index["recall_at_10"],
            lance_ray_query_ms=index["query_ms"],
            lance_ray_index_seconds=index["seconds"],
            lance_ray_partitions=index["num_partitions"],
            lance_ray_nprobes=index["nprobes"],
            synthetic_write_seconds=round(written, 1),
        )
    finally:
        subprocess.run([str(bin_dir / "ray"), "stop", "--force"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    rows = [(k, str(v)) for k, v in result.items()]
    print(table(rows, ("figure", "value")))
    finish(result, args.json)
    if not args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()

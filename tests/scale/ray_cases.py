"""The ray engine on a real two-node Ray cluster (127.0.0.1 only). Not collected on its own: test_ray_cluster.py
starts the cluster in a network namespace and runs this file there (see tests/scale/ray_cluster.sh).

The order matters: the fault case kills the worker node, so it runs last.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

import embedwidgets as ew
from embedwidgets.scale import encode_corpus

if os.environ.get("EW_IN_NETNS") != "1":  # Ray must never start outside the loopback-only namespace
    pytest.skip("run through tests/scale/test_ray_cluster.py", allow_module_level=True)

import lance  # noqa: E402
from stopping import kill_once_committed  # noqa: E402

ROOT = Path(__file__).parents[2]
ADDRESS = os.environ["EW_RAY_ADDRESS"]
WORKER_PORT = os.environ["EW_RAY_WORKER_PORT"]
RAY = {"engine": "ray", "ray_address": ADDRESS, "workers": 2, "cpus_per_worker": 0.5, "progress": False}


def vectors_by_id(uri):
    table = lance.dataset(str(uri)).to_table(columns=["id", "vector"]).to_pandas()
    return {int(i): np.asarray(v, dtype=np.float32) for i, v in zip(table["id"], table["vector"])}


def cosines(a, b):
    return np.array([float(a[i] @ b[i] / np.linalg.norm(a[i]) / np.linalg.norm(b[i])) for i in b])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """600 topic texts with ids and a metadata column, in two Parquet files (a folder source)."""
    folder = tmp_path_factory.mktemp("corpus") / "texts"
    folder.mkdir()
    frame = ew.datasets.topics()[["id", "text", "topic"]].head(600)
    frame["id"] = frame["id"].astype("int64")
    frame.iloc[:300].to_parquet(folder / "part-0.parquet")
    frame.iloc[300:].to_parquet(folder / "part-1.parquet")
    return folder, frame


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "corpus.lance"
    assert encode_corpus(corpus[0], id_column="id", output=out, progress=False).ok
    return vectors_by_id(out)


def test_an_unreachable_address_fails_fast_and_clearly(corpus, tmp_path):
    from embedwidgets.scale.ray_encode import RayUnreachableError

    started = time.monotonic()
    with pytest.raises(RayUnreachableError, match=r"no Ray cluster answers at '127.0.0.1:6399'.*ray start"):
        encode_corpus(
            corpus[0], id_column="id", output=tmp_path / "x.lance", engine="ray", ray_address="127.0.0.1:6399"
        )
    assert time.monotonic() - started < 30
    assert not (tmp_path / "x.lance").exists()


@pytest.fixture(scope="module")
def ray_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("ray") / "ray.lance"
    return out, encode_corpus(corpus[0], id_column="id", output=out, **RAY)


def test_ray_and_local_engines_give_the_same_vectors_and_ids(ray_run, local):
    out, report = ray_run
    assert report.ok and report.workers == 2 and report.rows_encoded == 600
    got = vectors_by_id(out)
    assert sorted(got) == sorted(local)
    assert cosines(got, local).min() >= 0.9999
    # The metadata column travels and the output opens as a set.
    docs = ew.EmbeddingSet.from_lance(out)
    assert len(docs) == 600 and set(docs.metadata.columns) >= {"text", "topic"}


def test_ray_resumes_an_output_and_encodes_only_the_missing_ids(corpus, local, tmp_path):
    first = tmp_path / "first.parquet"
    corpus[1].iloc[:100].to_parquet(first)
    out = tmp_path / "resumed.lance"
    assert encode_corpus(first, id_column="id", output=out, progress=False).rows_in_output == 100
    report = encode_corpus(corpus[0], id_column="id", output=out, **RAY)
    assert report.ok and report.rows_already_done == 100 and report.rows_encoded == 500
    got = vectors_by_id(out)
    assert sorted(got) == sorted(local) and cosines(got, local).min() >= 0.9999


def test_a_stopped_ray_job_keeps_its_commits_and_the_rerun_encodes_only_the_rest(corpus, local, tmp_path):
    rows, per_file = 300, 75
    folder = tmp_path / "texts"
    folder.mkdir()
    frame = corpus[1].head(rows)
    for start in range(0, rows, per_file):
        frame.iloc[start : start + per_file].to_parquet(folder / f"part-{start // per_file}.parquet")
    out = tmp_path / "stopped.lance"
    command = [sys.executable, "-m", "embedwidgets", "encode", str(folder), "--id-column", "id", "--out", str(out)]
    command += ["--ray", ADDRESS, "--workers", "2", "--cpus-per-worker", "0.5", "--batch-size", "16"]
    command += ["--commit-every", "50"]
    kill_once_committed(command, out, 1, timeout=400)  # the first slice is committed
    stopped = lance.dataset(str(out))
    partial, versions = stopped.count_rows(), len(stopped.versions())
    assert 0 < partial <= rows - 100  # stopped early: the rerun has several slices to commit
    report = encode_corpus(folder, id_column="id", output=out, commit_every=50, batch_size=16, **RAY)
    assert report.ok and report.rows_in_output == rows
    assert report.rows_already_done == partial and report.rows_encoded == rows - partial
    assert len(lance.dataset(str(out)).versions()) - versions >= 2  # the rerun committed in slices too
    got = vectors_by_id(out)
    assert sorted(got) == sorted(frame["id"])  # every id exactly once (report.ok: no duplicates)
    assert cosines(got, {i: local[i] for i in got}).min() >= 0.9999


def test_one_command_encodes_indexes_and_maps_on_the_cluster(corpus, local, tmp_path):
    from embedwidgets.scale import corpus_map, open_corpus, read_manifest

    out = tmp_path / "built.lance"  # from the 600-text folder: lance-ray trains an index on 512 rows or more
    command = [sys.executable, "-m", "embedwidgets", "build", str(corpus[0]), "--id-column", "id", "--out", str(out)]
    command += ["--ray", ADDRESS, "--workers", "2", "--cpus-per-worker", "0.5", "--landmarks", "100"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "exactly one vector per id (600 rows)" in done.stdout and "ew.open_corpus(" in done.stdout
    recorded = read_manifest(out)["corpus"]
    assert recorded["index"]["engine"] == "ray" and recorded["index"]["rows"] == 600
    assert recorded["projection"]["engine"] == "ray" and recorded["projection"]["landmarks"] == 100
    got = vectors_by_id(out)
    assert sorted(got) == sorted(local) and cosines(got, local).min() >= 0.9999
    assert recorded["index"]["recall_at_10"] >= 0.8 and recorded["projection"]["approximate"]
    xy = corpus_map(out)
    assert xy.shape == (600, 2) and np.isfinite(xy).all()
    docs = open_corpus(out, label_column="text")
    text = docs.labels[3]
    assert docs.neighbors(docs[text], k=1, index=docs.index).label[0] == text


def _worker_raylet() -> psutil.Process:
    for process in psutil.process_iter(["name", "cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if "raylet" in (process.info["name"] or "") and f"--node_manager_port={WORKER_PORT}" in line:
            return process
    raise AssertionError("the worker node's raylet is not running")


def _encoding_for_a_while(process: psutil.Process) -> bool:
    """An encoding actor that has loaded its model and worked for a while (processes come and go: a gone or
    zombie one is simply not it)."""
    try:
        return "EncodeBatches" in " ".join(process.cmdline()) and process.cpu_times().user > 15
    except psutil.Error:
        return False


def _wait_until_the_cluster_counts(cpus: float, timeout: float = 180) -> None:
    """Ray counts a killed node's CPUs until its health checks have failed (tens of seconds). A job planned
    before then asks for actors that cannot all start, and on this small cluster they would starve Ray Data's
    read tasks: the next test waits for Ray to see the node gone."""
    script = (
        "import time, ray\n"
        f"ray.init(address={ADDRESS!r}, logging_level='ERROR')\n"
        f"deadline = time.monotonic() + {timeout}\n"
        f"while ray.cluster_resources().get('CPU', 0) != {cpus} and time.monotonic() < deadline:\n"
        "    time.sleep(1)\n"
        "print(ray.cluster_resources().get('CPU', 0))\n"
    )
    counted = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout + 60)
    assert counted.stdout.strip().splitlines()[-1:] == [str(float(cpus))], counted.stdout + counted.stderr


def test_killing_the_worker_node_mid_encode_loses_and_doubles_nothing(tmp_path, minilm):
    rows = 1200
    topics = ew.datasets.topics()
    texts = [f"{topics.text[i % len(topics)]} (note {i})" for i in range(rows)]
    source = tmp_path / "big.parquet"
    pd.DataFrame({"id": np.arange(rows, dtype=np.int64), "text": texts}).to_parquet(source)
    out = tmp_path / "fault.lance"
    command = [sys.executable, "-m", "embedwidgets", "encode", str(source), "--id-column", "id", "--out", str(out)]
    command += ["--ray", ADDRESS, "--workers", "2", "--cpus-per-worker", "0.5", "--batch-size", "32"]
    raylet = _worker_raylet()
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        # Mid-encode: an actor on the worker node has loaded the model and encoded for a while.
        deadline = time.monotonic() + 400
        busy = False
        while time.monotonic() < deadline and job.poll() is None and not busy:
            busy = any(_encoding_for_a_while(child) for child in raylet.children(recursive=True))
            time.sleep(0.5)
        assert busy and job.poll() is None, "the worker node never started encoding, or the job ended first"
        raylet.send_signal(signal.SIGKILL)
        output, _ = job.communicate(timeout=500)
        _wait_until_the_cluster_counts(2)  # the head's CPUs alone
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    assert job.returncode == 0, output[-3000:]
    assert f"exactly one vector per id ({rows:,} rows)" in output
    table = lance.dataset(str(out)).to_table(columns=["id"]).column(0).to_numpy()
    assert len(table) == rows and len(np.unique(table)) == rows  # every id exactly once
    got = vectors_by_id(out)
    sample = list(range(0, rows, 97))
    direct = minilm.encode([texts[i] for i in sample])
    assert cosines(got, dict(zip(sample, direct))).min() >= 0.9999


def test_the_corpus_notebook_runs_every_step_on_the_cluster(monkeypatch):
    """notebooks/03 end to end with the ray engine (1,000 texts here; tests/notebooks runs it at 20,000 locally)."""
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "03_corpus_at_scale.ipynb"
    notebook = nbformat.read(path, as_version=4)
    monkeypatch.setenv("EW_RAY_ADDRESS", ADDRESS)  # the kernel inherits both
    monkeypatch.setenv("EW_CORPUS_ROWS", "1000")
    client = NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs)
    assert "engine: ray" in printed and "exactly one vector per id (1,000 rows)" in printed

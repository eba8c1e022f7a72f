"""encode_corpus with the local engine, and its checks before any work: real MiniLM, real Lance datasets.

No Ray here; tests/scale/test_ray_cluster.py runs the ray engine on a two-node cluster in a network namespace.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import embedwidgets as ew
from embedwidgets.scale import (
    CorpusError,
    EmptyTextError,
    EncodingMismatchError,
    encode_corpus,
)

pytest.importorskip("lance")
import lance  # noqa: E402
from stopping import kill_once_committed  # noqa: E402

ROOT = Path(__file__).parents[2]
ROWS = 600


def vectors_by_id(uri):
    table = lance.dataset(str(uri)).to_table(columns=["id", "vector"]).to_pandas()
    return {i: np.asarray(v, dtype=np.float32) for i, v in zip(table["id"], table["vector"])}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """600 topic texts with ids and a metadata column, as a Parquet file."""
    folder = tmp_path_factory.mktemp("corpus")
    frame = ew.datasets.topics()[["id", "text", "topic"]].head(ROWS)
    frame["id"] = frame["id"].astype("int64")
    path = folder / "texts.parquet"
    frame.to_parquet(path)
    return path, frame


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory):
    """One uninterrupted local run: the reference the other runs are compared with."""
    out = tmp_path_factory.mktemp("clean") / "corpus.lance"
    report = encode_corpus(corpus[0], id_column="id", output=out, progress=False)
    return out, report


def test_local_run_writes_one_vector_per_id_that_from_lance_opens(clean, corpus, minilm):
    out, report = clean
    frame = corpus[1]
    assert report.ok and report.rows_in_output == ROWS and report.rows_encoded == ROWS
    assert "exactly one vector per id" in str(report)
    got = vectors_by_id(out)
    assert sorted(got) == sorted(frame["id"])
    # The same vectors the bundled encoder gives one text at a time.
    direct = minilm.encode(frame["text"].head(20).tolist())
    for row, vector in zip(frame["id"].head(20), direct):
        assert float(got[row] @ vector / np.linalg.norm(got[row]) / np.linalg.norm(vector)) > 0.9999
    docs = ew.EmbeddingSet.from_lance(out)  # the manifest tells it the id, vector and metadata columns
    assert len(docs) == ROWS and docs.dim == 384
    assert set(docs.metadata.columns) >= {"text", "topic"}
    first = docs.metadata["text"].iloc[0]
    top = docs.neighbors(minilm.encode([first])[0], k=1)
    assert docs.metadata["text"].iloc[docs.row(top.label[0])] == first


def test_a_stopped_job_resumes_to_the_same_result_as_a_clean_run(corpus, clean, tmp_path):
    out = tmp_path / "resumed.lance"
    command = [sys.executable, "-m", "embedwidgets", "encode", str(corpus[0]), "--id-column", "id"]
    command += ["--out", str(out), "--commit-every", "50", "--batch-size", "16"]
    kill_once_committed(command, out, 100, timeout=300)
    partial = lance.dataset(str(out)).count_rows()
    assert 100 <= partial < ROWS and partial % 50 == 0  # whole commits only
    report = encode_corpus(corpus[0], id_column="id", output=out, progress=False)
    assert report.ok
    assert report.rows_already_done == partial and report.rows_encoded == ROWS - partial
    resumed, reference = vectors_by_id(out), vectors_by_id(clean[0])
    assert sorted(resumed) == sorted(reference)
    assert max(float(np.abs(resumed[i] - reference[i]).max()) for i in reference) < 1e-4


def test_command_line_encodes_and_reports(corpus, tmp_path):
    frame = corpus[1].head(40)
    source = tmp_path / "few.parquet"
    frame.to_parquet(source)
    out = tmp_path / "few.lance"
    done = subprocess.run(
        [sys.executable, "-m", "embedwidgets", "encode", str(source), "--id-column", "id", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "exactly one vector per id (40 rows)" in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "embedwidgets", "encode", str(source), "--text-column", "body", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert again.returncode == 2 and "has no column 'body'" in again.stderr and "Traceback" not in again.stderr


def test_one_command_builds_vectors_index_and_map_that_the_widgets_open(corpus, tmp_path):
    from embedwidgets.scale import corpus_map, open_corpus, read_manifest

    source = tmp_path / "some.parquet"
    corpus[1].head(300).to_parquet(source)  # IVF-PQ trains on 256 rows or more
    out = tmp_path / "built.lance"
    command = [sys.executable, "-m", "embedwidgets", "build", str(source), "--id-column", "id", "--out", str(out)]
    done = subprocess.run(command + ["--landmarks", "100"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "exactly one vector per id (300 rows)" in done.stdout
    assert "index:" in done.stdout and "map:" in done.stdout and "ew.open_corpus(" in done.stdout
    recorded = read_manifest(out)["corpus"]
    assert recorded["index"]["rows"] == 300 and 0.8 <= recorded["index"]["recall_at_10"] <= 1.0
    assert recorded["projection"]["landmarks"] == 100
    docs = open_corpus(out, label_column="text")
    assert docs.index is not None and corpus_map(out).shape == (300, 2)
    view = ew.ClusterView(docs, projection=corpus_map(out))
    assert view.projection == "custom" and ew.NeighborBrowser(docs) is not None
    view.wait(300)


def test_row_numbers_are_the_ids_without_an_id_column(tmp_path):
    source = tmp_path / "plain.parquet"
    pd.DataFrame({"text": ["a red apple", "a green pear", "the stock market fell"]}).to_parquet(source)
    report = encode_corpus(source, output=tmp_path / "plain.lance", progress=False)
    assert report.ok and sorted(vectors_by_id(tmp_path / "plain.lance")) == [0, 1, 2]


# ---- bad input: a clear error before any work starts ---------------------------------------------------


def test_missing_text_column_names_the_columns(corpus, tmp_path):
    with pytest.raises(CorpusError, match=r"no column 'body'.*'text'.*text_column="):
        encode_corpus(corpus[0], text_column="body", id_column="id", output=tmp_path / "x.lance")
    assert not (tmp_path / "x.lance").exists()


def test_null_and_empty_texts_are_counted_and_named(tmp_path):
    source = tmp_path / "gaps.parquet"
    texts = ["a red apple", None, "  ", "a green pear", "", "the stock market fell"]
    pd.DataFrame({"id": [10, 11, 12, 13, 14, 15], "text": texts}).to_parquet(source)
    with pytest.raises(EmptyTextError, match=r"3 of 6 texts.*null or empty.*\[11, 12, 14\].*skip_empty=True") as err:
        encode_corpus(source, id_column="id", output=tmp_path / "gaps.lance")
    assert err.value.count == 3 and err.value.ids == [11, 12, 14]
    assert not (tmp_path / "gaps.lance").exists()
    report = encode_corpus(source, id_column="id", output=tmp_path / "gaps.lance", skip_empty=True, progress=False)
    assert report.ok and report.empty_texts == 3 and report.skipped_empty == 3 and report.rows_in_output == 3
    assert "3 null or empty texts, 3 of them skipped" in str(report)
    assert sorted(vectors_by_id(tmp_path / "gaps.lance")) == [10, 13, 15]


def test_repeated_ids_are_refused(tmp_path):
    source = tmp_path / "twice.parquet"
    pd.DataFrame({"id": [1, 2, 2], "text": ["a", "b", "c"]}).to_parquet(source)
    with pytest.raises(CorpusError, match=r"repeats ids.*\[2\].*unique"):
        encode_corpus(source, id_column="id", output=tmp_path / "twice.lance")


def test_output_of_another_model_is_refused(clean, corpus, tmp_path):
    out = tmp_path / "other.lance"
    shutil.copytree(clean[0], out)
    words = ew.WordAverage(ew.glove(vocab=20_000))  # another model: 50-dim averaged GloVe vectors
    with pytest.raises(EncodingMismatchError, match=r"another model \(all-MiniLM-L6-v2, 384 dimensions"):
        encode_corpus(corpus[0], id_column="id", encoder=words, output=out)
    assert lance.dataset(str(out)).count_rows() == ROWS  # untouched


def test_existing_output_without_resume_is_refused(clean, corpus):
    with pytest.raises(FileExistsError, match="resume=True"):
        encode_corpus(corpus[0], id_column="id", output=clean[0], resume=False)


def test_the_ray_engine_needs_ids_and_refuses_before_connecting(corpus, tmp_path):
    with pytest.raises(CorpusError, match="id_column="):
        encode_corpus(corpus[0], output=tmp_path / "r.lance", engine="ray")


def test_worker_plans_leave_a_cpu_for_reads_and_writes():
    from embedwidgets.scale.ray_encode import plan_workers

    assert plan_workers(2, 0, workers=None, cpus_per_worker=None, gpus_per_worker=None) == (1, 1.0, 0.0)
    assert plan_workers(4, 0, workers=2, cpus_per_worker=None, gpus_per_worker=None) == (2, 1.0, 0.0)
    with pytest.raises(CorpusError, match="would leave less than 1"):  # the two-CPU deadlock, refused
        plan_workers(2, 0, workers=2, cpus_per_worker=1, gpus_per_worker=None)
    with pytest.raises(CorpusError, match="has 1 CPUs"):
        plan_workers(1, 0, workers=None, cpus_per_worker=None, gpus_per_worker=None)
    with pytest.raises(CorpusError, match="has 0 GPUs"):
        plan_workers(8, 0, workers=None, cpus_per_worker=None, gpus_per_worker=1)


def test_no_ray_is_imported_by_the_local_engine():
    code = "import embedwidgets, embedwidgets.scale, sys; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ)
    assert done.stdout.strip() == "False", done.stderr


# ---- index, map and widgets over an encoded corpus ---------------------------------------------------


@pytest.fixture(scope="module")
def indexed(clean, tmp_path_factory):
    """A copy of the clean corpus with its IVF-PQ index and a landmark map."""
    from embedwidgets.scale import build_corpus_index, project_corpus

    out = tmp_path_factory.mktemp("indexed") / "corpus.lance"
    shutil.copytree(clean[0], out)
    index = build_corpus_index(out, recall_sample=100)
    projection = project_corpus(out, landmarks=200)
    return out, index, projection


def test_index_recall_is_measured_and_neighbors_go_through_lance(indexed, corpus):
    from embedwidgets.scale import open_corpus

    out, index, _ = indexed
    assert index["rows"] == ROWS and index["recall_sample"] == 100
    assert 0.8 <= index["recall_at_10"] <= 1.0
    docs = open_corpus(out, label_column="text")  # the topic texts are unique
    assert docs.index is not None and docs.index.recall == index["recall_at_10"]
    text = corpus[1]["text"].iloc[7]
    own = docs.neighbors(docs[text], k=1, index=docs.index)  # by its vector, a row finds itself first
    assert own.label[0] == text and own.score[0] > 0.999
    found = docs.neighbors(text, k=5, index=docs.index)  # by its label: left out of its own results
    assert found.attrs["index"] == "lance" and found.attrs["note"].startswith("approximate (recall@10")
    assert text not in set(found.label)
    exact = docs.neighbors(text, k=5, index="exact")
    assert len(set(found.label) & set(exact.label)) >= 4


def test_the_map_keeps_topics_together_and_says_it_is_approximate(indexed, corpus):
    from embedwidgets.scale import corpus_map, read_manifest

    out, _, projection = indexed
    assert projection["approximate"] and projection["landmarks"] == 200 and "200 random landmarks" in projection["note"]
    assert read_manifest(out)["corpus"]["projection"]["columns"] == ["map_x", "map_y"]
    xy = corpus_map(out)
    assert xy.shape == (ROWS, 2) and np.isfinite(xy).all()
    ids = lance.dataset(str(out)).to_table(columns=["id"]).column(0).to_numpy()
    topic = corpus[1].set_index("id").loc[ids, "topic"].to_numpy()
    centres = {t: xy[topic == t].mean(0) for t in set(topic)}
    own = np.linalg.norm(xy - np.array([centres[t] for t in topic]), axis=1).mean()
    spread = np.mean([np.linalg.norm(a - b) for a in centres.values() for b in centres.values()])
    assert own < 0.5 * spread  # rows sit near their own topic's centre, far from the others'


def test_neighbor_browser_and_cluster_view_open_the_corpus(indexed):
    from embedwidgets.scale import corpus_map, open_corpus

    out = indexed[0]
    docs = open_corpus(out, label_column="text")
    browser = ew.NeighborBrowser(docs)
    assert browser is not None
    view = ew.ClusterView(docs, projection=corpus_map(out))
    assert view.projection == "custom"
    view.wait(300)  # its clustering runs in a background thread: never leave one running at exit

"""Sets from Parquet, Lance and memory-mapped files; save and reopen; reduced storage; memory()."""

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from embedwidgets import EmbeddingSet
from embedwidgets.engine import store

lance = pytest.importorskip("lance")


def random_vectors(n=2000, d=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


@pytest.fixture(scope="module")
def frame():
    vectors = random_vectors()
    return pd.DataFrame(
        {
            "word": [f"w{i}" for i in range(len(vectors))],
            "embedding": list(vectors),
            "topic": np.arange(len(vectors)) % 7,
            "note": [f"note {i}" for i in range(len(vectors))],
        }
    ), vectors


def neighbour_labels(es, queries, k=10):
    return [f.label.tolist() for f in es.neighbors(queries, k=k)]


def fixed_size_table(df, vectors):
    return pa.table(
        {
            "word": df.word.tolist(),
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1]),
            "topic": df.topic.to_numpy(),
            "note": df.note.tolist(),
        }
    )


def test_parquet_and_lance_sets_give_the_in_memory_neighbours(tmp_path, frame):
    df, vectors = frame
    expected = EmbeddingSet(df.word.tolist(), vectors, df[["topic", "note"]])
    queries = vectors[:25] + 0.1
    # variable lists, split over two files of a folder
    folder = tmp_path / "parts"
    folder.mkdir()
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table.slice(0, 1200), folder / "a.parquet", row_group_size=500)
    pq.write_table(table.slice(1200), folder / "b.parquet")
    from_folder = EmbeddingSet.from_parquet(folder, vector_column="embedding", label_column="word")
    # fixed-size lists in one file
    pq.write_table(fixed_size_table(df, vectors), tmp_path / "fixed.parquet")
    from_file = EmbeddingSet.from_parquet(tmp_path / "fixed.parquet", vector_column="embedding", label_column="word")
    lance.write_dataset(fixed_size_table(df, vectors), str(tmp_path / "set.lance"))
    from_lance = EmbeddingSet.from_lance(tmp_path / "set.lance", vector_column="embedding", label_column="word")
    for es in (from_folder, from_file, from_lance):
        np.testing.assert_array_equal(es.vectors, vectors)
        assert es.labels == expected.labels
        assert es.metadata.columns.tolist() == ["topic", "note"]
        assert neighbour_labels(es, queries) == neighbour_labels(expected, queries)


def test_save_and_from_lance_round_trip_exactly(tmp_path, frame):
    df, vectors = frame
    es = EmbeddingSet(df.word.tolist(), vectors, df[["topic", "note"]], name="words")
    coords = es.project("pca", 2)
    clusters = es.cluster("kmeans", k=4)
    es.save(tmp_path / "words.lance")
    back = EmbeddingSet.from_lance(tmp_path / "words.lance")
    assert back.labels == es.labels and back.name == "words"
    np.testing.assert_array_equal(back.vectors, es.vectors)
    pd.testing.assert_frame_equal(back.metadata, es.metadata)
    # the cached projection and clusters come back under their keys, so no recomputation
    assert back.cached_items("projection")[0][0] == es.cached_items("projection")[0][0]
    np.testing.assert_array_equal(back.project("pca", 2), coords)
    np.testing.assert_array_equal(back.cluster("kmeans", k=4), clusters)
    assert back.cluster("kmeans", k=4).dtype == clusters.dtype
    with pytest.raises(FileExistsError, match="overwrite=True"):
        es.save(tmp_path / "words.lance")
    es.save(tmp_path / "words.lance", overwrite=True)
    assert len(EmbeddingSet.from_lance(tmp_path / "words.lance")) == len(es)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_ragged_vectors_are_refused_by_name(tmp_path):
    table = pa.table({"id": ["a", "b", "c"], "v": [[1.0, 2.0], [3.0, 4.0], [5.0]]})
    pq.write_table(table, tmp_path / "ragged.parquet")
    with pytest.raises(ValueError, match=r"rows of different lengths: row 2 has 1 values.*same dimension"):
        EmbeddingSet.from_parquet(tmp_path / "ragged.parquet", vector_column="v", label_column="id")
    assert leftovers(tmp_path) == ["ragged.parquet"]


def test_nan_rows_are_refused_and_nothing_is_written(tmp_path):
    table = pa.table({"id": ["a", "b"], "v": [[1.0, float("nan")], [3.0, 4.0]]})
    pq.write_table(table, tmp_path / "nan.parquet")
    with pytest.raises(ValueError, match=r"NaN or infinite values in rows 0.*drop or repair"):
        EmbeddingSet.from_parquet(tmp_path / "nan.parquet", vector_column="v", label_column="id")
    es = EmbeddingSet(["a"], [[1.0, 0.0]], metadata={"vector": ["clash"]})
    with pytest.raises(ValueError, match="clash.*rename them"):
        es.save(tmp_path / "out.lance")
    assert leftovers(tmp_path) == ["nan.parquet"]


def test_a_missing_column_and_a_missing_path_are_named(tmp_path):
    lance.write_dataset(pa.table({"id": ["a"], "emb": [[1.0, 2.0]]}), str(tmp_path / "d.lance"))
    with pytest.raises(ValueError, match=r"has no column 'vector'; its columns are \['id', 'emb'\]"):
        EmbeddingSet.from_lance(tmp_path / "d.lance", vector_column="vector")
    with pytest.raises(ValueError, match="no column 'name'"):
        EmbeddingSet.from_lance(tmp_path / "d.lance", vector_column="emb", label_column="name")
    with pytest.raises(FileNotFoundError, match="does not exist; check the path"):
        EmbeddingSet.from_parquet(tmp_path / "nowhere.parquet", vector_column="v")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        EmbeddingSet.from_lance(tmp_path / "nowhere.lance")
    assert leftovers(tmp_path) == ["d.lance"]


def test_a_memory_mapped_npy_is_not_copied(tmp_path):
    n, d = 200_000, 256  # 205 MB
    path = tmp_path / "big.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, d))
    rng = np.random.default_rng(0)
    for start in range(0, n, 50_000):
        out[start : start + 50_000] = rng.normal(size=(50_000, d)).astype(np.float32)
    out.flush()
    del out
    mapped = np.load(path, mmap_mode="r")
    process = psutil.Process()
    before = process.memory_info().rss
    es = EmbeddingSet([str(i) for i in range(n)], mapped)
    grown = process.memory_info().rss - before
    assert np.shares_memory(es.vectors, mapped)
    assert store.is_memory_mapped(es.vectors)
    assert grown < 60 * 2**20, f"building the set grew RSS by {grown / 2**20:.0f} MB"
    assert es.memory().set_index("part").loc["vectors", "where"] == "memory-mapped file"


def test_reduced_storage_gives_the_float32_neighbours():
    vectors = random_vectors(5000, 48, seed=3)
    labels = [f"r{i}" for i in range(len(vectors))]
    exact = EmbeddingSet(labels, vectors, device="cpu")
    queries = np.random.default_rng(4).normal(size=(64, 48)).astype(np.float32)
    want_scores, want_rows = exact.search(queries, 10, screen=False)
    for storage in ("float16", "bfloat16"):
        es = EmbeddingSet(labels, vectors, device="cpu", storage=storage)
        assert es.unit.dtype == getattr(torch, storage)
        scores, rows = es.search(queries, 10)
        np.testing.assert_array_equal(rows, want_rows)
        np.testing.assert_allclose(scores, want_scores, atol=1e-6)
        result = es.neighbors("r5", k=5)
        assert result.attrs["exact"] is True
        assert result.label.tolist() == exact.neighbors("r5", k=5).label.tolist()


def test_a_screened_search_without_a_unit_copy_rescores_from_the_vectors():
    vectors = random_vectors(4000, 40, seed=5)
    es = EmbeddingSet([str(i) for i in range(len(vectors))], vectors, device="cpu")
    queries = vectors[:50] * 2
    screened = es.search(queries, 10, screen=True)
    assert "unit" not in dict(es._derived)  # only the bfloat16 copy was built
    plain = EmbeddingSet(es.labels, vectors, device="cpu").search(queries, 10, screen=False)
    np.testing.assert_array_equal(screened[1], plain[1])
    np.testing.assert_allclose(screened[0], plain[0], atol=1e-6)


def test_memory_reports_each_part():
    es = EmbeddingSet(["a", "b", "c"], np.eye(3, dtype=np.float32), device="cpu")
    before = es.memory().set_index("part")
    assert before.loc["vectors", "bytes"] == 36 and before.loc["search copies", "bytes"] == 0
    _ = es.unit
    es.project("pca", 2)
    after = es.memory().set_index("part")
    assert after.loc["search copies", "bytes"] >= 3 * 3 * 4
    assert after.loc["caches", "bytes"] >= 3 * 2 * 4
    assert list(after.columns) == ["bytes", "mb", "where"]


@pytest.mark.parametrize("storage", ["float32", "bfloat16"])
def test_searching_a_mapped_file_in_small_gathers_gives_the_in_memory_answer(tmp_path, monkeypatch, storage):
    from embedwidgets.engine import search

    monkeypatch.setattr(search, "MAPPED_GATHER_ROWS", 16)
    monkeypatch.setattr(search, "RESCORE_ELEMENTS", 1 << 12)
    vectors = random_vectors(6000, 24, seed=7)
    np.save(tmp_path / "v.npy", vectors)
    labels = [str(i) for i in range(len(vectors))]
    mapped = EmbeddingSet(labels, np.load(tmp_path / "v.npy", mmap_mode="r"), device="cpu", storage=storage)
    queries = np.random.default_rng(8).normal(size=(40, 24)).astype(np.float32)
    scores, rows = mapped.search(queries, 10, screen=True)
    want_scores, want_rows = EmbeddingSet(labels, vectors, device="cpu").search(queries, 10, screen=False)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_allclose(scores, want_scores, atol=1e-6)


def test_without_lance_the_engine_imports_and_lance_calls_say_what_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "lance", None)  # import lance now fails
    es = EmbeddingSet(["a"], [[1.0, 0.0]])
    with pytest.raises(ImportError, match=r"pip install embedwidgets\[scale\]"):
        es.save(tmp_path / "a.lance")
    with pytest.raises(ImportError, match=r"pip install embedwidgets\[scale\]"):
        EmbeddingSet.from_lance(tmp_path)
    assert list(tmp_path.iterdir()) == []


# ---- the sidecar folder: a mapped copy of big vectors, indexes reopened with their source --------------


def test_big_vectors_are_mapped_from_a_copy_beside_the_source_and_reused(tmp_path, frame):
    df, vectors = frame
    source = tmp_path / "fixed.parquet"
    pq.write_table(fixed_size_table(df, vectors), source)
    in_ram = EmbeddingSet.from_parquet(source, vector_column="embedding", label_column="word")
    assert not store.is_memory_mapped(in_ram.vectors) and not (tmp_path / "fixed.parquet.ew").exists()
    # vectors_cache=True does for this small file what the default does past 1 GiB
    mapped = EmbeddingSet.from_parquet(source, vector_column="embedding", label_column="word", vectors_cache=True)
    copy = tmp_path / "fixed.parquet.ew" / "vectors.npy"
    assert store.is_memory_mapped(mapped.vectors) and copy.stat().st_size > vectors.nbytes
    np.testing.assert_array_equal(mapped.vectors, vectors)
    assert neighbour_labels(mapped, vectors[:20] + 0.1) == neighbour_labels(in_ram, vectors[:20] + 0.1)
    written = copy.stat().st_mtime_ns
    again = EmbeddingSet.from_parquet(source, vector_column="embedding", label_column="word", vectors_cache=True)
    assert copy.stat().st_mtime_ns == written  # the unchanged source reuses the copy
    np.testing.assert_array_equal(again.vectors, vectors)
    # a changed source is read again, never served stale vectors
    pq.write_table(fixed_size_table(df, vectors[::-1].copy()), source)
    changed = EmbeddingSet.from_parquet(source, vector_column="embedding", label_column="word", vectors_cache=True)
    np.testing.assert_array_equal(changed.vectors, vectors[::-1])
    assert leftovers(tmp_path / "fixed.parquet.ew") == ["vectors.npy", "vectors.npy.json"]


def test_a_refused_source_leaves_no_mapped_copy(tmp_path):
    table = pa.table({"id": ["a", "b"], "v": [[1.0, float("nan")], [3.0, 4.0]]})
    pq.write_table(table, tmp_path / "nan.parquet")
    with pytest.raises(ValueError, match="NaN or infinite"):
        EmbeddingSet.from_parquet(tmp_path / "nan.parquet", vector_column="v", label_column="id", vectors_cache=True)
    ragged = pa.table({"id": ["a", "b", "c"], "v": [[1.0, 2.0], [3.0, 4.0], [5.0]]})
    pq.write_table(ragged, tmp_path / "ragged.parquet")
    with pytest.raises(ValueError, match="different lengths"):
        EmbeddingSet.from_parquet(tmp_path / "ragged.parquet", vector_column="v", vectors_cache=True)
    assert leftovers(tmp_path) == ["nan.parquet", "ragged.parquet"]


def test_a_lance_index_is_kept_beside_the_dataset_and_reopened_with_it(tmp_path, frame):
    pytest.importorskip("lancedb")
    df, vectors = frame
    lance.write_dataset(fixed_size_table(df, vectors), str(tmp_path / "set.lance"))
    es = EmbeddingSet.from_lance(tmp_path / "set.lance", vector_column="embedding", label_column="word")
    assert es.index is None
    built = es.build_index("lance", progress=False, recall_sample=200)
    assert built.params["path"] == str(tmp_path / "set.lance.ew" / "lance-index") and not built.params["reopened"]
    queries = vectors[:30] + 0.05
    expected = [f.label.tolist() for f in es.neighbors(queries, k=10, index=built)]
    back = EmbeddingSet.from_lance(tmp_path / "set.lance", vector_column="embedding", label_column="word")
    assert back.index is not None and back.index.kind == "lance" and back.index.params["reopened"]
    assert back.index.recall == built.recall and back.index.label == built.label  # measured once, kept
    found = back.neighbors(queries, k=10, index=back.index)
    assert [f.label.tolist() for f in found] == expected
    assert found[0].attrs["note"] == built.label
    # build_index on the reopened set opens the same index instead of building it again
    assert back.build_index("lance", progress=False).params["reopened"]


def test_save_writes_the_index_and_the_landmark_layout_and_from_lance_reopens_both(
    tmp_path, frame, capsys, monkeypatch
):
    pytest.importorskip("faiss")
    df, vectors = frame
    es = EmbeddingSet(df.word.tolist(), vectors, df[["topic"]], name="words")
    built = es.build_index("hnsw", progress=False, recall_sample=300)
    layout = es.project("umap", landmarks=500, seed=0)
    assert es.projection_info("umap", landmarks=500)["approximate"]
    es.save(tmp_path / "words.lance")
    capsys.readouterr()
    back = EmbeddingSet.from_lance(tmp_path / "words.lance")
    assert back.index is not None and back.index.kind == "hnsw" and back.index.recall == built.recall
    queries = vectors[:30] + 0.05
    assert neighbour_labels(back, queries) == [f.label.tolist() for f in es.neighbors(queries, index=built)]
    assert [f.label.tolist() for f in back.neighbors(queries, index=back.index)] == [
        f.label.tolist() for f in es.neighbors(queries, index=built)
    ]
    # the landmark layout comes back from the file: equal coordinates, and nothing is fitted again
    import embedwidgets.engine.landmarks as landmarks_module

    def refuse(*args, **kwargs):
        raise AssertionError("the saved layout should have been reused")

    monkeypatch.setattr(landmarks_module, "landmark_umap", refuse)
    np.testing.assert_array_equal(back.project("umap", landmarks=500, seed=0), layout)
    with pytest.raises(AssertionError, match="reused"):  # the guard is live: another layout would be fitted
        back.project("umap", landmarks=400, seed=0)


def test_index_answers_over_half_precision_storage_carry_float32_scores(tmp_path, frame):
    pytest.importorskip("faiss")
    _, vectors = frame
    full = EmbeddingSet([f"r{i}" for i in range(len(vectors))], vectors)
    half = EmbeddingSet(full.labels, vectors, storage="float16")
    index = half.build_index("hnsw", progress=False, recall_sample=0)
    found = half.neighbors(vectors[:10] + 0.05, k=5, index=index)
    for frame_, query in zip(found, vectors[:10] + 0.05):
        rows = [full.labels.index(label) for label in frame_.label]
        unit = vectors[rows] / np.linalg.norm(vectors[rows], axis=1, keepdims=True)
        expected = unit @ (query / np.linalg.norm(query))
        np.testing.assert_allclose(frame_.score.to_numpy(), expected, rtol=0, atol=2e-6)

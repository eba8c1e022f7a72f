"""The engine on a CUDA GPU: exact top-10 over 1M×384 in each storage dtype, then a 10M×384 corpus (float16
storage) through search, PCA and k-means. Answers are checked against a plain float32 torch matmul + topk of
the same data (the device image has no FAISS).

    PYTHONPATH=. python3 benchmarks/gpu_neighbors.py      (prints one line of JSON)

Goal on an H100: one query under 1 ms. Data: random-normal vectors around 1,000 centres (like real
embeddings, they cluster), made on the GPU and kept as float32 in host RAM, the original that reduced
storage is rescored from.
"""

import json
import statistics
import time

import numpy as np
import torch

import embedwidgets as ew


def clustered(rows: int, dim: int, seed: int) -> np.ndarray:
    gen = torch.Generator(device="cuda").manual_seed(seed)
    centres = torch.randn(1000, dim, device="cuda", generator=gen)
    out = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, 1_000_000):
        stop = min(rows, start + 1_000_000)
        pick = torch.randint(0, 1000, (stop - start,), device="cuda", generator=gen)
        block = centres[pick] + 0.5 * torch.randn(stop - start, dim, device="cuda", generator=gen)
        out[start:stop] = block.cpu().numpy()
    return out


def exact_top10(m: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine top-10 in float32, chunked over the rows: the reference answer."""
    qn = torch.nn.functional.normalize(torch.from_numpy(q).cuda(), dim=1)
    best_s, best_i = None, None
    for start in range(0, len(m), 2_000_000):
        block = torch.nn.functional.normalize(torch.from_numpy(m[start : start + 2_000_000]).cuda(), dim=1)
        s, i = (qn @ block.T).topk(10, dim=1)
        i += start
        if best_s is not None:
            s, pick = torch.cat([best_s, s], 1).topk(10, dim=1)
            i = torch.cat([best_i, i], 1).gather(1, pick)
        best_s, best_i = s, i
    return best_i.cpu().numpy()


def timed_searches(es, q: np.ndarray) -> dict:
    es.search(q[:1], 10)
    es.search(q, 10)
    torch.cuda.synchronize()
    times = []
    for i in range(50):
        t = time.perf_counter()
        es.search(q[i : i + 1], 10)
        times.append(1e3 * (time.perf_counter() - t))
    t = time.perf_counter()
    _, rows = es.search(q, 10)
    batch = 1e3 * (time.perf_counter() - t) / len(q)
    return {"single_ms_median": round(statistics.median(times), 3), "batch_ms_per_query": round(batch, 4)}, rows


def same_sets(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.sort(a, 1) == np.sort(b, 1)).all(1).mean())


out: dict = {"gpu": torch.cuda.get_device_name(0)}
d = 384
q = np.random.default_rng(1).standard_normal((1000, d), dtype=np.float32)

m = clustered(1_000_000, d, seed=0)
exact = exact_top10(m, q)
labels = np.arange(len(m)).astype(str).tolist()
for storage in ("float32", "float16", "bfloat16"):
    es = ew.EmbeddingSet(labels, m, device="cuda", storage=storage)
    figures, rows = timed_searches(es, q)
    figures["same_top10_as_exact_fp32"] = same_sets(rows, exact)
    figures["frame_says_exact"] = bool(es.neighbors(q[0], k=10, index="exact").attrs.get("exact"))
    out[f"1m_{storage}"] = figures
    del es
del m, labels
torch.cuda.empty_cache()

started = time.perf_counter()
m = clustered(10_000_000, d, seed=2)
es = ew.EmbeddingSet(np.arange(len(m)).astype(str).tolist(), m, device="cuda", storage="float16")
out["10m_open_seconds"] = round(time.perf_counter() - started, 1)
figures, rows = timed_searches(es, q)
figures["same_top10_as_exact_fp32"] = same_sets(rows, exact_top10(m, q))
out["10m_float16"] = figures
for name, work in (
    ("10m_pca_seconds", lambda: es.project("pca", 2)),
    ("10m_kmeans100_seconds", lambda: es.cluster("kmeans", k=100, n_init=1, max_iter=10)),
):
    torch.cuda.synchronize()
    t = time.perf_counter()
    result = work()
    torch.cuda.synchronize()
    out[name] = round(time.perf_counter() - t, 2)
    out[name.replace("seconds", "finite")] = bool(np.isfinite(np.asarray(result, dtype=np.float64)).all())
out["gpu_peak_gb"] = round(torch.cuda.max_memory_allocated() / 1e9, 1)
print(json.dumps(out))

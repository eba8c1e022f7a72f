"""Exact top-10 on a GPU over 1M×384 random unit vectors, float32 and float16 storage, against a plain
torch matmul + topk of the same data (the device image has no FAISS).

    PYTHONPATH=. python3 benchmarks/gpu_neighbors.py      (prints one line of JSON)

Goal on an H100: one query under 1 ms.
"""

import json
import statistics
import time

import numpy as np
import torch

import embedwidgets as ew

rng = np.random.default_rng(0)
n, d = 1_000_000, 384
m = rng.standard_normal((n, d), dtype=np.float32)
m /= np.linalg.norm(m, axis=1, keepdims=True)
out = {"gpu": torch.cuda.get_device_name(0)}
for dtype in ("float32", "float16"):
    es = ew.EmbeddingSet(np.arange(n).astype(str).tolist(), m, device="cuda", dtype=dtype)
    q = rng.standard_normal((1000, d), dtype=np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    es.search(q[:1], 10)
    es.search(q, 10)
    times = []
    for i in range(50):
        t = time.perf_counter()
        es.search(q[i : i + 1], 10)
        times.append(1e3 * (time.perf_counter() - t))
    t = time.perf_counter()
    s, r = es.search(q, 10)
    batch = 1e3 * (time.perf_counter() - t) / len(q)
    exact = (torch.from_numpy(q).cuda() @ torch.from_numpy(m).cuda().T).topk(10, dim=1).indices.cpu().numpy()
    out[dtype] = {
        "single_ms_median": round(statistics.median(times), 3),
        "batch_ms_per_query": round(batch, 4),
        "same_top10_as_exact_fp32": float((np.sort(r, 1) == np.sort(exact, 1)).all(1).mean()),
    }
    del es
print(json.dumps(out))

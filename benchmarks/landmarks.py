"""Maps of millions: landmark UMAP's time at 1M points, its quality against a full UMAP, and k-means memory.

    python benchmarks/landmarks.py [--json] [--parts speed,quality,kmeans] [--points 1000000] [--dim 64]
                                   [--quality-points 100000] [--quality-landmarks 50000] [--sample 5000]

speed: ``EmbeddingSet.project("umap")`` on ``--points`` × ``--dim`` clustered synthetic rows (100 Gaussian blobs);
auto picks a landmark layout (50,000 landmarks) above 100,000 rows. Key ``landmark_umap_seconds_1m``.
quality: the ``--quality-points`` most frequent GloVe words, a full umap-learn UMAP (``landmarks=0``) against the
landmark layout (``--quality-landmarks``), both seeded, 15 neighbours. Trustworthiness (scikit-learn, 10
neighbours) is computed on the same ``--sample`` random rows of each layout, because scikit-learn builds an
n × n distance matrix. Keys ``landmark_trustworthiness_gap_100k`` (full minus landmark; the goal is ≤ 0.02) and
``landmark_time_ratio_vs_full_100k`` (landmark seconds ÷ full seconds).
kmeans: the engine's chunked k-means (k=100, 20 steps) on ``--points`` × ``--dim`` rows; peak RSS growth
over the data, against the n × k float32 distance matrix an unchunked step would build. What grows with n is
about 60 bytes a row (labels, distances, norms, and the k-means++ candidates' distances); the rest is one
``DISTANCE_ELEMENTS`` block.
Seconds include numba's compilation when its cache is cold.

Measured on the shared 2-core development machine (load average 4–9 from other work, so wall seconds are
pessimistic; CPU seconds are given where recorded):
- quality, 100k GloVe, 50,000 landmarks, 5,000-row sample: full UMAP 622 s, trustworthiness 0.8715; landmark
  237 s, 0.8617; gap 0.0098, time ratio 0.38.
- speed: 1M×64 in 252 s wall, 335 CPU s (load falling from 5 to 1); an earlier run at load 8 took 1,178 s wall;
  200k×64 in 243 s wall, 110 CPU s (loaded).
- kmeans, 1M×64, k=100, 20 steps: peak RSS growth 119 MiB against 381 MiB for one n × k float32 matrix.
"""

from __future__ import annotations

import resource
import time

import numpy as np
from _common import finish, parser


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blobs(n: int, dim: int, seed: int = 0, centres: int = 100) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middles = rng.normal(size=(centres, dim)).astype(np.float32) * 4
    out = np.empty((n, dim), dtype=np.float32)
    step = 1 << 17
    for start in range(0, n, step):
        rows = min(step, n - start)
        out[start : start + rows] = middles[rng.integers(centres, size=rows)] + rng.normal(size=(rows, dim))
    return out


def speed(points: int, dim: int) -> dict:
    from embedwidgets import EmbeddingSet

    es = EmbeddingSet([str(i) for i in range(points)], blobs(points, dim))
    started, cpu_started = time.perf_counter(), time.process_time()
    xy = es.project("umap")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert np.isfinite(xy).all()
    print(f"landmark UMAP of {points:,}×{dim}: {seconds:.1f} s, {cpu_seconds:.1f} CPU s")
    print(es.projection_info("umap")["note"])
    suffix = "1m" if points == 1_000_000 else str(points)
    # CPU seconds too: on a shared machine the wall time depends on the neighbours' load.
    return {f"landmark_umap_seconds_{suffix}": seconds, f"landmark_umap_cpu_seconds_{suffix}": cpu_seconds}


def quality(points: int, landmarks: int, sample: int) -> dict:
    from sklearn.manifold import trustworthiness

    import embedwidgets as ew

    es = ew.glove().head(points)
    data = es.unit.float().numpy()
    rows = np.random.default_rng(1).choice(points, min(sample, points), replace=False)
    figures = {}
    for name, count in (("full", 0), ("landmark", landmarks)):
        started, cpu_started = time.perf_counter(), time.process_time()
        xy = es.project("umap", landmarks=count)
        figures[f"{name}_seconds"] = time.perf_counter() - started
        figures[f"{name}_cpu_seconds"] = time.process_time() - cpu_started
        figures[f"{name}_trustworthiness"] = float(trustworthiness(data[rows], xy[rows], n_neighbors=10))
        print(name, {k: round(v, 4) for k, v in figures.items() if k.startswith(name)}, flush=True)
    gap = figures["full_trustworthiness"] - figures["landmark_trustworthiness"]
    suffix = "100k" if points == 100_000 else str(points)
    return {
        f"landmark_trustworthiness_gap_{suffix}": gap,
        f"landmark_time_ratio_vs_full_{suffix}": figures["landmark_seconds"] / figures["full_seconds"],
        f"quality_{suffix}": {**figures, "points": points, "landmarks": landmarks, "sample": len(rows)},
    }


def kmeans_memory(points: int, dim: int) -> dict:
    import torch

    from embedwidgets.engine.cluster import kmeans

    # Built in small float32 pieces, so the peak RSS before k-means is the data and little more.
    generator = torch.Generator().manual_seed(1)
    middles = torch.randn(100, dim, generator=generator) * 4
    data = torch.empty(points, dim)
    for start in range(0, points, 1 << 16):
        rows = min(1 << 16, points - start)
        picks = torch.randint(100, (rows,), generator=generator)
        data[start : start + rows] = middles[picks] + torch.randn(rows, dim, generator=generator)
    before = peak_rss_bytes()
    started = time.perf_counter()
    kmeans(data, 100, seed=0, max_iter=20)  # memory does not grow with steps
    seconds = time.perf_counter() - started
    growth = max(0, peak_rss_bytes() - before)
    full_matrix = points * 100 * 4
    print(
        f"k-means k=100 on {points:,}×{dim}: {seconds:.1f} s, peak RSS growth {growth / 2**20:.0f} MiB "
        f"(an n×k float32 matrix would be {full_matrix / 2**20:.0f} MiB)"
    )
    return {"kmeans_seconds": seconds, "kmeans_peak_rss_growth_bytes": growth, "kmeans_nk_matrix_bytes": full_matrix}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--parts", default="speed,quality,kmeans")
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--quality-points", type=int, default=100_000)
    p.add_argument("--quality-landmarks", type=int, default=50_000)
    p.add_argument("--sample", type=int, default=5000)
    args = p.parse_args()
    parts = args.parts.split(",")
    result: dict = {}
    if "kmeans" in parts:  # first, so the peak RSS it reads is its own
        result.update(kmeans_memory(args.points, args.dim))
    if "speed" in parts:
        result.update(speed(args.points, args.dim))
    if "quality" in parts:
        result.update(quality(args.quality_points, args.quality_landmarks, args.sample))
    finish(result, args.json)


if __name__ == "__main__":
    main()

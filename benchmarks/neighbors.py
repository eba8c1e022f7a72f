"""Exact top-10 neighbours: embedwidgets vs FAISS IndexFlatIP, numpy argsort and scikit-learn brute force.

    python benchmarks/neighbors.py [--json] [--sizes glove,1m] [--queries 1000] [--device cpu] [--dtype float32]

Two workloads, each with one query at a time and with a batch of queries:
GloVe 400k×50 (normalised), and 1M×384 random unit vectors.
Goals: one query no slower than FAISS flat (ratio ≤ 1), batches ≥ 1.5× FAISS (``batch_speedup_1m_vs_faiss`` at
1M), identical neighbours (``identical_neighbors``). Batches are the median of ``--repeats`` runs, each peer's in
the same process.
"""

from __future__ import annotations

import resource
import time

import numpy as np
from _common import finish, median_seconds, parser, table

K = 10


def same_neighbours(ours_rows, ours_scores, their_rows, their_scores, tol=1e-5) -> bool:
    """Equal row lists, allowing tied rows (scores within ``tol``) to swap places."""
    for rows_a, scores_a, rows_b, scores_b in zip(ours_rows, ours_scores, their_rows, their_scores):
        if np.array_equal(rows_a, rows_b):
            continue
        if not np.allclose(scores_a, scores_b, atol=tol):
            return False
        boundary = scores_b[-1]
        strict_a = set(rows_a[scores_a > boundary + tol])
        strict_b = set(rows_b[scores_b > boundary + tol])
        if strict_a != strict_b:
            return False
    return True


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_faiss(unit, singles, queries, repeats):
    """FAISS IndexFlatIP: its timings and its answer for ``queries``; the index is freed on return."""
    import faiss

    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    figures = {
        "faiss_single_ms": 1e3 * median_seconds(lambda: [index.search(q, K) for q in singles], 1) / len(singles),
        "faiss_batch_ms_per_query": 1e3 * median_seconds(lambda: index.search(queries, K), repeats) / len(queries),
    }
    return figures, index.search(queries, K)


def run(name, es, unit, queries, single_queries, peers, repeats):
    """Time ours and the peers on one workload; return a dict of figures."""
    from sklearn.neighbors import NearestNeighbors

    out = {}
    singles = [q[None] for q in single_queries]
    out["ours_single_ms"] = 1e3 * median_seconds(lambda: [es.search(q, K) for q in singles], 1) / len(singles)
    out["ours_batch_ms_per_query"] = 1e3 * median_seconds(lambda: es.search(queries, K), repeats) / len(queries)
    out["peak_rss_mb_after_ours"] = peak_rss_mb()
    ours_scores, ours_rows = es.search(queries, K)

    figures, (their_scores, their_rows) = time_faiss(unit, singles, queries, repeats)
    out.update(figures)
    out["identical_neighbors"] = same_neighbours(ours_rows, ours_scores, their_rows, their_scores)

    def textbook(q):
        scores = unit @ q
        return np.argsort(-scores)[:K]

    few = single_queries[:10]
    out["numpy_argsort_single_ms"] = 1e3 * median_seconds(lambda: [textbook(q) for q in few], 1) / len(few)
    if "sklearn" in peers:
        nn = NearestNeighbors(n_neighbors=K, algorithm="brute", metric="cosine").fit(unit)
        out["sklearn_single_ms"] = 1e3 * median_seconds(lambda: [nn.kneighbors(q, K) for q in singles[:10]], 1) / 10
        sample = queries[:200]
        out["sklearn_batch_ms_per_query"] = 1e3 * median_seconds(lambda: nn.kneighbors(sample, K), 1, 0) / len(sample)
    out["single_query_ratio_vs_faiss"] = out["ours_single_ms"] / out["faiss_single_ms"]
    out["batch_speedup_vs_faiss"] = out["faiss_batch_ms_per_query"] / out["ours_batch_ms_per_query"]
    rows = [
        ("embedwidgets", f"{out['ours_single_ms']:.2f}", f"{out['ours_batch_ms_per_query']:.3f}"),
        ("FAISS IndexFlatIP", f"{out['faiss_single_ms']:.2f}", f"{out['faiss_batch_ms_per_query']:.3f}"),
        ("numpy argsort", f"{out['numpy_argsort_single_ms']:.2f}", ""),
    ]
    if "sklearn" in peers:
        rows.append(
            ("scikit-learn brute", f"{out['sklearn_single_ms']:.2f}", f"{out['sklearn_batch_ms_per_query']:.3f}")
        )
    print(f"\n{name}: top-{K}, one query (ms, median) and a batch of {len(queries)} (ms per query)")
    print(table(rows, ("", "one query", "batch")))
    print(
        f"single ratio vs FAISS {out['single_query_ratio_vs_faiss']:.2f} (goal ≤ 1), "
        f"batch speedup vs FAISS {out['batch_speedup_vs_faiss']:.2f}× (goal ≥ 1.5), "
        f"identical: {out['identical_neighbors']}"
    )
    return {key: (round(v, 4) if isinstance(v, float) else v) for key, v in out.items()}


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--sizes", default="glove,1m")
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--single", type=int, default=30, help="one-at-a-time queries to time")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default=None)
    p.add_argument("--dtype", default=None, help="float16 on a GPU halves memory")
    args = p.parse_args()

    import torch

    import embedwidgets as ew

    rng = np.random.default_rng(0)
    result = {"device": None, "threads": torch.get_num_threads()}
    sizes = args.sizes.split(",")
    if "glove" in sizes:
        words = ew.glove()
        es = ew.EmbeddingSet(words.labels, words.vectors, device=args.device, dtype=args.dtype)
        unit = np.ascontiguousarray(es.unit.float().cpu().numpy())
        picks = rng.choice(len(es), size=args.queries + args.single, replace=False)
        queries, single = unit[picks[: args.queries]], unit[picks[args.queries :]]
        glove = run("GloVe 400k×50", es, unit, queries, single, {"sklearn"}, args.repeats)
        result["device"] = str(es.device)
        result["glove"] = glove
        result["single_query_ratio_vs_faiss"] = glove["single_query_ratio_vs_faiss"]
        result["batch_speedup_vs_faiss"] = glove["batch_speedup_vs_faiss"]
        result["identical_neighbors"] = glove["identical_neighbors"]
        del es, unit, words
    if "1m" in sizes:
        started = time.perf_counter()
        n, d = 1_000_000, 384
        matrix = rng.standard_normal((n, d), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        labels = np.arange(n).astype(str).tolist()
        es = ew.EmbeddingSet(labels, matrix, device=args.device, dtype=args.dtype)
        _ = es.unit  # build the normalised copy before timing
        print(
            f"\n(1M×384 built in {time.perf_counter() - started:.1f} s; "
            f"the matrix itself is {matrix.nbytes / 2**20:.0f} MB)"
        )
        queries = rng.standard_normal((args.queries, d), dtype=np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        big = run("random 1M×384", es, matrix, queries, queries[: min(args.single, 10)], set(), args.repeats)
        result["device"] = str(es.device)
        result["random_1m"] = big
        result["peak_rss_mb_1m"] = big["peak_rss_mb_after_ours"]
        result["matrix_mb_1m"] = round(matrix.nbytes / 2**20, 1)
        result["batch_speedup_1m_vs_faiss"] = big["batch_speedup_vs_faiss"]
        for key in ("single_query_ratio_vs_faiss", "batch_speedup_vs_faiss"):
            result.setdefault(key, big[key])
        result["identical_neighbors"] = result.get("identical_neighbors", True) and big["identical_neighbors"]
    finish(result, args.json)


if __name__ == "__main__":
    main()

"""Approximate indexes behind neighbors(): recall@10 and one-query time, against FAISS flat (exact) in the same run.

    python benchmarks/index.py [--json] [--rows 200000] [--dim 384] [--queries 200] [--skip-lance]
    python benchmarks/index.py --data glove [--kinds hnsw,ivfpq,lance] [--json]

Data: random-normal vectors around 1,000 centres (clustered), searched by cosine; or ``--data glove``, the
bundled GloVe 400k×50 (real vectors). The synthetic rows are a centre plus isotropic noise, so inside a
cluster every row is nearly as close as every other (cosines within a few hundredths): the worst case for
product quantisation, whose recall falls as the clusters grow (100, 1,000, 10,000 rows at 100k, 1M, 10M).
Keys: hnsw_recall_at_10, hnsw_query_ms, lance_recall_at_10, lance_query_ms, faiss_flat_query_ms, and the
ratios *_vs_flat (index query time ÷ FAISS flat query time at equal k; below 1 is faster than exact).
Recall is EmbeddingSet.index_recall(k=10, sample=1000): the set's own rows as queries, against exact search.
Query times are medians over single queries through Index.search (what neighbors() calls), exact rescoring
of the candidates included. bench_index() is the part other benchmarks may call.
"""

from __future__ import annotations

import statistics
import tempfile
import time

import numpy as np
from _common import finish, parser, table

from embedwidgets.engine import EmbeddingSet

K = 10


def clustered_set(rows: int, dim: int, centres: int = 1000, seed: int = 0) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, dim), dtype=np.float32)
    vectors = middle[rng.integers(0, centres, rows)]
    for start in range(0, rows, 1 << 16):  # noise in place, a block at a time (no second full-size array)
        block = vectors[start : start + (1 << 16)]
        block += 0.5 * rng.standard_normal(block.shape, dtype=np.float32)
    return EmbeddingSet([f"r{i}" for i in range(rows)], vectors, name=f"clustered {rows}x{dim}")


def query_ms(search, queries: np.ndarray) -> float:
    """Median milliseconds of one query at a time, after one untimed warm-up."""
    search(queries[:1])
    times = []
    for q in queries:
        started = time.perf_counter()
        search(q[None, :])
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def bench_flat(es: EmbeddingSet, queries: np.ndarray) -> dict:
    import faiss

    unit = es.unit.numpy()
    flat = faiss.IndexFlatIP(es.dim)
    flat.add(unit)
    unit_queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    ms = query_ms(lambda q: flat.search(q, K), unit_queries)
    exact_ms = query_ms(lambda q: es.search(q, K), queries)
    flat.reset()  # frees its copy of the vectors
    return {"faiss_flat_query_ms": round(ms, 3), "exact_query_ms": round(exact_ms, 3)}


def bench_index(es: EmbeddingSet, queries: np.ndarray, kind: str, **params) -> dict:
    """Build one index (``hnsw``, or ``lance`` in a scratch folder unless ``path=``), time its queries, drop it."""
    with tempfile.TemporaryDirectory() as scratch:
        if kind == "lance":
            params.setdefault("path", scratch)
        started = time.perf_counter()
        index = es.build_index(kind, **params)
        build_s = time.perf_counter() - started
        ms = query_ms(lambda q: index.search(q, K), queries)
        result = {
            f"{kind}_recall_at_10": round(index.recall, 4),
            f"{kind}_query_ms": round(ms, 3),
            f"{kind}_build_seconds": round(build_s, 1),
        }
        es.invalidate()  # drop it before the next index is built
    return result


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--skip-lance", action="store_true")
    p.add_argument("--data", choices=("clustered", "glove"), default="clustered")
    p.add_argument("--kinds", default="hnsw,lance", help="comma-separated: hnsw, ivfpq, lance")
    args = p.parse_args()
    if args.data == "glove":
        import embedwidgets as ew

        es = ew.glove()
    else:
        es = clustered_set(args.rows, args.dim)
    rng = np.random.default_rng(1)
    queries = es.vectors[rng.choice(len(es), args.queries, replace=False)] + 0.1 * rng.standard_normal(
        (args.queries, es.dim), dtype=np.float32
    )
    result: dict = {"data": args.data, "index_rows": len(es), "index_dim": es.dim, "k": K}
    result |= bench_flat(es, queries)
    kinds = [kind for kind in args.kinds.split(",") if not (kind == "lance" and args.skip_lance)]
    for kind in kinds:
        result |= bench_index(es, queries, kind)
    flat = result["faiss_flat_query_ms"]
    for kind in kinds:
        if f"{kind}_query_ms" in result:
            result[f"{kind}_vs_flat"] = round(result[f"{kind}_query_ms"] / flat, 3)
    rows = [(key, str(value)) for key, value in sorted(result.items())]
    print(table(rows, ("key", "value")))
    finish(result, args.json)


if __name__ == "__main__":
    main()

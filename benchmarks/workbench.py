"""ClusterView's workbench at a million rows: the kernel's side of a brush, a table page, and the label tree.

    python benchmarks/workbench.py [--json] [--points 1000000] [--repeats 5]

The set: ``--points`` rows of 32-d vectors in 8 planted topics (each with 4 sub-topics), with metadata ``topic``
(8 categories), ``length`` (numbers) and ``date`` (dates), and texts naming the topic and sub-topic.
ClusterView gets the rows' own 2-D coordinates (no layout, no clustering), ``filters=["topic", "length", "date"]``.

- ``brush_kernel_ms_1m``: median ms for ``cv.filters = {...}`` (a range on ``length`` and two topics): the mask
  of passing rows, each chart's counts under the other filters (the cross-filter) and the greying mask the
  view receives. Beside it, in the same run, the same filter done by hand in pandas (``df[isin & between]``),
  which computes the mask alone: ``brush_vs_pandas_mask`` is the ratio.
- ``table_sort_first_ms_1m``: the first page sorted by ``length`` (the sort order is built, then cached);
  ``table_page_ms_1m``: median ms of a later page (50 rows, sorted, filtered).
- ``label_tree_seconds_1m``: ``engine.hierarchy.label_tree`` over the 8 topics (4 sub-clusters each, k-means on
  the normalised vectors, c-TF-IDF names from at most 4,000 texts per node).
- ``brush_to_paint_ms_1m`` (the issue's key: brush → map repainted) is not measured here: it needs the browser,
  and on this machine's software WebGL one frame of 1M points takes seconds (benchmarks/render.py), so it would
  time SwiftShader, not the workbench. The kernel's share above is the part this code controls.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from _common import finish, median_seconds, parser, table


def make_set(n: int, seed: int = 0):
    import torch

    import embedwidgets as ew

    rng = np.random.default_rng(seed)
    topic = rng.integers(0, 8, n)
    sub = rng.integers(0, 4, n)
    centres = rng.normal(0, 10, (8, 32)).astype(np.float32)
    offsets = rng.normal(0, 2.5, (8, 4, 32)).astype(np.float32)
    vectors = centres[topic] + offsets[topic, sub] + rng.normal(0, 0.3, (n, 32)).astype(np.float32)
    names = np.array(["music", "sport", "science", "travel", "food", "money", "health", "games"])
    subs = np.array(["alpha", "beta", "gamma", "delta"])
    labels = [f"row {i}" for i in range(n)]
    metadata = pd.DataFrame(
        {
            "topic": names[topic],
            "length": rng.gamma(2.0, 300.0, n).round(),
            "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
        }
    )
    es = ew.EmbeddingSet(labels, vectors, metadata=metadata)
    texts = (pd.Series(names[topic]) + " " + pd.Series(subs[sub]) + " news").tolist()
    xy = rng.normal(0, 1, (n, 2)).astype(np.float32)
    return es, texts, xy, topic, torch


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    import embedwidgets as ew
    from embedwidgets.engine.hierarchy import label_tree

    n = args.points
    es, texts, xy, topic, torch = make_set(n)
    cv = ew.ClusterView(es, projection=xy, color_by="none", labels=False, filters=["topic", "length", "date"])
    cv.wait()
    wanted = [{"topic": ["music", "sport"], "length": (100.0, 900.0)}, {"topic": ["food"], "length": (0.0, 400.0)}]
    turn = iter(range(10**9))

    def brush():
        cv.filters = wanted[next(turn) % 2]

    brush_s = median_seconds(brush, args.repeats)
    df = es.metadata

    def by_hand():
        f = wanted[next(turn) % 2]
        return df[df.topic.isin(f["topic"]) & df.length.between(*f["length"])]

    pandas_s = median_seconds(by_hand, args.repeats)

    cv.filters = wanted[0]
    started = time.perf_counter()
    cv._rows_request(source="all", start=0, count=50, sort="length", descending=False)
    sort_first_s = time.perf_counter() - started
    start = iter(range(0, 10**9, 5000))
    page_s = median_seconds(
        lambda: cv._rows_request(source="all", start=next(start), count=50, sort="length", descending=True),
        args.repeats,
    )

    unit = torch.nn.functional.normalize(torch.as_tensor(es.vectors), dim=1)
    from sklearn.feature_extraction.text import CountVectorizer  # noqa: F401  (its import is not the tree's time)

    started = time.perf_counter()
    tree, _ = label_tree(unit, texts, topic, children=4)
    tree_s = time.perf_counter() - started

    suffix = "1m" if n == 1_000_000 else f"{n}"
    result = {
        "points": n,
        f"brush_kernel_ms_{suffix}": round(brush_s * 1000, 1),
        "pandas_mask_ms": round(pandas_s * 1000, 1),
        "brush_vs_pandas_mask": round(brush_s / pandas_s, 2),
        f"table_sort_first_ms_{suffix}": round(sort_first_s * 1000, 1),
        f"table_page_ms_{suffix}": round(page_s * 1000, 1),
        f"label_tree_seconds_{suffix}": round(tree_s, 2),
        "label_tree_nodes": len(tree),
        f"brush_to_paint_ms_{suffix}": None,
        "threads": torch.get_num_threads(),
    }
    rows = [(k, str(v)) for k, v in result.items()]
    print(table(rows, ("figure", "value")))
    finish(result, args.json)


if __name__ == "__main__":
    main()

"""Projections and clusters: the engine's torch k-means and PCA beside scikit-learn, and UMAP's time on 70k points.

    python benchmarks/cluster.py [--json] [--workloads glove,lowrank] [--k K] [--n-init N] [--components 10]
                                 [--umap-points 70000] [--repeats 3] [--kmeans-repeats 1]

Workloads: GloVe 400k×50 (normalised rows, as the engine clusters them; k=50, n_init=3) and 200k×384 random rows
with ten strong directions of distinct variance (MiniLM's width; k=20, n_init=1; random data alone has no
well-defined components). --k and --n-init override both.
k-means (same data, same k, same n_init, k-means++ starts, at most 100 steps each): the engine's ``kmeans`` against
scikit-learn's ``KMeans`` (Lloyd), each with its own default stopping rule, the median of three timed runs each,
run in turns (ours, theirs, ours, ...) so that both meet the machine's drifting speed alike.
Goal: ``kmeans_speedup_vs_sklearn`` (scikit-learn's seconds / ours) ≥ 1.5 with ``kmeans_inertia_gap`` (ours -
theirs, relative; lower is better) within 0.1 %.
PCA: the engine's exact ``pca`` (float64 covariance, eigh) against scikit-learn's ``PCA`` (svd_solver="auto"; it
picks its covariance solver for tall data) on the float32 data, the same on a float64 copy (the engine's
precision; the cast is timed), and the full SVD. Goal: ``pca_speedup_vs_sklearn`` ≥ 1.0 with
``pca_max_component_error`` (our unit axes against scikit-learn's ``components_``, up to sign) ≤ 1e-4.
UMAP: ``EmbeddingSet.project("umap")`` (umap-learn, 15 neighbours, seeded, so one thread) on the 70k most frequent
GloVe words, 50-d; published: ~42 s for MNIST 70k×784 (umap-learn README). Seconds include numba's compilation
when its cache is cold.
"""

from __future__ import annotations

import time

import numpy as np
from _common import finish, interleaved_median_seconds, median_seconds, parser, table


def kmeans_figures(name: str, data: np.ndarray, k: int, n_init: int, repeats: int) -> dict:
    import torch
    from sklearn.cluster import KMeans

    from embedwidgets.engine.cluster import kmeans

    tensor = torch.from_numpy(data)
    ours = {}

    def run_ours():
        ours["result"] = kmeans(tensor, k, seed=0, n_init=n_init)

    theirs = {}

    def run_theirs():
        theirs["model"] = KMeans(n_clusters=k, n_init=n_init, max_iter=100, random_state=0, algorithm="lloyd").fit(data)

    ours_s, theirs_s = interleaved_median_seconds([run_ours, run_theirs], repeats)
    labels, centres, _ = ours["result"]
    # Both inertias recomputed the same way (float64, from each one's final centres and labels).
    ours_inertia = _inertia(data, labels, centres.cpu().numpy())
    their_model = theirs["model"]
    their_inertia = _inertia(data, their_model.labels_, their_model.cluster_centers_)
    out = {
        "ours_s": ours_s,
        "sklearn_s": theirs_s,
        "time_ratio_vs_sklearn": ours_s / theirs_s,
        "ours_inertia": ours_inertia,
        "sklearn_inertia": their_inertia,
        "inertia_rel_diff": (ours_inertia - their_inertia) / their_inertia,
        "sklearn_iterations": int(their_model.n_iter_),
    }
    out["inertia_within_1pct"] = abs(out["inertia_rel_diff"]) <= 0.01
    out["speedup_vs_sklearn"] = theirs_s / ours_s
    out.update(step_figures(tensor, data, k))
    print(f"\nk-means, {name}: k={k}, n_init={n_init} (median of {repeats})")
    print(
        table(
            [
                ("embedwidgets (torch)", f"{ours_s:.2f}", f"{ours_inertia:.6g}"),
                ("scikit-learn KMeans", f"{theirs_s:.2f}", f"{their_inertia:.6g}"),
            ],
            ("", "seconds", "inertia"),
        )
    )
    print(
        f"speed-up {out['speedup_vs_sklearn']:.2f}× (goal ≥ 1.5), inertia {100 * out['inertia_rel_diff']:+.4f} % "
        f"vs sklearn (goal within ±0.1 %)\n"
        f"mean step over 100: ours {out['ours_ms_per_step']:.1f} ms, scikit-learn {out['sklearn_ms_per_step']:.1f} ms; "
        f"ours scored {100 * out['rows_scored_share']:.0f} % of the rows (its bounds settled the rest); the full "
        f"row × centre product alone {out['product_ms_per_step']:.1f} ms ({out['product_gflops']:.0f} GFLOP/s)"
    )
    return _rounded(out)


def step_figures(tensor, data: np.ndarray, k: int, steps: int = 100) -> dict:
    """What a Lloyd step costs: the float32 product of every row with every centre (2·n·k·d flops), timed alone
    as the engine runs it, against the mean step of ours and of scikit-learn's over ``steps`` steps from one
    start; and the share of the rows that ours still scored once its bounds had settled the rest."""
    import torch
    from sklearn.cluster import KMeans

    from embedwidgets.engine import cluster

    start = cluster._plus_plus(tensor, cluster._row_sq_norms(tensor), k, torch.Generator().manual_seed(0))
    half = ((start * start).sum(1) * -0.5)[:, None]

    def products():
        for rows in cluster._row_chunks(len(tensor), k, cluster.SCORE_ELEMENTS):
            torch.addmm(half, start, tensor[rows].T)

    scored = []

    def our_steps():
        lloyd = cluster._Lloyd(tensor, cluster._row_sq_norms(tensor), start)
        for _ in range(steps):
            lloyd.assign()
            lloyd.move_centres()
        scored.append(lloyd.scored_rows / (steps * len(tensor)))

    def their_steps():
        KMeans(k, init=start.numpy(), n_init=1, max_iter=steps, tol=0, algorithm="lloyd").fit(data)

    product_ms = median_seconds(products, 5) * 1000
    flops = 2 * tensor.shape[0] * k * tensor.shape[1]
    ours_s, theirs_s = interleaved_median_seconds([our_steps, their_steps], 3)
    return {
        "product_ms_per_step": product_ms,
        "product_gflops": flops / product_ms / 1e6,
        "ours_ms_per_step": ours_s * 1000 / steps,
        "sklearn_ms_per_step": theirs_s * 1000 / steps,
        "rows_scored_share": scored[-1],
    }


def _inertia(data: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> float:
    total = 0.0
    for start in range(0, len(data), 65536):
        block = data[start : start + 65536].astype(np.float64)
        diff = block - centres[np.asarray(labels[start : start + 65536])].astype(np.float64)
        total += float((diff * diff).sum())
    return total


def pca_figures(name: str, data: np.ndarray, components: int, repeats: int) -> dict:
    import torch
    from sklearn.decomposition import PCA

    from embedwidgets.engine.project import pca, principal_axes

    tensor = torch.from_numpy(data)
    ours, theirs, double, full = {}, {}, {}, {}

    def run_ours():
        ours["coords"] = pca(tensor, components)

    def run_theirs():
        model = PCA(n_components=components, svd_solver="auto", random_state=0)
        theirs["coords"], theirs["model"] = model.fit_transform(data), model

    def run_double():
        model = PCA(n_components=components, svd_solver="auto", random_state=0)
        model.fit_transform(data.astype(np.float64))
        double["model"] = model

    def run_full():
        full["coords"] = PCA(n_components=components, svd_solver="full").fit_transform(data)

    ours_s, theirs_s, double_s = interleaved_median_seconds([run_ours, run_theirs, run_double], repeats, warmup=1)
    full_s = median_seconds(run_full, 1, warmup=0)
    model = theirs["model"]
    ours_coords = ours["coords"].astype(np.float64)
    agreement = []
    for reference in (theirs["coords"], full["coords"]):
        worst = 0.0
        for column in range(components):
            a, b = ours_coords[:, column], np.asarray(reference[:, column], dtype=np.float64)
            sign = 1.0 if float(a @ b) >= 0 else -1.0
            worst = max(worst, float(np.abs(sign * a - b).max() / np.abs(b).max()))
        agreement.append(worst)
    _, axes, _ = principal_axes(tensor, components)
    component_error = max(
        float(np.abs(np.sign(a @ b) * a - b).max()) for a, b in zip(axes, model.components_.astype(np.float64))
    )
    ours_variance = ours_coords.var(axis=0, ddof=1)
    variance_diff = float(np.abs(ours_variance - model.explained_variance_).max() / model.explained_variance_.max())
    out = {
        "ours_s": ours_s,
        "sklearn_s": theirs_s,
        "sklearn_float64_s": double_s,
        "sklearn_full_svd_s": full_s,
        "time_ratio_vs_sklearn": ours_s / theirs_s,
        "time_ratio_vs_sklearn_float64": ours_s / double_s,
        "time_ratio_vs_sklearn_full_svd": ours_s / full_s,
        "sklearn_solver": str(model._fit_svd_solver),
        "sklearn_float64_solver": str(double["model"]._fit_svd_solver),
        "max_column_diff_vs_sklearn": agreement[0],
        "max_column_diff_vs_full_svd": agreement[1],
        "explained_variance_rel_diff": variance_diff,
        "speedup_vs_sklearn": theirs_s / ours_s,
        "max_component_error": component_error,
    }
    out["same_components"] = max(agreement) <= 1e-3 and variance_diff <= 1e-4 and component_error <= 1e-4
    print(f"\nPCA, {name}: {components} components (median of {repeats}; full SVD once)")
    print(
        table(
            [
                ("embedwidgets (torch, covariance + eigh)", f"{ours_s:.3f}", ""),
                (f"scikit-learn PCA (auto → {out['sklearn_solver']})", f"{theirs_s:.3f}", f"{agreement[0]:.1e}"),
                (f"scikit-learn PCA (auto → {out['sklearn_float64_solver']}, float64 copy)", f"{double_s:.3f}", ""),
                ("scikit-learn PCA (full SVD)", f"{full_s:.3f}", f"{agreement[1]:.1e}"),
            ],
            ("", "seconds", "max column diff vs ours (up to sign)"),
        )
    )
    print(
        f"time ratio ours/sklearn {out['time_ratio_vs_sklearn']:.2f} (float64: "
        f"{out['time_ratio_vs_sklearn_float64']:.2f}, full SVD: {out['time_ratio_vs_sklearn_full_svd']:.2f}); "
        f"same components: {out['same_components']}"
    )
    return _rounded(out)


def _rounded(values: dict) -> dict:
    return {key: (float(f"{v:.4g}") if isinstance(v, float) else v) for key, v in values.items()}


def lowrank(n: int = 200_000, d: int = 384, rank: int = 10, seed: int = 0) -> np.ndarray:
    """Random rows with ``rank`` strong directions of distinct variance (10, 9, ..., 1) plus weak noise."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, rank)))
    scores = rng.standard_normal((n, rank)) * np.arange(rank, 0, -1, dtype=np.float64)
    return (scores @ basis.T + 0.1 * rng.standard_normal((n, d))).astype(np.float32)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--workloads", default="glove,lowrank", help="glove (400k×50) and/or lowrank (200k×384)")
    p.add_argument("--k", type=int, default=None, help="clusters (default: 50 for glove, 20 for lowrank)")
    p.add_argument("--n-init", type=int, default=None, help="k-means starts (default: 3 for glove, 1 for lowrank)")
    p.add_argument("--components", type=int, default=10)
    p.add_argument("--umap-points", type=int, default=70_000, help="0 skips UMAP")
    p.add_argument("--repeats", type=int, default=5, help="timed PCA runs (median, after one warm-up)")
    p.add_argument("--kmeans-repeats", type=int, default=3, help="timed k-means runs (median, no warm-up)")
    args = p.parse_args()

    import torch

    import embedwidgets as ew

    result: dict = {"threads": torch.get_num_threads()}
    workloads = args.workloads.split(",")
    words = ew.glove()
    if "glove" in workloads:
        unit = np.ascontiguousarray(words.unit.float().cpu().numpy())
        result["kmeans_glove"] = kmeans_figures(
            "GloVe 400k×50, normalised", unit, args.k or 50, args.n_init or 3, args.kmeans_repeats
        )
        result["pca_glove"] = pca_figures("GloVe 400k×50, normalised", unit, args.components, args.repeats)
        del unit
    if "lowrank" in workloads:
        data = lowrank()
        result["kmeans_lowrank"] = kmeans_figures(
            "200k×384, ten strong directions", data, args.k or 20, args.n_init or 1, args.kmeans_repeats
        )
        result["pca_lowrank"] = pca_figures("200k×384, ten strong directions", data, args.components, args.repeats)
        del data
    kmeans_runs = [v for key, v in result.items() if key.startswith("kmeans_")]
    pca_runs = [v for key, v in result.items() if key.startswith("pca_")]
    # The headline keys: the slowest workload's speed-up, the worst inertia gap and component error.
    if kmeans_runs:
        result["kmeans_speedup_vs_sklearn"] = min(r["speedup_vs_sklearn"] for r in kmeans_runs)
        result["kmeans_inertia_gap"] = max((r["inertia_rel_diff"] for r in kmeans_runs), key=abs)
        result["kmeans_inertia_within_1pct"] = all(r["inertia_within_1pct"] for r in kmeans_runs)
    if pca_runs:
        result["pca_speedup_vs_sklearn"] = min(r["speedup_vs_sklearn"] for r in pca_runs)
        result["pca_max_component_error"] = max(r["max_component_error"] for r in pca_runs)
        result["pca_same_components"] = all(r["same_components"] for r in pca_runs)
    if args.umap_points:
        subset = words.head(args.umap_points)
        started = time.perf_counter()
        coords = subset.project("umap")
        seconds = time.perf_counter() - started
        assert coords.shape == (len(subset), 2) and np.isfinite(coords).all()
        result["umap_points"] = len(subset)
        result["umap_s"] = round(seconds, 2)
        print(
            f"\nUMAP, the {len(subset):,} most frequent GloVe words (50-d), 2-D: {seconds:.1f} s "
            f"(published: ~42 s for MNIST 70k×784)"
        )
    finish(result, args.json)


if __name__ == "__main__":
    main()

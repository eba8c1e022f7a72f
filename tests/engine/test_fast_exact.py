"""The engine's fast k-means and PCA give the plain float32 answers: on real vectors (GloVe, MiniLM vectors of
the topics corpus) and on adversarial ones (duplicate rows, zero rows, near-ties, a huge mean)."""

import numpy as np
import pytest
import torch

from embedwidgets.engine.cluster import _Lloyd, _plus_plus, _row_sq_norms, kmeans
from embedwidgets.engine.project import pca, principal_axes


def plain_lloyd(data: torch.Tensor, start: torch.Tensor, steps: int) -> tuple[np.ndarray, float]:
    """Textbook Lloyd from ``start``: float32 |x|² - 2x·c + |c|² over the whole distance matrix, first minimum
    on ties, float64 means; an empty cluster keeps its centre. Stops at a fixed point."""
    x = data.float()
    centres = start.double()
    labels = None
    for _ in range(steps):
        c = centres.float()
        d2 = (x * x).sum(1, keepdim=True) - 2 * x @ c.T + (c * c).sum(1)
        new = d2.argmin(1)
        if labels is not None and torch.equal(new, labels):
            break
        labels = new
        sums = torch.zeros_like(centres).index_add_(0, labels, x.double())
        counts = torch.bincount(labels, minlength=len(centres))
        centres = torch.where((counts > 0)[:, None], sums / counts.clamp_min(1)[:, None], centres)
    assert labels is not None
    inertia = float(((x.double() - centres[labels]) ** 2).sum())
    return labels.numpy(), inertia


def same_start_labels(data: torch.Tensor, k: int, steps: int = 300) -> tuple[np.ndarray, np.ndarray, float, float]:
    start = _plus_plus(data, _row_sq_norms(data), k, torch.Generator().manual_seed(0))
    ours, _, our_inertia = kmeans(data, k, seed=0, max_iter=steps, tol=0)
    theirs, their_inertia = plain_lloyd(data, start, steps + 1)
    return ours, theirs, our_inertia, their_inertia


def topic_vectors() -> torch.Tensor:
    import embedwidgets as ew

    texts = ew.datasets.topics().text.tolist()
    return torch.as_tensor(ew.minilm().encode(texts))


@pytest.mark.parametrize("name", ["glove", "topics"])
def test_kmeans_gives_the_plain_float32_lloyd_labels_from_the_same_start(name, glove):
    data = glove.unit.float()[:30000].contiguous() if name == "glove" else topic_vectors()
    ours, theirs, our_inertia, their_inertia = same_start_labels(data, 20)
    assert (ours == theirs).all()
    assert our_inertia == pytest.approx(their_inertia, rel=1e-6)


def test_kmeans_gives_the_plain_labels_on_duplicates_zero_rows_and_near_ties():
    generator = torch.Generator().manual_seed(3)
    centres = torch.randn(5, 16, generator=generator)
    data = torch.cat(
        [
            centres.repeat_interleave(40, 0) + 0.3 * torch.randn(200, 16, generator=generator),
            centres[:2].repeat(25, 1),  # exact duplicates of two centres
            torch.zeros(20, 16),  # zero rows
            (centres[0] + centres[1]).repeat(10, 1) / 2,  # exactly between two clusters
        ]
    )
    ours, theirs, our_inertia, their_inertia = same_start_labels(data, 5)
    assert (ours == theirs).all()
    assert our_inertia == pytest.approx(their_inertia, rel=1e-6)


def test_kmeans_stops_at_a_fixed_point_and_its_inertia_is_the_true_one(glove):
    data = glove.unit.float()[:5000].contiguous()
    labels, centres, inertia = kmeans(data, 8, seed=1, max_iter=500, tol=0)
    d2 = torch.cdist(data.double(), centres.double()) ** 2
    assert (d2.argmin(1).numpy() == labels).all()  # every row at its nearest centre: a fixed point
    assert inertia == pytest.approx(float(d2.min(1).values.sum()), rel=1e-6)


def lloyd_from_start(data: torch.Tensor, k: int) -> _Lloyd:
    sq_norms = _row_sq_norms(data)
    return _Lloyd(data, sq_norms, _plus_plus(data, sq_norms, k, torch.Generator().manual_seed(0)))


def test_bounds_hold_at_every_step_and_skip_rows(glove):
    """Hamerly's bounds, checked against float64 distances after every step: the upper bound is at least the
    distance to the row's own centre, the lower bound at most the distance to any other. And they save work."""
    data = glove.unit.float()[:5000].contiguous()
    lloyd, steps = lloyd_from_start(data, 8), 40
    for _ in range(steps):
        lloyd.assign()
        d = torch.cdist(data.double(), lloyd.centres.double(), compute_mode="donot_use_mm_for_euclid_dist")
        own = d.gather(1, lloyd.labels[:, None]).squeeze(1)
        others = d.scatter(1, lloyd.labels[:, None], torch.inf).min(1).values
        assert (torch.from_numpy(lloyd.upper) >= own).all()
        assert (torch.from_numpy(lloyd.lower) <= others).all()
        lloyd.move_centres()
    assert lloyd.scored_rows < 0.6 * steps * len(data)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_skipping_rows_changes_no_label_at_any_step(glove, dtype):
    """The bounded iteration against the same iteration scoring every row (as on a GPU), step by step."""
    data = glove.unit[:20000].to(dtype).contiguous()
    bounded, every_row = lloyd_from_start(data, 20), lloyd_from_start(data, 20)
    every_row.bounded = False
    for _ in range(60):
        assert bounded.assign() == every_row.assign()
        assert torch.equal(bounded.labels, every_row.labels)
        assert torch.equal(bounded.counts, every_row.counts)
        bounded.move_centres()
        every_row.move_centres()
        assert torch.allclose(bounded.centres, every_row.centres, rtol=0, atol=1e-6)
    assert bounded.scored_rows < 0.6 * every_row.scored_rows


def numpy_components(data: np.ndarray, n: int) -> np.ndarray:
    centred = data.astype(np.float64) - data.astype(np.float64).mean(0)
    return np.linalg.svd(centred, full_matrices=False)[2][:n]


def assert_same_axes(ours: np.ndarray, reference: np.ndarray, tolerance: float) -> None:
    for a, b in zip(ours, reference):
        assert np.abs(np.sign(a @ b) * a - b).max() <= tolerance


@pytest.mark.parametrize("name", ["glove", "topics"])
def test_pca_components_equal_float64_svd_to_1e_4(name, glove):
    data = glove.unit.float().numpy() if name == "glove" else topic_vectors().numpy()
    _, axes, _ = principal_axes(torch.from_numpy(data), 10)
    assert_same_axes(axes, numpy_components(data, 10), 1e-4)


def test_pca_survives_a_huge_mean_duplicates_and_zero_rows():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((32, 4)))[0].T
    spread = (rng.standard_normal((4000, 4)) * [8, 4, 2, 1]) @ basis + 0.01 * rng.standard_normal((4000, 32))
    data = np.concatenate([spread, spread[:500], np.zeros((300, 32))]) + 1e4  # the mean dwarfs the spread
    data = data.astype(np.float32)
    mean, axes, _ = principal_axes(torch.from_numpy(data), 4)
    assert_same_axes(axes, numpy_components(data, 4), 1e-4)
    coords = pca(torch.from_numpy(data), 4)
    expected = (data.astype(np.float64) - data.astype(np.float64).mean(0)) @ axes.T
    assert np.abs(coords - expected).max() <= 1e-3 * np.abs(expected).max()

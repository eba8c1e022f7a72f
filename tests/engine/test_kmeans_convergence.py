import torch

from embedwidgets.engine.cluster import kmeans


def test_kmeans_keeps_iterating_after_the_first_step():
    # Regression: the stopping rule compared against an infinite "previous inertia" and stopped after one step.
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(6, 8, generator=generator) * 3
    data = torch.randn(600, 8, generator=generator) + centres.repeat_interleave(100, 0)
    steps = []
    _, _, inertia = kmeans(data, 6, seed=0, progress=lambda fraction, message: steps.append(message))
    assert sum("step" in message for message in steps) > 1
    _, _, after_one_step = kmeans(data, 6, seed=0, max_iter=1)
    assert inertia <= after_one_step


def test_a_start_seeded_on_a_sample_finds_the_same_clusters(monkeypatch):
    from sklearn.metrics import adjusted_rand_score

    from embedwidgets.engine import cluster as cluster_module

    generator = torch.Generator().manual_seed(1)
    centres = torch.randn(12, 16, generator=generator) * 4
    truth = torch.arange(12).repeat_interleave(500)
    data = torch.randn(6000, 16, generator=generator) + centres[truth]
    full_labels, _, full_inertia = kmeans(data, 12, seed=0, n_init=3)
    seeds = []
    original = cluster_module._plus_plus
    monkeypatch.setattr(cluster_module, "SEED_SAMPLE", 600)  # 10 % of the rows
    monkeypatch.setattr(cluster_module, "_plus_plus", lambda d, *a: seeds.append(d.shape[0]) or original(d, *a))
    sampled_labels, _, sampled_inertia = kmeans(data, 12, seed=0, n_init=3)
    assert seeds[:2] == [6000, 600]  # the start was drawn from the sample; Lloyd ran over all 6000 rows
    assert len(sampled_labels) == 6000
    assert adjusted_rand_score(truth.numpy(), sampled_labels) == adjusted_rand_score(truth.numpy(), full_labels) == 1.0
    assert abs(sampled_inertia - full_inertia) <= 1e-3 * full_inertia

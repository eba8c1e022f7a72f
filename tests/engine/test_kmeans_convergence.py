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

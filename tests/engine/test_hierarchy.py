"""The label tree (engine/hierarchy.py): children partition their parent, sub-topics are named by what sets them
apart inside their topic, a user's labeler is used, and bad input is refused."""

import numpy as np
import pandas as pd
import pytest
import torch

from embedwidgets.engine.hierarchy import TREE_COLUMNS, label_tree

TOPICS = ["fruit", "river", "stone"]
SUBS = ["red", "blue", "green", "gold"]


def planted(per=40, seed=0):
    """3 topics × 4 sub-topics, far apart on both scales; each text names its topic and its sub-topic."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(0, 10, (3, 16))
    subs = rng.normal(0, 2.5, (3, 4, 16))
    vectors, texts, truth = [], [], []
    for t in range(3):
        for s in range(4):
            vectors.append(topics[t] + subs[t, s] + rng.normal(0, 0.2, (per, 16)))
            texts += [f"{TOPICS[t]} {SUBS[s]} {TOPICS[t]}" for _ in range(per)]
            truth += [(t, s)] * per
    unit = torch.nn.functional.normalize(torch.as_tensor(np.concatenate(vectors), dtype=torch.float32), dim=1)
    top = np.array([t for t, _ in truth])
    return unit, texts, top, truth


def test_children_partition_their_parent_and_sizes_add_up():
    unit, texts, top, _ = planted()
    tree, fine = label_tree(unit, texts, top, children=4)
    assert list(tree.columns) == TREE_COLUMNS
    assert (fine >= 0).all()
    parents = tree[tree.level == 0]
    children = tree[tree.level == 1]
    for row in parents.itertuples():
        kids = children[children.parent == row.cluster]
        assert kids["size"].sum() == row.size == (top == row.cluster).sum()
        # every row of a child lies in its parent
        assert set(top[np.isin(fine, kids.cluster)]) == {row.cluster}
    assert sorted(children.cluster) == list(range(len(children)))


def test_labels_name_topics_and_what_sets_sub_topics_apart():
    unit, texts, top, truth = planted()
    tree, fine = label_tree(unit, texts, top, children=4)
    top_labels = set(tree[tree.level == 0].label)
    assert all(any(topic in label for label in top_labels) for topic in TOPICS)
    for row in tree[tree.level == 1].itertuples():
        members = np.flatnonzero(fine == row.cluster)
        sub = pd.Series([truth[m][1] for m in members]).mode()[0]
        assert row.label.split(" · ")[0] == SUBS[sub]  # the sub-topic's own word, not its topic's
        assert TOPICS[top[members[0]]] not in row.label


def test_noise_stays_out_and_small_clusters_get_one_child():
    unit, texts, top, _ = planted(per=10)
    top = top.copy()
    top[:5] = -1
    top[top == 2] = 5  # ids need not be contiguous
    top[-3:] = 7  # a cluster of three points: too small to split
    tree, fine = label_tree(unit, texts, top, children=4)
    assert (fine[:5] == -1).all()
    assert tree[(tree.level == 1) & (tree.parent == 7)]["size"].tolist() == [3]
    assert set(tree[tree.level == 0].cluster) == {0, 1, 5, 7}


def test_a_users_labeler_names_every_node():
    unit, texts, top, _ = planted(per=10)
    seen = []

    def labeler(members):
        seen.append(len(members))
        return f"{len(members)} texts"

    tree, _ = label_tree(unit, texts, top, children=2, labeler=labeler)
    assert len(seen) == len(tree) and all(label.endswith("texts") for label in tree.label)
    with pytest.raises(TypeError, match="must return a str"):
        label_tree(unit, texts, top, labeler=lambda members: 3)


def test_bad_input():
    unit, texts, top, _ = planted(per=5)
    with pytest.raises(ValueError, match="one top-level id"):
        label_tree(unit, texts[:-1], top)
    with pytest.raises(ValueError, match="children"):
        label_tree(unit, texts, top, children=0)


def test_density_contours_of_a_gaussian_are_circles_of_the_right_radius():
    from embedwidgets.engine.density import density_contours

    sigma = 0.25
    xy = np.random.default_rng(0).normal(0, sigma, (200_000, 2)).clip(-1, 1)
    segments, level = density_contours(xy, levels=(0.5,), bandwidth=0.02)
    middle = (segments[:, :2] + segments[:, 2:]) / 2
    radius = np.hypot(*middle.T)
    # Half the peak density of a Gaussian (widened by the kernel) lies at sqrt(2 ln 2) of its spread.
    spread = np.hypot(sigma, 0.02)
    assert abs(radius.mean() - spread * np.sqrt(2 * np.log(2))) < 0.01 and radius.std() < 0.01
    assert set(level.tolist()) == {0}
    empty, _ = density_contours(np.zeros((0, 2)))
    assert empty.shape == (0, 4)

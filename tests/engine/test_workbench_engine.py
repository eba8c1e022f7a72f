"""The workbench's engine modules. hierarchy.py: a label tree's children partition their parent, sub-topics are
named by what sets them apart, a user's labeler is used. density.py: a Gaussian's contours are circles of the
right radius. rag.py: a query's placement error on held-out rows is bounded. compare.py: Procrustes recovers a
known rotation, and neighbourhood change is 0 for the same set and near 1 for a shuffle."""

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


def test_query_placement_error_on_held_out_rows_is_small():
    """Place each of 200 corpus rows from its neighbours among the *other* rows (as a new query is placed) and
    compare with where the layout put it: the median error stays under 3 % of the map's width."""
    from embedwidgets.engine import rag
    from embedwidgets.engine.embeddings import EmbeddingSet

    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (6, 20))
    vectors = np.concatenate([rng.normal(c, 1.0, (300, 20)) for c in centres]).astype(np.float32)
    es = EmbeddingSet([f"r{i}" for i in range(len(vectors))], vectors)
    xy = es.project("pca", 2)
    xy = (xy - xy.min(0)) / (xy.max(0) - xy.min(0)).max() * 2 - 1  # the map's [-1, 1] square
    errors = []
    for row in rng.choice(len(vectors), 200, replace=False):
        found = es.neighbors(f"r{row}", k=rag.PLACE_K)  # a label's own row is left out: held out
        rows = es.rows(found.label.tolist())
        errors.append(np.hypot(*(rag.place(xy, rows, found.score.to_numpy()) - xy[row])))
    assert np.median(errors) < 0.06, np.median(errors)  # 2 units wide: 3 %
    assert np.percentile(errors, 90) < 0.15


def test_map_ranks_trust_and_overlap():
    from embedwidgets.engine import rag

    xy = np.array([[0.0, 0], [0.1, 0], [0.2, 0], [0.9, 0], [-0.05, 0]])
    ranks = rag.map_ranks(xy, np.array([0.0, 0]), [1, 3, 2])
    assert ranks.tolist() == [3, 5, 4]
    assert rag.map_trust(ranks, 3) == 1 / 3
    assert rag.overlap([1, 2, 3], [3, 9], 3) == (1 / 3, [1, 2], [9])
    with pytest.raises(ValueError, match="at least one neighbour"):
        rag.place(xy, [], [])


def test_procrustes_recovers_a_known_rotation_scale_and_shift():
    from embedwidgets.engine.compare import procrustes

    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 2))
    angle = 0.7
    turn = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    b = a @ turn * 2.5 + [3.0, -1.0] + rng.normal(0, 0.01, a.shape)
    aligned, transform = procrustes(b, a)
    assert np.abs(aligned - a).max() < 0.02
    assert np.allclose(transform["rotation"], turn.T, atol=1e-3) and abs(transform["scale"] - 0.4) < 1e-3
    with pytest.raises(ValueError, match="same"):
        procrustes(a, a[:5])


def test_neighbourhood_change_is_zero_for_the_same_set_and_one_for_a_shuffle():
    from embedwidgets.engine.compare import neighbourhood_change

    rng = np.random.default_rng(1)
    centres = rng.normal(0, 5, (20, 16))
    x = torch.as_tensor(np.repeat(centres, 10, axis=0) + rng.normal(0, 0.1, (200, 16)), dtype=torch.float32)
    unit = torch.nn.functional.normalize(x, dim=1)
    assert neighbourhood_change(unit, unit, k=5).max() == 0
    shuffled = unit[torch.as_tensor(rng.permutation(200))]
    assert neighbourhood_change(unit, shuffled, k=5).mean() > 0.9


def test_recall_and_an_evaluation_set_scored_worst_first(article_docs):
    """Real queries against the MiniLM-encoded articles: a question whose one relevant article is known gets
    recall 1, a mis-judged one recall 0 and comes first, a retriever that finds nothing relevant gets recall 0,
    and a query with nothing relevant (recall undefined) goes last."""
    from embedwidgets.engine import rag

    assert rag.recall([3, 1], {1}, 2) == 1.0 and rag.recall([3, 1], {1}, 1) == 0.0
    assert rag.recall([3, 1], {1, 5}, 2) == 0.5 and np.isnan(rag.recall([3], set(), 1))
    es = article_docs
    row_of = {article_id: row for row, article_id in enumerate(es.metadata.id)}
    texts = ["how do I format a date in Python", "cheap flights", "pruning roses in winter", "rules of cricket"]
    relevant = [
        {row_of["python-datetime-strftime"]},
        {row_of[i] for i in ("affordable-airfare-timing", "budget-airline-fees", "fare-alerts", "air-miles")},
        {row_of["fresh-pasta"]},  # judged wrong on purpose: the rose-pruning article answers it
        set(),  # nothing in the collection is about cricket
    ]
    xy = es.project("pca", 2)
    k = 5
    exact, ranks = [], []
    for found in es.neighbors(texts, k=k):
        rows = es.rows(found.label.tolist())
        exact.append(rows)
        ranks.append(rag.map_ranks(xy, rag.place(xy, rows, found.score.to_numpy()), rows))
    nothing = [row_of[i] for i in ("perfect-rice", "chicken-stock", "knife-skills")]  # a retriever's bad answer
    table = rag.score_queries(texts, exact, ranks, k, relevant=relevant, retrieved=[nothing] * len(texts))
    assert table.index[0] == 2 and table.index[-1] == 3  # positions in the input: worst first, undefined last
    assert table.recall.tolist()[:3] == [0.0, 1.0, 1.0] and np.isnan(table.recall[3])
    keys = list(zip(table.recall, table.retriever_recall, table.overlap, table.trust))[:3]
    assert keys == sorted(keys)  # ties in recall are broken by the retriever's recall, then overlap, then trust
    assert table.missed[2] == [row_of["fresh-pasta"]] and table.missed[0] == []
    assert table.retriever_recall.tolist()[:3] == [0.0, 0.0, 0.0] and table.overlap.between(0, 1).all()
    assert table.trust.between(0, 1).all() and (table.far >= 0).all()
    # Without relevance the least trustworthy map neighbourhood comes first.
    plain = rag.score_queries(texts, exact, ranks, k)
    assert list(plain.columns) == ["query", "trust", "far"] and plain.trust.is_monotonic_increasing
    with pytest.raises(ValueError, match="one top-k"):
        rag.score_queries(texts, exact[:2], ranks, k)

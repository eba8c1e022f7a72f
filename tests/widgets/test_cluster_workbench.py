"""ClusterView's workbench on the Python side: filters both ways (Python ⇄ the view's JSON), the cross-filter
counts, ``visible`` and ``filtered_df``, the table's pages (sorted, filtered, the selection), and bad input."""

import numpy as np
import pandas as pd
import pytest
import traitlets

import embedwidgets as ew
from embedwidgets.widgets.cluster.filters import BINS, MAX_TABLE_ROWS, OTHER, TOP, Filters

N = 400
HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def es():
    rng = np.random.default_rng(1)
    topics = np.array(["music", "sport", "art", HOSTILE])[np.arange(N) % 4]
    metadata = pd.DataFrame(
        {
            "topic": topics,
            "length": np.arange(N) * 2.5,  # 0 .. 997.5
            "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(np.arange(N) % 100, unit="D"),
        }
    )
    return ew.EmbeddingSet(
        [f"doc {i}" for i in range(N)], rng.normal(size=(N, 6)).astype(np.float32), metadata=metadata
    )


@pytest.fixture
def cv(es):
    return ew.ClusterView(es, projection="pca", k=3, filters=["topic", "length", "date"], table=True, background=False)


def chart(view, column):
    return next(c for c in view._charts if c["column"] == column)


def test_charts_kinds_and_totals(cv):
    assert [c["kind"] for c in cv._charts] == ["category", "number", "date"]
    topic = chart(cv, "topic")
    assert set(topic["bars"][:4]) == {"music", "sport", "art", HOSTILE} and topic["bars"][-1] == OTHER
    assert topic["total"][:4] == [100] * 4 and topic["counts"] == topic["total"]
    length = chart(cv, "length")
    assert len(length["total"]) == BINS and sum(length["total"]) == N
    assert length["edges"][0] == 0 and length["edges"][-1] == 997.5
    assert cv.visible.tolist() == list(range(N)) and len(cv._filtered) == 0  # no filter: nothing greyed


def test_filters_from_python_reach_the_view_and_the_rows(cv):
    cv.filters = {"topic": ["music", "art"], "length": (100, 500)}
    assert cv.filters == {"topic": ["music", "art"], "length": (100.0, 500.0)}
    assert cv._filter_state == {"topic": ["music", "art"], "length": [100.0, 500.0]}
    rows = np.arange(N)
    expected = rows[np.isin(rows % 4, [0, 2]) & (rows * 2.5 >= 100) & (rows * 2.5 <= 500)]
    assert cv.visible.tolist() == expected.tolist()
    mask = np.frombuffer(cv._filtered, dtype=np.uint8)
    assert np.flatnonzero(mask).tolist() == expected.tolist()
    frame = cv.filtered_df()
    assert frame.index.tolist() == expected.tolist() and set(frame.topic) == {"music", "art"}
    assert frame.length.between(100, 500).all()


def test_cross_filter_counts_use_the_other_filters(cv):
    cv.filters = {"topic": ["music"], "length": (0, 249)}
    topic, length = chart(cv, "topic"), chart(cv, "length")
    # The topic bars count under the length filter only (rows 0..99: 25 of each topic) ...
    assert topic["counts"][:4] == [25, 25, 25, 25]
    # ... and the length histogram under the topic filter only (every 4th row over the whole range).
    assert sum(length["counts"]) == 100 and sum(length["total"]) == N


def test_filters_from_the_view(cv, wire):
    wire(cv).update(
        _filter_state={
            "length": [0, 10],
            "date": [pd.Timestamp("2021-01-01").value / 1e6, pd.Timestamp("2021-01-03").value / 1e6],
        }
    )
    assert cv.filters["length"] == (0.0, 10.0)
    assert cv.filters["date"] == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-03"))
    assert cv.visible.tolist() == [0, 1, 2]  # length ≤ 10 (rows 0-4) and 1-3 January (days 0-2)
    wire(cv).update(_filter_state={})
    assert cv.filters == {} and len(cv.visible) == N


def test_date_filters_from_python(cv):
    cv.filters = {"date": ("2021-01-10", "2021-01-11")}
    assert set(np.arange(N)[cv.visible] % 100) == {9, 10}
    assert cv._filter_state["date"] == [pd.Timestamp("2021-01-10").value / 1e6, pd.Timestamp("2021-01-11").value / 1e6]


def test_bad_filters_say_what_is_wrong_and_keep_the_old_ones(cv, wire):
    cv.filters = {"topic": ["sport"]}
    with pytest.raises(traitlets.TraitError, match="no filter chart for 'colour'"):
        cv.filters = {"colour": ["red"]}
    with pytest.raises(traitlets.TraitError, match="low > high"):
        cv.filters = {"length": (5, 1)}
    with pytest.raises(traitlets.TraitError, match="list of the categories"):
        cv.filters = {"topic": "sport"}
    resent = wire(cv).update(_filter_state={"length": ["a", "b"]})
    assert "range of numbers" in cv.error["message"] and resent["_filter_state"] == {"topic": ["sport"]}
    assert cv.filters == {"topic": ["sport"]} and len(cv.visible) == N // 4
    with pytest.raises(KeyError, match="no metadata column"):
        ew.ClusterView(cv.embeddings, projection="pca", filters=["nope"], background=False)


def test_filters_given_as_a_dict_start_active(es):
    view = ew.ClusterView(es, projection="pca", filters={"topic": ["art"], "length": None}, background=False)
    assert [c["column"] for c in view._charts] == ["topic", "length"]
    assert view.filters == {"topic": ["art"]} and len(view.visible) == N // 4


def test_table_pages_sorted_filtered_and_selected(cv, wire):
    page = wire(cv).request("rows", source="all", start=0, count=5, sort="length", descending=True)["data"]
    assert page["total"] == N and page["rows"] == [399, 398, 397, 396, 395]
    assert page["columns"] == ["row", "label", "cluster", "topic", "length", "date"]
    assert page["cells"][0][:2] == ["399", "doc 399"] and page["cells"][0][3] == HOSTILE  # text, escaped by the view
    cv.filters = {"topic": ["sport"]}
    page = wire(cv).request("rows", source="all", start=2, count=3)["data"]
    assert page["total"] == 100 and page["rows"] == [9, 13, 17]
    cv.selected = [7, 3, 250]
    page = wire(cv).request("rows", source="selection", start=0, count=10, sort="label")["data"]
    assert page["rows"] == [250, 3, 7]  # "doc 250" < "doc 3" < "doc 7" as text
    big = wire(cv).request("rows", source="all", start=0, count=10**6)["data"]
    assert len(big["rows"]) == min(MAX_TABLE_ROWS, 100)
    assert wire(cv).request("rows", start=-1)["ok"] is False
    assert wire(cv).request("rows", sort="nope")["ok"] is False


def test_many_categories_fold_into_other():
    frame = pd.DataFrame({"c": [f"v{i % 40}" for i in range(400)]})
    filters = Filters(frame, ["c"])
    counts = filters.chart_counts({})[0]
    assert len(counts["bars"]) == TOP + 1 and counts["total"][-1] == 400 - TOP * 10
    assert filters.mask(filters.check({"c": ["v1", "v39"]})).sum() == 20


def topics_set(per=30):
    rng = np.random.default_rng(3)
    topics, subs = ["fruit", "river", "stone"], ["red", "blue", "green", "gold"]
    centres = rng.normal(0, 10, (3, 12))
    offsets = rng.normal(0, 2.5, (3, 4, 12))
    vectors, labels = [], []
    for t in range(3):
        for s in range(4):
            vectors.append(centres[t] + offsets[t, s] + rng.normal(0, 0.2, (per, 12)))
            labels += [f"{topics[t]} {subs[s]} {i}" for i in range(per)]
    return ew.EmbeddingSet(labels, np.concatenate(vectors).astype(np.float32))


def test_label_tree_and_sub_labels_reach_the_view():
    view = ew.ClusterView(topics_set(), projection="pca", k=3, background=False)
    tree = view.label_tree
    assert list(tree.columns) == ["level", "cluster", "parent", "size", "label"]
    assert tree[tree.level == 0]["size"].sum() == tree[tree.level == 1]["size"].sum() == len(view.embeddings)
    assert len(view._cluster_labels) == 3 and all(item["level"] == 0 for item in view._cluster_labels)
    colours = {item["cluster"]: item["color"] for item in view._cluster_labels}
    subs = view._sub_labels
    assert len(subs) == (tree.level == 1).sum() and all(item["level"] == 1 for item in subs)
    assert all(item["color"] == colours[item["parent"]] for item in subs)  # a sub-topic wears its topic's colour
    assert {item["text"] for item in subs} <= set(tree[tree.level == 1].label)
    assert (view.sub_clusters >= 0).all()


def test_a_users_labeler_and_a_bad_one():
    view = ew.ClusterView(
        topics_set(10), projection="pca", k=3, labeler=lambda texts: f"«{texts[0][:5]}»", background=False
    )
    assert view.label_tree.label.str.startswith("«").all()
    with pytest.raises(TypeError, match="labeler must be a function"):
        ew.ClusterView(topics_set(10), projection="pca", labeler="gpt", background=False)


def test_density_contours_follow_the_toggle(es):
    view = ew.ClusterView(es, projection="pca", density=True, labels=False, color_by="none", background=False)
    segments = np.frombuffer(view._contours, dtype=np.float32).reshape(-1, 4)
    levels = np.frombuffer(view._contour_levels, dtype=np.uint8)
    assert len(segments) > 10 and len(levels) == len(segments) and np.abs(segments).max() <= 1
    view.density = False
    assert len(np.frombuffer(view._contours, dtype=np.float32)) == 0


def test_show_query_places_marks_and_compares_a_retriever():
    es = topics_set()
    view = ew.ClusterView(es, projection="pca", k=3, labels=False, color_by="none", background=False)
    frame = view.show_query("fruit red 3", k=8, retriever=lambda text: list(range(5)) + [200, 300, 301])
    assert list(frame.columns) == ["rank", "row", "label", "score", "map_rank", "far", "retrieved"]
    assert frame["rank"].tolist() == list(range(1, 9)) and frame.score.is_monotonic_decreasing
    assert all(label.startswith("fruit red") for label in frame.label)  # the query's own sub-topic
    assert 0 <= frame.attrs["trust"] <= 1 and frame.attrs["overlap"] == frame.retrieved.sum() / 8
    assert set(frame.attrs["only_retriever"]) >= {200, 300, 301}
    overlay = view._query_overlay
    assert len(overlay["hits"]) == 8 and len(overlay["retrieved"]) == 8
    assert [hit["row"] for hit in overlay["hits"]] == frame.row.tolist()
    assert (frame.far == (frame.map_rank > 3 * 8)).all()
    view.clear_query()
    assert view._query_overlay == {}
    with pytest.raises(TypeError, match="list of labels or row numbers"):
        view.show_query("fruit red 3", k=3, retriever=lambda text: "fruit red 1")
    with pytest.raises(ValueError, match="outside"):
        view.show_query("fruit red 3", k=3, retriever=lambda text: [10**6])
    with pytest.raises(ValueError, match="query text"):
        view.show_query("  ")


@pytest.fixture(scope="module")
def article_view(article_docs):
    return ew.ClusterView(article_docs, projection="pca", k=7, labels=False, color_by="none", background=False)


def article_rows(view, *ids):
    row_of = {article_id: row for row, article_id in enumerate(view.embeddings.metadata.id)}
    return [row_of[i] for i in ids]


def test_show_queries_scores_an_evaluation_set_worst_first(article_view):
    view = article_view
    airfare = article_rows(view, "affordable-airfare-timing", "budget-airline-fees", "fare-alerts", "air-miles")
    evalset = pd.DataFrame(
        {
            "question": ["how do I format a date in Python", "cheap flights", "pruning roses in winter"],
            # row numbers, labels (titles), and one judged wrong on purpose (a pasta recipe for roses)
            "relevant": [
                article_rows(view, "python-datetime-strftime"),
                ["When to book affordable airfare", "Budget airlines and their hidden fees"],
                {article_rows(view, "fresh-pasta")[0]},
            ],
        }
    )
    rice = article_rows(view, "perfect-rice", "chicken-stock", "knife-skills")  # never relevant here
    table = view.show_queries(
        evalset, k=5, text_column="question", relevant_column="relevant", retriever=lambda t: rice
    )
    assert list(table.columns) == ["query", "trust", "far", "recall", "missed", "retriever_recall", "overlap"]
    assert table.index.tolist()[0] == 2 and table.recall.tolist() == [0.0, 1.0, 1.0]  # the mis-judged one first
    assert table.missed[2] == article_rows(view, "fresh-pasta") and table.missed[0] == []
    assert (table.retriever_recall == 0).all()
    # Map trust per query is the very number show_query reports for that query alone.
    assert table.trust[0] == view.show_query(evalset.question[0], k=5).attrs["trust"]
    # The worst query is drawn in full, every other as a numbered marker, its relevant rows as squares.
    table = view.show_queries(
        evalset, k=5, text_column="question", relevant_column="relevant", retriever=lambda t: rice
    )
    overlay = view._query_overlay
    assert overlay["focus"] == 2 and overlay["text"] == "pruning roses in winter" and len(overlay["hits"]) == 5
    assert [m["position"] for m in overlay["queries"]] == [0, 1, 2]
    assert overlay["relevant"] == [
        {"row": r, "x": float(view._xy_unit[r, 0]), "y": float(view._xy_unit[r, 1]), "found": False}
        for r in article_rows(view, "fresh-pasta")
    ]
    assert {hit["row"] for hit in overlay["retrieved"]} == set(rice)
    # Focus another query: the airfare question, both judged articles in its top 5.
    focused = view.focus_query(1)
    assert view._query_overlay["focus"] == 1 and focused.relevant.sum() == 2 and focused.attrs["missed"] == []
    assert set(focused.row[:4]) == set(airfare)
    # A plain list: no relevance, the least trustworthy map neighbourhood first.
    plain = view.show_queries(["my laptop is really slow", "my dog is too hot on walks"], k=3)
    assert list(plain.columns) == ["query", "trust", "far"] and plain.trust.is_monotonic_increasing
    # show_query replaces the set; focus_query then has nothing to focus.
    view.show_query("cheap flights", k=3)
    assert "queries" not in view._query_overlay
    with pytest.raises(ew.EmbedWidgetsError, match="show_queries"):
        view.focus_query(0)


def test_show_queries_refuses_bad_input_and_says_what_to_pass(article_view):
    view = article_view
    evalset = pd.DataFrame({"query": ["cheap flights", "jet lag"], "relevant": [[19], ["Beating jet lag"]]})
    with pytest.raises(ValueError, match=r"no column 'question'.*\['query', 'relevant'\].*text_column="):
        view.show_queries(evalset, text_column="question")
    with pytest.raises(ValueError, match="no column 'judged'"):
        view.show_queries(evalset, relevant_column="judged")
    with pytest.raises(ValueError, match="at least one query"):
        view.show_queries([])
    with pytest.raises(ValueError, match=r"queries \[1\] are empty"):
        view.show_queries(["cheap flights", "  "])
    with pytest.raises(traitlets.TraitError, match="k must be between 1"):
        view.show_queries(evalset, k=0)
    with pytest.raises(TypeError, match="use show_query"):
        view.show_queries("cheap flights")
    with pytest.raises(TypeError, match="pass the queries as a DataFrame"):
        view.show_queries(["cheap flights"], relevant_column="relevant")
    bad = evalset.assign(relevant=[[19, 640], ["Beating jet lag", "Cheap flights to Rome"]])
    with pytest.raises(ValueError, match="2 relevant item") as error:
        view.show_queries(bad, relevant_column="relevant")
    message = str(error.value)
    assert "query 0" in message and "640" in message and "'Cheap flights to Rome'" in message
    assert "row numbers 0..63" in message and "row_of" in message
    view.show_queries(evalset, relevant_column="relevant")
    with pytest.raises(ValueError, match=r"0\.\.1"):
        view.focus_query(2)


def test_compare_view_aligns_links_the_selection_and_ranks_what_moved():
    a = topics_set(20)
    rng = np.random.default_rng(5)
    vectors = a.vectors.copy()
    moved = [0, 1, 2]  # three "fruit" rows get "stone" vectors in b
    vectors[moved] = vectors[-3:] + rng.normal(0, 0.1, (3, vectors.shape[1]))
    turn = np.linalg.qr(rng.normal(size=(12, 12)))[0]  # b: a rotated copy, otherwise the same
    b = ew.EmbeddingSet(a.labels, vectors @ turn, name="b")
    cmp = ew.CompareView(a, b, k=5)
    assert set(cmp.moved_most(3).row) == set(moved) and (cmp.moved_most(3).change > 0.5).all()
    assert np.median(cmp.change) == 0  # the rest keep their neighbours
    xy_a, xy_b = cmp.coordinates
    untouched = np.setdiff1d(np.arange(len(a)), moved + list(range(len(a) - 3, len(a))))
    spread = np.ptp(xy_a, axis=0).max()
    assert np.median(np.hypot(*(xy_a[untouched] - xy_b[untouched]).T)) < 0.05 * spread  # aligned
    cmp.a_view.selected = [4, 5]
    assert cmp.b_view.selected == [4, 5] and cmp.selected == [4, 5]
    cmp.b_view.set_state({"_selection": {"dtype": "int32", "shape": [1], "buffer": np.array([7], np.int32).tobytes()}})
    assert cmp.a_view.selected == [7]
    assert cmp.a_view.color_by == "column:neighbourhood change"
    with pytest.raises(ValueError, match="same items"):
        ew.CompareView(a, topics_set(10))


def test_tags_both_ways_filterable_and_exported(cv, wire, tmp_path):
    assert (cv.tags == "").all() and "tag" not in cv.embeddings.metadata.columns
    cv.selected = [1, 2, 3]
    assert cv.tag("bad chunk") == 3
    assert cv.tags[[1, 2, 3]].tolist() == ["bad chunk"] * 3 and (cv.tags.drop([1, 2, 3]) == "").all()
    assert cv._tag_count == 3 and "tag" in cv.color_choices  # colour by tag
    assert chart(cv, "tag")["bars"][0] == "bad chunk"  # tags can be filtered
    cv.filters = {"tag": ["bad chunk"]}
    assert cv.visible.tolist() == [1, 2, 3]
    # From the view: tag the selection by name (hostile text stays a plain string).
    cv.selected = [10]
    assert wire(cv).request("tag", name=f" {HOSTILE} ")["data"]["count"] == 1
    assert cv.tags[10] == HOSTILE
    cv.selected = []
    assert wire(cv).request("tag", name="x")["ok"] is False  # nothing selected: said inline
    # Whole column from Python; the table shows it.
    cv.filters = {}
    cv.tags = ["t" if i % 2 else "" for i in range(N)]
    assert cv._tag_count == N // 2
    page = wire(cv).request("rows", start=0, count=2, sort="tag", descending=True)["data"]
    assert page["columns"][-1] == "tag" and page["cells"][0][-1] == "t"
    with pytest.raises(ValueError, match="one value per row"):
        cv.tags = ["a"]
    # Export: the selected rows with labels, metadata, tags and (optionally) vectors.
    cv.selected = [3, 5]
    frame = pd.read_parquet(cv.export_selection(tmp_path / "bad.parquet", vectors=True))
    assert frame.index.tolist() == [3, 5] and frame["tag"].tolist() == ["t", "t"]
    assert np.allclose(np.stack(frame["vector"]), cv.embeddings.vectors[[3, 5]])
    csv = pd.read_csv(cv.export_selection(tmp_path / "bad.csv", format="csv"), index_col=0)
    assert csv["label"].tolist() == ["doc 3", "doc 5"] and "topic" in csv.columns
    with pytest.raises(ValueError, match="parquet"):
        cv.export_selection(tmp_path / "x.json", format="json")


def test_tags_persist_through_save_and_reload(es, tmp_path):
    pytest.importorskip("lance")
    view = ew.ClusterView(es, projection="pca", labels=False, color_by="none", background=False)
    view.tag("bad", [3, 4])
    es.save(tmp_path / "set.lance")
    back = ew.ClusterView(ew.EmbeddingSet.from_lance(tmp_path / "set.lance"), projection="pca", background=False)
    assert back.tags[[2, 3, 4]].tolist() == ["", "bad", "bad"] and back._tag_count == 2

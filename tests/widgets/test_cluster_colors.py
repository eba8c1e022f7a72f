"""The map's colour encoding as pure functions: data in, (values, legend) out, no widget."""

import numpy as np
import pandas as pd

from embedwidgets.widgets import _standalone
from embedwidgets.widgets.cluster import colors, page
from embedwidgets.widgets.cluster.layout import label_places, to_unit_square


def test_categories_follow_the_given_order_and_the_rest_is_grey():
    values, legend = colors.categorical(np.array([5, 9, 5, -1, 2]), [9, 5], {9: "nine"}, "ids", noise_text="noise")
    assert values.dtype == np.uint8 and values.tolist() == [1, 0, 1, 2, 2]
    assert legend["colors"] == colors.PALETTE[:2] + [colors.GREY]
    assert [(i["label"], i["count"]) for i in legend["items"]] == [("nine", 1), ("5", 2), ("noise", 2)]
    assert legend["kind"] == "categorical" and legend["more"] == 0


def test_many_categories_switch_to_int32_and_cap_the_legend():
    ids = np.arange(300)
    values, legend = colors.categorical(ids, list(range(300)), {}, "many")
    assert values.dtype == np.int32 and legend["dtype"] == "int32"
    assert len(legend["items"]) == colors.MAX_LEGEND and legend["more"] == 300 - colors.MAX_LEGEND
    assert legend["colors"][len(colors.PALETTE)] == colors.PALETTE[0]  # the palette repeats


def test_continuous_scores_span_the_ramp_and_missing_ones_are_named():
    values, legend = colors.continuous(np.array([1.0, np.nan, 3.0, 2.0]), "score")
    assert values.dtype == np.float32 and values.tolist() == [0.0, 0.0, 1.0, 0.5]
    assert legend["min"] == 1.0 and legend["max"] == 3.0 and len(legend["colors"]) == 256
    assert "1 rows without a value" in legend["note"]
    flat, _ = colors.continuous(np.full(3, 7.0), "flat")
    assert flat.tolist() == [0.5, 0.5, 0.5]


def test_columns_pick_ramp_or_categories():
    weights = pd.Series(np.linspace(0, 1, 50))
    assert colors.column_colors(weights, "weight")[1]["kind"] == "continuous"
    few = pd.Series([1, 2, 3] * 10)  # few distinct integers read as categories
    assert colors.column_colors(few, "stars")[1]["kind"] == "categorical"
    many = pd.Series([f"v{i % 30}" for i in range(60)] + [None])
    values, legend = colors.column_colors(many, "many")
    assert len(legend["items"]) == colors.MAX_CATEGORIES
    last = legend["items"][-1]
    assert last["label"] == "other (11 values) or missing" and last["color"] == colors.GREY
    assert sum(i["count"] for i in legend["items"]) == len(many) == len(values)


def test_each_mode_says_when_its_data_is_not_there_yet():
    for values, legend in [
        colors.cluster_colors(None, None),
        colors.outlier_colors(None, 10),
        colors.duplicate_colors(5, None, 0.9),
        colors.class_colors(None, ["a", "b"]),
        colors.similarity_colors(None, ""),
    ]:
        assert values.size == 0 and legend["kind"] == "none" and legend["colors"] == [colors.PLAIN]
        assert legend["note"]


def test_cluster_duplicate_and_class_colours():
    names = pd.DataFrame({"cluster": [1, 0], "label": ["big", "small"]})
    values, legend = colors.cluster_colors(np.array([0, 1, 1, -1]), names)
    assert values.tolist() == [1, 0, 0, 2]
    assert [i["label"] for i in legend["items"]] == ["1 · big", "0 · small", "noise"]
    groups = pd.DataFrame({"group": [0, 0], "row": [1, 3], "label": ["x", "x copy"]})
    values, legend = colors.duplicate_colors(4, groups, 0.95)
    assert values.tolist() == [1, 0, 1, 0] and legend["note"] == "1 groups, 2 rows" and "0.95" in legend["title"]
    empty = colors.duplicate_colors(4, groups.iloc[:0], 0.95)[1]
    assert empty["note"] == "no near-duplicates at this threshold"
    classes = pd.DataFrame({"class": ["b", "a", "b"]})
    values, legend = colors.class_colors(classes, ["a", "b"])
    assert values.tolist() == [1, 0, 1] and [i["label"] for i in legend["items"]] == ["a", "b"]


def test_color_by_names_columns_and_modes_apart():
    columns = ["kind", "cluster", "column:odd"]
    assert colors.metadata_column(columns, "kind") == "kind"
    assert colors.metadata_column(columns, "cluster") is None  # the mode wins over the bare name
    assert colors.metadata_column(columns, "column:cluster") == "cluster"
    assert colors.metadata_column(columns, "nope") is None
    choices = dict(colors.color_choices(columns, classes=False))
    assert choices["kind"] == "column · kind" and choices["column:cluster"] == "column · cluster"
    assert choices["column:column:odd"] == "column · column:odd" and "classes" not in choices
    assert "classes" in dict(colors.color_choices(columns, classes=True))


def test_one_palette_one_plain_colour_one_clip():
    assert len(set(colors.PALETTE)) == len(colors.PALETTE) and colors.GREY not in colors.PALETTE
    assert page.clip is colors.clip and not hasattr(_standalone, "clip")
    assert colors.clip("abc", 3) == "abc" and colors.clip("abcd", 3) == "ab…"
    assert colors.ramp(3)[0] == colors.RAMP_ANCHORS[0] and colors.ramp(3)[-1] == colors.RAMP_ANCHORS[-1]
    assert colors.display_text(float("nan")) == "" and colors.display_text(1 / 3) == "0.333333"


def test_label_places_sit_at_the_median_of_their_cluster():
    xy = to_unit_square(np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 10.0], [9.0, 10.0], [5.0, 5.0]]))
    clusters = np.array([0, 0, 1, 1, -1])
    names = pd.DataFrame({"cluster": [1, 0], "label": ["far", "near"], "size": [2, 2]})
    places = label_places(xy, clusters, names, limit=1)
    assert [p["text"] for p in places] == ["far"] and places[0]["color"] == colors.PALETTE[0]
    assert places[0]["x"] == np.median(xy[2:4, 0]) and places[0]["y"] == 1.0
    assert label_places(None, clusters, names, 5) == []

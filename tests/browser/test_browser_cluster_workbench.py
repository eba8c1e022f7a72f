"""ClusterView's workbench in a real notebook (JupyterLab 4 and Notebook 7): brushing a histogram greys the
right points (read back from the canvas) and sets ``cv.filters`` in the kernel; clicking a category bar filters
and the other chart's counts follow (cross-filter); filters set in Python show in the charts; the table scrolls
virtually (few rows in the page, the last row reachable), clicking a row selects its point in the kernel; and
hostile strings in table cells and category bars stay text.

The layout is planted so each check has one answer: ``length`` grows with x (0 at the left edge, 1000 at the
right), so the brushed lower half of the histogram keeps exactly the left half of the map.
"""

from __future__ import annotations

import json

import pytest
from ewbrowser import HOSTS, REGION, assert_not_injected, canvas_box, cluster_view, to_screen
from playwright.sync_api import expect

HOSTILE = '<img src=x onerror="window.__pwned=1">'
N = 2000

CELLS = [
    f"""import json
import numpy as np, pandas as pd
import embedwidgets as ew

H = {HOSTILE!r}
rng = np.random.default_rng(0)
xy = rng.uniform(-1, 1, ({N}, 2))
xy[:4] = [[-1, -1], [1, 1], [-1, 1], [1, -1]]  # the normalised square is the data's own
topic = np.array(["music", "sport", H])[np.arange({N}) % 3]
meta = pd.DataFrame({{"topic": topic, "length": (xy[:, 0] + 1) * 500}})
labels = [f"doc {{i}}" for i in range({N})]
labels[5] = H
es = ew.EmbeddingSet(labels, rng.normal(size=({N}, 8)).astype(np.float32), metadata=meta)""",
    'cv = ew.ClusterView(es, projection=xy, color_by="none", labels=False,\n'
    '                    filters=["topic", "length"], table=True)\ncv',
]
WIDGET = 1


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "workbench", CELLS)
    expect(view_of(notebook)).to_have_attribute("data-drawn", str(N), timeout=60_000)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()
    assert errors == [], "uncaught errors in the page"


def view_of(nb):
    return cluster_view(nb, WIDGET)


def blueness(nb, x: float) -> float:
    """How much bluer than red the map is around (x, 0) in data coordinates: the plain colour is blue, grey not."""
    box = canvas_box(view_of(nb))
    sx, sy = to_screen(box, x, 0.0)
    r, _, b = view_of(nb).locator("canvas.ew-canvas").evaluate(REGION, [sx - box["x"], sy - box["y"], 25])
    return b - r


def test_brushing_the_histogram_greys_the_right_points_and_reaches_python(nb):
    view = view_of(nb)
    assert blueness(nb, -0.5) > 60 and blueness(nb, 0.5) > 60  # every point plain blue
    bars = view.locator(".ew-chart[data-column='length'] .ew-bars-histogram")
    bars.scroll_into_view_if_needed()
    box = bars.bounding_box()
    assert box
    # Drag over the left half of the 30 bins: bins 0..14, so length 0..500, the left half of the map.
    y = box["y"] + box["height"] / 2
    nb.page.mouse.move(box["x"] + 2, y)
    nb.page.mouse.down()
    nb.page.mouse.move(box["x"] + box["width"] * 0.3, y)
    nb.page.mouse.move(box["x"] + box["width"] * 14.5 / 30, y)
    nb.page.mouse.up()
    state = nb.kernel_json(
        '{"filters": {k: list(v) for k, v in cv.filters.items()}, "visible": len(cv.visible), '
        '"expected": int((meta.length <= cv.filters["length"][1]).sum())}'
    )
    assert state["filters"] == {"length": [0.0, pytest.approx(500.0)]}  # the edges of bins 0..14
    assert state["visible"] == state["expected"]
    expect(view).to_have_attribute("data-filtered", str(state["expected"]))
    assert blueness(nb, -0.5) > 60, "the kept half should stay blue"
    assert blueness(nb, 0.5) < 25, "the filtered-out half should be grey"
    # The table shows only the rows that pass.
    expect(view.locator(".ew-table")).to_have_attribute("data-total", str(state["expected"]))


def test_category_click_cross_filters_and_python_sets_filters(nb):
    view = view_of(nb)
    music = view.locator(".ew-chart[data-column='topic'] .ew-cat[data-value='music']")
    music.click()
    state = nb.kernel_json(
        '{"topic": cv.filters.get("topic"), "visible": len(cv.visible), "hist": int(((meta.topic == "music")).sum())}'
    )
    assert state["topic"] == ["music"]
    expect(music).to_have_attribute("aria-pressed", "true")
    # The length chart counts under the topic filter only: its bars add up to every music row.
    expect(view.locator(".ew-chart[data-column='length'] .ew-chart-status")).to_contain_text(f"{state['hist']:,}")
    expect(view).to_have_attribute("data-filtered", str(state["visible"]))
    # Python → view: a new filter replaces the view's.
    nb.run_code('cv.filters = {"topic": ["sport", H]}')
    expect(view.locator(".ew-cat[data-value='sport']")).to_have_attribute("aria-pressed", "true")
    expect(music).to_have_attribute("aria-pressed", "false")
    hostile_bar = view.locator(".ew-chart[data-column='topic'] .ew-cat-label", has_text=HOSTILE)
    expect(hostile_bar).to_have_count(1)  # the category is text on its bar
    expect(view.locator(".ew-chart-clear").first).to_be_visible()
    view.locator(".ew-chart[data-column='topic'] .ew-chart-clear").click()
    assert nb.kernel_json("cv.filters") == {}
    expect(view).to_have_attribute("data-filtered", "none")


def test_table_scrolls_virtually_and_a_row_click_selects_its_point(nb):
    view = view_of(nb)
    table = view.locator(".ew-table")
    table.scroll_into_view_if_needed()
    expect(table).to_have_attribute("data-total", str(N))
    rows = table.locator(".ew-rows .ew-tr")
    expect(rows.first).to_be_visible()
    assert rows.count() < 60  # only the rows in view (and a few around) are in the page
    expect(table.locator(".ew-tr[data-row='5'] .ew-td").nth(1)).to_have_text(HOSTILE)  # row 5's label, as text
    expect(table.locator(".ew-tr[data-row='2'] .ew-td").nth(2)).to_have_text(
        HOSTILE
    )  # its topic (no cluster column), too
    # Scroll to the end: the last rows arrive.
    table.locator(".ew-table-view").evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    expect(table.locator(f".ew-tr[data-row='{N - 1}']")).to_be_visible()
    # Sort by label, descending: "doc 999" comes first as text.
    table.locator(".ew-table-view").evaluate("(el) => { el.scrollTop = 0; }")
    table.locator(".ew-th", has_text="label").click()
    table.locator(".ew-th", has_text="label").click()
    expect(table.locator(".ew-th", has_text="label")).to_have_attribute("aria-sort", "descending")
    expect(rows.first.locator(".ew-td").nth(1)).to_have_text("doc 999")
    # Click a row: its point is selected, in the view and in the kernel.
    table.locator(".ew-tr[data-row='998']").click()
    expect(table.locator(".ew-tr.ew-current")).to_have_attribute("data-row", "998")
    expect(view.locator(".ew-status-text")).to_contain_text("1 selected")
    assert nb.kernel_json("cv.selected") == [998]
    # A selection made in Python fills the table.
    nb.run_code("cv.selected = [1, 2, 3]")
    expect(table).to_have_attribute("data-source", "selection")
    expect(table).to_have_attribute("data-total", "3")
    assert_not_injected(nb.page)


TOPICS = """rng2 = np.random.default_rng(1)
T, S = ["fruit", "river", "stone"], ["red", "blue", "green", "gold"]
pos = np.array([[-0.3, 0.25], [0.3, 0.25], [0.0, -0.3]])
off = np.array([[-0.1, -0.1], [0.1, -0.1], [-0.1, 0.1], [0.1, 0.1]])
vec, lab, xy2 = [], [], [np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]])]
for t in range(3):
    ct = rng2.normal(0, 10, 12)
    for s in range(4):
        vec.append(ct + rng2.normal(0, 2.5, 12) + rng2.normal(0, 0.2, (40, 12)))
        lab += [f"{T[t]} {S[s]} {i}" for i in range(40)]
        xy2.append(pos[t] + off[s] + rng2.normal(0, 0.02, (40, 2)))
vec = np.concatenate([rng2.normal(0, 10, (4, 12))] + vec).astype(np.float32)
es2 = ew.EmbeddingSet(["1", "2", "3", "4"] + lab, vec)  # the corners: no words
cv2 = ew.ClusterView(es2, projection=np.concatenate(xy2), k=3)
cv2"""

BOXES = """(root) => Array.from(root.querySelectorAll('.ew-cluster-label:not([hidden])')).map((el) => {
  const r = el.getBoundingClientRect();
  return { level: el.dataset.level, text: el.textContent, box: [r.left, r.top, r.right, r.bottom] };
})"""


def test_zooming_in_reveals_sub_topic_labels_that_never_overlap(nb):
    nb.run_code(TOPICS)
    view = nb.notebook.locator(".ew-root.ew-cluster").nth(1)
    expect(view).to_have_attribute("data-drawn", "484", timeout=60_000)
    expect(view.locator(".ew-cluster-label[data-level='0']:not([hidden])")).to_have_count(3)
    assert view.locator(".ew-cluster-label[data-level='1']:not([hidden])").count() == 0
    plot = view.locator(".ew-plot-area")
    plot.focus()
    for _ in range(4):  # × 0.8 each: zoom 2.4, past the sub-labels' threshold (2)
        nb.page.keyboard.press("+")
    expect(view).to_have_attribute("data-zoom", "2.44")
    expect(view.locator(".ew-cluster-label[data-level='1']:not([hidden])").first).to_be_visible()
    labels = view.evaluate(BOXES)
    subs = [label["text"] for label in labels if label["level"] == "1"]
    assert len(subs) >= 3, labels
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            (al, at, ar, ab), (bl, bt, br, bb) = a["box"], b["box"]
            assert not (al < br and bl < ar and at < bb and bt < ab), f"{a['text']!r} overlaps {b['text']!r}"
    tree = nb.kernel_json("cv2.label_tree.to_dict('list')")
    fine = {label for level, label in zip(tree["level"], tree["label"]) if level == 1}
    assert set(subs) <= fine
    # A sub-topic is named by its own word (one of the colours), not by its topic's.
    assert all(any(colour in text for colour in ("red", "blue", "green", "gold")) for text in subs), subs


def test_density_contours_are_drawn_and_the_toggle_reaches_python(nb):
    view = nb.notebook.locator(".ew-root.ew-cluster").nth(1)
    toggle = view.locator("input.ew-contours-toggle")
    expect(toggle).not_to_be_checked()
    toggle.check()
    segments = nb.kernel_json("[bool(cv2.density), int(len(cv2._contour_levels))]")
    assert segments[0] is True and segments[1] > 20
    expect(view).to_have_attribute("data-contours", str(segments[1]))
    paths = view.locator("svg.ew-contours path")
    assert paths.count() >= 2  # one path per density level
    # The lines lie over the map, around the three topics' blobs.
    plot = view.locator(".ew-plot-area").bounding_box()
    lines = view.locator("svg.ew-contours g").bounding_box()
    assert plot and lines and lines["width"] > 50 and lines["height"] > 50
    nb.run_code("cv2.density = False")
    expect(toggle).not_to_be_checked()
    expect(view.locator("svg.ew-contours")).to_be_hidden()


def test_show_query_draws_the_query_and_its_ranked_neighbours(nb):
    view = nb.notebook.locator(".ew-root.ew-cluster").nth(1)
    out = nb.run_code(
        'q = cv2.show_query("river gold 7", k=6, retriever=lambda text: [4, 5, 6, 7, 8, 9])\n'
        'print(json.dumps({"rows": q.row.tolist(), "far": int(q.far.sum()), "trust": q.attrs["trust"], '
        '"overlap": q.attrs["overlap"]}))'
    )
    state = json.loads(out)
    layer = view.locator("svg.ew-query-layer")
    expect(layer).to_have_attribute("data-hits", "6")
    expect(layer.locator("circle.ew-q-point")).to_have_count(1)
    expect(layer.locator("text.ew-q-text")).to_have_text("river gold 7")
    hits = layer.locator("circle.ew-q-hit")
    expect(hits).to_have_count(6)
    assert [int(r) for r in hits.evaluate_all("(els) => els.map((el) => el.dataset.row)")] == state["rows"]
    expect(layer.locator("line.ew-q-line")).to_have_count(6)
    expect(layer.locator("line.ew-q-far")).to_have_count(state["far"])
    expect(layer.locator("circle.ew-q-retrieved")).to_have_count(6)
    expect(view.locator(".ew-status-text")).to_contain_text(f"map trust {round(state['trust'] * 100)} %")
    expect(view.locator(".ew-status-text")).to_contain_text(f"overlap@6 {state['overlap']:.2f}")
    nb.run_code("cv2.clear_query()")
    expect(layer.locator("circle")).to_have_count(0)


def test_show_queries_marks_every_query_and_draws_the_worst_in_full(nb):
    view = nb.notebook.locator(".ew-root.ew-cluster").nth(1)
    out = nb.run_code(
        'found = cv2.embeddings.neighbors("stone blue 5", k=1).label[0]\n'
        'evalset = pd.DataFrame({"query": ["river gold 7", "fruit red 3", "stone blue 5"],\n'
        '                        "relevant": [[], ["stone green 1"], [found]]})\n'
        'qs = cv2.show_queries(evalset, k=4, relevant_column="relevant")\n'
        'print(json.dumps({"order": qs.index.tolist(), "rows": cv2.focus_query(1).row.tolist()}))'
    )
    state = json.loads(out)
    assert state["order"] == [1, 2, 0]  # recall 0, then 1, then undefined (nothing relevant)
    layer = view.locator("svg.ew-query-layer")
    expect(layer).to_have_attribute("data-hits", "4")
    expect(layer.locator("text.ew-q-text")).to_have_text("fruit red 3")  # the worst, drawn in full
    hits = layer.locator("circle.ew-q-hit")
    assert [int(r) for r in hits.evaluate_all("(els) => els.map((el) => el.dataset.row)")] == state["rows"]
    others = layer.locator("polygon.ew-q-other")
    expect(others).to_have_count(2)
    assert sorted(others.evaluate_all("(els) => els.map((el) => el.dataset.position)")) == ["0", "2"]
    expect(layer.locator("text.ew-q-other-label")).to_have_text(["#0", "#2"])
    expect(layer.locator("rect.ew-q-relevant.ew-q-missed")).to_have_count(1)  # its judged row, missed
    status = view.locator(".ew-status-text")
    expect(status).to_contain_text("3 queries, #1 drawn")
    expect(status).to_contain_text("0 of 1 relevant in the top-4")
    nb.run_code("cv2.focus_query(2)")
    expect(layer.locator("text.ew-q-text")).to_have_text("stone blue 5")
    expect(layer.locator("rect.ew-q-relevant:not(.ew-q-missed)")).to_have_count(1)  # found this time
    expect(others).to_have_count(2)
    expect(status).to_contain_text("1 of 1 relevant in the top-4")
    nb.run_code("cv2.clear_query()")
    expect(layer.locator("circle, polygon, rect")).to_have_count(0)


def test_tags_set_in_the_view_reach_python_and_the_other_way(nb):
    view = view_of(nb)
    nb.run_code("cv.selected = [0, 1]")
    name = view.locator("input.ew-tag-name")
    name.scroll_into_view_if_needed()
    name.fill(HOSTILE)
    view.locator("button.ew-tag").click()
    expect(view.locator(".ew-tag-count")).to_have_text("2 tagged")
    assert nb.kernel_json("cv.tags[[0, 1]].tolist()") == [HOSTILE, HOSTILE]
    # The tag is text everywhere it shows: its filter bar and the table's tag column.
    expect(view.locator(".ew-chart[data-column='tag'] .ew-cat-label").first).to_have_text(HOSTILE)
    table = view.locator(".ew-table")
    expect(table).to_have_attribute("data-source", "selection")
    expect(table.locator(".ew-tr[data-row='0'] .ew-td").last).to_have_text(HOSTILE)
    # Python → view: a tag set in the kernel shows in the table.
    nb.run_code('cv.tag("python side", [1])')
    expect(table.locator(".ew-tr[data-row='1'] .ew-td").last).to_have_text("python side")
    expect(view.locator(".ew-tag-count")).to_have_text("2 tagged")
    assert_not_injected(nb.page)


def test_compare_view_shares_a_selection_and_a_hover_made_in_one_map(nb):
    nb.run_code(
        "b2 = ew.EmbeddingSet(es2.labels, es2.vectors[:, ::-1].copy(), name='b')\n"
        "cmp = ew.CompareView(es2, b2, k=5)\n"
        "cmp"
    )
    views = nb.notebook.locator(".ew-compare").last.locator(".ew-root.ew-cluster")
    expect(views).to_have_count(2)
    left, right = views.nth(0), views.nth(1)
    expect(left).to_have_attribute("data-drawn", "484", timeout=60_000)
    expect(right).to_have_attribute("data-drawn", "484", timeout=60_000)
    # Shift-drag a lasso round the whole left map: every point (the data square fits inside the view).
    canvas = left.locator("canvas.ew-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box
    x0, y0, x1, y1 = box["x"] + 4, box["y"] + 4, box["x"] + box["width"] - 4, box["y"] + box["height"] - 4
    path = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)]
    nb.page.mouse.move(*path[0])
    nb.page.keyboard.down("Shift")
    nb.page.mouse.down()
    for x, y in path[1:]:
        nb.page.mouse.move(x, y, steps=4)
    nb.page.mouse.up()
    nb.page.keyboard.up("Shift")
    # However many the lasso caught (the points inside the drawn frame), the other map selects the same rows.
    expect(left.locator(".ew-status-text")).not_to_contain_text(" 0 selected")
    caught = left.locator(".ew-status-text").inner_text().split("·")[1].strip()
    assert caught.endswith("selected") and int(caught.split()[0].replace(",", "")) > 100, caught
    expect(right.locator(".ew-status-text")).to_contain_text(caught)
    a, b = nb.kernel_json("[cmp.a_view.selected, cmp.b_view.selected]")
    assert a == b and f"{len(a):,} selected" == caught
    left.locator("canvas.ew-canvas").press("Escape")  # clear the lasso, so the hover below is plain

    # One hover: the pointer on a point of the left map hovers the same item in the right one, tooltip and all.
    nb.run_code("seen = []\ncmp.b_view.observe(lambda change: seen.append(change.new), 'hovered')")
    row = nb.kernel_json(  # the point farthest from any other, so the pointer finds it alone
        "(lambda m: int(np.sort(np.linalg.norm(m[:, None] - m[None], axis=-1), 1)[:, 1].argmax()))"
        "(cmp.a_view.map_coordinates)"
    )
    x, y = nb.kernel_json(f"cmp.a_view.map_coordinates[{row}].tolist()")
    label = nb.kernel_json(f"cmp.a_view.embeddings.labels[{row}]")  # before the hover: running a cell moves the mouse
    left_box = canvas_box(left)  # after the last cell ran: it may have scrolled the page
    sx, sy = to_screen(left_box, x, y)
    nb.page.mouse.move(sx, sy, steps=3)
    expect(left.locator(".ew-tooltip .ew-tip-label")).to_have_text(label)
    expect(right.locator(".ew-tooltip")).to_be_visible()
    expect(right.locator(".ew-tooltip .ew-tip-label")).to_have_text(label)
    nb.page.mouse.move(left_box["x"] - 40, left_box["y"] - 40)  # off the map: both tooltips go
    expect(right.locator(".ew-tooltip")).to_be_hidden()
    assert nb.kernel_json("seen")[:2] == [row, -1]  # Python saw the right map follow, then let go

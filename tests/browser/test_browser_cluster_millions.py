"""ClusterView with 2,000,000 points in JupyterLab, on software WebGL: every point is drawn, a lasso over about
half of them returns exactly the rows inside it to Python (counted again in the kernel from the coordinates and
the dragged polygon), a selection set in Python shows in the view, and search and tooltips still work.

The layout makes both checks have one right answer. A point's x grows with its row number, so a map that dropped
any run of rows (a buffer or texture cut short) leaves empty columns; y is uniform. No point lies within a moat
around x = 0, where the lasso's right edge runs, and the lasso's other edges lie outside the data square, so the
few milliseconds the lasso's mouse-move throttle may drop cannot change which points are inside.
Sized for a 2-core machine: one notebook, one host (JupyterLab), the given coordinates (no UMAP) and one plain
colour (no k-means); 8 float32 dimensions per point.
"""

from __future__ import annotations

import re

import pytest
from ewbrowser import canvas_box as view_canvas_box
from ewbrowser import cluster_view, to_data, to_screen
from playwright.sync_api import expect

N = 2_000_000
MOAT = 0.045  # no point has |x| below this (0.045 × ~240 px per unit ≈ 11 px)
# The lasso, in the map's normalised coordinates: the left half of the square, its edges outside the data
# except the right one, which runs down the moat.
LASSO = [(-1.05, -1.05), (0.0, -1.05), (0.0, 1.05), (-1.05, 1.05)]
DRAW_MS = 240_000  # 2M points on software WebGL take seconds; a loaded 2-core machine, a minute or more

DATA = f"""import json
import numpy as np
import embedwidgets as ew

N, MOAT = {N}, {MOAT}
rng = np.random.default_rng(0)
left = (N - 4) // 2
x = np.concatenate([np.linspace(-1, -MOAT, left), np.linspace(MOAT, 1, N - 4 - left)])  # x grows with the row
corners = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float)  # the normalised square is the data's own
xy = np.concatenate([corners, np.column_stack([x, rng.uniform(-1, 1, N - 4)])])
es = ew.EmbeddingSet([f"p{{i}}" for i in range(N)], rng.standard_normal((N, 8), dtype=np.float32))


def inside(polygon):
    \"\"\"Rows whose normalised coordinates (the widget's own float32 buffer) lie in the polygon (even-odd rule).\"\"\"
    px, py = cv.map_coordinates.astype(np.float64).T
    poly = np.asarray(polygon, dtype=np.float64)
    hit = np.zeros(len(px), bool)
    for (x1, y1), (x2, y2) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            hit ^= crosses & (px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
    return np.flatnonzero(hit)


def lasso_check(polygon):
    expected, got = inside(polygon), np.asarray(cv.selected)
    return {{"expected": len(expected), "selected": len(got), "same": bool(np.array_equal(expected, got)),
             "missing": np.setdiff1d(expected, got)[:10].tolist(),
             "extra": np.setdiff1d(got, expected)[:10].tolist()}}"""

VIEW = 'cv = ew.ClusterView(es, projection=xy, color_by="none", labels=False)\ncv'
WIDGET = 1

# Per device-pixel column of the map's 2-D canvas (regl-scatterplot copies each WebGL frame into it; its
# background is transparent), the share of pixels with some alpha between two rows: the data square's top and
# bottom, a few pixels inside.
COLUMNS = """(canvas, [top, bottom]) => {
  const s = canvas.width / canvas.clientWidth;
  const y0 = Math.round(top * s), y1 = Math.round(bottom * s);
  const d = canvas.getContext('2d').getImageData(0, y0, canvas.width, y1 - y0).data;
  const shares = new Array(canvas.width).fill(0);
  for (let row = 0; row < y1 - y0; row++) {
    for (let col = 0; col < canvas.width; col++) if (d[4 * (row * canvas.width + col) + 3] >= 32) shares[col]++;
  }
  return { scale: s, shares: shares.map((v) => v / (y1 - y0)) };
}"""


@pytest.fixture(scope="module")
def nb(open_notebook):
    notebook = open_notebook("lab", "cluster-2m", [DATA, VIEW], run=False)
    notebook.run_cell(0, timeout=DRAW_MS)
    notebook.run_cell(1, timeout=DRAW_MS)
    expect(view_of(notebook)).to_have_attribute("data-drawn", str(N), timeout=DRAW_MS)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()  # free the kernel's memory for the modules after this one
    assert errors == [], "uncaught errors in the page"


def view_of(nb):
    return cluster_view(nb, WIDGET)


def canvas_box(nb) -> dict:
    return view_canvas_box(view_of(nb))


def status(nb):
    return view_of(nb).locator(".ew-status-text")


def test_2m_points_are_all_drawn(nb):
    view = view_of(nb)
    expect(status(nb)).to_have_text(re.compile(r"^2,000,000 points · 0 selected"))
    expect(view.locator(":scope > .ew-error")).to_be_hidden()
    # The density layer shown while the points were drawn (from 1M points) is gone: the points are the picture.
    expect(view.locator("canvas.ew-density")).to_be_hidden()
    assert nb.kernel_json("[cv._n, len(cv._xy), cv._density.shape[0], cv.error]") == [N, N, 256, None]
    box = canvas_box(nb)
    top, bottom = to_screen(box, 0, 0.97)[1] - box["y"], to_screen(box, 0, -0.97)[1] - box["y"]
    columns = view.locator("canvas.ew-canvas").evaluate(COLUMNS, [top, bottom])
    scale, shares = columns["scale"], columns["shares"]

    def share_at(x: float) -> float:
        sx = to_screen(box, x, 0)[0] - box["x"]
        return shares[round(sx * scale)]

    # Every column of the data square is drawn from top to bottom: the rows of that column's x are all there.
    # About 9 points fall on each pixel, so a drawn column is nearly solid.
    xs = [i / 200 for i in range(-196, 197) if abs(i / 200) > MOAT + 0.02]
    thin = [(x, round(share_at(x), 3)) for x in xs if share_at(x) < 0.9]
    assert not thin, f"columns of the map with missing points: {thin[:10]} (of {len(xs)})"
    # The moat and the margins outside the data square stay empty: the check reads the right columns.
    assert share_at(0.0) < 0.05 and share_at(-1.04) < 0.05 and share_at(1.04) < 0.05, (
        share_at(0.0),
        share_at(-1.04),
        share_at(1.04),
    )


def test_lasso_over_half_the_points_returns_their_rows_to_python(nb):
    page, box = nb.page, canvas_box(nb)
    path = [to_screen(box, x, y) for x, y in LASSO]
    page.mouse.move(*path[0])
    page.keyboard.down("Shift")
    page.mouse.down()
    # Once round and on to the second vertex, so the lasso closes along an edge already drawn and the release
    # is far from the press. Each move redraws 2M points in software WebGL (seconds), far longer than the
    # lasso's 10 ms throttle, so every vertex is recorded.
    for point in path[1:] + path[:2]:
        page.mouse.move(*point)
    page.mouse.up()
    page.keyboard.up("Shift")
    polygon = [[round(v, 6) for v in to_data(box, *point)] for point in path]
    expect(status(nb)).to_have_text(re.compile(r"· [1-9][\d,]* selected"), timeout=DRAW_MS)
    check = nb.kernel_json(f"lasso_check({polygon!r})")
    assert check["same"] and check["selected"] == check["expected"], check
    assert 0.45 * N < check["selected"] < 0.55 * N, check  # about half of them
    expect(status(nb)).to_have_text(re.compile(rf"· {check['selected']:,} selected"))
    # And back: a selection set in Python reaches the view as one buffer and shows in its status.
    nb.run_code("cv.selected = np.arange(0, N, 4)")
    expect(status(nb)).to_have_text(re.compile(rf"· {N // 4:,} selected"), timeout=DRAW_MS)
    assert nb.kernel_json("[len(cv.selected), cv.selected[:3]]") == [N // 4, [0, 4, 8]]


def test_search_and_tooltips_work_at_2m(nb):
    view = view_of(nb)
    nb.run_code('cv.search = "p1999999"')  # the last row's label, and no other contains it
    expect(status(nb)).to_contain_text("highlighted:", timeout=DRAW_MS)
    assert nb.kernel_json("cv.highlighted.tolist()") == [N - 1]
    nb.run_code('cv.search = ""')
    expect(status(nb)).not_to_contain_text("highlighted:", timeout=DRAW_MS)
    # Hover a spot: the tooltip names a point that lies there (about 9 points share each pixel).
    box = canvas_box(nb)
    nb.page.mouse.move(*to_screen(box, 0.5, 0.3))
    tooltip = view.locator(".ew-tooltip")
    expect(tooltip).to_be_visible(timeout=DRAW_MS)
    label = tooltip.locator(".ew-tip-label").inner_text()
    assert re.fullmatch(r"p\d+", label), label
    where = nb.kernel_json(f"cv.map_coordinates[{int(label[1:])}].tolist()")
    assert abs(where[0] - 0.5) < 0.02 and abs(where[1] - 0.3) < 0.02, (label, where)

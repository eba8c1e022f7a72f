"""ClusterView in a real notebook, in JupyterLab 4 and in Notebook 7, with 100,000 points on software WebGL:
the map draws, a lasso selects exactly the points inside the dragged polygon (checked in the kernel against the
widget's own normalised coordinates), ``selected`` set from Python shows on the map, hostile labels and metadata
stay text in tooltips and the legend, and the map follows the host's dark theme.

The data are laid out so that every check has one right answer: four corner points pin the normalised square to
the data's own coordinates, an empty moat surrounds each lasso path (so the few milliseconds the lasso's
mouse-move throttle may drop cannot change which points are inside), and the hostile points stand alone (so a
hover finds exactly them).
"""

from __future__ import annotations

import base64
import math
import re

import pytest
from ewbrowser import CAMERA_DISTANCE, HOSTS, REGION, assert_not_injected, cluster_view, luminance, to_data, to_screen
from ewbrowser import canvas_box as view_canvas_box
from playwright.sync_api import expect

H1 = '<img src=x onerror="window.__pwned=1">'
H2 = "<script>window.__pwned=2</script>"
H3 = '"><svg onload="window.__pwned=3">'
HOSTILE = [H1, H2, H3]

N = 100_000
BLOB = (0.45, -0.35, 0.2)  # centre x, y and radius of the lasso drawn with Shift-drag around the planted blob
FIELD = (-0.45, -0.4, 0.15)  # the lasso drawn in lasso mode (the button) over plain field points
MOAT = 0.045  # no point lies this close to either lasso circle (0.045 × ~240 px per unit ≈ 11 px)
HOVER = [(-0.6, 0.55), (-0.3, 0.55), (0.0, 0.55)]  # the hostile points, alone within 0.06

DATA = f"""import json
import numpy as np, pandas as pd
import embedwidgets as ew

H = {HOSTILE!r}
N, MOAT = {N}, {MOAT}
rings = [{BLOB!r}, {FIELD!r}]
hover = np.array({HOVER!r})
rng = np.random.default_rng(0)
corners = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float)  # the normalised square is the data's own
blob = rng.normal(0, 0.03, (1000, 2))
blob = rings[0][:2] + blob[np.hypot(*blob.T) < 0.12][:400]
field = rng.uniform(-1, 1, (140_000, 2))
keep = np.ones(len(field), bool)
for cx, cy, r in rings:
    keep &= np.abs(np.hypot(field[:, 0] - cx, field[:, 1] - cy) - r) > MOAT
for hx, hy in hover:
    keep &= np.hypot(field[:, 0] - hx, field[:, 1] - hy) > 0.06
field = field[keep][: N - len(corners) - len(blob) - len(hover)]
xy = np.concatenate([corners, blob, hover, field])
assert len(xy) == N
BLOB_ROWS = set(range(4, 4 + len(blob)))
HOVER_ROWS = list(range(4 + len(blob), 4 + len(blob) + len(hover)))
labels = [f"p{{i}}" for i in range(N)]
kind = ["field"] * N
note = [""] * N
for i, row in enumerate(HOVER_ROWS):
    labels[row], kind[row], note[row] = H[i], H[i], H[(i + 1) % 3]
for row in BLOB_ROWS:
    kind[row] = "blob"
es = ew.EmbeddingSet(labels, rng.normal(size=(N, 8)).astype(np.float32),
                     metadata=pd.DataFrame({{"kind": kind, "note": note}}))


def inside(polygon):
    \"\"\"Rows whose normalised coordinates (the widget's own float32 buffer) lie in the polygon (even-odd rule).\"\"\"
    px, py = cv.map_coordinates.astype(np.float64).T
    poly = np.asarray(polygon, dtype=np.float64)
    hit = np.zeros(len(px), bool)
    for (x1, y1), (x2, y2) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            hit ^= crosses & (px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
    return set(np.flatnonzero(hit).tolist())


def lasso_check(polygon):
    expected, got = inside(polygon), set(cv.selected)
    return {{"expected": len(expected), "selected": len(got), "missing": sorted(expected - got)[:10],
             "extra": sorted(got - expected)[:10], "blob_inside": BLOB_ROWS <= expected,
             "blob_selected": len(BLOB_ROWS & got)}}"""

VIEW = 'cv = ew.ClusterView(es, projection=xy, color_by="kind", labels=False)\ncv'
CELLS = [DATA, VIEW]
WIDGET = 1

# The map's own 2-D canvas, into which regl-scatterplot copies each WebGL frame. Its background is transparent
# (the page's colour shows through), so a drawn pixel is one with some alpha.
PIXELS = """(canvas) => {
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] >= 32) drawn++;
  return { drawn, total: canvas.width * canvas.height, corner: Array.from(d.slice(0, 4)) };
}"""
REGION_CHANGED = f"""([canvas, x, y, r, before]) => {{
  const now = ({REGION})(canvas, [x, y, r]);
  return Math.abs(now[0] - before[0]) + Math.abs(now[1] - before[1]) + Math.abs(now[2] - before[2]) > 40;
}}"""
# What the user sees: a PNG screenshot (decoded by the page itself), its background and how much differs from it.
SHOT = """async (url) => {
  const image = new Image();
  image.src = url;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const d = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const at = 4 * (4 * canvas.width + 4);  // inside the border, outside the data square
  const bg = [d[at], d[at + 1], d[at + 2]];
  let drawn = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 40) drawn++;
  }
  return { bg, drawn, total: canvas.width * canvas.height };
}"""


def seen(nb, locator) -> dict:
    png = locator.screenshot()
    return nb.page.evaluate(SHOT, "data:image/png;base64," + base64.b64encode(png).decode())


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "cluster", CELLS)
    view = view_of(notebook)
    expect(view).to_have_attribute("data-drawn", str(N), timeout=60_000)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()  # free the kernel before the other host's notebook runs
    assert errors == [], "uncaught errors in the page"


def view_of(nb):
    return cluster_view(nb, WIDGET)


def canvas_box(nb) -> dict:
    return view_canvas_box(view_of(nb))


def circle(cx: float, cy: float, r: float, vertices: int = 16) -> list[tuple[float, float]]:
    return [
        (cx + r * math.cos(2 * math.pi * i / vertices), cy + r * math.sin(2 * math.pi * i / vertices))
        for i in range(vertices)
    ]


def drag_lasso(nb, ring: tuple[float, float, float], *, shift: bool) -> list[list[float]]:
    """Drag a lasso along a 16-gon inscribed in ``ring``; returns the dragged polygon in normalised coordinates."""
    page, box = nb.page, canvas_box(nb)
    path = [to_screen(box, x, y) for x, y in circle(*ring)]
    page.mouse.move(*path[0])
    if shift:
        page.keyboard.down("Shift")
    page.mouse.down()
    # Once round and on to the second vertex: the lasso closes along an edge already drawn, and the release is
    # far from the press (a release next to it would count as a click). Each move redraws 100k points in
    # software WebGL (~0.2 s), far longer than the lasso's 10 ms throttle, so every vertex is recorded.
    for point in path[1:] + path[:2]:
        page.mouse.move(*point)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")
    return [[round(v, 6) for v in to_data(box, *point)] for point in path]


def status(nb):
    return view_of(nb).locator(".ew-status-text")


def clear_selection(nb) -> None:
    nb.run_code("cv.selected = []")
    expect(status(nb)).to_have_text(re.compile(r"· 0 selected"))


def test_100k_points_are_drawn(nb):
    view = view_of(nb)
    expect(status(nb)).to_have_text(re.compile(r"^100,000 points · 0 selected"))
    expect(view.locator(".ew-empty")).to_be_hidden()
    expect(view.locator(":scope > .ew-error")).to_be_hidden()
    canvas = view.locator("canvas.ew-canvas")
    pixels = canvas.evaluate(PIXELS)
    assert pixels["corner"][3] == 0, pixels  # outside the data square nothing is drawn
    # The data square is (height / 1.08)² CSS pixels: 100k points of 2.5 px cover most of it.
    box = canvas.bounding_box()
    scale = pixels["total"] / (box["width"] * box["height"])  # device pixels per CSS pixel²
    square = (box["height"] / CAMERA_DISTANCE) ** 2 * scale
    assert pixels["drawn"] > 0.6 * square, (pixels, square)
    # And on screen, over the page's background.
    shot = seen(nb, view.locator(".ew-plot-area"))
    assert luminance(f"rgb{tuple(shot['bg'])}") > 0.9, shot  # the light theme
    assert shot["drawn"] > 0.6 * square, (shot, square)
    assert nb.kernel_json("[cv._n, len(cv._xy), cv.error]") == [N, N, None]


def test_lasso_selects_exactly_the_points_inside(nb):
    clear_selection(nb)
    # Shift-drag around the planted blob (field points inside the ring are selected too).
    polygon = drag_lasso(nb, BLOB, shift=True)
    expect(status(nb)).to_have_text(re.compile(r"· [1-9][\d,]* selected"))
    check = nb.kernel_json(f"lasso_check({polygon!r})")
    assert check["missing"] == [] and check["extra"] == [], check
    assert check["blob_inside"] and check["blob_selected"] == 400, check
    assert check["selected"] == check["expected"] > 400, check
    expect(status(nb)).to_have_text(re.compile(rf"· {check['selected']:,} selected"))

    # The lasso button: a plain drag draws the lasso; it replaces the selection.
    lasso = view_of(nb).locator("button.ew-lasso")
    lasso.click()
    expect(lasso).to_have_attribute("aria-pressed", "true")
    before = check["selected"]
    polygon = drag_lasso(nb, FIELD, shift=False)
    expect(status(nb)).not_to_have_text(re.compile(rf"· {before:,} selected"))
    lasso.click()
    expect(lasso).to_have_attribute("aria-pressed", "false")
    check = nb.kernel_json(f"lasso_check({polygon!r})")
    assert check["missing"] == [] and check["extra"] == [], check
    assert check["blob_selected"] == 0 and check["selected"] == check["expected"] > 100, check


def test_selected_from_python_shows_on_the_map(nb):
    clear_selection(nb)
    canvas = view_of(nb).locator("canvas.ew-canvas")
    box = canvas_box(nb)
    sx, sy = to_screen(box, BLOB[0], BLOB[1])
    spot = [sx - box["x"], sy - box["y"], 6]  # the blob's dense centre
    before = canvas.evaluate(REGION, spot)
    nb.run_code("cv.selected = sorted(BLOB_ROWS)")
    expect(status(nb)).to_have_text(re.compile(r"· 400 selected"))
    nb.page.wait_for_function(REGION_CHANGED, arg=[canvas.element_handle(), *spot, before])
    after = canvas.evaluate(REGION, spot)
    # The selected blob is drawn on top at full strength, the rest fades: the spot takes the blob's own colour.
    swatch = view_of(nb).locator(".ew-legend-item", has_text=re.compile(r"^blob")).locator(".ew-swatch")
    blob = [float(v) for v in re.findall(r"\d+", swatch.evaluate("el => getComputedStyle(el).backgroundColor"))]
    distance = lambda colour: sum(abs(a - b) for a, b in zip(colour, blob))  # noqa: E731
    assert distance(after) < distance(before) - 40, (before, after, blob)
    assert nb.kernel_json("cv.selected == sorted(BLOB_ROWS)") is True
    clear_selection(nb)
    nb.page.wait_for_function(REGION_CHANGED, arg=[canvas.element_handle(), *spot, after])


def test_hostile_labels_stay_text_in_tooltips_and_legend(nb):
    view = view_of(nb)
    legend = view.locator(".ew-legend .ew-legend-label")
    expect(legend).to_have_count(5)
    assert sorted(legend.all_text_contents()) == sorted(["field", "blob", *HOSTILE])
    for text in HOSTILE:
        expect(view.locator(".ew-legend").get_by_text(text, exact=True)).to_be_visible()
    assert_not_injected(nb.page)

    tooltip = view.locator(".ew-tooltip")
    box = canvas_box(nb)
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for i, (x, y) in enumerate(HOVER):
        nb.page.mouse.move(*centre)
        nb.page.mouse.move(*to_screen(box, x, y), steps=2)
        expect(tooltip).to_be_visible()
        expect(tooltip.locator(".ew-tip-label")).to_have_text(HOSTILE[i])
        fields = tooltip.locator(".ew-tip-field")
        expect(fields).to_have_text([f"kind: {HOSTILE[i]}", f"note: {HOSTILE[(i + 1) % 3]}"])
        expect(tooltip.get_by_text(HOSTILE[i], exact=True).first).to_be_visible()
        assert_not_injected(nb.page)
    nb.page.mouse.move(box["x"] + box["width"] + 40, box["y"] - 40)  # leave the map: the tooltip goes
    expect(tooltip).to_be_hidden()
    assert nb.page.evaluate("() => window.__pwned === undefined")


def test_dark_theme_recolours_the_map(nb):
    view = view_of(nb)
    plot = view.locator(".ew-plot-area")
    page = nb.page
    page.mouse.move(2, 2)  # off the map: no hovered point in the pictures
    light = seen(nb, plot)
    assert luminance(view.evaluate("el => getComputedStyle(el).backgroundColor")) > 0.9
    assert luminance(f"rgb{tuple(light['bg'])}") > 0.9, light
    try:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        # JupyterLab covers the page with its splash screen while it swaps themes; it must be gone from the picture.
        page.locator("#jupyterlab-splash").wait_for(state="detached")
        dark_rgb = re.compile(r"^rgb\((\d{1,2}|1[01]\d), (\d{1,2}|1[01]\d), (\d{1,2}|1[01]\d)\)$")
        expect(view).to_have_css("background-color", dark_rgb)
        expect(plot).to_have_css("background-color", dark_rgb)
        dark = seen(nb, plot)
        assert luminance(f"rgb{tuple(dark['bg'])}") < 0.05, dark  # the map's background turned dark
        assert dark["drawn"] > 0.8 * light["drawn"], (dark, light)  # and its points are still there
        assert luminance(view.evaluate("el => getComputedStyle(el).color")) > 0.5  # light text
        assert luminance(view.locator(".ew-status-text").evaluate("el => getComputedStyle(el).color")) > 0.2
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")
        page.locator("#jupyterlab-splash").wait_for(state="detached")
    expect(plot).to_have_css("background-color", "rgb(255, 255, 255)")

"""The Map (EmbeddingMap, the explorer's Map tab) in a real notebook, in JupyterLab 4 and Notebook 7: type words
and see them placed where the kernel put them, switch to word axes, remove one, draw an analogy's arrows, get
an inline error for an unknown word, and type hostile strings that must stay text. The tests run in file order."""

from __future__ import annotations

import pytest
from ewbrowser import HOSTS, SETUP, assert_not_injected
from playwright.sync_api import expect

MAP, HOSTILE_MAP = 1, 2
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "javascript:alert(3)",
    "\u202eevil\u202c لغة عربية",  # right-to-left text
    "ze\u200bro\u200dwidth",  # zero-width characters
    "x" * 5000,
]
CELLS = [
    SETUP + "\nimport numpy as np",
    'm = ew.EmbeddingMap(w, items=["king", "queen", "man"])\nm',
    f"""H = {HOSTILE!r}
rng = np.random.default_rng(3)
hs = ew.EmbeddingSet(H + ["alpha", "beta"], rng.normal(size=(len(H) + 2, 8)))
hm = ew.EmbeddingMap(hs)
hm""",
]
POINTS = "[[p['label'], p['x'], p['y']] for p in m._points]"
# Where the view drew each point, in its order: the circle's centre and its text label.
DRAWN = """(svg) => Array.from(svg.querySelectorAll('circle.ew-map-point')).map((c) => {
  const text = svg.querySelector(`text.ew-map-label[data-index="${c.dataset.index}"]`);
  return [text ? text.textContent : null, Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))];
})"""


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "map", CELLS)
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    notebook.page.on("dialog", dismiss)
    notebook.dialogs = dialogs
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()
    assert errors == [], "uncaught errors in the page"


def map_view(nb, index: int = MAP):
    return nb.widget(index, ".ew-root.ew-map")


def add(view, text: str) -> None:
    box = view.locator("input.ew-map-input")
    box.fill(text)
    box.press("Enter")


def chips(view):
    return view.locator("li.ew-map-item .ew-map-item-text")


def flat(rows) -> list[float]:
    return [value for row in rows for value in row]


def assert_drawn_where_the_kernel_put_them(nb, view) -> list:
    """Each point's label is drawn at the kernel's coordinates, up to the plot's scale (y grows upwards)."""
    kernel = nb.kernel_json(POINTS)
    expect(view.locator("text.ew-map-label")).to_have_count(len(kernel))
    drawn = view.locator("svg.ew-map-plot").evaluate(DRAWN)
    assert [d[0] for d in drawn] == [k[0] for k in kernel]
    for axis, sign in ((1, 1), (2, -1)):
        data = [k[axis] for k in kernel]
        screen = [sign * d[axis] for d in drawn]
        lo, hi = min(data), max(data)
        slo, shi = min(screen), max(screen)
        for value, pixel in zip(data, screen):
            assert (pixel - slo) / (shi - slo) == pytest.approx((value - lo) / (hi - lo), abs=1e-6)
    return kernel


def test_typed_words_appear_where_the_kernel_placed_them(nb):
    view = map_view(nb)
    expect(chips(view)).to_have_text(["king", "queen", "man"])
    add(view, "woman")
    expect(chips(view)).to_have_text(["king", "queen", "man", "woman"])
    expect(view.locator("input.ew-map-input")).to_have_value("")
    kernel = assert_drawn_where_the_kernel_put_them(nb, view)
    expected = nb.kernel_json("w.place(['king', 'queen', 'man', 'woman']).tolist()")
    assert flat(k[1:] for k in kernel) == pytest.approx(flat(expected), abs=1e-12)  # the engine's PCA of the items


def test_word_axes_place_woman_right_of_man(nb):
    view = map_view(nb)
    view.get_by_role("button", name="Word-defined axes").click()
    expect(view.locator("text.ew-axis-note").first).to_have_text("x: man → woman")
    assert nb.kernel_json("m.projection") == "axes"
    kernel = assert_drawn_where_the_kernel_put_them(nb, view)
    expected = nb.kernel_json("w.place(m.items, x=('man', 'woman'), y=('young', 'old')).tolist()")
    assert flat(k[1:] for k in kernel) == pytest.approx(flat(expected), abs=1e-12)
    drawn = {d[0]: d[1] for d in view.locator("svg.ew-map-plot").evaluate(DRAWN)}
    assert drawn["woman"] > drawn["man"] and drawn["queen"] > drawn["king"]
    # New axes typed in the view: x from king to queen.
    view.get_by_role("textbox", name="x axis from", exact=True).fill("king")
    view.get_by_role("textbox", name="x axis to", exact=True).fill("queen")
    view.get_by_role("button", name="Use these axes").click()
    expect(view.locator("text.ew-axis-note").first).to_have_text("x: king → queen")
    assert nb.kernel_json("m.axes") == ["king", "queen", "young", "old"]
    assert_drawn_where_the_kernel_put_them(nb, view)
    view.get_by_role("button", name="PCA of the items").click()
    expect(view.locator("text.ew-axis-note").first).to_have_text("x: PCA 1")


def test_removing_a_word_takes_it_off_the_map(nb):
    view = map_view(nb)
    view.get_by_role("button", name="Remove queen").click()
    expect(chips(view)).to_have_text(["king", "man", "woman"])
    assert nb.kernel_json("m.items") == ["king", "man", "woman"]
    assert_drawn_where_the_kernel_put_them(nb, view)


def test_an_unknown_word_shows_inline_and_the_map_keeps_working(nb):
    view = map_view(nb)
    add(view, "prnce")
    error = view.locator(".ew-error")
    expect(error).to_contain_text("prnce")
    expect(chips(view)).to_have_text(["king", "man", "woman"])  # the map as it was
    expect(view.locator("text.ew-map-label")).to_have_count(3)
    error.get_by_role("button", name="Use prince instead of prnce").click()
    expect(chips(view)).to_have_text(["king", "man", "woman", "prince"])
    expect(error).to_be_hidden()
    assert nb.kernel_json("[m.items, m.error]") == [["king", "man", "woman", "prince"], None]


def test_an_analogy_draws_two_arrows_to_the_engines_answer(nb):
    view = map_view(nb)
    for name, word in (("a", "man"), ("b", "king"), ("c", "woman")):
        view.get_by_role("textbox", name=f"analogy word {name}").fill(word)
    view.get_by_role("button", name="Draw arrows").click()
    expect(view.locator(".ew-map-answer")).to_have_text("man : king : woman : queen")
    arrows = view.locator("line.ew-arrow")
    expect(arrows).to_have_count(2)
    answer = nb.kernel_json("[m.answer, w.analogy(['king', 'woman'], ['man'], k=1).label[0]]")
    assert answer == ["queen", "queen"]
    drawn = {d[0]: d[1:] for d in view.locator("svg.ew-map-plot").evaluate(DRAWN)}
    ends = arrows.evaluate_all("(ls) => ls.map((l) => ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))))")
    assert ends[0] == pytest.approx(drawn["man"] + drawn["king"])
    assert ends[1] == pytest.approx(drawn["woman"] + drawn["queen"])
    assert_drawn_where_the_kernel_put_them(nb, view)
    view.get_by_role("button", name="Clear arrows").click()
    expect(arrows).to_have_count(0)


def test_hostile_strings_typed_into_the_map_stay_text(nb):
    glove_map = map_view(nb)
    items = nb.kernel_json("m.items")
    for text in HOSTILE[:5]:  # not GloVe words: each is an inline error that quotes it as text
        add(glove_map, text)
        expect(glove_map.locator(".ew-error")).to_contain_text(f"unknown label: {text!r}")
    add(glove_map, HOSTILE[5])
    expect(glove_map.locator(".ew-error")).to_contain_text("(5,000 characters)")  # a long word is cut in the message
    expect(chips(glove_map)).to_have_text(items)
    assert nb.kernel_json("m.items") == items
    view = map_view(nb, HOSTILE_MAP)
    for text in HOSTILE:  # labels of this set: each becomes a chip and a label on the map, as plain text
        add(view, text)
    expect(chips(view)).to_have_count(len(HOSTILE))
    expect(view.locator("text.ew-map-label")).to_have_count(len(HOSTILE))
    shown = view.locator("text.ew-map-label").evaluate_all("(ts) => ts.map((t) => t.textContent)")
    assert shown == HOSTILE[:5] + ["x" * 39 + "…"]  # the literal text; a long label is cut on the map
    assert chips(view).all_text_contents() == shown
    expect(view.locator("input.ew-map-input")).to_have_value("")
    expect(chips(view).last).to_have_attribute("title", "x" * 5000)
    assert nb.kernel_json("hm.items == H")
    nb.run_code("hm.analogy = H[:3]")  # hostile words as an analogy: arrows titled with them, as text
    arrows = view.locator("line.ew-arrow title")
    expect(arrows).to_have_count(2)
    assert arrows.first.text_content() == f"{HOSTILE[0]} → {HOSTILE[1]}"
    expect(view.locator(".ew-analogy-word").first).to_have_value(HOSTILE[0])
    assert_not_injected(nb.page)
    assert nb.dialogs == [] and nb.page.evaluate("() => document.querySelectorAll('.ew-root script').length") == 0
    view.get_by_role("button", name=f"Remove {HOSTILE[0]}").click()
    expect(chips(view)).to_have_count(len(HOSTILE) - 1)
    assert nb.kernel_json("hm.items == H[1:]")

"""Both widgets in a real notebook, in JupyterLab 4 and in Notebook 7: what a user does and sees, and what
the kernel then holds. One notebook per host; each test first puts the widgets into a known state."""

from __future__ import annotations

import re

import pytest
from ewbrowser import HOSTS, SETUP, assert_not_injected, labels_of, luminance, result_labels
from playwright.sync_api import expect

NEIGHBORS, ANALOGY, COMPARE = 1, 2, 3
CELLS = [
    SETUP,
    'n = ew.NeighborBrowser(w, query="frog", k=8)\nn',
    'a = ew.AnalogyExplorer(w, a="man", b="king", c="woman", k=5)\na',
    'cmp = ew.NeighborBrowser(w, query="frog", k=8, compare=ew.glove(vocab=20000))\ncmp',
]
NEIGHBOR_STATE = (
    '{"query": n.query, "metric": n.metric, "k": n.k, "history": n.history, "error": n.error, '
    '"labels": n.results.label.tolist()}'
)
ANALOGY_STATE = (
    '{"a": a.a, "b": a.b, "c": a.c, "method": a.method, "exclude_inputs": a.exclude_inputs, '
    '"error": a.error, "labels": a.results.label.tolist(), '
    '"inputs_shown": [r["label"] for r in a._rows if r["is_input"]]}'
)


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "widgets", CELLS)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()  # free the kernel before the other host's notebook runs
    assert errors == [], "uncaught errors in the page"


def neighbors_view(nb):
    return nb.widget(NEIGHBORS, ".ew-root.ew-neighbors")


def analogy_view(nb):
    return nb.widget(ANALOGY, ".ew-root.ew-analogy")


def reset_neighbors(nb):
    nb.run_code('n.metric = "cosine"; n.k = 8; n.query = "frog"; n.history = ["frog"]')
    view = neighbors_view(nb)
    expect(view.locator("input.ew-query")).to_have_value("frog")
    expect(view.locator("ol.ew-crumbs li")).to_have_text(["frog"])
    expect(result_labels(view).first).to_have_text("snake")
    return view


def reset_analogy(nb):
    nb.run_code('a.method = "3cosadd"; a.exclude_inputs = True; a.a, a.b, a.c = "man", "king", "woman"')
    view = analogy_view(nb)
    expect(result_labels(view).first).to_have_text("queen")
    return view


def test_both_widgets_render_with_the_kernels_results(nb):
    view = neighbors_view(nb)
    expect(view.locator(".ew-title")).to_have_text("Neighbours · glove-6B-50d")
    expect(result_labels(view)).to_have_count(8)
    expect(result_labels(view)).to_have_text(["snake", "ape", "toad", "monkey", "spider", "lizard", "spiny", "orchid"])
    expect(view.locator("button.ew-metric[data-metric='cosine']")).to_have_attribute("aria-pressed", "true")
    expect(view.locator(":scope > .ew-error")).to_be_hidden()

    analogy = analogy_view(nb)
    expect(analogy.locator(".ew-title")).to_have_text("Analogies · glove-6B-50d")
    for name, word in (("a", "man"), ("b", "king"), ("c", "woman")):
        expect(analogy.get_by_label(f"word {name}", exact=True)).to_have_value(word)
    expect(result_labels(analogy)).to_have_text(["queen", "throne", "prince", "daughter", "elizabeth"])
    plot = analogy.locator("svg.ew-plot")
    expect(plot.locator("circle.ew-point").first).to_be_visible()
    expect(plot.locator("text", has_text=re.compile(r"^queen$"))).to_be_visible()
    assert plot.locator("circle.ew-point").count() >= 5  # a, b, c, the target and answers

    state = nb.kernel_json(f'{{"n": {NEIGHBOR_STATE}, "a": {ANALOGY_STATE}}}')
    assert state["n"]["labels"] == labels_of(view.locator(".ew-panel-main"))
    assert state["a"]["labels"] == labels_of(analogy)
    assert state["n"]["history"] == ["frog"] and state["a"]["error"] is None


def test_neighbors_type_click_back_and_metric(nb):
    view = reset_neighbors(nb)
    query = view.locator("input.ew-query")
    crumbs = view.locator("ol.ew-crumbs li")

    # Type a word and press Enter.
    query.fill("ocean")
    query.press("Enter")
    expect(result_labels(view).first).to_have_text("sea")
    expect(crumbs).to_have_text(["frog", "ocean"])
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert (state["query"], state["history"]) == ("ocean", ["frog", "ocean"])
    assert state["labels"] == labels_of(view.locator(".ew-panel-main"))

    # Click a neighbour: it becomes the query and joins the trail.
    view.get_by_role("button", name="Search the neighbours of waters", exact=True).click()
    expect(query).to_have_value("waters")
    expect(crumbs).to_have_text(["frog", "ocean", "waters"])
    expect(crumbs.last.locator("button")).to_have_attribute("aria-current", "step")
    expect(view.locator(".ew-back")).to_be_enabled()
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert (state["query"], state["history"]) == ("waters", ["frog", "ocean", "waters"])
    expect(result_labels(view)).to_have_text(state["labels"])

    # Back returns to the previous query.
    view.locator(".ew-back").click()
    expect(query).to_have_value("ocean")
    expect(crumbs).to_have_text(["frog", "ocean"])
    expect(result_labels(view).first).to_have_text("sea")
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert (state["query"], state["history"]) == ("ocean", ["frog", "ocean"])

    # A breadcrumb jumps back to its step.
    crumbs.first.locator("button").click()
    expect(query).to_have_value("frog")
    expect(crumbs).to_have_text(["frog"])
    expect(view.locator(".ew-back")).to_be_disabled()

    # Another metric: the buttons, the ranking and the kernel agree.
    view.locator("button.ew-metric[data-metric='euclidean']").click()
    expect(view.locator("button.ew-metric[data-metric='euclidean']")).to_have_attribute("aria-pressed", "true")
    expect(view.locator("button.ew-metric[data-metric='cosine']")).to_have_attribute("aria-pressed", "false")
    expect(result_labels(view).nth(6)).to_have_text("tarantula")  # euclidean differs from cosine at rank 7
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert (state["metric"], state["query"]) == ("euclidean", "frog")
    assert state["labels"] == labels_of(view.locator(".ew-panel-main"))


def test_neighbors_unknown_word_offers_chips_that_fix_it(nb):
    view = reset_neighbors(nb)
    query = view.locator("input.ew-query")
    query.fill("wooman")
    query.press("Enter")
    error = view.locator(":scope > .ew-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("wooman")
    expect(result_labels(view)).to_have_count(0)
    chip = error.locator("button.ew-chip", has_text=re.compile(r"^woman$"))
    expect(chip).to_be_visible()
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert state["query"] == "wooman" and state["error"]["missing"] == ["wooman"]
    assert "woman" in state["error"]["suggestions"]["wooman"] and state["labels"] == []

    chip.click()
    expect(error).to_be_hidden()
    expect(query).to_have_value("woman")
    expect(result_labels(view)).to_have_count(8)
    state = nb.kernel_json(NEIGHBOR_STATE)
    assert (state["query"], state["error"]) == ("woman", None)
    assert state["history"][-1] == "woman"
    assert state["labels"] == labels_of(view.locator(".ew-panel-main"))


def test_setting_traits_from_python_updates_the_views(nb):
    view = reset_neighbors(nb)
    nb.run_code('n.query = "toad"')
    expect(view.locator("input.ew-query")).to_have_value("toad")
    expect(view.locator("ol.ew-crumbs li")).to_have_text(["frog", "toad"])
    expect(result_labels(view).first).to_have_text("toads")
    nb.run_code('n.k = 3; n.metric = "dot"')
    expect(view.locator("button.ew-metric[data-metric='dot']")).to_have_attribute("aria-pressed", "true")
    expect(view.get_by_label("Number of neighbours")).to_have_value("3")
    expect(result_labels(view)).to_have_count(3)
    state = nb.kernel_json(NEIGHBOR_STATE)
    expect(result_labels(view)).to_have_text(state["labels"])

    analogy = reset_analogy(nb)
    nb.run_code('a.c = "girl"; a.title = "Royal analogies"')
    expect(analogy.get_by_label("word c", exact=True)).to_have_value("girl")
    expect(analogy.locator(".ew-title")).to_have_text("Royal analogies")
    expect(result_labels(analogy).nth(1)).to_have_text("princess")
    state = nb.kernel_json(ANALOGY_STATE)
    assert state["labels"] == labels_of(analogy)
    nb.run_code('a.title = "Analogies · glove-6B-50d"')


def test_analogy_typing_words_and_enter(nb):
    view = reset_analogy(nb)
    cells = nb.cells.count()
    # Real keystrokes: letters such as "a" and "b" are notebook shortcuts, and must stay in the input.
    word_a = view.get_by_label("word a", exact=True)
    word_a.click()
    word_a.press("ControlOrMeta+a")
    word_a.press_sequentially("fran")
    suggestions = view.get_by_role("listbox", name="word a suggestions")
    expect(suggestions).to_be_visible()
    option = suggestions.get_by_role("option", name="france", exact=True)
    option.click()  # choosing a suggestion runs the question at once
    expect(word_a).to_have_value("france")
    expect(suggestions).to_be_hidden()
    for name, word in (("b", "paris"), ("c", "italy")):
        field = view.get_by_label(f"word {name}", exact=True)
        field.click()
        field.press("ControlOrMeta+a")
        field.press_sequentially(word)
        expect(field).to_have_value(word)
    view.get_by_label("word c", exact=True).press("Enter")
    assert nb.cells.count() == cells, "keystrokes in the widget reached the notebook"
    expect(result_labels(view).first).to_have_text("rome")
    expect(view.locator("svg.ew-plot text", has_text=re.compile(r"^rome$"))).to_be_visible()
    state = nb.kernel_json(ANALOGY_STATE)
    assert (state["a"], state["b"], state["c"]) == ("france", "paris", "italy")
    assert state["labels"] == labels_of(view)
    expect(view.locator(".ew-options:visible")).to_have_count(0)  # no late suggestion list left open over the results


def test_analogy_method_exclude_inputs_and_preset(nb):
    view = reset_analogy(nb)
    cosmul = view.locator("button.ew-method[data-method='3cosmul']")
    cosmul.click()
    expect(cosmul).to_have_attribute("aria-pressed", "true")
    expect(view.locator("button.ew-method[data-method='3cosadd']")).to_have_attribute("aria-pressed", "false")
    expect(result_labels(view).nth(2)).to_have_text("elizabeth")  # 3CosMul ranks elizabeth third
    state = nb.kernel_json(ANALOGY_STATE)
    assert state["method"] == "3cosmul" and state["labels"] == labels_of(view)

    checkbox = view.get_by_label("Leave the input words out of the answers")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    expect(checkbox).not_to_be_checked()
    expect(view.locator("li.ew-result.ew-input-word").first).to_be_visible()
    state = nb.kernel_json(ANALOGY_STATE)
    assert state["exclude_inputs"] is False and state["inputs_shown"]
    assert state["labels"] == labels_of(view)
    shown_inputs = [t.strip() for t in view.locator("li.ew-result.ew-input-word .ew-label").all_text_contents()]
    assert shown_inputs == state["inputs_shown"]
    expect(view.locator(".ew-flipped")).to_contain_text("With the input words left out")

    view.get_by_role("button", name="Paris − France + Germany").click()
    for name, word in (("a", "france"), ("b", "paris"), ("c", "germany")):
        expect(view.get_by_label(f"word {name}", exact=True)).to_have_value(word)
    expect(view.locator(".ew-preset-note")).to_have_text("Capitals: berlin comes first.")
    expect(result_labels(view).first).to_have_text("berlin")
    state = nb.kernel_json(ANALOGY_STATE)
    assert (state["a"], state["b"], state["c"], state["method"]) == ("france", "paris", "germany", "3cosmul")
    assert state["labels"] == labels_of(view)


def test_analogy_unknown_word_offers_chips_that_fix_it(nb):
    view = reset_analogy(nb)
    c = view.get_by_label("word c", exact=True)
    c.fill("wooman")
    c.press("Enter")
    error = view.locator(":scope > .ew-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("wooman")
    expect(result_labels(view)).to_have_count(0)
    expect(view.locator("svg.ew-plot circle")).to_have_count(0)
    state = nb.kernel_json(ANALOGY_STATE)
    assert state["c"] == "wooman" and state["error"]["missing"] == ["wooman"] and state["labels"] == []

    error.locator("button.ew-chip", has_text=re.compile(r"^woman$")).click()
    expect(error).to_be_hidden()
    expect(c).to_have_value("woman")
    expect(result_labels(view).first).to_have_text("queen")
    state = nb.kernel_json(ANALOGY_STATE)
    assert (state["c"], state["error"]) == ("woman", None)
    assert state["labels"] == labels_of(view)


def test_compare_mode_shows_two_columns_and_the_overlap(nb):
    view = nb.widget(COMPARE, ".ew-root.ew-neighbors")
    main, other = view.locator(".ew-panel-main"), view.locator(".ew-panel-compare")
    expect(main.locator(".ew-panel-title")).to_have_text("glove-6B-50d")
    expect(other.locator(".ew-panel-title")).to_have_text("glove-6B-50d[:20,000]")
    expect(main.locator("li.ew-result")).to_have_count(8)
    expect(other.locator("li.ew-result")).to_have_count(8)
    overlap = view.locator(".ew-overlap")
    expect(overlap).to_have_text(re.compile(r"^overlap@8: 0\.\d\d \(\d neighbours in both, marked ●\)$"))

    state = nb.kernel_json(
        '{"overlap": cmp.overlap, "main": cmp.results.label.tolist(), "other": cmp.compare_results.label.tolist()}'
    )
    assert labels_of(main) == state["main"] and labels_of(other) == state["other"]
    shared = set(state["main"]) & set(state["other"])
    assert overlap.inner_text().startswith(f"overlap@8: {state['overlap']:.2f} ({len(shared)} neighbours")
    marked = [t.strip() for t in main.locator("li.ew-result.ew-shared .ew-label").all_text_contents()]
    assert set(marked) == shared and 0 < len(shared) < 8

    # A new query updates both columns.
    query = view.locator("input.ew-query")
    query.fill("ocean")
    query.press("Enter")
    expect(main.locator("li.ew-result .ew-label").first).to_have_text("sea")
    state = nb.kernel_json(
        '{"query": cmp.query, "main": cmp.results.label.tolist(), "other": cmp.compare_results.label.tolist()}'
    )
    assert state["query"] == "ocean"
    expect(main.locator("li.ew-result .ew-label")).to_have_text(state["main"])
    expect(other.locator("li.ew-result .ew-label")).to_have_text(state["other"])
    assert_not_injected(nb.page)  # and the ordinary pages pass the injection check


def widget_colours(view) -> dict:
    return view.evaluate("""root => {
        const style = getComputedStyle(root);
        const label = root.querySelector('li.ew-result .ew-label');
        return { background: style.backgroundColor, color: style.color,
                 label: label ? getComputedStyle(label).color : null,
                 input: getComputedStyle(root.querySelector('input')).backgroundColor };
    }""")


def change_theme(page, theme: str, light: bool) -> None:
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: {theme!r}}})")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", str(light).lower())
    # Lab shows a splash while it swaps themes and removes it 200 ms later; a second switch inside that
    # window makes Lab itself throw "removeChild ... not a child of this node". Let it go first.
    page.locator("#jupyterlab-splash").wait_for(state="detached")


def test_dark_theme_follows_the_host(nb):
    page = nb.page
    view = neighbors_view(nb)
    expect(result_labels(view).first).to_be_visible()
    light = widget_colours(view)
    assert luminance(light["background"]) > 0.8 and luminance(light["color"]) < 0.2, light
    try:
        change_theme(page, "JupyterLab Dark", light=False)
        page.wait_for_function(
            """root => { const c = getComputedStyle(root).backgroundColor.match(/[\\d.]+/g).map(Number);
                         return c[0] + c[1] + c[2] < 150; }""",
            arg=view.element_handle(),
        )
        dark = widget_colours(view)
        assert luminance(dark["background"]) < 0.1, dark
        assert luminance(dark["color"]) > 0.5, dark
        assert luminance(dark["input"]) < 0.1, dark
        assert luminance(dark["label"]) > luminance(dark["background"]) + 0.2, dark  # links stay readable
        assert dark["background"] != light["background"] and dark["color"] != light["color"]
    finally:
        change_theme(page, "JupyterLab Light", light=True)
    page.wait_for_function(
        f"root => getComputedStyle(root).backgroundColor === {light['background']!r}", arg=view.element_handle()
    )

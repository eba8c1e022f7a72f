"""Labels, set names and titles are data, never markup. Hostile strings go through every place a widget shows
text; each check asserts that the literal text is on screen, that no element came out of it inside the
widgets, and that no payload ran (``window.__pwned`` stays undefined). The last test injects on purpose,
to prove that these checks would catch a real injection in the very same page."""

from __future__ import annotations

import re

import pytest
from ewbrowser import HOSTS, SETUP, assert_not_injected, injection_report, labels_of
from playwright.sync_api import expect

H1 = '<img src=x onerror="window.__pwned=1">'
H2 = "<script>window.__pwned=2</script>"
H3 = '"><svg onload="window.__pwned=3">'
H4 = '<iframe src="javascript:window.__pwned=4"></iframe>'
H5 = '<b onmouseover="window.__pwned=5">bold</b>'
TITLE = '<img src=x onerror="window.__pwned=6"> title'
NAME = '<img src=x onerror="window.__pwned=7"> set'
OTHER_NAME = '<svg onload="window.__pwned=8"> other'
HOSTILE = [H1, H2, H3, H4, H5]

NEIGHBORS, ANALOGY = 1, 2
CELLS = [
    SETUP + "\nimport numpy as np",
    f"""H1, H2, H3, H4, H5 = {HOSTILE!r}
labels = [H1, H2, H3, H4, H5, "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
rng = np.random.default_rng(7)
hs = ew.EmbeddingSet(labels, rng.normal(size=(len(labels), 16)), name={NAME!r})
# The compare set lacks H5, so querying H5 shows an error in the compare column.
hs2 = ew.EmbeddingSet(labels[:4] + labels[5:], rng.normal(size=(len(labels) - 1, 16)), name={OTHER_NAME!r})
nx = ew.NeighborBrowser(hs, query=H1, k=12, compare=hs2, title={TITLE!r})
nx""",
    f"ax = ew.AnalogyExplorer(hs, a=H1, b=H2, c=H3, k=5, exclude_inputs=False, title={TITLE!r})\nax",
]


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "xss", CELLS)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()  # free the kernel before the other host's notebook runs
    assert errors == [], "uncaught errors in the page"


def visible_literal(scope, text: str):
    """The element whose whole text is exactly ``text`` is shown."""
    expect(scope.get_by_text(text, exact=True).first).to_be_visible()


def test_neighbour_labels_compare_column_title_and_set_names(nb):
    view = nb.widget(NEIGHBORS, ".ew-root.ew-neighbors")
    main, other = view.locator(".ew-panel-main"), view.locator(".ew-panel-compare")
    expect(main.locator("li.ew-result")).to_have_count(12)
    expect(other.locator("li.ew-result")).to_have_count(11)
    expect(view.locator(".ew-title")).to_have_text(TITLE)
    visible_literal(view.locator(".ew-title"), TITLE)
    expect(main.locator(".ew-panel-title")).to_have_text(NAME)
    expect(other.locator(".ew-panel-title")).to_have_text(OTHER_NAME)
    expect(view.locator("input.ew-query")).to_have_value(H1)
    for label in HOSTILE[1:]:
        visible_literal(main, label)
    for label in (H2, H3, H4):
        visible_literal(other, label)
    assert set(labels_of(main)) >= set(HOSTILE[1:])
    visible_literal(view.locator("ol.ew-crumbs"), H1)
    assert_not_injected(nb.page)


def test_breadcrumbs(nb):
    view = nb.widget(NEIGHBORS, ".ew-root.ew-neighbors")
    crumbs = view.locator("ol.ew-crumbs li")
    view.locator(".ew-panel-main").get_by_role("button", name=f"Search the neighbours of {H3}", exact=True).click()
    expect(crumbs).to_have_text([H1, H3])
    view.locator(".ew-panel-main").get_by_role("button", name=f"Search the neighbours of {H2}", exact=True).click()
    expect(crumbs).to_have_text([H1, H3, H2])
    for label in (H1, H3, H2):
        visible_literal(view.locator("ol.ew-crumbs"), label)
    assert nb.kernel_json("nx.history") == [H1, H3, H2]
    assert_not_injected(nb.page)
    view.locator(".ew-back").click()
    expect(crumbs).to_have_text([H1, H3])
    crumbs.first.locator("button").click()
    expect(crumbs).to_have_text([H1])
    expect(view.locator("input.ew-query")).to_have_value(H1)
    assert_not_injected(nb.page)


def test_error_messages_suggestion_chips_and_autocomplete(nb):
    view = nb.widget(NEIGHBORS, ".ew-root.ew-neighbors")
    query = view.locator("input.ew-query")
    error = view.locator(":scope > .ew-error")

    # An unknown label one character off a hostile one: the message quotes it, the chip offers the label.
    for typed, label in ((H1[:-1], H1), (H3[1:], H3)):
        query.fill(typed)
        query.press("Enter")
        expect(error).to_be_visible()
        expect(error.locator(".ew-error-text")).to_contain_text(typed)
        chip = error.locator("button.ew-chip").filter(has_text=re.compile("^" + re.escape(label) + "$"))
        expect(chip).to_be_visible()
        visible_literal(error, label)
        expect(error.locator(".ew-suggestions")).to_contain_text(f"Instead of “{typed}”")
        assert_not_injected(nb.page)
        chip.click()
        expect(error).to_be_hidden()
        expect(query).to_have_value(label)
        expect(view.locator(".ew-panel-main li.ew-result")).to_have_count(12)
    assert nb.kernel_json("[nx.query, nx.error]") == [H3, None]

    # The compare set lacks H5: its column shows the error, quoting the label.
    query.fill(H5)
    query.press("Enter")
    compare_error = view.locator(".ew-panel-compare .ew-error")
    expect(compare_error).to_be_visible()
    expect(compare_error).to_contain_text(H5)
    expect(view.locator(".ew-panel-main li.ew-result")).to_have_count(12)
    assert_not_injected(nb.page)

    # Suggestions while typing.
    query.fill("<")
    options = view.locator("ul.ew-options li.ew-option")
    expect(options).to_have_count(4)  # H1, H2, H4 and H5 start with "<"
    assert set(options.all_text_contents()) == {H1, H2, H4, H5}
    visible_literal(view.locator("ul.ew-options"), H4)
    assert_not_injected(nb.page)
    query.press("Escape")
    expect(view.locator("ul.ew-options")).to_be_hidden()
    query.fill(H1)
    query.press("Enter")
    expect(view.locator("ol.ew-crumbs li").last).to_have_text(H1)
    assert_not_injected(nb.page)


def test_analogy_results_plot_labels_and_errors(nb):
    view = nb.widget(ANALOGY, ".ew-root.ew-analogy")
    expect(view.locator(".ew-title")).to_have_text(TITLE)
    expect(view.locator("li.ew-result")).to_have_count(5)
    state = nb.kernel_json("ax.results.label.tolist()")
    expect(view.locator("li.ew-result .ew-label")).to_have_text(state)
    for label in state:
        visible_literal(view.locator(".ew-results"), label)
    plot = view.locator("svg.ew-plot")
    plotted = plot.locator("text:not(.ew-axis-note)")
    for label in (H1, H2, H3):  # a, b and c are always plotted
        expect(plotted.filter(has_text=re.compile("^" + re.escape(label) + "$"))).to_have_count(1)
        visible_literal(plot, label)
    for name, label in (("a", H1), ("b", H2), ("c", H3)):
        expect(view.get_by_label(f"word {name}", exact=True)).to_have_value(label)
    expect(plot.locator("circle.ew-point").first).to_have_attribute("aria-label", re.compile(r": cosine to the target"))
    assert_not_injected(nb.page)

    # Inputs allowed as answers, so the note about the other setting quotes labels too.
    expect(view.locator(".ew-flipped")).to_contain_text("With the input words left out")

    # An unknown word, one character off H3: message and chip.
    c = view.get_by_label("word c", exact=True)
    c.fill(H3[:-1])
    c.press("Enter")
    error = view.locator(":scope > .ew-error")
    expect(error).to_be_visible()
    expect(error.locator(".ew-error-text")).to_contain_text(H3[:-1])
    chip = error.locator("button.ew-chip").filter(has_text=re.compile("^" + re.escape(H3) + "$"))
    visible_literal(error, H3)
    assert_not_injected(nb.page)
    chip.click()
    expect(error).to_be_hidden()
    expect(c).to_have_value(H3)
    expect(view.locator("li.ew-result")).to_have_count(5)
    assert nb.kernel_json("[ax.c, ax.error]") == [H3, None]
    assert_not_injected(nb.page)


def test_control_a_real_injection_is_caught(nb):
    """Inject a payload with innerHTML inside a widget root, on purpose: the same checks must fail."""
    page = nb.page
    assert_not_injected(page)
    page.evaluate(
        """label => {
        const probe = document.createElement('div');
        probe.className = 'ew-control-probe';
        probe.innerHTML = label;                       // the mistake the widgets must never make
        document.querySelector('.ew-root').appendChild(probe);
    }""",
        H1,
    )
    try:
        page.wait_for_function("window.__pwned === 1")  # the onerror payload ran
        report = injection_report(page)
        assert report["pwned"] == "1"
        assert "<img> element" in report["found"] and "img[onerror]" in report["found"], report
        # ... and the literal text is not what the user sees.
        expect(page.locator(".ew-control-probe")).to_have_text("")
        try:
            assert_not_injected(page)
        except AssertionError:
            pass
        else:
            raise AssertionError("assert_not_injected did not notice a real injection")
    finally:
        page.evaluate(
            "() => { document.querySelectorAll('.ew-control-probe').forEach(e => e.remove()); delete window.__pwned; }"
        )
    assert_not_injected(page)

"""Smoke test: both widgets render in Voila, in Chromium, and still talk to their kernel there. Voila is also
a host without the sidebar extension: ``show_in_sidebar()`` shows the widget in place, with a note."""

from __future__ import annotations

import re

from ewbrowser import KERNEL_MS, SETUP, assert_not_injected, luminance
from playwright.sync_api import expect

CELLS = [
    SETUP,
    'n = ew.NeighborBrowser(w, query="frog", k=8)\nn',
    'a = ew.AnalogyExplorer(w, a="man", b="king", c="woman", k=5)\na',
    's = ew.NeighborBrowser(w, query="ocean", k=5)\ns.show_in_sidebar()',
]


def test_both_widgets_render_in_voila(voila_factory, context):
    url = voila_factory("voila-smoke.ipynb", CELLS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="commit", timeout=KERNEL_MS)
        neighbors = page.locator(".ew-root.ew-neighbors").first
        analogy = page.locator(".ew-root.ew-analogy")
        # Voila runs every cell before it shows the widgets.
        expect(neighbors.locator("li.ew-result .ew-label").first).to_have_text("snake", timeout=KERNEL_MS)
        expect(analogy.locator("li.ew-result .ew-label").first).to_have_text("queen", timeout=KERNEL_MS)
        expect(analogy.locator("svg.ew-plot circle.ew-point").first).to_be_visible()
        expect(page.locator(".jp-InputArea")).to_have_count(0)  # Voila hides the code

        # No side panel in Voila: the pinned widget is drawn where the call was, and the note says why.
        note = page.locator(".ew-sidebar-note")
        expect(note).to_contain_text("No embedwidgets side panel here")
        expect(page.locator(".ew-root.ew-neighbors")).to_have_count(2)
        expect(page.locator(".ew-root.ew-neighbors").nth(1).locator("li.ew-result .ew-label").first).to_have_text("sea")
        expect(page.locator("button.ew-pin")).to_have_count(0)  # no pin button where pinning cannot work

        # The kernel still answers: a new query, and another method.
        query = neighbors.locator("input.ew-query")
        query.fill("ocean")
        query.press("Enter")
        expect(neighbors.locator("li.ew-result .ew-label").first).to_have_text("sea")
        expect(neighbors.locator("ol.ew-crumbs li")).to_have_text(["frog", "ocean"])
        cosmul = analogy.locator("button.ew-method[data-method='3cosmul']")
        cosmul.click()
        expect(cosmul).to_have_attribute("aria-pressed", "true")
        expect(analogy.locator("li.ew-result .ew-label").nth(2)).to_have_text("elizabeth")

        # Readable colours on Voila's light page.
        colours = neighbors.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
        assert luminance(colours[0]) > 0.8 and luminance(colours[1]) < 0.2, colours
        assert_not_injected(page)
        assert not [e for e in errors if re.search(r"ew-|anywidget|embedwidgets", e)], errors
        assert errors == [], errors
    finally:
        page.close()

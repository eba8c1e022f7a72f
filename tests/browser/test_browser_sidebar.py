"""The sidebar extension in real Chromium, in JupyterLab 4 and Notebook 7: pin from Python and from the
button, use the pinned view and read the kernel, follow Python, close, several panels, the hosts without
the extension, the Embedding Explorer command, and a kernel restart. The tests run in file order."""

from __future__ import annotations

import time

import pytest
from ewbrowser import HOSTS, KERNEL_MS, SETUP, assert_not_injected, labels_of, result_labels
from playwright.sync_api import expect

ANALOGY, NEIGHBORS = 1, 2
CELLS = [
    SETUP,
    'a = ew.AnalogyExplorer(w, a="man", b="king", c="woman", k=5)\na',
    'n = ew.NeighborBrowser(w, query="frog", k=8)\nn',
]
HOSTILE = 'Mine <img src=x onerror="window.__ew_injected=1">'
HOST_KEY = "Symbol.for('embedwidgets.sidebar')"


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "sidebar", CELLS)
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()
    assert errors == [], "uncaught errors in the page"


def panels(nb):
    return nb.page.locator(".ew-sidebar-panel")


def panel(nb, title: str):
    return panels(nb).filter(has=nb.page.locator(".ew-sidebar-title", has_text=title))


def side_of(nb, locator) -> str:
    box = locator.bounding_box()
    width = nb.page.viewport_size["width"]
    return "left" if box["x"] + box["width"] / 2 < width / 2 else "right"


def test_extension_is_loaded(nb):
    assert nb.page.evaluate(f"() => typeof globalThis[{HOST_KEY}]?.pin") == "function"
    # Every widget offers the pin button where the extension runs.
    expect(nb.widget(ANALOGY).locator("button.ew-pin")).to_have_text("Pin to sidebar")


def test_pin_from_python_gives_a_live_view(nb):
    nb.run_code(f"a.show_in_sidebar(title={HOSTILE!r})")
    expect(nb.notebook.locator(".ew-sidebar-note").last).to_have_text(
        f"{HOSTILE} is pinned to the right side panel. Close it there, or call close_sidebar()."
    )
    side = panel(nb, "Mine")
    expect(side).to_have_count(1)
    expect(side.locator(".ew-sidebar-title")).to_have_text(HOSTILE)  # a title is text, never markup
    expect(result_labels(side).first).to_have_text("queen")
    assert side_of(nb, side) == "right"
    assert nb.kernel_json("a.sidebar") == "right"

    # Act in the pinned view: the kernel and the cell's view follow.
    cosmul = side.locator("button.ew-method[data-method='3cosmul']")
    cosmul.click()
    expect(cosmul).to_have_attribute("aria-pressed", "true")
    expect(nb.widget(ANALOGY).locator("button.ew-method[data-method='3cosmul']")).to_have_attribute(
        "aria-pressed", "true"
    )
    field = side.get_by_label("word c", exact=True)
    field.fill("germany")
    for name, word in (("a", "france"), ("b", "paris")):
        side.get_by_label(f"word {name}", exact=True).fill(word)
    field.press("Enter")
    expect(result_labels(side).first).to_have_text("berlin")
    state = nb.kernel_json('{"method": a.method, "abc": [a.a, a.b, a.c], "labels": a.results.label.tolist()}')
    assert state["method"] == "3cosmul" and state["abc"] == ["france", "paris", "germany"]
    assert state["labels"] == labels_of(side)
    expect(result_labels(nb.widget(ANALOGY)).first).to_have_text("berlin")

    # Change it from Python: the pinned view follows.
    nb.run_code('a.method = "3cosadd"; a.a, a.b, a.c = "man", "king", "woman"')
    expect(side.locator("button.ew-method[data-method='3cosadd']")).to_have_attribute("aria-pressed", "true")
    expect(side.get_by_label("word c", exact=True)).to_have_value("woman")
    expect(result_labels(side).first).to_have_text("queen")
    assert nb.page.evaluate("() => window.__ew_injected") is None
    assert_not_injected(nb.page)


def test_close_tab_clears_the_trait_and_close_sidebar_closes_it(nb):
    side = panel(nb, "Mine")
    expect(side).to_have_count(1)
    side.get_by_role("button", name=f"Close {HOSTILE}").click()
    expect(panels(nb)).to_have_count(0)
    assert nb.kernel_json("a.sidebar") is None
    expect(nb.widget(ANALOGY).locator("button.ew-pin")).to_have_text("Pin to sidebar")

    nb.run_code('a.show_in_sidebar(area="left")')
    side = panel(nb, "Analogies")
    expect(side).to_have_count(1)
    assert side_of(nb, side) == "left"
    nb.run_code("a.close_sidebar()")
    expect(panels(nb)).to_have_count(0)


def test_pin_button_and_several_panels(nb):
    # The button in the cell's view pins; the same button then reads "Unpin".
    button = nb.widget(NEIGHBORS).locator("button.ew-pin")
    button.click()
    side = panel(nb, "Neighbours")
    expect(side).to_have_count(1)
    expect(button).to_have_text("Unpin")
    assert nb.kernel_json("n.sidebar") == "right"
    nb.run_code('a.show_in_sidebar(title="Analogies here")')
    expect(panels(nb)).to_have_count(2)
    if nb.host == "lab":  # Lab shows one side tab per panel, with our icon and the title as its tooltip
        tabs = nb.page.locator("li.lm-TabBar-tab[data-id^='ew-sidebar-']")
        expect(tabs).to_have_count(2)
        expect(tabs.locator("svg")).to_have_count(2)
        assert {tabs.nth(i).get_attribute("title") for i in range(2)} == {"Neighbours · glove-6B-50d", "Analogies here"}

    # Click a neighbour in the pinned browser: it becomes the query, in the kernel too.
    nb.run_code("n.show_in_sidebar()")  # pinning again brings the neighbours panel forward
    side = panel(nb, "Neighbours")
    side.get_by_role("button", name="Search the neighbours of toad").click()
    expect(side.locator("input.ew-query")).to_have_value("toad")
    assert nb.kernel_json("n.query") == "toad"

    nb.widget(NEIGHBORS).locator("button.ew-pin").click()  # "Unpin"
    expect(panels(nb)).to_have_count(1)
    assert nb.kernel_json("[n.sidebar, a.sidebar]") == [None, "right"]
    nb.run_code("a.close_sidebar()")
    expect(panels(nb)).to_have_count(0)


def test_without_the_extension_the_widget_shows_in_the_cell(nb):
    # A host without our extension (VS Code, Colab, ...) has no sidebar API on the page.
    nb.page.evaluate(f"() => {{ window.__ew_host = globalThis[{HOST_KEY}]; delete globalThis[{HOST_KEY}]; }}")
    try:
        nb.run_code('x = ew.NeighborBrowser(w, query="ocean", k=5)\nx.show_in_sidebar()')
        output = nb.notebook.locator(".jp-OutputArea-output", has=nb.page.locator(".ew-sidebar-note")).last
        expect(output.locator(".ew-sidebar-note")).to_contain_text("No embedwidgets side panel here")
        expect(result_labels(output.locator(".ew-neighbors")).first).to_have_text("sea")
        expect(panels(nb)).to_have_count(0)
    finally:
        nb.page.evaluate(f"() => {{ globalThis[{HOST_KEY}] = window.__ew_host; }}")


def test_embedding_explorer_command_in_this_kernel(nb):
    # The command palette, as a user opens it; in JupyterLab the launcher has the same card (next test).
    nb.page.keyboard.press("Escape")
    nb.prompt(0).click()
    nb.page.keyboard.press("ControlOrMeta+Shift+c")
    palette = nb.page.locator(".lm-CommandPalette-input")
    expect(palette).to_be_visible()
    palette.fill("Embedding Explorer")
    nb.page.locator(".lm-CommandPalette-item", has_text="Embedding Explorer").first.click()
    explorer = panel(nb, "Embedding Explorer")
    expect(explorer.locator(".ew-explorer")).to_have_count(1, timeout=KERNEL_MS)
    expect(explorer.get_by_role("tab")).to_have_text(["Neighbours", "Analogies", "Map"])
    query = explorer.locator(".ew-neighbors input.ew-query")
    query.fill("ocean")
    query.press("Enter")
    expect(result_labels(explorer.locator(".ew-neighbors")).first).to_have_text("sea")
    opened = "__import__('embedwidgets.widgets.explorer', fromlist=['_'])._opened"
    assert nb.kernel_json(f"[{opened}.neighbors.query, {opened}.sidebar]") == ["ocean", "right"]
    explorer.get_by_role("tab", name="Analogies").click()
    expect(result_labels(explorer.locator(".ew-analogy")).first).to_have_text("queen")
    assert nb.kernel_json(f"{opened}.selected_index") == 1
    # The Map tab: its starter words are on the map; a typed word joins them, in the kernel too.
    explorer.get_by_role("tab", name="Map").click()
    the_map = explorer.locator(".ew-map")
    expect(the_map.locator("text.ew-map-label")).to_have_text(["man", "woman", "king", "queen", "boy", "girl"])
    box = the_map.locator("input.ew-map-input")
    box.fill("prince")
    box.press("Enter")
    expect(the_map.locator("text.ew-map-label")).to_have_count(7)
    assert nb.kernel_json(f"[{opened}.selected_index, {opened}.map_items[-1]]") == [2, "prince"]


def test_restart_kernel_removes_pins_without_error_dialogs(nb):
    nb.run_code("a.show_in_sidebar()\nn.show_in_sidebar(area='left')")
    expect(panels(nb)).to_have_count(3)  # with the explorer of the test before
    nb.page.evaluate("() => { jupyterapp.commands.execute('kernelmenu:restart'); }")
    nb.page.locator(".jp-Dialog .jp-mod-accept").click()  # "Restart": the one dialog a restart asks
    expect(panels(nb)).to_have_count(0, timeout=KERNEL_MS)
    nb.wait_idle()
    time.sleep(2)  # an error dialog would come after the restart settles
    expect(nb.page.locator(".jp-Dialog")).to_have_count(0)


def test_launcher_card_opens_the_explorer_in_a_new_notebook(nb, context, jupyter_server):
    if nb.host != "lab":
        pytest.skip("Notebook 7 has no launcher; its command palette was tested above")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(jupyter_server.url + "/lab?reset")
        card = page.locator(".jp-LauncherCard", has_text="Embedding Explorer")
        card.click()
        explorer = page.locator(".ew-sidebar-panel .ew-explorer")
        expect(explorer).to_have_count(1, timeout=KERNEL_MS)
        query = explorer.locator(".ew-neighbors input.ew-query")
        query.fill("physician")  # the lesson: physician sits next to surgeon and doctor
        query.press("Enter")
        expect(result_labels(explorer.locator(".ew-neighbors")).first).to_have_text("surgeon")
        explorer.get_by_role("tab", name="Map").click()  # the launcher's explorer has the Map tab
        expect(explorer.locator(".ew-map text.ew-map-label")).to_have_count(6)
        expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")).to_have_count(1)  # the new notebook
        assert errors == []
    finally:
        for session in jupyter_server.api("GET", "/api/sessions"):
            if "Untitled" in session.get("path", ""):
                jupyter_server.api("DELETE", f"/api/sessions/{session['id']}")
        page.close()


def test_closing_the_notebook_removes_its_pins(nb):
    if nb.host != "lab":
        pytest.skip("in Notebook 7 the notebook is the page: closing it closes the panels with it")
    nb.run_code(f"{SETUP}\na = ew.AnalogyExplorer(w)\na.show_in_sidebar()")  # a new kernel since the restart
    expect(panel(nb, "Analogies")).to_have_count(1)
    nb.page.evaluate("() => { jupyterapp.shell.currentWidget.close(); }")
    nb.page.locator(".jp-Dialog button", has_text="Discard").click()  # "save your changes?": the notebook is edited
    expect(nb.page.locator(".jp-NotebookPanel")).to_have_count(0)
    expect(panels(nb)).to_have_count(0)
    expect(nb.page.locator(".jp-Dialog")).to_have_count(0)

"""marimo, a host with its own anywidget front end (widgets render inside a shadow root, no JupyterLab
extension): an app served by ``marimo run`` in Chromium. Answers appear, suggestions show while typing, a lasso
returns indices, and cells that read a widget's ``results`` or ``selected`` re-run after a change made in the
view, because the view sets the traits itself and Python computes from them."""

from __future__ import annotations

import re
import sys
import textwrap

import pytest
from ewbrowser import Server, expect, free_port, lasso_middle, server_env

APP = textwrap.dedent(
    """
    import marimo

    app = marimo.App()


    @app.cell
    def _():
        import marimo as mo

        import embedwidgets as ew

        words = ew.glove()
        return ew, mo, words


    @app.cell
    def _(ew, mo, words):
        analogy = mo.ui.anywidget(ew.AnalogyExplorer(words, a="man", b="king", c="woman", k=5))
        analogy
        return (analogy,)


    @app.cell
    def _(analogy, mo):
        mo.md(f"analogy answer: {analogy.widget.c} -> {analogy.widget.results.label.iloc[0]}")
        return


    @app.cell
    def _(ew, mo, words):
        browser = mo.ui.anywidget(ew.NeighborBrowser(words, query="frog", k=5))
        browser
        return (browser,)


    @app.cell
    def _(browser, mo):
        mo.md(f"nearest to {browser.widget.query}: {browser.widget.results.label.iloc[0]}")
        return


    @app.cell
    def _(browser):
        browser.widget.show_in_sidebar()
        return


    @app.cell
    def _(ew, mo, words):
        cluster = mo.ui.anywidget(ew.ClusterView(words.head(2000), projection="pca", k=4, height=420))
        cluster
        return (cluster,)


    @app.cell
    def _(cluster, mo):
        mo.md(f"selected rows: {len(cluster.widget.selected)}, first {cluster.widget.selected[:1]}")
        return
    """
)


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("marimo")
    (base / "app.py").write_text(APP)
    port = free_port()
    env = server_env(base)
    env["HOME"] = str(base)  # marimo keeps its own config and state under the home folder
    server = Server(
        [
            sys.executable,
            "-m",
            "marimo",
            "run",
            "app.py",
            "--headless",
            "--no-token",
            f"--port={port}",
            "--host=127.0.0.1",
            "--no-sandbox",
            "--no-check",
        ],
        url=f"http://127.0.0.1:{port}",
        ready_path="/",
        log=base / "server.log",
        env=env,
        cwd=base,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def app_page(marimo_app, context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(marimo_app.url)
    page.errors = errors
    # The first cell loads GloVe: wait for every widget (they render inside shadow roots; locators pierce them).
    expect(page.locator(".ew-root.ew-cluster")).to_be_visible(timeout=120_000)
    yield page
    page.close()


def text_of(page, pattern: str):
    return page.get_by_text(re.compile(pattern)).first


def test_answers_and_dependent_cells_follow_the_view(app_page):
    page = app_page
    expect(text_of(page, r"analogy answer: woman -> queen")).to_be_visible()
    expect(text_of(page, r"nearest to frog: ")).to_be_visible()
    browser = page.locator(".ew-root.ew-neighbors").first
    expect(browser.locator(".ew-result")).to_have_count(5)

    # Type into the query box: suggestions show inside the shadow root (focus is read there, not on document).
    query = browser.locator("input.ew-query")
    query.click()
    query.fill("")
    query.press_sequentially("oce", delay=40)
    options = browser.locator(".ew-option")
    expect(options.first).to_be_visible()
    assert any(text.startswith("ocean") for text in options.all_inner_texts())
    query.fill("ocean")
    query.press("Enter")
    expect(browser.locator(".ew-result .ew-label").first).to_have_text("sea")
    # The cell that reads browser.widget.results ran again, with Python's new answer.
    expect(text_of(page, r"nearest to ocean: sea")).to_be_visible()

    # Clicking a neighbour makes it the query, and the dependent cell follows again.
    browser.locator(".ew-result .ew-label", has_text="sea").first.click()
    expect(text_of(page, r"nearest to sea: ")).to_be_visible()

    analogy = page.locator(".ew-root.ew-analogy").first
    word_c = analogy.get_by_role("combobox", name="word c")
    word_c.fill("girl")
    word_c.press("Enter")
    expect(text_of(page, r"analogy answer: girl -> queen")).to_be_visible()
    assert page.errors == []


def test_errors_show_inline_and_the_widget_keeps_working(app_page):
    page = app_page
    analogy = page.locator(".ew-root.ew-analogy").first
    word_c = analogy.get_by_role("combobox", name="word c")
    word_c.fill("wooman")
    word_c.press("Enter")
    expect(analogy.locator(".ew-error")).to_contain_text("wooman")
    analogy.locator(".ew-chip", has_text="woman").first.click()
    expect(text_of(page, r"analogy answer: woman -> queen")).to_be_visible()


def test_show_in_sidebar_falls_back_to_the_note(app_page):
    # No JupyterLab extension in marimo: the note says so and draws the widget in place.
    expect(app_page.locator(".ew-sidebar-note").first).to_be_visible()


def test_a_lasso_returns_indices_to_python(app_page):
    page = app_page
    view = page.locator(".ew-root.ew-cluster").first
    status = view.locator(".ew-status-text")
    expect(status).to_have_text(re.compile(r"^2,000 points · 0 selected"))
    count = lasso_middle(page, view)
    # The cell that reads cluster.widget.selected ran again with the same rows.
    expect(text_of(page, rf"selected rows: {count}, first \[\d+\]")).to_be_visible()

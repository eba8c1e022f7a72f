"""Real-browser tests: Python Playwright drives Debian's Chromium against live servers started here.

Run: ``.venv/bin/python -m pytest tests/browser -q`` (about two minutes on 2 cores). Never `playwright install`.

Fixtures (this file) -- a benchmark can reuse them the same way:

- ``jupyter_server`` (session): ONE ``jupyter lab`` server for the whole run. It serves JupyterLab at
  ``/lab/tree/<file>`` and, because the ``notebook`` package is enabled as a server extension, Notebook 7
  at ``/notebooks/<file>`` as well. Free port, empty token and password, XSRF check off (teardown deletes
  sessions over REST), ``window.jupyterapp`` exposed in both hosts, a temporary root folder
  (``jupyter_server.root_dir``), and its own config/settings/workspace folders in which JupyterLab's news
  question and update check are off and notebook windowing is "none" (every cell stays in the DOM).
- ``browser`` (session): headless Chromium (``/usr/bin/chromium``, or ``$EW_CHROMIUM``) with the flags from
  TESTING.md. A missing browser FAILS the tests with a clear message; nothing is skipped.
- ``context`` (session): one browser context, 1400x1000, 30 s default timeout.
- ``open_notebook`` (module): factory ``open_notebook(host, stem, cells)``: writes ``<stem>-<host>.ipynb``
  (one file per host, so each has its own kernel) plus an empty scratch cell, opens it in ``"lab"`` or
  ``"notebook7"`` in a new page, runs each cell like a user, and returns an ``ewbrowser.Notebook``.
  Pages close and kernels shut down when the module ends.
- ``voila_factory`` (session): ``voila_factory(name, cells)`` starts ``voila <nb> --no-browser`` on a free
  port and returns its URL.
- A failing test leaves full-page screenshots of every open notebook (path in the report; folder
  ``$EW_ARTIFACTS/screenshots`` or the pytest temp folder).

Helpers (``ewbrowser.py``): ``Notebook`` (``run_cell``, ``run_code``, ``kernel_json``, ``output_text``,
``widget``, ``wait_idle``, ``unexpected_errors``, ``close``), ``start_jupyter`` (the same server outside
pytest), ``server_env``, ``write_notebook``, ``Server``, ``free_port``,
``injection_report`` / ``assert_not_injected``, ``luminance``, ``labels_of``, ``HOSTS``, ``SETUP``.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

import pytest
from ewbrowser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    HOSTS,
    OPEN,
    Notebook,
    Server,
    free_port,
    server_env,
    start_jupyter,
    write_notebook,
)
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    """One JupyterLab server for the run; it also serves Notebook 7 at /notebooks/<file>."""
    server = start_jupyter(tmp_path_factory.mktemp("jupyter"))
    try:
        # Both hosts must really be served, or every test would fail for a reason far from its name.
        for path in ("/lab", "/tree"):
            with urllib.request.urlopen(server.url + path, timeout=10) as response:
                assert response.status == 200, path
        yield server
    finally:
        server.stop()


# ---- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need it. Install Debian's "
            f"(`apt-get install -y chromium`, or `make chromium`) or point $EW_CHROMIUM at one. "
            f"Do not run `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture(scope="module")
def open_notebook(context, jupyter_server):
    """Factory: ``open_notebook(host, "name", cells)`` writes, opens and runs a notebook."""
    opened: list[Notebook] = []

    def open_(host: str, stem: str, cells: list[str], run: bool = True) -> Notebook:
        assert host in HOSTS, host
        name = f"{stem}-{host}.ipynb"  # one file per host: each gets its own kernel
        write_notebook(jupyter_server.root_dir, name, cells + [""])
        notebook = Notebook(context.new_page(), host, name, jupyter_server)
        opened.append(notebook)
        notebook.open()
        if run:
            notebook.run_all()
        return notebook

    yield open_
    for notebook in opened:
        notebook.close()


@pytest.fixture(scope="session")
def voila_factory(tmp_path_factory):
    """Factory: ``voila_factory(name, cells)`` serves one notebook with Voila; returns its URL."""
    servers: list[Server] = []

    def start(name: str, cells: list[str]) -> str:
        base = tmp_path_factory.mktemp("voila")
        path = write_notebook(base, name, cells)
        port = free_port()
        args = [
            sys.executable,
            "-m",
            "voila",
            str(path),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True",
            "--Voila.port_retries=0",
        ]
        server = Server(
            args,
            url=f"http://127.0.0.1:{port}",
            ready_path="/voila/static/voila.js",
            log=base / "voila.log",
            env=server_env(base),
            cwd=base,
        )
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, screenshot every open notebook page into $EW_ARTIFACTS (default: the pytest temp dir)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and OPEN:
        folder = Path(os.environ.get("EW_ARTIFACTS") or item.config._tmp_path_factory.getbasetemp()) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        for notebook in list(OPEN):
            path = folder / f"{item.name}-{report.when}-{notebook.name}.png".replace("/", "_")
            try:
                notebook.page.screenshot(path=path, full_page=True)
                report.sections.append(("screenshot", str(path)))
            except Exception as error:  # a closed page must not hide the real failure
                report.sections.append(("screenshot", f"none: {error}"))

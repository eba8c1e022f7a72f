"""The README's main command, run as it is: ``make lab`` (with BROWSER=none, as on a headless machine, and as
root on CI) prints a URL with its token; that URL opens the first lesson in Chromium, and the lesson runs up to
its first widget, which draws its results."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ewbrowser import KERNEL_MS, Notebook, expect, free_port, server_env

ROOT = Path(__file__).resolve().parents[2]
LESSON = "notebooks/10_keyword_search_vs_meaning.ipynb"
START_S = 300  # make may first bring the virtualenv up to date


class PrintedUrl:
    """What Notebook needs of a server: the URL that `make lab` printed."""

    def __init__(self, url: str) -> None:
        self.url = url


def read_url(process: subprocess.Popen, port: int) -> tuple[str, str]:
    """Read the server's output until it prints its 127.0.0.1 URL with the token; returns (url, log)."""
    pattern = re.compile(re.escape(f"http://127.0.0.1:{port}/") + r"\S*\?token=\w+")
    log: list[str] = []
    reader = selectors.DefaultSelector()
    reader.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if not reader.select(timeout=1):
            continue
        line = process.stdout.readline()
        log.append(line)
        found = pattern.search(line)
        if found:
            return found.group(0), "".join(log)
    raise AssertionError(f"`make lab` printed no URL with a token in {START_S} s:\n{''.join(log)[-4000:]}")


@pytest.fixture
def make_lab(tmp_path):
    port = free_port()
    env = server_env(tmp_path)  # its own settings and workspaces: the user's stay untouched
    # The lesson is the repository's own file: never autosave the outputs this run adds.
    docmanager = (
        Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    )
    docmanager.parent.mkdir(parents=True, exist_ok=True)
    docmanager.write_text(json.dumps({"autosave": False}))
    # The user's own config folder may add settings: here it lets the harness read the page's notebook model.
    config = Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json"
    config.write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", "BROWSER=none"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # make, jupyter and its kernels: one group to stop
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # jupyter shuts its kernels down on SIGTERM
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        process.stdout.close()


def test_make_lab_opens_the_first_lesson_and_runs_it(make_lab, context):
    process, port = make_lab
    url, log = read_url(process, port)
    assert "Running as root is not recommended" not in log
    assert f"/lab/tree/{LESSON}" in url, f"make lab should open the first lesson, printed {url}"

    page = context.new_page()
    try:
        notebook = Notebook(page, "lab", Path(LESSON).name, PrintedUrl(url.split("/lab", 1)[0]))
        page.goto(url)
        expect(page).to_have_url(re.compile(re.escape(f"/lab/tree/{LESSON}")))
        notebook.wait_idle(KERNEL_MS)
        # Run the lesson's code cells in order, as a reader does, until the first one that draws a widget.
        cells = json.loads((ROOT / LESSON).read_text())["cells"]
        code = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
        drawn = None
        for index in code:
            notebook.run_cell(index)
            if notebook.cell(index).locator(".jp-OutputArea-output .ew-root").count():
                drawn = index
                break
        assert drawn is not None, "no cell of the first lesson drew a widget"
        assert "64 articles" in notebook.output_text(code[0])
        widget = notebook.widget(drawn)
        expect(widget).to_be_visible()
        expect(widget.locator(".ew-hit").first).to_be_visible()  # the lesson's query has semantic hits
        assert notebook.unexpected_errors() == []
    finally:
        page.close()

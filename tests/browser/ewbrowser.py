"""Helpers of the real-browser tests (fixtures in conftest.py); also usable outside pytest, e.g. by benchmarks."""

from __future__ import annotations

import json
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, expect
except ImportError as error:  # fail, never skip: the browser suite is part of `make test`
    raise ImportError(
        "tests/browser needs Python Playwright: pip install -e '.[test]' (never `playwright install`; "
        "the tests drive Debian's /usr/bin/chromium)"
    ) from error

CHROMIUM = os.environ.get("EW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTS = ["lab", "notebook7"]
SERVER_START_S = 90
KERNEL_MS = 60_000  # ms: the first cell imports torch and loads GloVe
UI_MS = 20_000  # ms: one round trip through the kernel, on a busy 2-core machine

# Uncaught errors that the hosts themselves throw on an empty notebook, with no widget on the page
# (Notebook 7.6 on opening any notebook). Every other uncaught or console error fails the test module.
HOST_NOISE = [
    re.compile(r"reading 'schema'.*static/notebook/notebook_core", re.S),
    re.compile(r"Command 'filebrowser:open-path' not registered"),
]

# The Python cell that every widget notebook starts with.
SETUP = "import json\nimport embedwidgets as ew\nw = ew.glove()"

expect.set_options(timeout=UI_MS)


# ---- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process with its log in a file; ``stop()`` ends only this process (and its kernels)."""

    def __init__(self, args: list[str], *, url: str, ready_path: str, log: Path, env: dict, cwd: Path) -> None:
        self.url, self.log = url, log
        self._log_file = open(log, "wb")  # noqa: SIM115 (open until stop() closes it)
        self.process = subprocess.Popen(
            args, stdout=self._log_file, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{args[2]} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url + ready_path, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"{args[2]} did not answer {url + ready_path} in {SERVER_START_S} s:\n{tail}")
            time.sleep(0.2)  # polling a socket, not waiting on the UI

    def log_tail(self, chars: int = 4000) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # jupyter shuts its kernels down on SIGTERM
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)  # its own session: only this server and its kernels
                self.process.wait(5)
        self._log_file.close()


def server_env(base: Path) -> dict:
    """Environment of a test server: its own config, settings and workspace folders, nothing from ~."""
    settings = base / "user-settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    # No "Would you like to get notified about official Jupyter news?" toast over the notebook.
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell stays in the DOM (no virtual scrolling of off-screen cells), in both hosts.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    for name in ("config", "workspaces", "runtime"):
        (base / name).mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        PYTHONUNBUFFERED="1",
    )
    # Kernels run this interpreter (the project's virtualenv), whatever PATH says.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def start_jupyter(base: Path) -> Server:
    """Start ``jupyter lab`` on a free port with ``base/root`` as its root folder; it serves JupyterLab at
    ``/lab/tree/<file>`` and Notebook 7 at ``/notebooks/<file>`` (the ``notebook`` server extension).
    Token and password empty, XSRF check off (for REST teardown), ``window.jupyterapp`` in both hosts."""
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--allow-root",
        "--ServerApp.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",  # no PyPI look-ups from the extension manager
        "--ServerApp.port_retries=0",
        "--ServerApp.disable_check_xsrf=True",  # lets teardown shut kernels down through the REST API
    ]
    server = Server(
        args,
        url=f"http://127.0.0.1:{port}",
        ready_path="/api/status",
        log=base / "server.log",
        env=server_env(base),
        cwd=root,
    )
    server.root_dir = root
    return server


# ---- notebooks ----------------------------------------------------------------------------------


def write_notebook(root: Path, name: str, cells: list[str]) -> Path:
    """Write code ``cells`` as ``root/name`` with kernelspec metadata (else Lab asks for a kernel)."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = root / name
    nbformat.write(notebook, path)
    return path


KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const context = panel && panel.sessionContext;
  const kernel = context && context.session && context.session.kernel;
  return Boolean(context && context.isReady && kernel && kernel.connectionStatus === 'connected'
                 && kernel.status === 'idle');
}"""

# Runs in the page: "ename: evalue" of the first error output of cell ``index`` of the current notebook.
CELL_ERROR = """(index) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  const outputs = cell && cell.model.outputs;
  for (let i = 0; outputs && i < outputs.length; i++) {
    const output = outputs.get(i).toJSON();
    if (output.output_type === 'error') return `${output.ename}: ${output.evalue}`;
  }
  return null;
}"""

OPEN: list[Notebook] = []  # notebooks open now, for screenshots of failures


class Notebook:
    """One notebook open in one page, in JupyterLab ("lab") or Notebook 7 ("notebook7")."""

    def __init__(self, page: Page, host: str, name: str, server: Server) -> None:
        self.page, self.host, self.name, self.server = page, host, name, server
        OPEN.append(self)
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.page_errors.append(f"{error}\n{error.stack or ''}"))

    def unexpected_errors(self) -> list[str]:
        """Uncaught page errors and console errors, less the hosts' own known noise."""
        return [e for e in self.page_errors + self.console_errors if not any(noise.search(e) for noise in HOST_NOISE)]

    @property
    def url(self) -> str:
        # "?reset": Lab must not restore the tabs of an earlier test (and start their kernels).
        path = f"/lab/tree/{self.name}?reset" if self.host == "lab" else f"/notebooks/{self.name}"
        return self.server.url + path

    @property
    def notebook(self):
        # The current tab in Lab (other tabs are lm-mod-hidden); Notebook 7 shows one notebook anyway.
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first

    @property
    def cells(self):
        return self.notebook.locator(".jp-Cell")

    def cell(self, index: int):
        return self.cells.nth(index)

    def open(self) -> Notebook:
        self.page.goto(self.url)
        self.wait_idle(KERNEL_MS)
        expect(self.cells.first).to_be_visible()
        return self

    def wait_idle(self, timeout: float = KERNEL_MS) -> None:
        """Wait until the notebook's kernel is connected and idle (the status indicator alone can say
        "idle" before the session has its kernel, and a cell run then does nothing)."""
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            state="attached", timeout=timeout
        )
        self.page.wait_for_function(KERNEL_READY, timeout=timeout, polling=100)

    def prompt(self, index: int):
        return self.cell(index).locator(".jp-InputPrompt").first

    def run_cell(self, index: int, timeout: float = KERNEL_MS) -> str:
        """Run cell ``index`` as a user does; returns its new execution count, e.g. "[3]:"."""
        cell, prompt = self.cell(index), self.prompt(index)
        before = prompt.inner_text().strip()
        prompt.click()
        # The click selects the cell in command mode; only then does Shift+Enter run it.
        expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
        expect(self.notebook).to_have_class(re.compile(r"\bjp-mod-commandMode\b"))
        self.page.keyboard.press("Shift+Enter")
        waits = [("to start", "t !== before", 10_000), ("to finish", "/\\[\\d+\\]/.test(t) && t !== before", timeout)]
        for what, condition, limit in waits:
            try:
                self.page.wait_for_function(
                    f"([el, before]) => {{ const t = el.textContent.trim(); return {condition}; }}",
                    arg=[prompt.element_handle(), before],
                    timeout=limit,
                    polling=100,
                )
            except PlaywrightError as error:
                shot = Path(os.environ.get("TMPDIR", "/tmp")) / f"ew-run-cell-{self.name}-{index}.png"
                self.page.screenshot(path=shot)
                raise AssertionError(
                    f"cell {index} of {self.name} did not {what} in {limit / 1000:.0f} s: prompt {before!r} -> "
                    f"{prompt.inner_text().strip()!r}; screenshot {shot}"
                ) from error
        self.wait_idle(timeout)
        # Read the cell's outputs from the notebook model: the hosts render a traceback as stderr text.
        raised = self.page.evaluate(CELL_ERROR, index)
        if raised:
            raise AssertionError(f"cell {index} raised {raised}")
        return prompt.inner_text().strip()

    def run_all(self) -> None:
        for index in range(self.cells.count()):
            if self.cell(index).locator(".cm-content").inner_text().strip():
                self.run_cell(index)

    def output_text(self, index: int) -> str:
        return "\n".join(self.cell(index).locator(".jp-OutputArea-output").all_inner_texts()).strip()

    def set_source(self, index: int, code: str) -> None:
        """Replace the text of cell ``index`` through its editor, as typing would (no auto-closing)."""
        editor = self.cell(index).locator(".cm-content").first
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(code)
        expect(editor).to_have_text(code.replace("\n", ""), use_inner_text=False)

    def run_code(self, code: str) -> str:
        """Type ``code`` into the last cell, run it and return its output text (a "later cell")."""
        index = self.cells.count() - 1
        if (
            self.cell(index).locator(".cm-content").inner_text().strip()
            or self.cell(index).locator(".jp-OutputArea-output").count()
        ):
            # Keep earlier outputs: write into a new cell at the end instead.
            self.page.keyboard.press("Escape")
            self.prompt(index).click()
            self.page.keyboard.press("b")  # command mode: insert a cell below
            expect(self.cells).to_have_count(index + 2)
            index += 1
        self.set_source(index, code)
        self.run_cell(index)
        return self.output_text(index)

    def kernel_json(self, expression: str):
        """The kernel's value of ``expression``, printed as JSON by a new cell and read off the page."""
        text = self.run_code(f"print(json.dumps({expression}))")
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise AssertionError(f"the kernel printed {text!r} for {expression}") from None

    def widget(self, index: int, css: str = ".ew-root"):
        """The widget root rendered in the outputs of cell ``index``."""
        return self.cell(index).locator(f".jp-OutputArea-output {css}").first

    def close(self) -> None:
        """Close the page and shut its kernel down (idempotent)."""
        if self not in OPEN:
            return
        OPEN.remove(self)
        try:
            for session in self.server.api("GET", "/api/sessions"):
                if session.get("path", "").endswith(self.name):
                    self.server.api("DELETE", f"/api/sessions/{session['id']}")
        finally:
            self.page.close()


# ---- checks -------------------------------------------------------------------------------------


def lasso_middle(page: Page, view) -> int:
    """Shift-drag a lasso round the middle of a ClusterView's map (``view``: its .ew-root); returns how many
    points the status line then says are selected (at least one)."""
    status = view.locator(".ew-status-text")
    canvas = view.locator("canvas.ew-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 200, box
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["height"] * 0.3
    ring = [(cx + r * math.cos(2 * math.pi * i / 16), cy + r * math.sin(2 * math.pi * i / 16)) for i in range(16)]
    page.mouse.move(*ring[0])
    page.keyboard.down("Shift")
    page.mouse.down()
    for point in ring[1:] + ring[:2]:  # once round and on: the release is far from the press
        page.mouse.move(*point)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(status).to_have_text(re.compile(r"· [1-9][\d,]* selected"))
    return int(re.search(r"· ([\d,]+) selected", status.inner_text()).group(1).replace(",", ""))


# Runs in the page: everything an HTML injection inside a widget would leave behind. ``wholePage``: the page is
# all ours (a saved page), so any element anywhere with an event-handler attribute counts, not just our payloads.
INJECTION_REPORT = """(wholePage) => {
  const found = [];
  const urlAttributes = [
    'href', 'src', 'xlink:href', 'action', 'formaction', 'poster', 'background', 'data', 'srcset', 'ping',
  ];
  const scriptAttributes = (el, where) => {
    const tag = el.tagName.toLowerCase();
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${where}${tag}[${attr.name}]`);
      // Browsers drop control characters and spaces before the scheme, so the check does too.
      if (urlAttributes.includes(name) && /^[\\s\\u0000-\\u001f]*javascript:/i.test(attr.value)) {
        found.push(`${where}${tag}[${attr.name}=javascript:]`);
      }
    }
  };
  const roots = Array.from(document.querySelectorAll('.ew-root'));
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (['img', 'script', 'iframe', 'object', 'embed', 'image', 'foreignobject', 'a'].includes(tag)) {
        found.push(`<${tag}> element`);
      }
      if (tag === 'svg' && !el.classList.contains('ew-plot')) found.push('stray <svg> element');
      scriptAttributes(el, '');
    }
  }
  for (const el of document.querySelectorAll('*')) {
    if (wholePage) {
      if (!roots.some((root) => root.contains(el))) scriptAttributes(el, 'page ');
      continue;
    }
    // In a host page (JupyterLab): an element anywhere carrying one of our payloads in an event handler.
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.toLowerCase().startsWith('on') && attr.value.includes('__pwned')) {
        found.push(`page ${el.tagName.toLowerCase()}[${attr.name}]`);
      }
    }
  }
  return { found, pwned: window.__pwned === undefined ? null : String(window.__pwned), roots: roots.length };
}"""


def injection_report(page: Page, *, whole_page: bool = False) -> dict:
    """What an injection left in ``page``: elements made from labels, ``on*`` attributes, ``javascript:`` URLs."""
    return page.evaluate(INJECTION_REPORT, whole_page)


def assert_not_injected(page: Page, *, whole_page: bool = False) -> None:
    """The DOM scan after a hostile run: no element made from a label, no element with an ``on*`` attribute or a
    ``javascript:`` URL (inside the widgets; anywhere with ``whole_page``), and no payload ran."""
    report = injection_report(page, whole_page=whole_page)
    assert report["roots"] > 0, "no widget on the page: nothing was checked"
    assert report["found"] == [], f"markup from labels became elements: {report['found']}"
    assert report["pwned"] is None, f"injected script ran: window.__pwned = {report['pwned']}"


def luminance(css_colour: str) -> float:
    """Relative luminance (0 black .. 1 white) of an ``rgb()``/``rgba()`` colour."""
    numbers = [float(x) for x in re.findall(r"[\d.]+", css_colour)[:3]]
    assert len(numbers) == 3, css_colour

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(x) for x in numbers)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def result_labels(locator):
    """The labels of the result rows (answers, neighbours) under ``locator``."""
    return locator.locator("li.ew-result .ew-label")


def labels_of(locator) -> list[str]:
    """The label texts of the result rows under ``locator``."""
    return [text.strip() for text in result_labels(locator).all_text_contents()]


# ---- ClusterView geometry: where a data point lands on the page --------------------------------------

# Alpha-weighted mean colour of a square around a point (CSS pixels from the canvas' top-left corner).
REGION = """(canvas, [x, y, r]) => {
  const s = canvas.width / canvas.clientWidth;
  const side = Math.round(2 * r * s);
  const d = canvas.getContext('2d').getImageData(Math.round((x - r) * s), Math.round((y - r) * s), side, side).data;
  const sum = [0, 0, 0];
  let weight = 0;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    sum[0] += a * d[i]; sum[1] += a * d[i + 1]; sum[2] += a * d[i + 2]; weight += a;
  }
  return sum.map((v) => v / Math.max(weight, 1e-9));
}"""
CAMERA_DISTANCE = 1.08  # ClusterView's initial zoom (cluster/scatter.ts: cameraDistance); [-1, 1]² fits in it


def cluster_view(nb, widget: int):
    return nb.widget(widget, ".ew-root.ew-cluster")


def canvas_box(view) -> dict:
    canvas = view.locator("canvas.ew-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, box
    return box


def to_screen(box: dict, x: float, y: float) -> tuple[float, float]:
    """Page position of a normalised point in the initial view (the inverse of regl-scatterplot's camera)."""
    aspect = box["width"] / box["height"]
    ndc_x, ndc_y = x / (CAMERA_DISTANCE * aspect), y / CAMERA_DISTANCE
    return box["x"] + box["width"] * (ndc_x + 1) / 2, box["y"] + box["height"] * (1 - ndc_y) / 2


def to_data(box: dict, sx: float, sy: float) -> tuple[float, float]:
    aspect = box["width"] / box["height"]
    ndc_x, ndc_y = 2 * (sx - box["x"]) / box["width"] - 1, 1 - 2 * (sy - box["y"]) / box["height"]
    return ndc_x * CAMERA_DISTANCE * aspect, ndc_y * CAMERA_DISTANCE

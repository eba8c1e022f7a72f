"""Any anywidget host: each widget in a plain page served here, with only anywidget's model API between the view
and Python (plain_host/host.js: get, set, on, off, save_changes, send), no JupyterLab, no extension and no widget
manager, each view inside a shadow root. That is all VS Code and Colab give a widget module, so what works here
needs nothing more from them. Interaction in the page must reach the widget objects in this process."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
from pathlib import Path

import pytest
import tornado.ioloop
import tornado.web
import tornado.websocket
from ewbrowser import expect, free_port, lasso_middle
from ipywidgets.widgets.widget import _remove_buffers

import embedwidgets as ew

HOST = Path(__file__).resolve().parent / "plain_host"
PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>plain host</title></head><body>' + (
    '<script type="module" src="/host.js"></script></body></html>'
)


class SocketComm:
    """Stands in for a kernel comm: what the widget sends goes to the page over the socket."""

    kernel = "plain host"  # ipywidgets sends nothing over a comm without a kernel

    def __init__(self, bridge: Bridge, comm_id: str) -> None:
        self.bridge, self.comm_id = bridge, comm_id
        self.callback = None

    def send(self, data=None, metadata=None, buffers=None) -> None:
        self.bridge.push({"id": self.comm_id, "data": data, "buffers": [_b64(b) for b in buffers or []]})

    def on_msg(self, callback) -> None:
        self.callback = callback

    def close(self, *args, **kwargs) -> None:
        pass


class Bridge:
    """The widgets of one page and its socket; the page's messages are applied on the server's loop."""

    def __init__(self) -> None:
        self.widgets: dict[str, tuple[str, object]] = {}
        self.sockets: list[tornado.websocket.WebSocketHandler] = []
        self.loop: tornado.ioloop.IOLoop | None = None

    def add(self, name: str, widget) -> None:
        comm_id = widget.model_id
        widget.comm = SocketComm(self, comm_id)
        self.widgets[comm_id] = (name, widget)

    def push(self, message: dict) -> None:
        # Widgets send from any thread (ClusterView's background jobs): write on the server's loop.
        text = json.dumps(message)
        for socket in list(self.sockets):
            self.loop.add_callback(socket.write_message, text)

    def opened(self, socket) -> None:
        self.sockets.append(socket)
        for comm_id, (name, widget) in self.widgets.items():
            state, paths, buffers = _remove_buffers(widget.get_state())
            socket.write_message(
                json.dumps(
                    {
                        "method": "open",
                        "id": comm_id,
                        "name": name,
                        "state": state,
                        "buffer_paths": paths,
                        "buffers": [_b64(b) for b in buffers],
                        # The module's text, as anywidget hosts get it (they import it from a blob URL).
                        "esm": widget._esm,
                        "css": widget._css,
                    }
                )
            )

    def received(self, text: str) -> None:
        message = json.loads(text)
        _, widget = self.widgets[message["id"]]
        data = {"method": message["method"]}
        buffers = [memoryview(base64.b64decode(b)) for b in message.get("buffers", [])]
        if message["method"] == "update":
            data.update(state=message["state"], buffer_paths=message.get("buffer_paths", []))
        else:
            data["content"] = message["content"]
        widget.comm.callback({"content": {"data": data}, "buffers": buffers})


def _b64(buffer) -> str:
    return base64.b64encode(bytes(buffer)).decode("ascii")


class Socket(tornado.websocket.WebSocketHandler):
    def initialize(self, bridge: Bridge) -> None:
        self.bridge = bridge

    def open(self) -> None:
        self.bridge.opened(self)

    def on_message(self, message) -> None:
        self.bridge.received(message)

    def on_close(self) -> None:
        self.bridge.sockets.remove(self)


class Page(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write(PAGE)


@pytest.fixture(scope="module")
def bridge(glove):
    bridge = Bridge()
    bridge.add("analogy", ew.AnalogyExplorer(glove, k=5))
    bridge.add("neighbors", ew.NeighborBrowser(glove, query="frog", k=5))
    bridge.add("cluster", ew.ClusterView(glove.head(2000), projection="pca", k=4, height=420))
    bridge.add("similarity", ew.SimilarityMatrix(glove, labels=["king", "queen", "apple", "pear", "car"]))
    lesson = ew.datasets.articles()
    bridge.add("search", ew.SearchCompare(lesson, encoder=ew.minilm(), query="cheap flights", k=3))
    return bridge


@pytest.fixture(scope="module")
def plain_url(bridge):
    port = free_port()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application(
            [
                (r"/", Page),
                (r"/ws", Socket, {"bridge": bridge}),
                (r"/(host\.js)", tornado.web.StaticFileHandler, {"path": str(HOST)}),
            ]
        )
        app.listen(port, address="127.0.0.1")
        bridge.loop = tornado.ioloop.IOLoop.current()
        ready.set()
        bridge.loop.start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield f"http://127.0.0.1:{port}/"
    bridge.loop.add_callback(bridge.loop.stop)
    thread.join(10)


@pytest.fixture(scope="module")
def page(plain_url, context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(plain_url)
    page.errors = errors
    for name in ("analogy", "neighbors", "cluster", "similarity", "search"):
        expect(page.locator(f"section[data-widget={name}][data-rendered=true]")).to_be_attached()
    yield page
    page.close()


def widget_view(page, name: str):
    return page.locator(f"section[data-widget={name}] .ew-root").first


def eventually(check, what: str, timeout: float = 20.0) -> None:
    """Wait until ``check()`` holds in this process, where the page's messages land (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"Python never saw {what}"
        time.sleep(0.05)


def python(bridge, name: str):
    return next(widget for label, widget in bridge.widgets.values() if label == name)


def test_every_widget_draws_with_no_jupyterlab_and_no_pin_button(page):
    assert page.evaluate("() => typeof window.jupyterapp") == "undefined"
    for name in ("analogy", "neighbors", "similarity", "search"):
        expect(widget_view(page, name)).to_be_visible()
    expect(widget_view(page, "analogy").locator(".ew-result").first).to_contain_text("queen")
    expect(widget_view(page, "search").locator(".ew-hit").first).to_be_visible()
    expect(page.locator(".ew-pin")).to_have_count(0)  # nowhere to pin without the extension
    assert page.errors == []


def test_typing_and_clicking_reach_python(page, bridge):
    view = widget_view(page, "neighbors")
    query = view.locator("input.ew-query")
    query.click()
    query.fill("")
    query.press_sequentially("oce", delay=40)
    expect(view.locator(".ew-option").first).to_be_visible()  # suggestions, with the focus in a shadow root
    query.fill("ocean")
    query.press("Enter")
    expect(view.locator(".ew-result .ew-label").first).to_have_text("sea")
    browser = python(bridge, "neighbors")
    assert browser.query == "ocean" and browser.results.label.iloc[0] == "sea"
    view.locator(".ew-result .ew-label", has_text="sea").first.click()
    expect(query).to_have_value("sea")
    assert browser.history[-2:] == ["ocean", "sea"]

    analogy = widget_view(page, "analogy")
    word_c = analogy.get_by_role("combobox", name="word c")
    word_c.fill("wooman")
    word_c.press("Enter")
    expect(analogy.locator(".ew-error")).to_contain_text("wooman")  # inline, and the widget keeps working
    word_c.fill("girl")
    word_c.press("Enter")
    expect(analogy.locator(".ew-error")).to_be_hidden()
    explorer = python(bridge, "analogy")
    assert explorer.c == "girl" and explorer.results.label.tolist()[:2] == ["queen", "princess"]

    search = widget_view(page, "search")
    box = search.get_by_role("searchbox", name="Search query")
    box.fill("heart attack warning signs")
    box.press("Enter")
    compare = python(bridge, "search")
    eventually(
        lambda: compare.semantic_results.title.str.contains("heart attack", case=False).any(), "the new query's results"
    )
    assert compare.query == "heart attack warning signs"
    expect(search.locator(".ew-hit").first).to_contain_text("eart")

    matrix = widget_view(page, "similarity")
    # The matrix arrives as a binary array: the keyboard readout gives the cosine that Python computed.
    heatmap = matrix.locator(".ew-heatmap")
    heatmap.focus()
    heatmap.press("ArrowRight")
    similarity = python(bridge, "similarity")
    first, second = similarity._labels[0], similarity._labels[1]
    cosine = float(similarity._values[0, 1])
    expect(matrix.locator(".ew-readout")).to_have_text(f"{first} ↔ {second}: {cosine:.4f}")
    buttons = matrix.locator("button[data-order]")
    other = next(b for b in buttons.all() if b.get_attribute("aria-pressed") == "false")
    order = other.get_attribute("data-order")
    other.click()
    expect(other).to_have_attribute("aria-pressed", "true")
    eventually(lambda: python(bridge, "similarity").order == order, f"order={order!r}")
    assert page.errors == []


def test_a_lasso_selects_rows_in_python(page, bridge):
    view = widget_view(page, "cluster")
    status = view.locator(".ew-status-text")
    expect(status).to_have_text(re.compile(r"^2,000 points · 0 selected"))
    count = lasso_middle(page, view)
    cluster = python(bridge, "cluster")
    eventually(lambda: len(cluster.selected) == count, f"{count} selected rows")
    assert len(cluster.selection_df()) == count

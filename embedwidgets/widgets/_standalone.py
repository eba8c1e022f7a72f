"""Any widget as one standalone HTML file, drawn by the same bundled view code as in the notebook.

The page holds three things: the data, as JSON in a ``<script type="application/json">`` element (which never
runs); the bundled ``standalone.js`` (built from ``js/src/standalone.ts``: every widget's view, drawn through a
small in-page model instead of a kernel); and the bundled ``standalone.css``. No kernel and no network: a
content-security policy forbids every fetch and runs only the page's own script, and the views put every string
in the DOM as text.

Most widgets save a read-only snapshot of their synced state (:func:`snapshot`): the view draws exactly what the
notebook shows, and whatever would ask the kernel says it is offline. ClusterView saves its own compact form
(``cluster/page.py``), which also carries the tooltips.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from ._arrays import as_wire_array
from ._requests import STATIC

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<script type="application/json" id="ew-data">{data}</script>
<main id="ew-page" class="ew-saved-page"></main>
<script>{script}</script>
</body>
</html>
"""

# Synced traits that are the host's business, not the view's: the module source, the model names, the layout.
_HOST_TRAITS = ("_esm", "_css", "_anywidget_id", "_dom_classes", "layout", "tabbable", "tooltip")


def csp(script: str, style: str, *, webgl: bool) -> str:
    """The page's policy: nothing may be fetched, framed, posted or loaded (default-src 'none'); only the page's
    own script and style apply (their hashes), so markup that slipped in could not run. regl builds its shaders
    with generated code, so a page with a map also needs 'unsafe-eval'."""
    eval_ok = " 'unsafe-eval'" if webgl else ""
    return f"default-src 'none'; script-src {_hash(script)}{eval_ok}; style-src {_hash(style)}"


def page_html(payload: dict, *, title: str) -> str:
    """The page as a string, around ``payload`` (what ``js/src/standalone.ts`` draws)."""
    data = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # Inside <script type="application/json"> nothing runs, but "</script>" would end the element: escape the
    # characters that HTML parsing could act on. JSON.parse turns them back into the same text.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script, style = _bundle("standalone.js"), _bundle("standalone.css")
    if "</script" in script.lower() or "</style" in style.lower():
        raise RuntimeError("the bundled page code would end its own element; rebuild it (cd js && node build.mjs).")
    policy = csp(script, style, webgl=_has_map(payload))
    return PAGE.format(csp=policy, title=html.escape(title), style=style, data=data, script=script)


def write_page(path: str | Path, payload: dict, *, title: str) -> Path:
    target = Path(path)
    target.write_text(page_html(payload, title=title), encoding="utf-8")
    return target


class SavedPage:
    """``save_html`` for a widget: its :meth:`_page_payload` (by default a snapshot of its synced state)."""

    def save_html(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write one standalone HTML page (no kernel, no network) showing the widget as it is now.

        >>> ew.AnalogyExplorer(ew.glove(), a="man", b="king", c="woman").save_html("analogy.html")  # doctest: +SKIP

        The page is drawn by the widget's own view code; what would need the Python kernel (a new query,
        suggestions) says that the page is offline. Every string goes into the page as text.
        """
        shown = title if title is not None else (getattr(self, "title", "") or type(self).__name__)
        return write_page(path, self._page_payload(title), title=shown)

    def _page_payload(self, title: str | None) -> dict:
        payload = snapshot(self)
        if title is not None:
            payload["state"]["title"] = title
        return payload


def snapshot(widget: Any) -> dict:
    """A widget's synced state as the page's model holds it: ``{"kind": "widget", "module", "state",
    "children"}``. ``module`` names the view (the widget's bundled module); arrays become base64 wire values;
    child widgets (the explorer's tabs) are snapshots too, keyed by their model id as the references name them."""
    children: dict[str, dict] = {}
    state = _state(widget, children)
    return {"kind": "widget", "module": _module(widget), "state": state, "children": children}


def _state(widget: Any, children: dict[str, dict]) -> dict:
    keys = [k for k in widget.keys if k not in _HOST_TRAITS and not k.startswith(("_model_", "_view_"))]
    for value in (getattr(widget, k) for k in keys):
        for child in value if isinstance(value, list | tuple) else [value]:
            if isinstance(child, SavedPage) and child.model_id not in children:
                children[child.model_id] = {"module": _module(child), "state": _state(child, children)}
    return {k: _plain(v) for k, v in widget.get_state(keys).items()}


def _module(widget: Any) -> str:
    """The view that draws ``widget``: its bundled module's name (analogy.js -> "analogy")."""
    for klass in type(widget).__mro__:  # anywidget keeps the class's file (a Path, or FileContents around one)
        source = vars(klass).get("_esm")
        path = getattr(source, "_path", source)
        if isinstance(path, Path):
            return path.stem
    raise TypeError(f"{type(widget).__name__} has no bundled view to save.")


def _plain(value: Any) -> Any:
    """A serialised trait value with its binary buffers as base64 (the page is text)."""
    if isinstance(value, memoryview | bytes):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def wire(array: np.ndarray) -> dict:
    """An array as the view's self-describing value, with the bytes in base64 (the page is text)."""
    array = as_wire_array(array)
    return {"dtype": array.dtype.name, "shape": list(array.shape), "buffer": base64.b64encode(array.tobytes()).decode()}


def _has_map(payload: dict) -> bool:
    return payload.get("kind") == "cluster" or any(_has_map(item) for item in payload.get("items", []))


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _bundle(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build the front end (cd js && npm ci && node build.mjs).")
    return path.read_text(encoding="utf-8")

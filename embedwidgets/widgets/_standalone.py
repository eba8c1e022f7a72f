"""A ClusterView as one standalone HTML file, drawn by the same bundled view code as the widget.

The page holds three things: the data, as JSON in a ``<script type="application/json">`` element (which never
runs); the bundled ``standalone.js`` (built from ``js/src/standalone.ts``, which renders the ClusterView parts
of ``js/src/cluster/`` through a small in-page model); and the bundled ``standalone.css``. No kernel and no
network: a content-security policy forbids every fetch, and the view puts every string in the DOM as text.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._arrays import as_wire_array
from ._base import STATIC
from .cluster.colors import clip, display_text

LABEL_CHARS = 500
FIELD_CHARS = 300

# Scripts may run only inline (regl builds its shaders with generated code, hence 'unsafe-eval'); nothing may be
# fetched, framed, posted or loaded: default-src 'none' covers connections, images, fonts, workers and the rest.
CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'"

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


def standalone_html(
    *,
    title: str,
    xy: np.ndarray,
    values: np.ndarray,
    legend: dict,
    labels: Sequence[str],
    metadata: pd.DataFrame,
    cluster_labels: list[dict],
    point_size: float,
    opacity: float,
) -> str:
    """The page as a string. ``xy`` is (n × 2) in [-1, 1]; ``values`` and ``legend`` as the widget sends them."""
    n = len(xy)
    values = np.asarray(values)
    payload = {
        "title": title,
        "n": n,
        "xy": _wire(np.asarray(xy, dtype=np.float32).reshape(n, 2)),
        "values": _wire(values) if len(values) == n else None,
        "legend": legend,
        "labels": [clip(label, LABEL_CHARS) for label in labels],
        "columns": [str(c) for c in metadata.columns],
        "fields": [[_field(v) for v in metadata[c].tolist()] for c in metadata.columns],
        "clusters": cluster_labels,
        "pointSize": float(point_size),
        "opacity": float(opacity),
    }
    data = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # Inside <script type="application/json"> nothing runs, but "</script>" would end the element: escape the
    # characters that HTML parsing could act on. JSON.parse turns them back into the same text.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script, style = _bundle("standalone.js"), _bundle("standalone.css")
    if "</script" in script.lower() or "</style" in style.lower():
        raise RuntimeError("the bundled page code would end its own element; rebuild it (cd js && node build.mjs).")
    return PAGE.format(csp=CSP, title=html.escape(title), style=style, data=data, script=script)


def _bundle(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build the front end (cd js && npm ci && node build.mjs).")
    return path.read_text(encoding="utf-8")


def _wire(array: np.ndarray) -> dict:
    """An array as the view's self-describing value, with the bytes in base64 (the page is text)."""
    array = as_wire_array(array)
    return {"dtype": array.dtype.name, "shape": list(array.shape), "buffer": base64.b64encode(array.tobytes()).decode()}


def _field(value: object) -> str:
    return "" if value is None else clip(display_text(value), FIELD_CHARS)

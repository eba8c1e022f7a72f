"""A ClusterView as one standalone HTML file: the data as JSON in a non-executed script element, and a small
canvas-2D renderer of our own (pan, zoom, tooltips, legend, cluster labels). No kernel, no network: a content
security policy forbids every fetch, and the page builds its DOM with textContent only."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .cluster.colors import clip as _clip

LABEL_CHARS = 500
FIELD_CHARS = 300


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
    columns = [str(c) for c in metadata.columns]
    fields = [[_field(v) for v in metadata[c].tolist()] for c in metadata.columns]
    dtype = {"uint8": "<u1", "int32": "<i4", "float32": "<f4"}.get(legend.get("dtype", "uint8"), "<u1")
    payload = {
        "title": title,
        "n": n,
        "xy": _b64(np.asarray(xy, dtype="<f4")),
        "values": _b64(np.asarray(values, dtype=dtype)) if len(values) == n else "",
        "legend": legend,
        "labels": [_clip(label, LABEL_CHARS) for label in labels],
        "columns": columns,
        "fields": fields,
        "clusters": cluster_labels,
        "pointSize": float(point_size),
        "opacity": float(opacity),
    }
    data = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # Inside <script type="application/json"> nothing runs, but "</script>" would end the element: escape the
    # characters that HTML parsing could act on. JSON.parse turns them back into the same text.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        PAGE.replace("@@TITLE@@", html.escape(title))
        .replace("@@STYLE@@", STYLE)
        .replace("@@SCRIPT@@", SCRIPT)
        .replace("@@DATA@@", data)
    )


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _field(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}"
    return _clip(value, FIELD_CHARS)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>@@STYLE@@</style>
</head>
<body>
<script type="application/json" id="ew-data">@@DATA@@</script>
<main id="ew-page"></main>
<script>@@SCRIPT@@</script>
</body>
</html>
"""

STYLE = """
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --alt: #f3f4f6; --border: #c9ced6; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e6e6; --muted: #a0a6ad; --bg: #1e1f22; --alt: #2b2d31; --border: #4a4d52; }
}
body { margin: 0; font: 13px system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { padding: 12px 16px; }
h1 { font-size: 16px; margin: 0 0 4px; }
.note { color: var(--muted); margin: 0 0 8px; }
.layout { display: flex; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
.plot { position: relative; flex: 1 1 480px; min-width: 280px; border: 1px solid var(--border); border-radius: 4px;
  overflow: hidden; }
.plot canvas { display: block; width: 100%; cursor: grab; }
.plot canvas:focus-visible { outline: 2px solid #1976d2; outline-offset: -2px; }
.tooltip { position: absolute; pointer-events: none; max-width: 320px; background: var(--bg); color: var(--fg);
  border: 1px solid var(--border); border-radius: 4px; padding: 4px 6px; box-shadow: 0 2px 6px rgba(0,0,0,.25);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.tooltip .label { font-weight: 600; }
.tooltip .field { color: var(--muted); }
.legend { flex: 0 1 240px; max-height: 640px; overflow: auto; }
.legend h2 { font-size: 13px; margin: 0 0 4px; }
.legend ul { list-style: none; margin: 0; padding: 0; }
.legend li { display: flex; gap: 6px; align-items: center; padding: 1px 0; }
.legend .swatch { width: 10px; height: 10px; border-radius: 50%; flex: none; }
.legend .count { color: var(--muted); margin-left: auto; font-variant-numeric: tabular-nums; }
.legend .ramp { display: block; width: 200px; height: 12px; }
.legend .ends { display: flex; justify-content: space-between; width: 200px; color: var(--muted); }
.buttons { display: flex; gap: 4px; margin: 0 0 6px; }
button { font: inherit; color: var(--fg); background: var(--alt); border: 1px solid var(--border); border-radius: 4px;
  padding: 2px 8px; cursor: pointer; }
"""

# The renderer: plain ES2015, no libraries. Every data string is set with textContent or drawn with fillText.
SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ew-data").textContent);
  var page = document.getElementById("ew-page");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function decode(text, Type) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  var n = data.n;
  var xy = decode(data.xy, Float32Array);
  var legend = data.legend || {};
  var palette = legend.colors && legend.colors.length ? legend.colors : ["#4a7fc1"];
  var Types = { uint8: Uint8Array, int32: Int32Array, float32: Float32Array };
  var values = data.values ? decode(data.values, Types[legend.dtype] || Uint8Array) : null;
  var continuous = legend.kind === "continuous";

  // Colour of each point as an index into the palette, then points grouped by colour (a counting sort).
  var colourOf = new Uint16Array(n);
  for (var i = 0; i < n; i++) {
    var c = 0;
    if (values) c = continuous ? Math.round(values[i] * (palette.length - 1)) : values[i];
    colourOf[i] = c >= 0 && c < palette.length ? c : 0;
  }
  var starts = new Uint32Array(palette.length + 1);
  for (i = 0; i < n; i++) starts[colourOf[i] + 1]++;
  for (i = 0; i < palette.length; i++) starts[i + 1] += starts[i];
  var order = new Uint32Array(n), fill = starts.slice(0, palette.length);
  for (i = 0; i < n; i++) order[fill[colourOf[i]]++] = i;

  // A uniform grid over [-1, 1]² for hover lookups.
  var G = 256, cellStart = new Uint32Array(G * G + 1), cellRows = new Uint32Array(n);
  function cellOf(v) { var c = Math.floor((v + 1) / 2 * G); return c < 0 ? 0 : c >= G ? G - 1 : c; }
  for (i = 0; i < n; i++) cellStart[cellOf(xy[2 * i + 1]) * G + cellOf(xy[2 * i]) + 1]++;
  for (i = 0; i < G * G; i++) cellStart[i + 1] += cellStart[i];
  var cellFill = cellStart.slice(0, G * G);
  for (i = 0; i < n; i++) cellRows[cellFill[cellOf(xy[2 * i + 1]) * G + cellOf(xy[2 * i])]++] = i;

  // ---- page ----
  page.appendChild(el("h1", "", data.title || "Embedding map"));
  page.appendChild(el("p", "note", n.toLocaleString() +
    " points. Drag to pan, scroll to zoom, hover a point for its text; " +
    "arrow keys, + and − work when the map has the focus."));
  var buttons = el("div", "buttons");
  var reset = el("button", "", "Reset view"); reset.type = "button";
  var zoomIn = el("button", "", "+"); zoomIn.type = "button"; zoomIn.setAttribute("aria-label", "Zoom in");
  var zoomOut = el("button", "", "−"); zoomOut.type = "button"; zoomOut.setAttribute("aria-label", "Zoom out");
  buttons.appendChild(reset); buttons.appendChild(zoomIn); buttons.appendChild(zoomOut);
  page.appendChild(buttons);
  var layout = el("div", "layout");
  var plot = el("div", "plot");
  var canvas = el("canvas");
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "Map of " + n + " points");
  var tip = el("div", "tooltip"); tip.hidden = true;
  plot.appendChild(canvas); plot.appendChild(tip);
  layout.appendChild(plot);
  layout.appendChild(buildLegend());
  page.appendChild(layout);

  function buildLegend() {
    var box = el("aside", "legend");
    box.setAttribute("aria-label", "Legend");
    box.appendChild(el("h2", "", legend.title || ""));
    if (continuous) {
      var bar = el("canvas", "ramp"); bar.width = 200; bar.height = 12;
      var g = bar.getContext("2d");
      for (var j = 0; j < 200; j++) {
        g.fillStyle = palette[Math.round(j / 199 * (palette.length - 1))];
        g.fillRect(j, 0, 1, 12);
      }
      var ends = el("div", "ends");
      ends.appendChild(el("span", "", fmt(legend.min))); ends.appendChild(el("span", "", fmt(legend.max)));
      box.appendChild(bar); box.appendChild(ends);
    } else {
      var list = el("ul");
      (legend.items || []).forEach(function (item) {
        var row = el("li"), swatch = el("span", "swatch");
        swatch.style.backgroundColor = item.color;
        row.appendChild(swatch); row.appendChild(el("span", "", item.label));
        row.appendChild(el("span", "count", Number(item.count).toLocaleString()));
        list.appendChild(row);
      });
      box.appendChild(list);
      if (legend.more) box.appendChild(el("p", "note", "… and " + legend.more + " more"));
    }
    if (legend.note) box.appendChild(el("p", "note", legend.note));
    return box;
  }
  function fmt(v) { return typeof v === "number" ? Number(v.toPrecision(4)).toString() : ""; }

  // ---- view: data [-1, 1] → CSS pixels ----
  var width = 0, height = 0, dpr = 1, zoom = 1, panX = 0, panY = 0, pending = false;
  function base() { return Math.min(width, height) / 2 * 0.95; }
  function toScreenX(x) { return width / 2 + x * base() * zoom + panX; }
  function toScreenY(y) { return height / 2 - y * base() * zoom + panY; }
  function resize() {
    width = plot.clientWidth || 600;
    height = Math.max(240, Math.min(640, Math.round(window.innerHeight * 0.7)));
    dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
    canvas.style.height = height + "px";
    redraw();
  }
  function redraw() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  }
  function draw() {
    pending = false;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var size = Math.max(0.5, data.pointSize * Math.max(1, Math.sqrt(zoom)));
    var half = size / 2, round = n <= 20000;
    ctx.globalAlpha = data.opacity;
    for (var c = 0; c < palette.length; c++) {
      if (starts[c] === starts[c + 1]) continue;
      ctx.fillStyle = palette[c];
      if (round) ctx.beginPath();
      for (var k = starts[c]; k < starts[c + 1]; k++) {
        var p = order[k], sx = toScreenX(xy[2 * p]), sy = toScreenY(xy[2 * p + 1]);
        if (sx < -size || sy < -size || sx > width + size || sy > height + size) continue;
        if (round) { ctx.moveTo(sx + half, sy); ctx.arc(sx, sy, half, 0, 6.2832); }
        else ctx.fillRect(sx - half, sy - half, size, size);
      }
      if (round) ctx.fill();
    }
    ctx.globalAlpha = 1;
    var style = getComputedStyle(document.body);
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = style.backgroundColor || "#ffffff";
    ctx.fillStyle = style.color || "#1f2328";
    (data.clusters || []).forEach(function (label) {
      var x = toScreenX(label.x), y = toScreenY(label.y);
      ctx.strokeText(label.text, x, y);
      ctx.fillText(label.text, x, y);
    });
  }

  // ---- hover ----
  function nearest(mx, my) {
    var scale = base() * zoom, dx = (mx - width / 2 - panX) / scale, dy = -(my - height / 2 - panY) / scale;
    var radius = Math.max(5, data.pointSize) / scale, best = -1, bestD = radius * radius;
    var x0 = cellOf(dx - radius), x1 = cellOf(dx + radius), y0 = cellOf(dy - radius), y1 = cellOf(dy + radius);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > 4096) return -1;
    for (var cy = y0; cy <= y1; cy++) for (var cx = x0; cx <= x1; cx++) {
      var cell = cy * G + cx;
      for (var k = cellStart[cell]; k < cellStart[cell + 1]; k++) {
        var p = cellRows[k], ex = xy[2 * p] - dx, ey = xy[2 * p + 1] - dy, d = ex * ex + ey * ey;
        if (d <= bestD) { bestD = d; best = p; }
      }
    }
    return best;
  }
  function showTip(p, mx, my) {
    if (p < 0) { tip.hidden = true; return; }
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    tip.appendChild(el("div", "label", data.labels[p]));
    for (var c = 0; c < data.columns.length; c++) {
      tip.appendChild(el("div", "field", data.columns[c] + ": " + data.fields[c][p]));
    }
    tip.hidden = false;
    tip.style.left = Math.min(mx + 12, Math.max(0, width - 330)) + "px";
    tip.style.top = (my + 12) + "px";
  }

  // ---- navigation ----
  var dragging = null;
  function zoomAt(factor, mx, my) {
    var next = Math.max(0.2, Math.min(2000, zoom * factor));
    factor = next / zoom;
    panX = (panX - (mx - width / 2)) * factor + (mx - width / 2);
    panY = (panY - (my - height / 2)) * factor + (my - height / 2);
    zoom = next;
    redraw();
  }
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  canvas.addEventListener("mousedown", function (event) {
    dragging = { x: event.clientX, y: event.clientY, panX: panX, panY: panY };
    canvas.style.cursor = "grabbing";
  });
  window.addEventListener("mouseup", function () { dragging = null; canvas.style.cursor = "grab"; });
  window.addEventListener("mousemove", function (event) {
    var box = canvas.getBoundingClientRect(), mx = event.clientX - box.left, my = event.clientY - box.top;
    if (dragging) {
      panX = dragging.panX + event.clientX - dragging.x;
      panY = dragging.panY + event.clientY - dragging.y;
      tip.hidden = true;
      redraw();
    } else if (mx >= 0 && my >= 0 && mx <= width && my <= height) {
      showTip(nearest(mx, my), mx, my);
    } else {
      tip.hidden = true;
    }
  });
  canvas.addEventListener("mouseleave", function () { tip.hidden = true; });
  function resetView() { zoom = 1; panX = 0; panY = 0; redraw(); }
  reset.addEventListener("click", resetView);
  zoomIn.addEventListener("click", function () { zoomAt(1.5, width / 2, height / 2); });
  zoomOut.addEventListener("click", function () { zoomAt(1 / 1.5, width / 2, height / 2); });
  canvas.addEventListener("keydown", function (event) {
    var step = 40, handled = true;
    if (event.key === "ArrowLeft") panX += step;
    else if (event.key === "ArrowRight") panX -= step;
    else if (event.key === "ArrowUp") panY += step;
    else if (event.key === "ArrowDown") panY -= step;
    else if (event.key === "+" || event.key === "=") zoomAt(1.25, width / 2, height / 2);
    else if (event.key === "-" || event.key === "_") zoomAt(0.8, width / 2, height / 2);
    else if (event.key === "0") resetView();
    else handled = false;
    if (handled) { event.preventDefault(); redraw(); }
  });
  window.addEventListener("resize", resize);
  resize();
})();
"""

// ClusterView: every point of an embedding set drawn with WebGL (regl-scatterplot), coloured by the values
// Python computes, with keyword labels over the clusters, hover tooltips, lasso/click selection synced to the
// `selected` trait, search highlights, and PNG/SVG export. Python does the maths; this file only draws.
import type { AnyModel, RenderProps } from "@anywidget/types";
import createScatterplot, { createRenderer } from "regl-scatterplot";
import "./styles.css";
import "./cluster.css";
import {
  asFloat32,
  asInt32,
  Autocomplete,
  clear,
  connect,
  h,
  hasFocus,
  isolateKeys,
  listen,
  showError,
  svg,
  toolbar,
  uniqueId,
  widgetModule,
} from "./base";

type LegendItem = { value: number; label: string; color: string; count: number };
type Legend = {
  title?: string;
  kind?: "categorical" | "continuous" | "none";
  dtype?: "uint8" | "int32" | "float32";
  colors?: string[];
  items?: LegendItem[];
  more?: number;
  note?: string;
  min?: number;
  max?: number;
};
type ClusterLabel = { cluster: number; x: number; y: number; text: string; size: number; color: string };
type PointInfo = { index: number; label: string; fields: [string, string][] };
type Progress = { kind: string; fraction: number; message: string; jobs: number } | null;
type Values = Uint8Array | Int32Array | Float32Array;

const PLAIN = "#4a7fc1";
const HOVER_CACHE = 256;

// One WebGL context for every ClusterView on the page: browsers allow only a few contexts at once.
let sharedRenderer: ReturnType<typeof createRenderer> | null = null;
function renderer(): ReturnType<typeof createRenderer> {
  if (!sharedRenderer || sharedRenderer.isDestroyed) sharedRenderer = createRenderer();
  return sharedRenderer;
}

/** Any CSS colour (a theme variable's value) as #rrggbb, via the canvas' own colour parser. */
function cssColor(value: string, fallback: string): string {
  const context = document.createElement("canvas").getContext("2d");
  if (!context || !value.trim()) return fallback;
  context.fillStyle = fallback;
  context.fillStyle = value.trim();
  const parsed = String(context.fillStyle);
  return parsed.startsWith("#") ? parsed : fallback;
}

function decodeValues(buffer: DataView | null | undefined, dtype: string | undefined): Values | null {
  if (!buffer || buffer.byteLength === 0) return null;
  if (dtype === "float32") return asFloat32(buffer);
  if (dtype === "int32") return asInt32(buffer);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function sameRows(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function render({ model, el }: RenderProps): () => void {
  const m = model as AnyModel;
  const [requester, disconnect] = connect(m);
  const root = h("div", { class: "ew-root ew-cluster", attrs: { role: "group", "aria-label": "Cluster view" } });
  isolateKeys(root);
  const set = (changes: Record<string, unknown>) => requester.request("set", changes);

  // ---- controls ---------------------------------------------------------------------------------
  const title = h("div", { class: "ew-title" });
  let findTimer: ReturnType<typeof setTimeout> | undefined;
  const find = h("input", {
    class: "ew-input ew-find",
    attrs: { type: "search", "aria-label": "Highlight points whose label contains this text", placeholder: "find text…" },
    on: {
      input: () => {
        clearTimeout(findTimer);
        findTimer = setTimeout(() => set({ search: find.value }), 350);
      },
      keydown: (event: KeyboardEvent) => {
        if (event.key === "Enter") {
          event.preventDefault();
          clearTimeout(findTimer);
          set({ search: find.value });
        }
      },
    },
  });
  const query = new Autocomplete("Highlight the points nearest to a label or a text", requester, (value) => set({ query: value.trim() }));
  query.input.classList.add("ew-query");
  query.input.setAttribute("placeholder", "nearest to…");
  const queryK = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: 10000, "aria-label": "How many nearest points to highlight" },
    on: { change: () => set({ query_k: Number(queryK.value) }) },
  });
  const projection = h("select", {
    class: "ew-select",
    attrs: { "aria-label": "Projection" },
    on: { change: () => set({ projection: projection.value }) },
  });
  const k = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: 256, "aria-label": "Number of clusters" },
    on: { change: () => set({ k: Number(k.value) }) },
  });
  const method = h("select", {
    class: "ew-select",
    attrs: { "aria-label": "Clustering method" },
    on: { change: () => set({ cluster_method: method.value }) },
  }, [h("option", { text: "k-means", attrs: { value: "kmeans" } }), h("option", { text: "HDBSCAN", attrs: { value: "hdbscan" } })]);
  const colorBy = h("select", {
    class: "ew-select ew-color-by",
    attrs: { "aria-label": "Colour points by" },
    on: { change: () => set({ color_by: colorBy.value }) },
  });
  const labelsBox = h("input", {
    attrs: { type: "checkbox", "aria-label": "Show cluster labels" },
    on: { change: () => set({ labels: labelsBox.checked }) },
  });
  const size = h("input", {
    class: "ew-range",
    attrs: { type: "range", min: 0.5, max: 20, step: 0.5, "aria-label": "Point size" },
    on: {
      input: () => {
        applyStyle(Number(size.value), Number(opacity.value));
        set({ point_size: Number(size.value) });
      },
    },
  });
  const opacity = h("input", {
    class: "ew-range",
    attrs: { type: "range", min: 0.05, max: 1, step: 0.05, "aria-label": "Point opacity" },
    on: {
      input: () => {
        applyStyle(Number(size.value), Number(opacity.value));
        set({ opacity: Number(opacity.value) });
      },
    },
  });
  const lasso = h("button", {
    class: "ew-button ew-lasso",
    text: "Lasso",
    attrs: { type: "button", "aria-pressed": "false", title: "Drag to draw a lasso (or hold Shift while dragging)" },
    on: {
      click: () => {
        const on = lasso.getAttribute("aria-pressed") !== "true";
        lasso.setAttribute("aria-pressed", String(on));
        scatter?.set({ mouseMode: on ? "lasso" : "panZoom" });
      },
    },
  });
  const reset = h("button", {
    class: "ew-button ew-reset",
    text: "Reset view",
    attrs: { type: "button" },
    on: { click: () => scatter?.reset() },
  });
  const png = h("button", { class: "ew-button", text: "PNG", attrs: { type: "button", "aria-label": "Export the current view as PNG" }, on: { click: () => exportPng() } });
  const svgButton = h("button", { class: "ew-button", text: "SVG", attrs: { type: "button", "aria-label": "Export the current view as SVG" }, on: { click: () => exportSvg() } });

  const progressBar = h("progress", { attrs: { max: 1, "aria-label": "Progress of the background work" } });
  const progressText = h("span", { class: "ew-muted" });
  const progressBox = h("div", { class: "ew-progress", attrs: { role: "status", "aria-live": "polite" } }, [progressBar, progressText]);
  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const notice = h("div", { class: "ew-notice", attrs: { role: "status", "aria-live": "polite" } });
  notice.hidden = true;

  const canvas = h("canvas", { class: "ew-canvas" });
  const labelLayer = h("div", { class: "ew-label-layer", attrs: { "aria-hidden": "true" } });
  const tooltip = h("div", { class: "ew-tooltip", attrs: { role: "tooltip", id: uniqueId("ew-tip") } });
  tooltip.hidden = true;
  const empty = h("div", { class: "ew-empty ew-muted" });
  const plot = h("div", {
    class: "ew-plot-area",
    attrs: {
      tabindex: 0,
      role: "application",
      "aria-label":
        "Map of the points. Drag to pan, scroll to zoom, click a point or Shift-drag a lasso to select. " +
        "Keys: arrows pan, + and − zoom, 0 resets, Escape clears the selection.",
    },
  }, [canvas, labelLayer, tooltip, empty]);
  const legendBox = h("aside", { class: "ew-legend", attrs: { "aria-label": "Legend" } });
  const statusText = h("span", { class: "ew-status-text" });
  const selectHighlighted = h("button", {
    class: "ew-button",
    text: "Select these",
    attrs: { type: "button", "aria-label": "Select the highlighted points" },
    on: { click: () => requester.request("select_highlighted") },
  });
  const clearHighlight = h("button", {
    class: "ew-button",
    text: "Clear highlight",
    attrs: { type: "button" },
    on: { click: () => requester.request("clear_highlight") },
  });
  const status = h("div", { class: "ew-row ew-cluster-status" }, [statusText, selectHighlighted, clearHighlight]);

  const label = (text: string, control: HTMLElement) => h("label", { class: "ew-field" }, [h("span", { class: "ew-muted", text }), control]);
  root.append(
    toolbar(title, m, requester),
    h("div", { class: "ew-row" }, [find, query.root, label("k ", queryK)]),
    h("div", { class: "ew-row" }, [
      label("layout ", projection),
      label("clusters ", k),
      method,
      label("colour ", colorBy),
      h("label", { class: "ew-field" }, [labelsBox, h("span", { text: " labels" })]),
    ]),
    h("div", { class: "ew-row" }, [label("size ", size), label("opacity ", opacity), lasso, reset, png, svgButton]),
    progressBox,
    errorBox,
    notice,
    h("div", { class: "ew-stage" }, [plot, legendBox]),
    status,
  );
  el.appendChild(root);

  // ---- the scatter plot -------------------------------------------------------------------------
  const theme = () => {
    const style = getComputedStyle(root);
    return {
      bg: cssColor(style.getPropertyValue("--ew-bg"), "#ffffff"),
      fg: cssColor(style.getPropertyValue("--ew-fg"), "#1f2328"),
      accent: cssColor(style.getPropertyValue("--ew-accent"), "#1976d2"),
    };
  };
  let width = Math.max(160, plot.clientWidth || 640);
  let height = Number(m.get("height")) || 520;
  plot.style.height = `${height}px`;
  let scatter: ReturnType<typeof createScatterplot> | null = null;
  try {
    const colours = theme();
    scatter = createScatterplot({
      renderer: renderer(),
      canvas,
      width,
      height,
      backgroundColor: colours.bg,
      pointColor: PLAIN,
      pointColorActive: colours.accent,
      pointColorHover: colours.fg,
      pointSize: Number(m.get("point_size")),
      opacity: Number(m.get("opacity")),
      opacityInactiveScale: 0.5,
      lassoColor: colours.accent,
      lassoMinDelay: 10,
      lassoMinDist: 2,
      actionKeyMap: { lasso: "shift", merge: "cmd", remove: "alt" },
      cameraDistance: 1.08,
    } as any);
    if (!scatter.isSupported) throw new Error("this browser lacks a WebGL feature the map needs");
  } catch (error) {
    scatter = null;
    const message = error instanceof Error ? error.message : String(error);
    showError(errorBox, { message: `The map cannot be drawn here (WebGL): ${message}. save_html() still works.` });
  }

  let x = new Float32Array(0);
  let y = new Float32Array(0);
  let xyBuffer: unknown = null;
  let spatialIndex: ArrayBuffer | undefined;
  let zeros = new Uint8Array(0);
  let highlightCount = 0;
  let drawn = false;

  let rampShown = false;
  const applyStyle = (pointSize: number, alpha: number) => {
    if (!scatter) return;
    if (highlightCount > 0) {
      // Fade the rest, but less over a colour ramp (similarity, outliers), whose colours are the point.
      const faded = alpha * (rampShown ? 0.45 : 0.15);
      scatter.set({
        sizeBy: "valueB",
        pointSize: [pointSize, Math.max(pointSize * 1.8, pointSize + 3)],
        opacityBy: "valueB",
        opacity: [Math.max(0.04, faded), 1],
      } as any);
    } else {
      scatter.set({ sizeBy: null, opacityBy: null, pointSize, opacity: alpha } as any);
    }
  };

  let drawing = false;
  let again = false;
  const redraw = async () => {
    if (drawing) {
      again = true;
      return;
    }
    drawing = true;
    try {
      do {
        again = false;
        await drawOnce();
      } while (again);
    } catch (error) {
      showError(errorBox, { message: `could not draw the points: ${error instanceof Error ? error.message : error}` });
    } finally {
      drawing = false;
    }
  };

  const drawOnce = async () => {
    if (!scatter) return;
    const buffer = m.get("_xy") as DataView | null;
    if (!buffer || buffer.byteLength === 0) {
      if (drawn) await scatter.clear();
      drawn = false;
      root.removeAttribute("data-drawn");
      xyBuffer = null;
      updateEmpty();
      return;
    }
    if (buffer !== xyBuffer) {
      const xy = asFloat32(buffer);
      const n = xy.length / 2;
      x = new Float32Array(n);
      y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
      }
      xyBuffer = buffer;
      spatialIndex = undefined;
    }
    const n = x.length;
    if (zeros.length !== n) zeros = new Uint8Array(n);
    const legend = (m.get("_legend") as Legend) ?? {};
    const values = decodeValues(m.get("_values"), legend.dtype);
    const valid = values !== null && values.length === n && legend.kind !== "none";
    const continuous = valid && legend.kind === "continuous";
    const colours = valid && legend.colors?.length ? legend.colors : legend.colors?.length === 1 ? legend.colors : [PLAIN];
    const highlight = asInt32(m.get("_highlight") ?? new ArrayBuffer(0));
    const mask = new Uint8Array(n);
    for (const row of highlight) if (row >= 0 && row < n) mask[row] = 1;
    highlightCount = highlight.length;
    rampShown = continuous;
    scatter.set({ colorBy: "valueA", pointColor: colours } as any);
    applyStyle(Number(m.get("point_size")), Number(m.get("opacity")));
    const selected = (m.get("selected") as number[]) ?? [];
    await scatter.draw({ x, y, z: valid ? values! : zeros, w: mask } as any, {
      zDataType: continuous ? "continuous" : "categorical",
      wDataType: "categorical",
      spatialIndex,
      select: selected.length ? selected : undefined,
    } as any);
    if (!selected.length) scatter.deselect({ preventEvent: true });
    if (!spatialIndex) spatialIndex = scatter.get("spatialIndex") as ArrayBuffer | undefined;
    drawn = true;
    root.setAttribute("data-drawn", String(n));
    updateEmpty();
    placeLabels();
  };

  // ---- cluster labels over the canvas -----------------------------------------------------------
  let labelNodes: [ClusterLabel, HTMLElement, number, number][] = []; // item, node, width, height
  let labelSource: unknown = null;
  const toScreen = (px: number, py: number): [number, number] => {
    const view = scatter!.get("cameraView") as Float32Array;
    const aspect = width / height;
    const cx = (view[0] * px + view[4] * py + view[12]) / aspect;
    const cy = view[1] * px + view[5] * py + view[13];
    return [(width * (cx + 1)) / 2, height * (0.5 - cy / 2)];
  };
  const placeLabels = () => {
    const wanted = Boolean(m.get("labels")) && drawn && scatter ? ((m.get("_cluster_labels") as ClusterLabel[]) ?? []) : [];
    if (wanted !== labelSource) {
      labelSource = wanted;
      clear(labelLayer);
      const nodes = wanted.map((item) => {
        const node = h("div", { class: "ew-cluster-label", text: item.text, attrs: { "data-cluster": item.cluster } });
        node.style.borderColor = item.color;
        labelLayer.appendChild(node);
        return [item, node] as const;
      });
      labelNodes = nodes.map(([item, node]) => [item, node, node.offsetWidth, node.offsetHeight]);
    }
    // Biggest clusters first (the order Python sends); a label that would overlap one already placed waits
    // until zooming makes room for it.
    const placed: [number, number, number, number][] = [];
    for (const [item, node, w, hgt] of labelNodes) {
      const [sx, sy] = toScreen(item.x, item.y);
      const box: [number, number, number, number] = [sx - w / 2, sy - hgt / 2, sx + w / 2, sy + hgt / 2];
      const inside = sx >= 0 && sy >= 0 && sx <= width && sy <= height;
      const clash = placed.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]);
      node.hidden = !inside || clash;
      if (!node.hidden) placed.push(box);
      node.style.transform = `translate(${sx.toFixed(1)}px, ${sy.toFixed(1)}px) translate(-50%, -50%)`;
    }
  };

  // ---- hover tooltip ----------------------------------------------------------------------------
  const hoverCache = new Map<number, PointInfo>();
  let hovered = -1;
  const showTip = (info: PointInfo) => {
    clear(tooltip);
    tooltip.appendChild(h("div", { class: "ew-tip-label", text: info.label }));
    for (const [name, value] of info.fields) {
      tooltip.appendChild(h("div", { class: "ew-tip-field" }, [h("span", { class: "ew-muted", text: `${name}: ` }), h("span", { text: value })]));
    }
    tooltip.hidden = false;
    const position = scatter?.getScreenPosition(info.index) ?? [0, 0];
    const left = Math.min(position[0] + 12, Math.max(0, width - tooltip.offsetWidth - 4));
    const top = position[1] + 12 + tooltip.offsetHeight > height ? Math.max(0, position[1] - tooltip.offsetHeight - 12) : position[1] + 12;
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  };
  const hover = async (index: number) => {
    hovered = index;
    let info = hoverCache.get(index);
    if (!info) {
      const response = await requester.request("point", { index });
      if (response.status !== "ok") return;
      info = response.data as PointInfo;
      hoverCache.set(index, info);
      if (hoverCache.size > HOVER_CACHE) hoverCache.delete(hoverCache.keys().next().value as number);
    }
    if (hovered === index) showTip(info);
  };

  // ---- selection: regl-scatterplot ⇄ the `selected` trait -----------------------------------------
  const pushSelection = (points: ArrayLike<number>) => {
    const rows = Array.from(points).sort((a, b) => a - b);
    if (sameRows((m.get("selected") as number[]) ?? [], rows)) return;
    m.set("selected", rows);
    m.save_changes();
    drawStatus();
  };
  const pullSelection = () => {
    drawStatus();
    if (!scatter || !drawn) return;
    const rows = (m.get("selected") as number[]) ?? [];
    const current = Array.from((scatter.get("selectedPoints") as number[]) ?? []).sort((a, b) => a - b);
    if (sameRows(current, rows)) return;
    if (rows.length) scatter.select(rows, { preventEvent: true });
    else scatter.deselect({ preventEvent: true });
  };

  if (scatter) {
    scatter.subscribe("select", ({ points }: { points: number[] }) => pushSelection(points));
    scatter.subscribe("deselect", () => pushSelection([]));
    scatter.subscribe("pointOver", (index: number) => hover(index));
    scatter.subscribe("pointOut", () => {
      hovered = -1;
      tooltip.hidden = true;
    });
    scatter.subscribe("view", () => placeLabels());
  }

  // ---- keyboard navigation of the map -----------------------------------------------------------
  plot.addEventListener("keydown", (event) => {
    if (event.key === "Tab") return;
    event.stopPropagation(); // keep JupyterLab's command-mode shortcuts (e.g. 0 0, d d) away from the map
    if (!scatter) return;
    const target = scatter.get("cameraTarget") as number[];
    const distance = Number(scatter.get("cameraDistance"));
    const step = 0.15 * distance;
    const moves: Record<string, [number, number, number]> = {
      ArrowLeft: [-step, 0, 1],
      ArrowRight: [step, 0, 1],
      ArrowUp: [0, step, 1],
      ArrowDown: [0, -step, 1],
      "+": [0, 0, 0.8],
      "=": [0, 0, 0.8],
      "-": [0, 0, 1.25],
      _: [0, 0, 1.25],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      scatter.zoomToLocation([target[0] + move[0], target[1] + move[1]], distance * move[2]);
    } else if (event.key === "0") {
      event.preventDefault();
      scatter.reset();
    } else if (event.key === "Escape") {
      scatter.deselect();
    }
  });
  // JupyterLab's notebook turns Shift/Ctrl-drags into cell selections and then swallows the mouse moves: keep
  // modified presses (the lasso's Shift-drag) inside the map.
  plot.addEventListener("mousedown", (event) => {
    if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) event.stopPropagation();
  });
  plot.addEventListener("mouseleave", () => {
    hovered = -1;
    tooltip.hidden = true;
  });

  // ---- sizing -----------------------------------------------------------------------------------
  const resize = () => {
    const nextWidth = Math.max(160, Math.floor(plot.clientWidth));
    const nextHeight = Number(m.get("height")) || 520;
    plot.style.height = `${nextHeight}px`;
    if (!scatter || (nextWidth === width && nextHeight === height)) return;
    width = nextWidth;
    height = nextHeight;
    scatter.set({ width, height } as any);
    placeLabels();
  };
  const observer = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => resize()) : null;
  observer?.observe(plot);

  // ---- export -----------------------------------------------------------------------------------
  const say = (text: string) => {
    notice.textContent = text;
    notice.hidden = !text;
  };
  const download = (href: string, name: string) => {
    const link = h("a", { attrs: { href, download: name } });
    link.hidden = true;
    root.appendChild(link);
    link.click();
    link.remove();
  };
  const visibleLabels = () => (Boolean(m.get("labels")) ? labelNodes.filter(([, node]) => !node.hidden).map(([item]) => item) : []);

  const exportPng = async () => {
    if (!scatter || !drawn) return say("Nothing to export yet: the layout is still being computed.");
    const colours = theme();
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const context = out.getContext("2d")!;
    context.fillStyle = colours.bg;
    context.fillRect(0, 0, out.width, out.height);
    context.drawImage(canvas, 0, 0);
    const ratio = out.width / width;
    context.font = `600 ${12 * ratio}px sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.lineWidth = 3 * ratio;
    context.strokeStyle = colours.bg;
    context.fillStyle = colours.fg;
    for (const item of visibleLabels()) {
      const [sx, sy] = toScreen(item.x, item.y);
      context.strokeText(item.text, sx * ratio, sy * ratio);
      context.fillText(item.text, sx * ratio, sy * ratio);
    }
    const url = out.toDataURL("image/png");
    download(url, "cluster-view.png");
    const response = await requester.request("png", { data: url });
    say(response.status === "ok" ? "PNG downloaded; its bytes are also in Python as .last_png." : "PNG downloaded.");
  };

  const exportSvg = () => {
    if (!scatter || !drawn) return say("Nothing to export yet: the layout is still being computed.");
    const limit = Number(m.get("_svg_limit")) || 50000;
    const inView = (scatter.get("pointsInView") as number[]) ?? [];
    if (inView.length > limit) {
      return say(
        `SVG export writes one element per point, so it stops at ${limit.toLocaleString()} points; ` +
          `${inView.length.toLocaleString()} are in view. Zoom in to fewer points, or export a PNG.`,
      );
    }
    const colours = theme();
    const legend = (m.get("_legend") as Legend) ?? {};
    const values = decodeValues(m.get("_values"), legend.dtype);
    const palette = legend.colors?.length ? legend.colors : [PLAIN];
    const valid = values !== null && values.length === x.length && legend.kind !== "none";
    const colourOf = (row: number) => {
      if (!valid) return palette[0];
      const value = values![row];
      const index = legend.kind === "continuous" ? Math.round(value * (palette.length - 1)) : value;
      return palette[Math.max(0, Math.min(palette.length - 1, index))];
    };
    const radius = Math.max(0.5, Number(m.get("point_size")) / 2);
    const alpha = Number(m.get("opacity"));
    const doc = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
    doc.appendChild(svg("rect", { width, height, fill: colours.bg }));
    const groups = new Map<string, SVGElement>();
    for (const row of inView) {
      const colour = colourOf(row);
      let group = groups.get(colour);
      if (!group) {
        group = svg("g", { fill: colour, "fill-opacity": alpha });
        groups.set(colour, group);
        doc.appendChild(group);
      }
      const [sx, sy] = toScreen(x[row], y[row]);
      group.appendChild(svg("circle", { cx: sx.toFixed(2), cy: sy.toFixed(2), r: radius }));
    }
    for (const item of visibleLabels()) {
      const [sx, sy] = toScreen(item.x, item.y);
      doc.appendChild(
        svg("text", {
          x: sx.toFixed(1), y: sy.toFixed(1), "text-anchor": "middle", "dominant-baseline": "middle",
          "font-family": "sans-serif", "font-size": 12, "font-weight": 600, fill: colours.fg,
          stroke: colours.bg, "stroke-width": 3, "paint-order": "stroke",
        }, item.text),
      );
    }
    const text = new XMLSerializer().serializeToString(doc);
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    download(url, "cluster-view.svg");
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(`SVG downloaded: ${inView.length.toLocaleString()} points in view.`);
  };

  // ---- drawing the rest from the model ----------------------------------------------------------
  const fillSelect = (select: HTMLSelectElement, options: [string, string][], value: string) => {
    const key = JSON.stringify(options);
    if (select.dataset.options !== key) {
      clear(select);
      for (const [optionValue, text] of options) select.appendChild(h("option", { text, attrs: { value: optionValue } }));
      select.dataset.options = key;
    }
    select.value = value;
  };

  const drawControls = () => {
    title.textContent = m.get("title") as string;
    if (!hasFocus(find)) find.value = m.get("search") as string;
    if (!hasFocus(query.input)) query.value = m.get("query") as string;
    queryK.value = String(m.get("query_k"));
    fillSelect(projection, (m.get("_projection_options") as [string, string][]) ?? [], m.get("projection") as string);
    fillSelect(colorBy, (m.get("_color_options") as [string, string][]) ?? [], m.get("color_by") as string);
    k.value = String(m.get("k"));
    method.value = m.get("cluster_method") as string;
    k.disabled = method.value === "hdbscan";
    labelsBox.checked = Boolean(m.get("labels"));
    size.value = String(m.get("point_size"));
    opacity.value = String(m.get("opacity"));
    query.input.setAttribute("placeholder", m.get("accepts_text") ? "nearest to a text or label…" : "nearest to a label…");
  };

  const drawProgress = () => {
    const progress = m.get("progress") as Progress;
    progressBox.hidden = !progress;
    if (!progress) return;
    if (progress.fraction <= 0.05) progressBar.removeAttribute("value");
    else progressBar.value = progress.fraction;
    const more = progress.jobs > 1 ? ` (+${progress.jobs - 1} more job${progress.jobs > 2 ? "s" : ""})` : "";
    progressText.textContent = ` ${progress.message}${more}`;
    updateEmpty();
  };

  const updateEmpty = () => {
    const ready = drawn;
    empty.hidden = ready;
    if (!ready) {
      const n = Number(m.get("_n"));
      const method = String(m.get("projection")).toUpperCase().replace("TSNE", "t-SNE");
      empty.textContent = `Computing the ${method} layout of ${n.toLocaleString()} points…`;
    }
  };

  const drawLegend = () => {
    const legend = (m.get("_legend") as Legend) ?? {};
    clear(legendBox);
    legendBox.appendChild(h("div", { class: "ew-legend-title", text: legend.title ?? "" }));
    if (legend.kind === "categorical") {
      const list = h("ul", { class: "ew-legend-items" });
      (legend.items ?? []).forEach((item, index) => {
        const swatch = h("span", { class: "ew-swatch" });
        swatch.style.backgroundColor = item.color;
        list.appendChild(
          h("li", {}, [
            h("button", {
              class: "ew-legend-item",
              attrs: { type: "button", title: `Highlight ${item.label}`, "aria-label": `Highlight ${item.label}, ${item.count} points` },
              on: { click: () => requester.request("legend", { index }) },
            }, [swatch, h("span", { class: "ew-legend-label", text: item.label }), h("span", { class: "ew-legend-count", text: item.count.toLocaleString() })]),
          ]),
        );
      });
      legendBox.appendChild(list);
      if (legend.more) legendBox.appendChild(h("div", { class: "ew-muted", text: `… and ${legend.more.toLocaleString()} more` }));
    } else if (legend.kind === "continuous") {
      const colours = legend.colors ?? [PLAIN];
      const stops = Array.from({ length: 12 }, (_, i) => colours[Math.round((i / 11) * (colours.length - 1))]);
      const bar = h("div", { class: "ew-ramp", attrs: { role: "img", "aria-label": `colour ramp from ${legend.min} to ${legend.max}` } });
      bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
      legendBox.append(
        bar,
        h("div", { class: "ew-ramp-ends" }, [h("span", { text: formatNumber(legend.min) }), h("span", { text: formatNumber(legend.max) })]),
      );
    }
    if (legend.note) legendBox.appendChild(h("div", { class: "ew-note", text: legend.note }));
  };

  const drawStatus = () => {
    const n = Number(m.get("_n"));
    const selected = ((m.get("selected") as number[]) ?? []).length;
    const note = m.get("_highlight_note") as string;
    const parts = [`${n.toLocaleString()} points`, `${selected.toLocaleString()} selected`];
    if (note) parts.push(`highlighted: ${note}`);
    statusText.textContent = parts.join(" · ");
    const highlighted = (m.get("_highlight") as DataView | null)?.byteLength ?? 0;
    selectHighlighted.hidden = highlighted === 0;
    clearHighlight.hidden = !note && highlighted === 0;
  };

  // Busy only after a moment, so hovering (one quick request per point) does not flicker the view.
  let busyTimer: ReturnType<typeof setTimeout> | undefined;
  const stopBusy = requester.onBusy((busy) => {
    clearTimeout(busyTimer);
    if (!busy) root.classList.remove("ew-busy");
    else busyTimer = setTimeout(() => root.classList.toggle("ew-busy", requester.busy), 400);
  });

  const stopListening = listen(m, [
    [["title", "search", "query", "query_k", "_projection_options", "projection", "_color_options", "color_by", "k", "cluster_method", "labels", "point_size", "opacity", "accepts_text"], drawControls],
    [["point_size", "opacity"], () => applyStyle(Number(m.get("point_size")), Number(m.get("opacity")))],
    [["_xy", "_values", "_legend", "_highlight"], () => redraw()],
    [["_legend"], drawLegend],
    [["selected"], pullSelection],
    [["_highlight_note", "_highlight"], drawStatus],
    [["progress", "projection"], drawProgress],
    [["labels", "_cluster_labels"], placeLabels],
    [["height"], resize],
    [["error"], () => showError(errorBox, m.get("error"), (_missing, word) => set({ query: word }))],
  ]);

  drawControls();
  drawLegend();
  drawStatus();
  drawProgress();
  updateEmpty();
  showError(errorBox, m.get("error"), (_missing, word) => set({ query: word }));
  // The element may get its width only once JupyterLab attaches it; measure again on the next frame.
  requestAnimationFrame(() => {
    resize();
    redraw();
  });

  return () => {
    clearTimeout(findTimer);
    clearTimeout(busyTimer);
    stopListening();
    stopBusy();
    disconnect();
    observer?.disconnect();
    if (scatter) {
      scatter.destroy(); // also drops every subscription
      scatter = null;
    }
  };
}

function formatNumber(value: number | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return Number(value.toPrecision(4)).toString();
}

export default widgetModule(render);

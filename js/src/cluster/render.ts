// ClusterView's render: builds the parts (controls, scatter, labels, tooltip, legend, exports) and wires
// them to the model. All state lives in the parts or in the small ``state`` object below.
import { connect, h, isolateKeys, listen, numberOption, readArray, rowCount, setTraits, showError, toolbar, type ErrorInfo, type NdArray } from "../lib";
import { Controls } from "./controls";
import { Contours } from "./contours";
import { QueryLayer } from "./query";
import { Density } from "./density";
import { download, pngOf, svgOf } from "./export";
import { Labels } from "./labels";
import { colourOf, drawLegend } from "./legend";
import { PLAIN, rowsValue, selectionOf, type ClusterLabel, type ClusterModel, type ViewModel } from "./model";
import { CONTEXT_LOST_MESSAGE, Scatter, theme, type Frame } from "./scatter";
import { Tooltip } from "./tooltip";
import { FilterCharts, greyed, Table } from "./workbench";

/** "live": a widget with a kernel. "saved": a page written by save_html, where only the view's own controls work. */
export type Mode = "live" | "saved";

const DEFAULT_HEIGHT = 520;
const DEFAULT_SVG_LIMIT = 50000;
const BUSY_DELAY_MS = 400;
const NO_LABELS: ClusterLabel[] = [];
const INITIAL_DISTANCE = 1.08; // the camera distance the map starts at (scatter.ts)

/** The rows passing the filters (1 per row), or null when no filter is active or the value is malformed. */
function filterMask(model: ViewModel, n: number): Uint8Array | null {
  try {
    const data = readArray(model.get("_filtered"))?.data;
    return data instanceof Uint8Array && data.length === n && n > 0 ? data : null;
  } catch {
    return null;
  }
}


function sameRows(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Read an array trait, reporting a malformed one instead of drawing garbage. */
function arrayTrait(model: ViewModel, name: "_xy" | "_values" | "_highlight", report: (error: ErrorInfo) => void): NdArray | null {
  try {
    return readArray(model.get(name));
  } catch (error) {
    report({ message: `could not read ${name}: ${error instanceof Error ? error.message : String(error)}` });
    return null;
  }
}

/**
 * Call ``onResize`` when ``node`` changes size; returns the stop. The observer's callback holds only a slot that
 * the stop empties: something in JupyterLab keeps disconnected observers alive (seen in a heap snapshot), and a
 * callback closing over the view would keep the whole removed view with it.
 */
function observeSize(node: Element, onResize: () => void): () => void {
  const slot: { onResize: (() => void) | null } = { onResize };
  const observer = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => slot.onResize?.()) : null;
  observer?.observe(node);
  return () => {
    slot.onResize = null;
    observer?.disconnect();
  };
}

export function renderCluster({ model, el }: { model: ViewModel; el: HTMLElement }, mode: Mode = "live"): () => void {
  const [requester, disconnect] = connect(model);
  const root = h("div", { class: "ew-root ew-cluster", attrs: { role: "group", "aria-label": "Cluster view" } });
  if (mode === "saved") root.classList.add("ew-saved");
  isolateKeys(root);
  const set = (changes: Partial<ClusterModel>) => setTraits(model, changes);
  const state = { drawing: false, again: false, busyTimer: undefined as ReturnType<typeof setTimeout> | undefined };

  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const showModelError = () => showError(errorBox, model.get("error"), (_missing, word) => set({ query: word }));
  const report = (error: ErrorInfo) => showError(errorBox, error);
  const notice = h("div", { class: "ew-notice", attrs: { role: "status", "aria-live": "polite" } });
  notice.hidden = true;
  const say = (text: string) => {
    notice.textContent = text;
    notice.hidden = !text;
  };
  const sizeOf = () => ({ size: Number(model.get("point_size")), opacity: Number(model.get("opacity")) });

  // ---- the map ----------------------------------------------------------------------------------
  const canvas = h("canvas", { class: "ew-canvas" });
  const labels = new Labels();
  const contours = new Contours();
  const queryLayer = new QueryLayer();
  const density = new Density();
  const empty = h("div", { class: "ew-empty ew-muted" });
  // Over the map when the browser has taken its WebGL context away: words instead of a blank canvas.
  const contextLost = h("div", { class: "ew-context-lost", attrs: { role: "alert" } });
  contextLost.hidden = true;
  const plot = h("div", {
    class: "ew-plot-area",
    attrs: {
      tabindex: 0,
      role: "application",
      "aria-label":
        "Map of the points. Drag to pan, scroll to zoom, click a point or Shift-drag a lasso to select. " +
        "Keys: arrows pan, + and − zoom, 0 resets, Escape clears the selection.",
    },
  });
  let scatter: Scatter | null = null;

  const controls = new Controls(model, requester, {
    set,
    style: (size, opacity) => scatter?.style(size, opacity),
    lasso: (on) => void scatter?.plot.set({ mouseMode: on ? "lasso" : "panZoom" }),
    reset: () => void scatter?.plot.reset(),
    png: () => void exportPng(),
    svg: () => exportSvg(),
  });
  const tooltip = new Tooltip(
    requester,
    (index) => scatter?.plot.getScreenPosition(index),
    () => [scatter?.width ?? 0, scatter?.height ?? 0],
  );
  plot.append(canvas, density.node, contours.node, queryLayer.node, labels.layer, tooltip.node, empty, contextLost);

  const progressBar = h("progress", { attrs: { max: 1, "aria-label": "Progress of the background work" } });
  const progressText = h("span", { class: "ew-muted" });
  const progressBox = h("div", { class: "ew-progress", attrs: { role: "status", "aria-live": "polite" } }, [progressBar, progressText]);
  const legendBox = h("aside", { class: "ew-legend", attrs: { "aria-label": "Legend" } });
  const statusText = h("span", { class: "ew-status-text" });
  const selectHighlighted = h("button", {
    class: "ew-button",
    text: "Select these",
    attrs: { type: "button", "aria-label": "Select the highlighted points" },
    on: { click: () => void requester.request("select_highlighted") },
  });
  const clearHighlight = h("button", {
    class: "ew-button",
    text: "Clear highlight",
    attrs: { type: "button" },
    on: { click: () => void requester.request("clear_highlight") },
  });
  const title = h("div", { class: "ew-title" });
  // ---- curation: tag the selection ---------------------------------------------------------------
  const tagName = h("input", { class: "ew-input ew-tag-name", attrs: { type: "text", "aria-label": "Tag name", placeholder: "tag…" } });
  const tagCount = h("span", { class: "ew-muted ew-tag-count" });
  const tagSelected = async () => {
    const response = await requester.request("tag", { name: tagName.value });
    if (response.status === "ok") say(`Tagged ${Number(response.data.count).toLocaleString()} points “${String(response.data.name)}”.`);
    else if (response.status === "error") report(response.error);
  };
  const tagButton = h("button", {
    class: "ew-button ew-tag",
    text: "Tag selected",
    attrs: { type: "button", "aria-label": "Tag the selected points with this name" },
    on: { click: () => void tagSelected() },
  });
  tagName.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void tagSelected();
  });
  // ---- the workbench: filter charts and the linked table (live only: they ask the kernel) --------------
  const charts = new FilterCharts((state) => set({ _filter_state: state }));
  let tableClick = -1; // a row picked in the table: its one-row selection keeps the table's rows
  const table = new Table(
    requester,
    (row) => {
      tableClick = row;
      table.current = row;
      model.set("_selection", rowsValue(Int32Array.of(row)));
      model.save_changes();
      pullSelection();
      centre(row);
      table.schedule();
    },
    (message) => report({ message }),
  );
  const centre = (row: number) => {
    if (!scatter || !scatter.drawn || row >= scatter.x.length) return;
    const distance = Number(scatter.plot.get("cameraDistance"));
    void scatter.plot.zoomToLocation([scatter.x[row] ?? 0, scatter.y[row] ?? 0], distance);
  };
  const viewRow = mode === "saved" ? h("div", { class: "ew-row" }, [controls.labelsToggle, controls.viewRow]) : controls.viewRow;
  root.append(
    toolbar(title, model, requester),
    ...(mode === "live" ? controls.queryRows : []),
    viewRow,
    progressBox,
    errorBox,
    notice,
    h("div", { class: "ew-stage" }, [plot, legendBox]),
    h("div", { class: "ew-row ew-cluster-status" }, [statusText, selectHighlighted, clearHighlight]),
    ...(mode === "live" ? [h("div", { class: "ew-row ew-curation" }, [tagName, tagButton, tagCount])] : []),
    ...(mode === "live" ? [charts.node, table.node] : []),
  );
  el.appendChild(root);

  // The saved page carries no contours: no toggle for them there.
  if (mode === "saved") root.querySelector(".ew-contours-toggle")?.closest("label")?.setAttribute("hidden", "");
  const heightOf = () => Number(model.get("height")) || DEFAULT_HEIGHT;
  plot.style.height = `${heightOf()}px`;
  try {
    scatter = new Scatter(canvas, Math.max(160, plot.clientWidth || 640), heightOf(), theme(root), sizeOf(), mode === "live");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report({ message: `The map cannot be drawn here (WebGL): ${message}.${mode === "live" ? " save_html() still works." : ""}` });
  }
  const showContextLost = () => {
    contextLost.textContent = CONTEXT_LOST_MESSAGE;
    contextLost.hidden = false;
    empty.hidden = true;
    root.setAttribute("data-context-lost", "");
  };
  if (scatter) {
    scatter.onContextLost = showContextLost;
    if (scatter.contextLost) showContextLost();
  }

  // ---- drawing from the model -------------------------------------------------------------------
  const drawContours = () => {
    const on = Boolean(model.get("density")) && Boolean(scatter?.drawn);
    contours.node.style.display = on ? "" : "none";
    if (!on || !scatter) return;
    if (!contours.set(model.get("_contours"), model.get("_contour_levels"), theme(root).fg)) report({ message: "could not read the density contours" });
    const view = scatter;
    contours.place((x, y) => view.toScreen(x, y), view.width, view.height);
    root.setAttribute("data-contours", String(contours.count));
  };
  const drawQuery = () => {
    if (!scatter || !scatter.drawn) return;
    const view = scatter;
    queryLayer.place((x, y) => view.toScreen(x, y), view.width, view.height, theme(root).accent);
  };
  const placeLabels = () => {
    drawContours();
    drawQuery();
    if (!scatter) return;
    const on = Boolean(model.get("labels")) && scatter.drawn;
    const shown = on ? (model.get("_cluster_labels") ?? []) : NO_LABELS;
    const subs = on ? (model.get("_sub_labels") ?? NO_LABELS) : NO_LABELS;
    const view = scatter;
    const zoom = INITIAL_DISTANCE / Math.max(1e-9, Number(view.plot.get("cameraDistance")) || INITIAL_DISTANCE);
    labels.place(shown, (x, y) => view.toScreen(x, y), view.width, view.height, zoom, subs);
    root.setAttribute("data-zoom", zoom.toFixed(2));
  };

  const updateEmpty = () => {
    const ready = Boolean(scatter?.drawn) || !contextLost.hidden;
    empty.hidden = ready;
    if (!ready) {
      const n = Number(model.get("_n"));
      const method = String(model.get("projection")).toUpperCase().replace("TSNE", "t-SNE");
      empty.textContent = density.shown
        ? `Drawing ${n.toLocaleString()} points… The shading shows where they lie (binned, approximate).`
        : `Computing the ${method} layout of ${n.toLocaleString()} points…`;
    }
  };

  /** The density layer over the data square, until the points are drawn; false when there is none. */
  const showDensity = (): boolean => {
    if (!scatter) return false;
    const view = scatter;
    const colour = model.get("_legend")?.colors?.[0] ?? PLAIN;
    return density.show(model.get("_density"), colour, view.width, view.height, view.toScreen(-1, 1), view.toScreen(1, -1));
  };

  const drawOnce = async () => {
    if (!scatter) return;
    const source = model.get("_xy");
    const xy = arrayTrait(model, "_xy", report);
    if (!xy || xy.data.length === 0) {
      await scatter.clear();
      root.removeAttribute("data-drawn");
      updateEmpty();
      return;
    }
    if (!scatter.drawn && showDensity()) {
      // The draw below blocks the page for seconds: let the browser paint the density layer first.
      updateEmpty();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    }
    scatter.setCoordinates(source, xy.data instanceof Float32Array ? xy.data : Float32Array.from(xy.data));
    const n = rowCount(xy);
    const legend = model.get("_legend") ?? {};
    const values = arrayTrait(model, "_values", report)?.data ?? null;
    const valid = values !== null && values.length === n && legend.kind !== "none";
    let colors = valid && legend.colors?.length ? legend.colors : legend.colors?.length === 1 ? legend.colors : [PLAIN];
    let drawn: Frame["values"] = valid ? values : null;
    let continuous = valid && legend.kind === "continuous";
    const mask = filterMask(model, n);
    if (mask) {
      [drawn, colors] = greyed(drawn, continuous, colors, mask);
      continuous = false;
    }
    const { size, opacity } = sizeOf();
    await scatter.draw(
      {
        values: drawn,
        continuous,
        colors,
        highlight: arrayTrait(model, "_highlight", report)?.data ?? [],
        selected: selectionOf(model),
      },
      size,
      opacity,
    );
    root.setAttribute("data-drawn", String(n));
    root.setAttribute("data-filtered", mask ? String(mask.reduce((a, b) => a + b, 0)) : "none"); // passing points drawn
    density.hide();
    updateEmpty();
    placeLabels();
  };

  // One draw at a time; changes during a draw ask for one more.
  const redraw = async () => {
    if (state.drawing) {
      state.again = true;
      return;
    }
    state.drawing = true;
    try {
      do {
        state.again = false;
        await drawOnce();
      } while (state.again);
    } catch (error) {
      report({ message: `could not draw the points: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      state.drawing = false;
    }
  };

  const drawProgress = () => {
    const progress = model.get("progress");
    progressBox.hidden = !progress;
    if (!progress) return;
    if (progress.fraction <= 0.05) progressBar.removeAttribute("value");
    else progressBar.value = progress.fraction;
    const more = progress.jobs > 1 ? ` (+${progress.jobs - 1} more job${progress.jobs > 2 ? "s" : ""})` : "";
    progressText.textContent = ` ${progress.message}${more}`;
    updateEmpty();
  };

  const drawStatus = () => {
    const n = Number(model.get("_n"));
    const selected = selectionOf(model).length;
    const note = model.get("_highlight_note");
    const parts = [`${n.toLocaleString()} points`, `${selected.toLocaleString()} selected`];
    if (note) parts.push(`highlighted: ${note}`);
    const asked = queryLayer.summary();
    if (asked) parts.push(asked);
    statusText.textContent = parts.join(" · ");
    let highlighted = 0;
    try {
      highlighted = readArray(model.get("_highlight"))?.data.length ?? 0;
    } catch {
      highlighted = 0; // reported when drawing
    }
    selectHighlighted.hidden = highlighted === 0;
    clearHighlight.hidden = !note && highlighted === 0;
  };

  const drawCharts = () => charts.draw(model.get("_charts") ?? [], model.get("_filter_state") ?? {});
  const drawTable = () => {
    table.node.hidden = !model.get("table") || mode !== "live";
    if (!table.node.hidden) table.schedule();
  };
  // The table shows the selection when there is one, except the one row just picked in the table itself.
  const tableFollowsSelection = () => {
    const rows = selectionOf(model);
    if (!(rows.length === 1 && rows[0] === tableClick)) {
      tableClick = -1;
      table.current = rows.length === 1 ? (rows[0] ?? -1) : -1;
      table.source = rows.length ? "selection" : "all";
    }
    drawTable();
  };

  const drawLegendBox = () => drawLegend(legendBox, model.get("_legend") ?? {}, (index) => void requester.request("legend", { index }));

  // ---- selection: regl-scatterplot ⇄ the `_selection` trait (Python's `selected`) ---------------------
  const pushSelection = (points: ArrayLike<number>) => {
    const rows = Int32Array.from(points).sort(); // typed arrays sort numerically
    if (sameRows(selectionOf(model), rows)) return;
    model.set("_selection", rowsValue(rows));
    model.save_changes();
    drawStatus();
  };
  const pullSelection = () => {
    drawStatus();
    if (!scatter || !scatter.drawn) return;
    const rows = selectionOf(model);
    if (sameRows(scatter.selectedRows(), rows)) return;
    void scatter.outlineSelection(rows.length);
    if (rows.length) scatter.plot.select(Array.from(rows), { preventEvent: true });
    else scatter.plot.deselect({ preventEvent: true });
  };

  // ``hovered`` is the row under this map's pointer. A linked map (CompareView links the trait in the page)
  // sets it from outside: then the same row is hovered here, with its tooltip, without echoing it back.
  let pointerOn = -1;
  const shareHover = (index: number) => {
    if (model.get("hovered") === index) return;
    model.set("hovered", index);
    model.save_changes();
  };
  const followHover = () => {
    const index = Number(model.get("hovered") ?? -1);
    if (!scatter || !scatter.drawn || pointerOn >= 0) return; // this map's own pointer wins
    if (index >= 0 && index < scatter.x.length) {
      scatter.plot.hover(index, { showReticleOnce: true, preventEvent: true });
      void tooltip.hover(index);
    } else {
      scatter.plot.hover(-1, { preventEvent: true });
      tooltip.hide();
    }
  };

  if (scatter) {
    scatter.plot.subscribe("select", ({ points }) => pushSelection(points));
    scatter.plot.subscribe("deselect", () => pushSelection([]));
    scatter.plot.subscribe("pointOver", (index) => {
      pointerOn = index;
      void tooltip.hover(index);
      shareHover(index);
    });
    scatter.plot.subscribe("pointOut", () => {
      pointerOn = -1;
      tooltip.hide();
      shareHover(-1);
    });
    scatter.plot.subscribe("view", () => placeLabels());
  }

  // ---- keyboard and mouse on the map ------------------------------------------------------------
  const moves: Record<string, [number, number, number]> = {
    ArrowLeft: [-1, 0, 1],
    ArrowRight: [1, 0, 1],
    ArrowUp: [0, 1, 1],
    ArrowDown: [0, -1, 1],
    "+": [0, 0, 0.8],
    "=": [0, 0, 0.8],
    "-": [0, 0, 1.25],
    _: [0, 0, 1.25],
  };
  plot.addEventListener("keydown", (event) => {
    if (event.key === "Tab") return;
    event.stopPropagation(); // keep JupyterLab's command-mode shortcuts (e.g. 0 0, d d) away from the map
    if (!scatter) return;
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      scatter.move(...move);
    } else if (event.key === "0") {
      event.preventDefault();
      void scatter.plot.reset();
    } else if (event.key === "Escape") {
      scatter.plot.deselect();
    }
  });
  // JupyterLab's notebook turns Shift/Ctrl-drags into cell selections and then swallows the mouse moves: keep
  // modified presses (the lasso's Shift-drag) inside the map.
  plot.addEventListener("mousedown", (event) => {
    if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) event.stopPropagation();
  });
  plot.addEventListener("mouseleave", () => {
    pointerOn = -1;
    tooltip.hide();
    shareHover(-1);
  });

  const resize = () => {
    const height = heightOf();
    plot.style.height = `${height}px`;
    if (scatter?.resize(Math.max(160, Math.floor(plot.clientWidth)), height)) placeLabels();
  };
  const stopObserving = observeSize(plot, resize);

  // ---- exports ----------------------------------------------------------------------------------
  const shownLabels = () => (model.get("labels") ? labels.visible() : []);
  const exportPng = async () => {
    if (!scatter || !scatter.drawn) return say("Nothing to export yet: the layout is still being computed.");
    const url = pngOf(scatter, canvas, shownLabels(), theme(root));
    download(root, url, "cluster-view.png");
    const response = await requester.request("png", { data: url });
    say(response.status === "ok" ? "PNG downloaded; its bytes are also in Python as .last_png." : "PNG downloaded.");
  };
  const exportSvg = () => {
    if (!scatter || !scatter.drawn) return say("Nothing to export yet: the layout is still being computed.");
    const limit = numberOption(model.get("_options"), "svg_limit", DEFAULT_SVG_LIMIT);
    const inView = scatter.pointsInView();
    if (inView.length > limit) {
      return say(
        `SVG export writes one element per point, so it stops at ${limit.toLocaleString()} points; ` +
          `${inView.length.toLocaleString()} are in view. Zoom in to fewer points, or export a PNG.`,
      );
    }
    const legend = model.get("_legend") ?? {};
    const values = arrayTrait(model, "_values", report)?.data ?? null;
    const text = svgOf(scatter, inView, colourOf(legend, values, scatter.x.length), shownLabels(), theme(root), sizeOf());
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    download(root, url, "cluster-view.svg");
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(`SVG downloaded: ${inView.length.toLocaleString()} points in view.`);
  };

  // Busy only after a moment, so hovering (one quick request per point) does not flicker the view.
  const stopBusy = requester.onBusy((busy) => {
    clearTimeout(state.busyTimer);
    if (!busy) root.classList.remove("ew-busy");
    else state.busyTimer = setTimeout(() => root.classList.toggle("ew-busy", requester.busy), BUSY_DELAY_MS);
  });

  const drawControls = () => {
    title.textContent = model.get("title");
    controls.draw(model);
  };
  const stopListening = listen(model, [
    [["title", "search", "query", "query_k", "_projection_options", "projection", "_color_options", "color_by", "k", "cluster_method", "labels", "point_size", "opacity", "accepts_text", "density"], drawControls],
    [["point_size", "opacity"], () => scatter?.style(sizeOf().size, sizeOf().opacity)],
    [["_xy", "_values", "_legend", "_highlight"], () => void redraw()],
    [["_legend"], drawLegendBox],
    [["_selection"], pullSelection],
    [["_selection"], tableFollowsSelection],
    [["_filtered"], () => void redraw()],
    [["_filtered", "table"], drawTable],
    [
      ["_tag_count", "_tag_version"],
      () => {
        tagCount.textContent = `${Number(model.get("_tag_count")).toLocaleString()} tagged`;
        drawTable();
      },
    ],
    [["_charts", "_filter_state"], drawCharts],
    [["_highlight_note", "_highlight"], drawStatus],
    [["progress", "projection"], drawProgress],
    [["labels", "_cluster_labels", "_sub_labels"], placeLabels],
    [["density", "_contours", "_contour_levels"], drawContours],
    [
      ["_query_overlay"],
      () => {
        queryLayer.set(model.get("_query_overlay"));
        drawQuery();
        drawStatus();
      },
    ],
    [["density"], () => scatter?.densityOpacity(Boolean(model.get("density")), sizeOf().size, sizeOf().opacity)],
    [["height"], resize],
    [["hovered"], followHover],
    [["error"], showModelError],
  ]);

  queryLayer.set(model.get("_query_overlay"));
  scatter?.densityOpacity(Boolean(model.get("density")), sizeOf().size, sizeOf().opacity);
  drawControls();
  drawLegendBox();
  drawCharts();
  tableFollowsSelection();
  tagCount.textContent = `${Number(model.get("_tag_count") ?? 0).toLocaleString()} tagged`;
  drawStatus();
  drawProgress();
  updateEmpty();
  showModelError();
  // The element may get its width only once the host attaches it; measure again on the next frame.
  requestAnimationFrame(() => {
    resize();
    void redraw();
  });

  return () => {
    clearTimeout(state.busyTimer);
    controls.destroy();
    stopListening();
    stopBusy();
    disconnect();
    stopObserving();
    scatter?.destroy();
    scatter = null;
  };
}

// EmbeddingMap view: typed items as removable chips, and an SVG map of where Python placed them (a PCA of the
// items, or two word-defined axes), with an analogy's arrows. It sends typed "map_add"/"map_remove" requests and
// sets the layout traits; every label reaches the page as a text node or an attribute, never as markup.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import "./embedding_map.css";
import {
  Autocomplete,
  clear,
  connect,
  formatNumber,
  h,
  isolateKeys,
  listen,
  setTraits,
  showError,
  svg,
  toolbar,
  trackBusy,
  uniqueId,
  type BaseModel,
  type ErrorInfo,
  type Options,
  widgetModule,
} from "./lib";

type Point = { label: string; x: number; y: number; role: "item" | "a" | "b" | "c" | "answer" };
type Arrow = { source: string; target: string; kind: "pair" | "answer"; x1: number; y1: number; x2: number; y2: number };

/** EmbeddingMap's traits. ``_options``: ``max_items``. */
export type MapModel = BaseModel & {
  items: string[];
  projection: "pca" | "axes";
  axes: string[];
  analogy: string[];
  answer: string;
  _points: Point[];
  _arrows: Arrow[];
  _axis_names: string[];
  _options: Options;
};

const [WIDTH, HEIGHT, PAD] = [480, 340, 30];
const LABEL_CHARS = 40; // longer labels are cut on the map; the chip and the point's title hold the whole text

/** A label short enough for the map. */
function short(label: string): string {
  const chars = Array.from(label);
  return chars.length > LABEL_CHARS ? `${chars.slice(0, LABEL_CHARS - 1).join("")}…` : label;
}

/** What the view last asked, so a clicked suggestion can ask again with the word swapped in. */
type Asked = { kind: "add"; item: string } | { kind: "axes" | "analogy"; words: string[] } | null;

function render({ model, el }: RenderProps<MapModel>): () => void {
  const [requester, disconnect] = connect(model);
  const root = h("div", { class: "ew-root ew-map", attrs: { role: "group", "aria-label": "Embedding map" } });
  isolateKeys(root);
  let asked: Asked = null;
  let responseError: ErrorInfo | null = null;

  const add = async (text: string) => {
    const item = text.trim();
    if (!item) return;
    asked = { kind: "add", item };
    const response = await requester.request("map_add", { item });
    if (response.status === "stale") return;
    responseError = response.status === "error" ? response.error : null;
    // Clear the box only if it still holds this item: the user may have typed the next one meanwhile.
    if (response.status === "ok" && response.data?.added && input.value.trim() === item) input.value = "";
    drawError();
  };
  const input = new Autocomplete("Word or sentence to put on the map", requester, (value) => void add(value));
  input.input.classList.add("ew-map-input");
  const addButton = h("button", {
    class: "ew-button ew-map-add",
    text: "Add",
    attrs: { type: "button" },
    on: { click: () => void add(input.value) },
  });
  const chips = h("ul", { class: "ew-map-items", attrs: { "aria-label": "Items on the map" } });

  const layoutButtons = (
    [
      ["pca", "PCA of the items"],
      ["axes", "Word-defined axes"],
    ] as const
  ).map(([value, text]) =>
    h("button", {
      class: "ew-button ew-map-layout",
      text,
      attrs: { type: "button", "data-layout": value, "aria-pressed": "false" },
      on: {
        click: () => {
          const changes: Partial<MapModel> = value === "axes" ? { projection: value, axes: axisWords() } : { projection: value };
          setTraits(model, changes);
        },
      },
    }),
  );
  const axisInputs = ["x axis from", "x axis to", "y axis from", "y axis to"].map((label) =>
    h("input", { class: "ew-input ew-axis-word", attrs: { type: "text", "aria-label": label, spellcheck: "false" } }),
  );
  const axisWords = () => axisInputs.map((box) => box.value.trim());
  const applyAxes = () => {
    asked = { kind: "axes", words: axisWords() };
    setTraits(model, { projection: "axes", axes: axisWords() });
  };
  axisInputs.forEach((box) => box.addEventListener("keydown", (event) => event.key === "Enter" && applyAxes()));
  const [xFrom, xTo, yFrom, yTo] = axisInputs;
  const axesRow = h("div", { class: "ew-row ew-map-axes" }, [
    h("span", { class: "ew-muted", text: "x:" }), xFrom ?? null, h("span", { text: "→" }), xTo ?? null,
    h("span", { class: "ew-muted", text: "y:" }), yFrom ?? null, h("span", { text: "→" }), yTo ?? null,
    h("button", { class: "ew-button ew-map-apply-axes", text: "Use these axes", attrs: { type: "button" }, on: { click: applyAxes } }),
  ]);

  const analogyInputs = ["analogy word a", "analogy word b", "analogy word c"].map((label) =>
    h("input", { class: "ew-input ew-analogy-word", attrs: { type: "text", "aria-label": label, spellcheck: "false" } }),
  );
  const drawArrows = () => {
    const words = analogyInputs.map((box) => box.value.trim());
    asked = { kind: "analogy", words };
    setTraits(model, { analogy: words });
  };
  analogyInputs.forEach((box) => box.addEventListener("keydown", (event) => event.key === "Enter" && drawArrows()));
  const answerText = h("span", { class: "ew-map-answer", attrs: { "aria-live": "polite" } });
  const [aBox, bBox, cBox] = analogyInputs;
  const analogyRow = h("div", { class: "ew-row ew-map-analogy" }, [
    aBox ?? null, h("span", { class: "ew-muted", text: ":" }), bBox ?? null,
    h("span", { class: "ew-muted", text: "::" }), cBox ?? null, h("span", { class: "ew-muted", text: ": ?" }),
    h("button", { class: "ew-button ew-map-draw", text: "Draw arrows", attrs: { type: "button" }, on: { click: drawArrows } }),
    h("button", {
      class: "ew-button ew-map-clear",
      text: "Clear arrows",
      attrs: { type: "button" },
      on: { click: () => setTraits(model, { analogy: [] }) },
    }),
    answerText,
  ]);

  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const status = h("div", { class: "ew-status", attrs: { "aria-live": "polite" } });
  const plot = svg("svg", { class: "ew-plot ew-map-plot", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img" }) as SVGSVGElement;
  const readout = h("div", { class: "ew-readout ew-muted", attrs: { "aria-live": "polite" } });
  const title = h("div", { class: "ew-title" });
  const markerId = uniqueId("ew-map-head");

  root.append(
    toolbar(title, model, requester),
    h("div", { class: "ew-row ew-map-add-row" }, [input.root, addButton]),
    chips,
    h("div", { class: "ew-row" }, [h("fieldset", { class: "ew-toggle" }, [h("legend", { text: "Layout" }), ...layoutButtons])]),
    axesRow,
    analogyRow,
    errorBox,
    status,
    plot,
    readout,
  );
  el.appendChild(root);

  // A clicked suggestion asks again with the word swapped in (the kernel put the old words back).
  const pick = (missing: string, word: string) => {
    const swap = (words: string[]) => words.map((w) => (w === missing ? word : w));
    if (asked?.kind === "add") void add(word);
    else if (asked?.kind === "axes") setTraits(model, { projection: "axes", axes: swap(asked.words) });
    else if (asked?.kind === "analogy") setTraits(model, { analogy: swap(asked.words) });
  };
  const drawError = () => showError(errorBox, responseError ?? model.get("error"), pick);

  const drawChips = () => {
    clear(chips);
    for (const item of model.get("items") ?? []) {
      chips.appendChild(
        h("li", { class: "ew-chip ew-map-item" }, [
          h("span", { class: "ew-map-item-text", text: short(item), attrs: { title: item } }),
          h("button", {
            class: "ew-map-remove",
            text: "×",
            attrs: { type: "button", "aria-label": `Remove ${short(item)}` },
            on: { click: () => void requester.request("map_remove", { item }) },
          }),
        ]),
      );
    }
  };

  const drawControls = () => {
    title.textContent = model.get("title");
    const layout = model.get("projection");
    layoutButtons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.layout === layout)));
    axesRow.classList.toggle("ew-inactive", layout !== "axes");
    const axes = model.get("axes") ?? [];
    axisInputs.forEach((box, i) => (box.value = axes[i] ?? ""));
    const analogy = model.get("analogy") ?? [];
    analogyInputs.forEach((box, i) => (box.value = analogy[i] ?? ""));
    const answer = model.get("answer");
    answerText.textContent = analogy.length === 3 && answer ? `${analogy.join(" : ")} : ${answer}` : "";
  };

  const drawPlot = () => {
    clear(plot);
    const points = model.get("_points") ?? [];
    const [xName, yName] = model.get("_axis_names") ?? [];
    plot.setAttribute("aria-label", points.length ? `Map of ${points.length} items: x ${xName ?? ""}, y ${yName ?? ""}` : "An empty map");
    if (!points.length) {
      plot.appendChild(svg("text", { class: "ew-axis-note", x: PAD, y: HEIGHT / 2 }, "Type a word or a sentence above to put it on the map."));
      return;
    }
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - 2 * PAD - 80); // room for labels
    const sy = (y: number) => HEIGHT - PAD - ((y - y0) / (y1 - y0 || 1)) * (HEIGHT - 2 * PAD);
    const defs = svg("defs");
    const marker = svg("marker", { id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "ew-arrowhead" }));
    defs.appendChild(marker);
    plot.appendChild(defs);
    // Zero lines: on word axes, which side of 0 a point lies on is the answer to "more from or more to?".
    if (model.get("projection") === "axes") {
      if (x0 < 0 && x1 > 0) plot.appendChild(svg("line", { class: "ew-map-zero", x1: sx(0), y1: PAD / 2, x2: sx(0), y2: HEIGHT - PAD / 2 }));
      if (y0 < 0 && y1 > 0) plot.appendChild(svg("line", { class: "ew-map-zero", x1: PAD / 2, y1: sy(0), x2: WIDTH - PAD / 2, y2: sy(0) }));
    }
    points.forEach((point, index) => {
      const describe = `${point.label}: ${xName ?? "x"} ${formatNumber(point.x)}, ${yName ?? "y"} ${formatNumber(point.y)}`;
      const [cx, cy] = [sx(point.x), sy(point.y)];
      const mark = svg("circle", {
        class: `ew-point ew-map-point ew-role-${point.role}`,
        cx, cy, r: 5, tabindex: 0, role: "img", "aria-label": describe, "data-index": index,
      });
      mark.appendChild(svg("title", {}, describe));
      const show = () => (readout.textContent = describe);
      mark.addEventListener("mouseenter", show);
      mark.addEventListener("focus", show);
      plot.appendChild(mark);
      const right = cx < WIDTH - 110; // labels near the right edge sit left of their points
      plot.appendChild(
        svg("text", { class: "ew-map-label", x: right ? cx + 7 : cx - 7, y: cy - 6, "text-anchor": right ? "start" : "end", "data-index": index }, short(point.label)),
      );
    });
    // Arrows after the points, so their heads are not hidden under the dots they point at.
    for (const arrow of model.get("_arrows") ?? []) {
      const line = svg("line", {
        class: `ew-arrow${arrow.kind === "answer" ? " ew-arrow-answer" : ""}`,
        x1: sx(arrow.x1), y1: sy(arrow.y1), x2: sx(arrow.x2), y2: sy(arrow.y2),
        "marker-end": `url(#${markerId})`,
      });
      line.appendChild(svg("title", {}, `${arrow.source} → ${arrow.target}`));
      plot.appendChild(line);
    }
    plot.appendChild(svg("text", { class: "ew-axis-note", x: WIDTH - 6, y: HEIGHT - 8, "text-anchor": "end" }, `x: ${xName ?? ""}`));
    plot.appendChild(svg("text", { class: "ew-axis-note", x: 6, y: 12 }, `y: ${yName ?? ""}`));
  };

  const stopListening = listen(model, [
    [["items"], drawChips],
    [["title", "projection", "axes", "analogy", "answer"], drawControls],
    [["_points", "_arrows", "_axis_names"], drawPlot],
    [
      ["error"],
      () => {
        responseError = null;
        drawError();
      },
    ],
  ]);
  const stopBusy = trackBusy(root, model, requester);
  drawChips();
  drawControls();
  drawPlot();
  drawError();

  return () => {
    stopListening();
    stopBusy();
    disconnect();
  };
}

export default widgetModule(render);

// SimilarityMatrix view: a canvas heat-map of cosine similarities with text labels and an exact readout on
// hover or keyboard focus. Python computes and orders the matrix; this only paints it.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import { clear, connect, formatScore, h, listen, readArray, toolbar, type BaseModel, widgetModule } from "./lib";

// A perceptual sequential ramp (dark blue → green → yellow), as RGB stops from 0 to 1.
type RGB = [number, number, number];
const RAMP: [RGB, ...RGB[]] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function rampColour(t: number): RGB {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const low = RAMP[i] ?? RAMP[0];
  const high = RAMP[i + 1] ?? low;
  const mix = (c: 0 | 1 | 2) => Math.round(low[c] + f * (high[c] - low[c]));
  return [mix(0), mix(1), mix(2)];
}

/** SimilarityMatrix's traits: the labels in display order and the float32 matrix, row-major. */
export type SimilarityModel = BaseModel & {
  order: "cluster" | "input";
  _labels: string[];
  _values: unknown; // {dtype: "float32", shape: [n, n], buffer} (lib/codecs readArray)
};

function render({ model, el }: RenderProps<SimilarityModel>): () => void {
  const [requester, disconnect] = connect(model);
  const title = h("div", { class: "ew-title" });
  const orderButtons = (
    [
      ["cluster", "similar together"],
      ["input", "as given"],
    ] as const
  ).map(([value, text]) =>
    h("button", {
      class: "ew-button",
      text,
      attrs: { type: "button", "data-order": value, "aria-pressed": "false" },
      on: {
        click: () => {
          model.set("order", value);
          model.save_changes();
        },
      },
    }),
  );
  const readout = h("div", { class: "ew-readout", attrs: { "aria-live": "polite" } });
  const canvas = h("canvas", {
    class: "ew-heatmap",
    attrs: { tabindex: 0, role: "img", "aria-label": "Cosine similarity heat-map; use the arrow keys to read values" },
  });
  const rowLabels = h("div", { class: "ew-row-labels" });
  const colLabels = h("div", { class: "ew-col-labels" });
  const legend = h("div", { class: "ew-legend ew-muted" });
  const grid = h("div", { class: "ew-matrix" }, [h("div"), colLabels, rowLabels, canvas]);
  const root = h("div", { class: "ew-root ew-similarity", attrs: { role: "group", "aria-label": "Similarity matrix" } }, [
    toolbar(title, model, requester),
    h("div", { class: "ew-row" }, [
      h("fieldset", { class: "ew-toggle" }, [h("legend", { text: "Order" }), ...orderButtons]),
    ]),
    grid,
    readout,
    legend,
  ]);
  el.appendChild(root);

  let labels: string[] = [];
  let values: Float32Array = new Float32Array(0);
  let cell = 12;
  let cursor: [number, number] | null = null;

  const show = (i: number, j: number) => {
    cursor = [i, j];
    readout.textContent = `${labels[i] ?? ""} ↔ ${labels[j] ?? ""}: ${formatScore(values[i * labels.length + j] ?? NaN)}`;
    rowLabels.querySelectorAll(".ew-active").forEach((node) => node.classList.remove("ew-active"));
    colLabels.querySelectorAll(".ew-active").forEach((node) => node.classList.remove("ew-active"));
    rowLabels.children[i]?.classList.add("ew-active");
    colLabels.children[j]?.classList.add("ew-active");
  };

  const draw = () => {
    labels = model.get("_labels") ?? [];
    const matrix = readArray(model.get("_values"));
    values = matrix ? Float32Array.from(matrix.data) : new Float32Array(0);
    const n = labels.length;
    title.textContent = model.get("title");
    const order = model.get("order");
    orderButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.order === order)));
    cell = Math.max(3, Math.min(28, Math.floor(560 / Math.max(n, 1))));
    canvas.width = canvas.height = n * cell;
    const context = canvas.getContext("2d");
    if (!context || !n) return;
    const low = Math.min(0, ...Array.from(values));
    const image = context.createImageData(n * cell, n * cell);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const [r, g, b] = rampColour(((values[i * n + j] ?? low) - low) / (1 - low || 1));
        for (let y = i * cell; y < (i + 1) * cell; y++) {
          for (let x = j * cell; x < (j + 1) * cell; x++) {
            const p = (y * n * cell + x) * 4;
            image.data[p] = r;
            image.data[p + 1] = g;
            image.data[p + 2] = b;
            image.data[p + 3] = 255;
          }
        }
      }
    }
    context.putImageData(image, 0, 0);
    const showLabels = cell >= 10;
    for (const [box, vertical] of [
      [rowLabels, false],
      [colLabels, true],
    ] as const) {
      clear(box);
      box.hidden = !showLabels;
      for (const label of labels) {
        const item = h("div", { class: vertical ? "ew-col-label" : "ew-row-label", text: label, attrs: { title: label } });
        item.style[vertical ? "width" : "height"] = `${cell}px`;
        item.style.lineHeight = `${cell}px`;
        box.appendChild(item);
      }
    }
    legend.textContent = `colour: cosine similarity from ${formatScore(low)} (dark) to 1 (light)`;
    if (cursor && cursor[0] < n && cursor[1] < n) show(cursor[0], cursor[1]);
    else readout.textContent = "Hover a cell (or focus the map and use the arrow keys) for its exact value.";
  };

  canvas.addEventListener("mousemove", (event) => {
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width || 1;
    const i = Math.floor(((event.clientY - box.top) * scale) / cell);
    const j = Math.floor(((event.clientX - box.left) * scale) / cell);
    if (i >= 0 && j >= 0 && i < labels.length && j < labels.length) show(i, j);
  });
  canvas.addEventListener("keydown", (event) => {
    const n = labels.length;
    if (!n) return;
    const [i, j] = cursor ?? [0, 0];
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    event.stopPropagation();
    show(Math.max(0, Math.min(n - 1, i + move[0])), Math.max(0, Math.min(n - 1, j + move[1])));
  });

  const stop = listen(model, [[["_labels", "_values", "order", "title"], draw]]);
  draw();
  return () => {
    stop();
    disconnect();
  };
}

export default widgetModule(render);

// AnalogyExplorer view: three inputs (a is to b as c is to ?), ranked answers with score bars, and an SVG
// plot of the parallelogram. It renders what Python computed and sends typed "run"/"complete" requests.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import {
  Autocomplete,
  clear,
  connect,
  formatScore,
  h,
  isolateKeys,
  listen,
  scoreBar,
  setTraits,
  showError,
  svg,
  toolbar,
  trackBusy,
  uniqueId,
  choicesOption,
  numberOption,
  type BaseModel,
  type Options,
  widgetModule,
} from "./lib";

type Row = { rank: number; label: string; score: number; is_input: boolean };
type Point = { label: string; role: "a" | "b" | "c" | "target" | "answer"; x: number; y: number; cosine: number };
type Preset = { name: string; a: string; b: string; c: string; note: string };

const WORDS = ["a", "b", "c"] as const;
/** AnalogyExplorer's traits. ``_options``: ``max_k`` (the most answers) and ``methods`` ([value, text] pairs). */
export type AnalogyModel = BaseModel & {
  a: string;
  b: string;
  c: string;
  k: number;
  method: string;
  exclude_inputs: boolean;
  _rows: Row[];
  _flipped_rows: Row[];
  _index_note: string;
  _plot: Point[];
  _presets: Preset[];
  _options: Options;
};

function render({ model, el }: RenderProps<AnalogyModel>): () => void {
  const [requester, disconnect] = connect(model);
  const options = model.get("_options");
  const root = h("div", { class: "ew-root ew-analogy", attrs: { role: "group", "aria-label": "Analogy explorer" } });
  isolateKeys(root);

  const run = (changes: Partial<AnalogyModel> = {}) => {
    const params: Partial<AnalogyModel> = {
      a: inputs.a.value.trim(),
      b: inputs.b.value.trim(),
      c: inputs.c.value.trim(),
      ...changes,
    };
    setTraits(model, params);
  };

  const inputs = {
    a: new Autocomplete("word a", requester, () => run()),
    b: new Autocomplete("word b", requester, () => run()),
    c: new Autocomplete("word c", requester, () => run()),
  };
  const question = h("div", { class: "ew-row ew-question" }, [
    inputs.a.root,
    h("span", { class: "ew-muted", text: "is to" }),
    inputs.b.root,
    h("span", { class: "ew-muted", text: "as" }),
    inputs.c.root,
    h("span", { class: "ew-muted", text: "is to ?" }),
    h("button", { class: "ew-button ew-run", text: "Go", attrs: { type: "button" }, on: { click: () => run() } }),
  ]);

  const presetRow = h("div", { class: "ew-row ew-presets", attrs: { role: "group", "aria-label": "Examples" } });
  const methodButtons = choicesOption(options, "methods").map(([value, text]) =>
    h("button", {
      class: "ew-button ew-method",
      text,
      attrs: { type: "button", "data-method": value, "aria-pressed": "false" },
      on: { click: () => run({ method: value }) },
    }),
  );
  const exclude = h("input", {
    attrs: { type: "checkbox", "aria-label": "Leave the input words out of the answers" },
    on: { change: () => run({ exclude_inputs: exclude.checked }) },
  });
  const k = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: numberOption(options, "max_k", 0) || undefined, "aria-label": "Number of answers" },
    on: {
      change: () => run({ k: Number(k.value) }),
      keydown: (event) => {
        if (event.key === "Enter") run({ k: Number(k.value) });
      },
    },
  });
  const controls = h("div", { class: "ew-row ew-controls" }, [
    h("fieldset", { class: "ew-toggle" }, [h("legend", { text: "Method" }), ...methodButtons]),
    h("label", {}, [exclude, h("span", { text: " exclude inputs" })]),
    h("label", {}, [h("span", { class: "ew-muted", text: "answers " }), k]),
  ]);

  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const status = h("div", { class: "ew-status", attrs: { "aria-live": "polite" } });
  const results = h("ol", { class: "ew-results", attrs: { "aria-label": "Answers" } });
  const flippedNote = h("p", { class: "ew-note ew-flipped" });
  const indexNote = h("p", { class: "ew-note ew-muted ew-index-note" });
  const presetNote = h("p", { class: "ew-note ew-preset-note" });
  const plot = svg("svg", { class: "ew-plot", viewBox: "0 0 440 300", role: "img" }) as SVGSVGElement;
  const readout = h("div", { class: "ew-readout ew-muted", attrs: { "aria-live": "polite" } });
  const title = h("div", { class: "ew-title" });
  const markerId = uniqueId("ew-head");

  root.append(
    toolbar(title, model, requester),
    presetRow,
    question,
    controls,
    errorBox,
    status,
    h("div", { class: "ew-columns" }, [
      h("div", { class: "ew-panel" }, [results, indexNote, flippedNote]),
      h("div", { class: "ew-panel" }, [plot, readout]),
    ]),
    presetNote,
  );
  el.appendChild(root);

  const pickSuggestion = (missing: string, word: string) => {
    const changes: Record<string, string> = {};
    for (const name of WORDS) {
      if (inputs[name].value.trim() === missing) {
        inputs[name].value = word;
        changes[name] = word;
      }
    }
    run(changes);
  };

  const drawPresets = () => {
    clear(presetRow);
    presetRow.appendChild(h("span", { class: "ew-muted", text: "Try:" }));
    for (const preset of model.get("_presets") ?? []) {
      presetRow.appendChild(
        h("button", {
          class: "ew-chip ew-preset",
          text: preset.name,
          attrs: { type: "button" },
          on: {
            click: () => {
              WORDS.forEach((name) => (inputs[name].value = preset[name]));
              presetNote.textContent = preset.note;
              run({ a: preset.a, b: preset.b, c: preset.c });
            },
          },
        }),
      );
    }
  };

  const drawInputs = () => {
    for (const name of WORDS) inputs[name].value = model.get(name);
    const method = model.get("method");
    methodButtons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.method === method)));
    exclude.checked = Boolean(model.get("exclude_inputs"));
    k.value = String(model.get("k"));
    title.textContent = model.get("title");
  };

  const drawResults = () => {
    clear(results);
    for (const row of model.get("_rows") ?? []) {
      const item = h("li", { class: `ew-result${row.is_input ? " ew-input-word" : ""}` }, [
        h("span", { class: "ew-rank", text: String(row.rank) }),
        h("span", { class: "ew-label", text: row.label, attrs: { title: row.label } }),
        scoreBar(row.score, `cosine ${formatScore(row.score)}`),
        h("span", { class: "ew-score", text: formatScore(row.score) }),
      ]);
      results.appendChild(item);
    }
    const how = model.get("_index_note") ?? "";
    indexNote.textContent = how ? `Answers found by the set's index: ${how}.` : "";
    indexNote.hidden = !how;
    const flipped = model.get("_flipped_rows") ?? [];
    const excluding = Boolean(model.get("exclude_inputs"));
    flippedNote.textContent = flipped.length
      ? `${excluding ? "If the input words were allowed" : "With the input words left out"}, the top answers would be: ` +
        flipped.map((row) => `${row.label} (${formatScore(row.score)})`).join(", ") +
        (excluding && flipped.some((row) => row.is_input)
          ? ". An input word wins: that is why analogy tools leave the inputs out."
          : ".")
      : "";
  };

  const drawPlot = () => {
    clear(plot);
    const points = model.get("_plot") ?? [];
    plot.setAttribute("aria-label", points.length ? "Analogy plot: the words placed by a PCA of their vectors" : "No plot");
    if (!points.length) return;
    const [width, height, pad, labelRoom] = [440, 300, 28, 90]; // labels sit right of their points
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad - labelRoom);
    const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
    const defs = svg("defs");
    const marker = svg("marker", { id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "ew-arrowhead" }));
    defs.appendChild(marker);
    plot.appendChild(defs);
    const byRole = (role: string) => points.find((p) => p.role === role);
    const arrow = (from?: Point, to?: Point, extra = "") => {
      if (!from || !to) return;
      plot.appendChild(
        svg("line", {
          class: `ew-arrow ${extra}`,
          x1: sx(from.x), y1: sy(from.y), x2: sx(to.x), y2: sy(to.y),
          "marker-end": `url(#${markerId})`,
        }),
      );
    };
    arrow(byRole("a"), byRole("b"));
    arrow(byRole("c"), byRole("answer"), "ew-arrow-answer");
    for (const point of points) {
      const describe = `${point.label}: cosine to the target ${formatScore(point.cosine)}`;
      const mark = svg("circle", {
        class: `ew-point ew-role-${point.role}`,
        cx: sx(point.x), cy: sy(point.y), r: point.role === "target" ? 7 : 5,
        tabindex: 0, role: "img", "aria-label": describe,
      });
      mark.appendChild(svg("title", {}, describe));
      const show = () => (readout.textContent = describe);
      mark.addEventListener("mouseenter", show);
      mark.addEventListener("focus", show);
      plot.appendChild(mark);
      plot.appendChild(svg("text", { x: sx(point.x) + 7, y: sy(point.y) - 6 }, point.label));
    }
    plot.appendChild(svg("text", { class: "ew-axis-note", x: 6, y: height - 8 }, "PCA of these vectors; arrows: a → b and c → top answer"));
  };

  const drawError = () => showError(errorBox, model.get("error"), pickSuggestion);

  const stopListening = listen(model, [
    [["a", "b", "c", "method", "exclude_inputs", "k", "title"], drawInputs],
    [["_rows", "_flipped_rows", "exclude_inputs", "_index_note"], drawResults],
    [["_plot"], drawPlot],
    [["error"], drawError],
    [["_presets"], drawPresets],
  ]);
  const stopBusy = trackBusy(root, model, requester);
  drawPresets();
  drawInputs();
  drawResults();
  drawPlot();
  drawError();

  return () => {
    stopListening();
    stopBusy();
    disconnect();
  };
}

export default widgetModule(render);

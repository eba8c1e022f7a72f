// NeighborBrowser view: a query box with suggestions, ranked neighbours with score bars (click one to make it
// the query), a breadcrumb trail with Back, and an optional second column comparing another set.
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
  toolbar,
  trackBusy,
  numberOption,
  choicesOption,
  type BaseModel,
  type ErrorInfo,
  type Options,
  widgetModule,
} from "./lib";

type Row = { rank: number; label: string; score: number; bar: number; shared: boolean };

/** NeighborBrowser's traits. ``_options``: ``max_k`` (the largest k) and ``metrics`` ([value, text] pairs). */
export type NeighborsModel = BaseModel & {
  query: string;
  k: number;
  metric: string;
  history: string[];
  accepts_text: boolean;
  _rows: Row[];
  _compare_rows: Row[];
  _compare_error: ErrorInfo | null;
  _overlap: number | null;
  _index_notes: string[];
  _names: string[];
  _options: Options;
};

function render({ model, el }: RenderProps<NeighborsModel>): () => void {
  const [requester, disconnect] = connect(model);
  const options = model.get("_options");
  const root = h("div", { class: "ew-root ew-neighbors", attrs: { role: "group", "aria-label": "Neighbour browser" } });
  isolateKeys(root);

  const run = (changes: Partial<NeighborsModel>) => setTraits(model, changes);
  const query = new Autocomplete("Query", requester, (value) => run({ query: value.trim() }));
  query.input.classList.add("ew-query");
  const k = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: numberOption(options, "max_k", 0) || undefined, "aria-label": "Number of neighbours" },
    on: {
      change: () => run({ k: Number(k.value) }),
      keydown: (event) => {
        if (event.key === "Enter") run({ k: Number(k.value) });
      },
    },
  });
  const metricButtons = choicesOption(options, "metrics").map(([value, text]) =>
    h("button", {
      class: "ew-button ew-metric",
      text,
      attrs: { type: "button", "data-metric": value, "aria-pressed": "false" },
      on: { click: () => run({ metric: value }) },
    }),
  );
  const back = h("button", {
    class: "ew-button ew-back",
    text: "← Back",
    attrs: { type: "button", "aria-label": "Back to the previous query" },
    on: { click: () => requester.request("back") },
  });
  const title = h("div", { class: "ew-title" });
  const hint = h("span", { class: "ew-muted ew-hint" });
  const crumbs = h("ol", { class: "ew-crumbs", attrs: { "aria-label": "Trail of queries" } });
  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const status = h("div", { class: "ew-status", attrs: { "aria-live": "polite" } });
  const overlap = h("p", { class: "ew-note ew-overlap" });
  const columns = h("div", { class: "ew-columns" });

  root.append(
    toolbar(title, model, requester),
    h("div", { class: "ew-row" }, [
      query.root,
      h("button", { class: "ew-button", text: "Search", attrs: { type: "button" }, on: { click: () => run({ query: query.value.trim() }) } }),
      h("label", {}, [h("span", { class: "ew-muted", text: "k " }), k]),
      h("fieldset", { class: "ew-toggle" }, [h("legend", { text: "Metric" }), ...metricButtons]),
      back,
    ]),
    hint,
    h("nav", { attrs: { "aria-label": "Query trail" } }, [crumbs]),
    errorBox,
    status,
    overlap,
    columns,
  );
  el.appendChild(root);

  const panel = (name: string, rows: Row[], error: ErrorInfo | null, metric: string, side: string, note: string) => {
    const list = h("ol", { class: "ew-results", attrs: { "aria-label": `Neighbours in ${name}` } });
    for (const row of rows) {
      const unit = metric === "euclidean" ? "distance" : metric;
      list.appendChild(
        h("li", { class: `ew-result${row.shared ? " ew-shared" : ""}`, attrs: { "data-label": row.label } }, [
          h("span", { class: "ew-rank", text: String(row.rank) }),
          h("button", {
            class: "ew-link ew-label",
            text: row.label,
            attrs: { type: "button", title: row.label, "aria-label": `Search the neighbours of ${row.label}` },
            on: { click: () => run({ query: row.label }) },
          }),
          scoreBar(row.bar, `${unit} ${formatScore(row.score)}`),
          h("span", { class: "ew-score", text: formatScore(row.score) }),
        ]),
      );
    }
    const box = h("div", { class: "ew-error", attrs: { role: "status" } });
    showError(box, error);
    // How the answer was found, e.g. "approximate (recall@10 0.97)"; empty when the scan was exact.
    const how = h("span", { class: "ew-muted ew-index-note", text: note ? ` · ${note}` : "" });
    const heading = h("div", { class: "ew-panel-title" }, [h("span", { text: name }), how]);
    return h("section", { class: `ew-panel ew-panel-${side}` }, [heading, box, list]);
  };

  const drawControls = () => {
    query.value = model.get("query");
    k.value = String(model.get("k"));
    const metric = model.get("metric");
    metricButtons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.metric === metric)));
    title.textContent = model.get("title");
    hint.textContent = model.get("accepts_text")
      ? "Type a label or any text: texts are encoded by the set's model."
      : "Type a label; suggestions come from the set's labels.";
  };

  const drawTrail = () => {
    const history = model.get("history") ?? [];
    clear(crumbs);
    history.forEach((step, index) => {
      const current = index === history.length - 1;
      crumbs.appendChild(
        h("li", {}, [
          h("button", {
            class: "ew-link",
            text: step,
            attrs: { type: "button", "aria-current": current ? "step" : undefined, disabled: current },
            on: { click: () => requester.request("goto", { index }) },
          }),
        ]),
      );
    });
    back.disabled = history.length < 2;
  };

  const drawResults = () => {
    clear(columns);
    const names = model.get("_names") ?? [];
    const metric = model.get("metric");
    const notes = model.get("_index_notes") ?? [];
    columns.appendChild(panel(names[0] ?? "", model.get("_rows") ?? [], null, metric, "main", notes[0] ?? ""));
    const other = names[1];
    if (other !== undefined) {
      columns.appendChild(
        panel(other, model.get("_compare_rows") ?? [], model.get("_compare_error"), metric, "compare", notes[1] ?? ""),
      );
    }
    const share = model.get("_overlap");
    const rows = model.get("_rows") ?? [];
    overlap.textContent =
      share === null || share === undefined
        ? ""
        : `overlap@${rows.length}: ${share.toFixed(2)} (${rows.filter((r) => r.shared).length} neighbours in both, marked ●)`;
  };

  const stopListening = listen(model, [
    [["query", "k", "metric", "title", "accepts_text"], drawControls],
    [["history"], drawTrail],
    [["_rows", "_compare_rows", "_compare_error", "_overlap", "_names", "_index_notes"], drawResults],
    [["error"], () => showError(errorBox, model.get("error"), (_missing, word) => run({ query: word }))],
  ]);
  const stopBusy = trackBusy(root, model, requester);
  drawControls();
  drawTrail();
  drawResults();
  showError(errorBox, model.get("error"), (_missing, word) => run({ query: word }));

  return () => {
    stopListening();
    stopBusy();
    disconnect();
  };
}

export default widgetModule(render);

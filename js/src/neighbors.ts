// NeighborBrowser view: a query box with suggestions, ranked neighbours with score bars (click one to make it
// the query), a breadcrumb trail with Back, and an optional second column comparing another set.
import type { AnyModel, RenderProps } from "@anywidget/types";
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
  type ErrorInfo,
  widgetModule,
} from "./base";

type Row = { rank: number; label: string; score: number; bar: number; shared: boolean };

const METRICS: [string, string][] = [
  ["cosine", "cosine"],
  ["dot", "dot"],
  ["euclidean", "euclidean"],
];

function render({ model, el }: RenderProps): () => void {
  const [requester, disconnect] = connect(model as AnyModel);
  const root = h("div", { class: "ew-root ew-neighbors", attrs: { role: "group", "aria-label": "Neighbour browser" } });
  isolateKeys(root);

  const run = (changes: Record<string, unknown>) => setTraits(model as AnyModel, changes);
  const query = new Autocomplete("Query", requester, (value) => run({ query: value.trim() }));
  query.input.classList.add("ew-query");
  const k = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: 200, "aria-label": "Number of neighbours" },
    on: {
      change: () => run({ k: Number(k.value) }),
      keydown: (event: KeyboardEvent) => {
        if (event.key === "Enter") run({ k: Number(k.value) });
      },
    },
  });
  const metricButtons = METRICS.map(([value, text]) =>
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
    toolbar(title, model as AnyModel, requester),
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

  const panel = (name: string, rows: Row[], error: ErrorInfo | null, metric: string, side: string) => {
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
    return h("section", { class: `ew-panel ew-panel-${side}` }, [h("div", { class: "ew-panel-title", text: name }), box, list]);
  };

  const drawControls = () => {
    query.value = model.get("query") as string;
    k.value = String(model.get("k"));
    const metric = model.get("metric") as string;
    metricButtons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.metric === metric)));
    title.textContent = model.get("title") as string;
    hint.textContent = model.get("accepts_text")
      ? "Type a label or any text: texts are encoded by the set's model."
      : "Type a label; suggestions come from the set's labels.";
  };

  const drawTrail = () => {
    const history = (model.get("history") as string[]) ?? [];
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
    const names = (model.get("_names") as string[]) ?? [];
    const metric = model.get("metric") as string;
    columns.appendChild(panel(names[0] ?? "", (model.get("_rows") as Row[]) ?? [], null, metric, "main"));
    if (names.length > 1) {
      columns.appendChild(panel(names[1], (model.get("_compare_rows") as Row[]) ?? [], model.get("_compare_error"), metric, "compare"));
    }
    const share = model.get("_overlap") as number | null;
    const rows = (model.get("_rows") as Row[]) ?? [];
    overlap.textContent =
      share === null || share === undefined
        ? ""
        : `overlap@${rows.length}: ${share.toFixed(2)} (${rows.filter((r) => r.shared).length} neighbours in both, marked ●)`;
  };

  const stopListening = listen(model as AnyModel, [
    [["query", "k", "metric", "title", "accepts_text"], drawControls],
    [["history"], drawTrail],
    [["_rows", "_compare_rows", "_compare_error", "_overlap", "_names"], drawResults],
    [["error"], () => showError(errorBox, model.get("error"), (_missing, word) => run({ query: word }))],
  ]);
  const stopBusy = trackBusy(root, model as AnyModel, requester);
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

// The controls above the map: find text, nearest-to query, layout, clusters, colour, labels, size, opacity,
// lasso, reset and the exports. They report what the user did; the render wires them to requests.
import { Autocomplete, choicesOption, clear, h, hasFocus, numberOption, type Choice, type Requester } from "../lib";
import type { ClusterModel, ViewModel } from "./model";

export type ControlActions = {
  set(changes: Partial<ClusterModel>): void;
  style(size: number, opacity: number): void;
  lasso(on: boolean): void;
  reset(): void;
  png(): void;
  svg(): void;
};

const FIND_DELAY_MS = 350;

function fillSelect(select: HTMLSelectElement, options: Choice[], value: string): void {
  const key = JSON.stringify(options);
  if (select.dataset.options !== key) {
    clear(select);
    for (const [optionValue, text] of options) select.appendChild(h("option", { text, attrs: { value: optionValue } }));
    select.dataset.options = key;
  }
  select.value = value;
}

const field = (text: string, control: HTMLElement) => h("label", { class: "ew-field" }, [h("span", { class: "ew-muted", text }), control]);

export class Controls {
  /** The rows to put above the map; ``queryRows`` need the kernel, ``viewRow`` works anywhere. */
  readonly queryRows: HTMLElement[];
  readonly viewRow: HTMLElement;
  private findTimer: ReturnType<typeof setTimeout> | undefined;
  private find: HTMLInputElement;
  private query: Autocomplete;
  private queryK: HTMLInputElement;
  private projection: HTMLSelectElement;
  private k: HTMLInputElement;
  private method: HTMLSelectElement;
  private colorBy: HTMLSelectElement;
  private labels: HTMLInputElement;
  private contours: HTMLInputElement;
  private size: HTMLInputElement;
  private opacity: HTMLInputElement;

  constructor(model: ViewModel, requester: Requester, actions: ControlActions) {
    const options = model.get("_options");
    const searchNow = () => {
      clearTimeout(this.findTimer);
      actions.set({ search: this.find.value });
    };
    this.find = h("input", {
      class: "ew-input ew-find",
      attrs: { type: "search", "aria-label": "Highlight points whose label contains this text", placeholder: "find text…" },
      on: {
        input: () => {
          clearTimeout(this.findTimer);
          this.findTimer = setTimeout(searchNow, FIND_DELAY_MS);
        },
        keydown: (event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            searchNow();
          }
        },
      },
    });
    this.query = new Autocomplete("Highlight the points nearest to a label or a text", requester, (value) => actions.set({ query: value.trim() }));
    this.query.input.classList.add("ew-query");
    this.query.input.setAttribute("placeholder", "nearest to…");
    const maxOf = (key: string) => numberOption(options, key, 0) || undefined;
    this.queryK = h("input", {
      class: "ew-number",
      attrs: { type: "number", min: 1, max: maxOf("max_query_k"), "aria-label": "How many nearest points to highlight" },
      on: { change: () => actions.set({ query_k: Number(this.queryK.value) }) },
    });
    this.projection = h("select", {
      class: "ew-select",
      attrs: { "aria-label": "Projection" },
      on: { change: () => actions.set({ projection: this.projection.value }) },
    });
    this.k = h("input", {
      class: "ew-number",
      attrs: { type: "number", min: 1, max: maxOf("max_k"), "aria-label": "Number of clusters" },
      on: { change: () => actions.set({ k: Number(this.k.value) }) },
    });
    this.method = h("select", {
      class: "ew-select",
      attrs: { "aria-label": "Clustering method" },
      on: { change: () => actions.set({ cluster_method: this.method.value }) },
    });
    fillSelect(this.method, choicesOption(options, "methods"), model.get("cluster_method"));
    this.colorBy = h("select", {
      class: "ew-select ew-color-by",
      attrs: { "aria-label": "Colour points by" },
      on: { change: () => actions.set({ color_by: this.colorBy.value }) },
    });
    this.labels = h("input", {
      attrs: { type: "checkbox", "aria-label": "Show cluster labels" },
      on: { change: () => actions.set({ labels: this.labels.checked }) },
    });
    this.contours = h("input", {
      class: "ew-contours-toggle",
      attrs: { type: "checkbox", "aria-label": "Show density contours" },
      on: { change: () => actions.set({ density: this.contours.checked }) },
    });
    const restyle = (changes: Partial<ClusterModel>) => {
      actions.style(Number(this.size.value), Number(this.opacity.value));
      actions.set(changes);
    };
    this.size = h("input", {
      class: "ew-range",
      attrs: { type: "range", min: 0.5, max: 20, step: 0.5, "aria-label": "Point size" },
      on: { input: () => restyle({ point_size: Number(this.size.value) }) },
    });
    this.opacity = h("input", {
      class: "ew-range",
      attrs: { type: "range", min: 0.05, max: 1, step: 0.05, "aria-label": "Point opacity" },
      on: { input: () => restyle({ opacity: Number(this.opacity.value) }) },
    });
    const lasso = h("button", {
      class: "ew-button ew-lasso",
      text: "Lasso",
      attrs: { type: "button", "aria-pressed": "false", title: "Drag to draw a lasso (or hold Shift while dragging)" },
      on: {
        click: () => {
          const on = lasso.getAttribute("aria-pressed") !== "true";
          lasso.setAttribute("aria-pressed", String(on));
          actions.lasso(on);
        },
      },
    });
    const button = (text: string, className: string, label: string | undefined, click: () => void) =>
      h("button", { class: `ew-button ${className}`.trim(), text, attrs: { type: "button", "aria-label": label }, on: { click } });

    this.queryRows = [
      h("div", { class: "ew-row" }, [this.find, this.query.root, field("k ", this.queryK)]),
      h("div", { class: "ew-row" }, [
        field("layout ", this.projection),
        field("clusters ", this.k),
        this.method,
        field("colour ", this.colorBy),
        h("label", { class: "ew-field" }, [this.labels, h("span", { text: " labels" })]),
      ]),
    ];
    this.viewRow = h("div", { class: "ew-row" }, [
      field("size ", this.size),
      field("opacity ", this.opacity),
      lasso,
      h("label", { class: "ew-field" }, [this.contours, h("span", { text: " contours" })]),
      button("Reset view", "ew-reset", undefined, actions.reset),
      button("PNG", "", "Export the current view as PNG", actions.png),
      button("SVG", "", "Export the current view as SVG", actions.svg),
    ]);
  }

  /** The labels checkbox alone, for a page without the kernel-backed rows. */
  get labelsToggle(): HTMLElement {
    return h("label", { class: "ew-field" }, [this.labels, h("span", { text: " labels" })]);
  }

  draw(model: ViewModel): void {
    if (!hasFocus(this.find)) this.find.value = model.get("search");
    if (!hasFocus(this.query.input)) this.query.value = model.get("query");
    this.queryK.value = String(model.get("query_k"));
    fillSelect(this.projection, model.get("_projection_options") ?? [], model.get("projection"));
    fillSelect(this.colorBy, model.get("_color_options") ?? [], model.get("color_by"));
    this.k.value = String(model.get("k"));
    this.method.value = model.get("cluster_method");
    this.k.disabled = this.method.value === "hdbscan";
    this.labels.checked = Boolean(model.get("labels"));
    this.contours.checked = Boolean(model.get("density"));
    this.size.value = String(model.get("point_size"));
    this.opacity.value = String(model.get("opacity"));
    this.query.input.setAttribute("placeholder", model.get("accepts_text") ? "nearest to a text or label…" : "nearest to a label…");
  }

  destroy(): void {
    clearTimeout(this.findTimer);
  }
}

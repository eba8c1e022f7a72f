// The page that save_html writes: the same views as the widgets, drawn from data embedded in the page instead
// of a kernel. A map (ClusterView) reads its compact page data through ./cluster/page_model.ts; every other
// widget reads a snapshot of its synced traits through ./page/snapshot_model.ts. Nothing here fetches anything.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import "./cluster.css";
import "./search_compare.css";
import analogy from "./analogy";
import embeddingMap from "./embedding_map";
import explorer from "./explorer";
import neighbors from "./neighbors";
import quiz from "./quiz";
import searchCompare from "./search_compare";
import similarity from "./similarity";
import { h, isRecord } from "./lib";
import { PageModel, type PageData } from "./cluster/page_model";
import { renderCluster } from "./cluster/render";
import { SnapshotModel, type WidgetSnapshot } from "./page/snapshot_model";

/** The bundled views, by the name of the module each widget loads in the notebook. */
const VIEWS: Record<string, { render: (props: RenderProps<any>) => unknown }> = {
  analogy,
  embedding_map: embeddingMap,
  explorer,
  neighbors,
  quiz,
  search_compare: searchCompare,
  similarity,
};

function drawView(model: SnapshotModel, el: HTMLElement): void {
  const view = VIEWS[model.module];
  if (!view) {
    el.appendChild(h("p", { class: "ew-error", text: `This page cannot draw a “${model.module}” view.` }));
    return;
  }
  const props = { model, el, signal: new AbortController().signal, host: null, experimental: null };
  view.render(props as unknown as RenderProps<any>);
}

/** A widget's snapshot, under a note that says what a saved page can and cannot do. */
function drawWidget(data: WidgetSnapshot, page: HTMLElement): void {
  const base = "Saved page: what the widget showed when it was saved. It has no Python kernel.";
  const note = h("p", { class: "ew-note ew-offline-note", text: base, attrs: { role: "status" } });
  const box = h("div");
  page.append(note, box);
  const model = new SnapshotModel(data, data.children ?? {}, drawView);
  model.onOffline((what) => (note.textContent = `${base} ${what}: not available offline.`));
  drawView(model, box);
}

function draw(data: unknown, page: HTMLElement): void {
  if (!isRecord(data)) {
    page.textContent = "This page holds no saved widget.";
  } else if (data.kind === "cluster" && isRecord(data.xy)) {
    renderCluster({ model: new PageModel(data as PageData), el: page }, "saved");
  } else if (data.kind === "widget" && typeof data.module === "string" && isRecord(data.state)) {
    drawWidget(data as WidgetSnapshot, page);
  } else if (data.kind === "row" && Array.isArray(data.items)) {
    const row = h("div", { class: "ew-saved-row" });
    page.appendChild(row);
    for (const item of data.items) {
      const cell = h("div", { class: "ew-saved-cell" });
      row.appendChild(cell);
      draw(item, cell);
    }
  } else {
    page.textContent = "This page holds no saved widget.";
  }
}

/** Read the embedded data and draw the view into the page. */
function main(): void {
  const source = document.getElementById("ew-data");
  const page = document.getElementById("ew-page");
  if (!source || !page) return;
  draw(JSON.parse(source.textContent ?? "null"), page);
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
}

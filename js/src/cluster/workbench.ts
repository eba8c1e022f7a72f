// The workbench beside the map: filter charts (a histogram per number or date column, top-N bars per category
// column) and the linked table. Python counts and sorts; these parts draw what it sends and report clicks and
// brushes. The table is virtual: only the rows in view are asked for (typed "rows" requests) and drawn.
import { clear, h, type Requester } from "../lib";

export type Chart = {
  column: string;
  kind: "number" | "date" | "category";
  bars?: string[];
  edges?: number[];
  total: number[];
  counts: number[];
};
/** Filters on the wire: a category column → the kept categories, a number or date column → [low, high]. */
export type FilterState = Record<string, unknown[]>;

const OTHER_BAR = 1;
export const GREY = "#c8ccd2"; // points the filters leave out: drawn, but greyed

/** Colour values with the filtered-out points moved to one extra grey colour. A ramp becomes its colours' indices
 * (the ramp has 256 steps, so nothing visible changes) so that grey can follow them. */
export function greyed(values: ArrayLike<number> | null, continuous: boolean, colors: string[], mask: Uint8Array): [Int32Array, string[]] {
  const grey = colors.length;
  const top = colors.length - 1;
  const out = new Int32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) out[i] = grey;
    else if (values === null) out[i] = 0;
    else out[i] = continuous ? Math.round(Math.max(0, Math.min(1, values[i] ?? 0)) * top) : (values[i] ?? 0);
  }
  return [out, [...colors, GREY]];
}
 // the last category bar counts every other category and cannot be picked alone

export function formatEdge(kind: Chart["kind"], value: number): string {
  if (kind === "date") return Number.isFinite(value) ? new Date(value).toISOString().slice(0, 10) : "";
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}

/** The bins [first, last] covered by a range filter, or null. */
export function binsOf(edges: number[], range: unknown[] | undefined): [number, number] | null {
  if (!range || range.length !== 2 || edges.length < 2) return null;
  const [low, high] = range.map(Number) as [number, number];
  let first = -1;
  let last = -1;
  for (let i = 0; i + 1 < edges.length; i++) {
    const a = edges[i] ?? 0;
    const b = edges[i + 1] ?? 0;
    // A bin is lit when the range overlaps its inside: a brush ending on an edge does not light the next bin.
    if ((b > low && a < high) || (low === high && a <= low && low <= b)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? null : [first, last];
}

export class FilterCharts {
  readonly node: HTMLElement;
  private state: FilterState = {};

  constructor(private change: (state: FilterState) => void) {
    this.node = h("div", { class: "ew-filters", attrs: { role: "group", "aria-label": "Filters" } });
  }

  private set(column: string, value: unknown[] | null): void {
    const next: FilterState = { ...this.state };
    if (value === null) delete next[column];
    else next[column] = value;
    this.change(next);
  }

  draw(charts: Chart[], state: FilterState): void {
    this.state = state;
    clear(this.node);
    this.node.hidden = charts.length === 0;
    for (const chart of charts) this.node.appendChild(this.chart(chart, state[chart.column]));
  }

  private chart(chart: Chart, value: unknown[] | undefined): HTMLElement {
    const most = Math.max(1, ...chart.total);
    const passing = chart.counts.reduce((a, b) => a + b, 0);
    const status = h("span", { class: "ew-chart-status ew-muted" });
    const clearButton = h("button", {
      class: "ew-button ew-chart-clear",
      text: "×",
      attrs: { type: "button", "aria-label": `Clear the filter on ${chart.column}`, title: "Clear this filter" },
      on: { click: () => this.set(chart.column, null) },
    });
    clearButton.hidden = value === undefined;
    const bars = h("div", { class: `ew-bars ew-bars-${chart.kind === "category" ? "category" : "histogram"}` });
    const root = h("div", { class: "ew-chart", attrs: { "data-column": chart.column, "data-kind": chart.kind } }, [
      h("div", { class: "ew-chart-head" }, [h("span", { class: "ew-chart-title", text: chart.column }), status, clearButton]),
      bars,
    ]);
    if (chart.kind === "category") {
      const names = chart.bars ?? [];
      const kept = new Set((value ?? []).map(String));
      status.textContent = value === undefined ? `${passing.toLocaleString()}` : `${kept.size} kept · ${passing.toLocaleString()}`;
      names.forEach((name, i) => {
        const other = i >= names.length - OTHER_BAR;
        const total = chart.total[i] ?? 0;
        if (other && total === 0) return;
        const count = chart.counts[i] ?? 0;
        const on = value === undefined || kept.has(name);
        const button = h(
          "button",
          {
            class: `ew-cat${on ? "" : " ew-out"}`,
            attrs: {
              type: "button",
              "data-value": name,
              "aria-pressed": String(value !== undefined && kept.has(name)),
              "aria-label": `${chart.column}: ${name}, ${count} of ${total}`,
              disabled: other,
              title: other ? "every other category" : "click to keep or drop",
            },
            on: {
              click: () => {
                const next = new Set(kept);
                if (next.has(name)) next.delete(name);
                else next.add(name);
                this.set(chart.column, next.size ? Array.from(next) : null);
              },
            },
          },
          [
            h("span", { class: "ew-cat-label", text: name }),
            h("span", { class: "ew-cat-count", text: count.toLocaleString() }),
          ],
        );
        const back = h("span", { class: "ew-cat-total" });
        back.style.width = `${(100 * total) / most}%`;
        const front = h("span", { class: "ew-cat-fill" });
        front.style.width = `${(100 * count) / most}%`;
        button.prepend(back, front);
        bars.appendChild(button);
      });
      return root;
    }
    const edges = chart.edges ?? [];
    const lit = binsOf(edges, value);
    status.textContent = lit
      ? `${formatEdge(chart.kind, Number(value?.[0]))} – ${formatEdge(chart.kind, Number(value?.[1]))} · ${passing.toLocaleString()}`
      : `${passing.toLocaleString()}`;
    const cells: HTMLElement[] = chart.total.map((total, i) => {
      const cell = h("div", { class: "ew-bin", attrs: { "data-bin": i, title: `${formatEdge(chart.kind, edges[i] ?? 0)} – ${formatEdge(chart.kind, edges[i + 1] ?? 0)}` } });
      const back = h("div", { class: "ew-bin-total" });
      back.style.height = `${(100 * total) / most}%`;
      const front = h("div", { class: "ew-bin-fill" });
      front.style.height = `${(100 * (chart.counts[i] ?? 0)) / most}%`;
      if (lit && (i < lit[0] || i > lit[1])) cell.classList.add("ew-out");
      cell.append(back, front);
      return cell;
    });
    bars.append(...cells);
    bars.setAttribute("role", "img");
    bars.setAttribute("aria-label", `Histogram of ${chart.column}; drag across it to filter`);
    // Brushing: press on a bin, drag, release. The range covers whole bins.
    let from = -1;
    const binAt = (event: PointerEvent) => {
      const box = bars.getBoundingClientRect();
      const i = Math.floor(((event.clientX - box.left) / Math.max(1, box.width)) * cells.length);
      return Math.max(0, Math.min(cells.length - 1, i));
    };
    const paint = (a: number, b: number) => cells.forEach((cell, i) => cell.classList.toggle("ew-brushed", i >= Math.min(a, b) && i <= Math.max(a, b)));
    bars.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      event.stopPropagation(); // keep JupyterLab from starting a cell drag
      from = binAt(event);
      bars.setPointerCapture?.(event.pointerId);
      paint(from, from);
    });
    bars.addEventListener("pointermove", (event) => {
      if (from >= 0) paint(from, binAt(event));
    });
    bars.addEventListener("pointerup", (event) => {
      if (from < 0) return;
      const to = binAt(event);
      const [a, b] = [Math.min(from, to), Math.max(from, to)];
      from = -1;
      this.set(chart.column, [edges[a] ?? 0, edges[b + 1] ?? 0]);
    });
    return root;
  }
}

export type TableSource = "all" | "selection";
type Page = { total: number; start: number; rows: number[]; cells: string[][]; columns: string[]; source: TableSource };

const ROW_HEIGHT = 22; // px; the CSS gives .ew-tr this height
const EXTRA_ROWS = 8; // asked for beyond the view, so a short scroll shows rows at once

/** The linked table: one scrolling viewport, a sticky header and only the visible rows in the page. */
export class Table {
  readonly node: HTMLElement;
  source: TableSource = "all";
  current = -1; // the row picked last (drawn as current)
  private caption: HTMLElement;
  private viewport: HTMLElement;
  private header: HTMLElement;
  private inner: HTMLElement;
  private layer: HTMLElement;
  private sort = "";
  private descending = false;
  private columns: string[] = [];
  private frame = 0;
  private total = 0;

  constructor(
    private requester: Requester,
    private pick: (row: number) => void,
    private report: (message: string) => void,
  ) {
    this.caption = h("div", { class: "ew-table-caption ew-muted", attrs: { role: "status", "aria-live": "polite" } });
    this.header = h("div", { class: "ew-tr ew-thead", attrs: { role: "row" } });
    this.layer = h("div", { class: "ew-rows", attrs: { role: "rowgroup" } });
    this.inner = h("div", { class: "ew-table-inner" }, [this.layer]);
    this.viewport = h("div", { class: "ew-table-view", attrs: { role: "table", "aria-label": "Points table", tabindex: 0 } }, [this.header, this.inner]);
    this.viewport.addEventListener("scroll", () => this.schedule());
    this.node = h("div", { class: "ew-table" }, [this.caption, this.viewport]);
  }

  /** Ask again for the rows in view (after a scroll, a filter, a selection or a sort). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      void this.fetch();
    });
  }

  async fetch(): Promise<void> {
    const first = Math.floor(this.viewport.scrollTop / ROW_HEIGHT);
    const visible = Math.ceil((this.viewport.clientHeight || 240) / ROW_HEIGHT);
    const start = Math.max(0, first - EXTRA_ROWS);
    const response = await this.requester.request("rows", { source: this.source, start, count: visible + 2 * EXTRA_ROWS, sort: this.sort, descending: this.descending });
    if (response.status === "stale") return;
    if (response.status === "error") return this.report(response.error.message);
    this.render(response.data as Page);
  }

  private render(page: Page): void {
    if (page.columns.join("\u0000") !== this.columns.join("\u0000")) this.drawHeader(page.columns);
    this.total = page.total;
    this.inner.style.height = `${page.total * ROW_HEIGHT}px`;
    this.layer.style.transform = `translateY(${page.start * ROW_HEIGHT}px)`;
    const what = page.source === "selection" ? "selected" : "shown";
    this.caption.textContent = `${page.total.toLocaleString()} rows ${what}${this.sort ? ` · sorted by ${this.sort}${this.descending ? " (descending)" : ""}` : ""}`;
    this.node.setAttribute("data-total", String(page.total));
    this.node.setAttribute("data-source", page.source);
    clear(this.layer);
    page.rows.forEach((row, i) => {
      const line = h("div", {
        class: `ew-tr${row === this.current ? " ew-current" : ""}`,
        attrs: { role: "row", tabindex: -1, "data-row": row, "aria-rowindex": page.start + i + 2 },
        on: {
          click: () => this.pick(row),
          keydown: (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              this.pick(row);
            }
          },
        },
      });
      for (const cell of page.cells[i] ?? []) line.appendChild(h("div", { class: "ew-td", text: cell, attrs: { role: "cell", title: cell } }));
      this.layer.appendChild(line);
    });
    const rows = this.layer.children;
    for (let i = 0; i < rows.length; i++) (rows[i] as HTMLElement).tabIndex = i === 0 ? 0 : -1;
  }

  private drawHeader(columns: string[]): void {
    this.columns = columns;
    this.viewport.style.setProperty("--ew-columns", String(columns.length));
    clear(this.header);
    for (const column of columns) {
      const sorted = this.sort === column || (this.sort === "" && column === "row");
      const button = h("button", {
        class: "ew-th",
        text: column,
        attrs: {
          type: "button",
          role: "columnheader",
          "aria-sort": sorted ? (this.descending ? "descending" : "ascending") : "none",
          "aria-label": `Sort by ${column}`,
        },
        on: {
          click: () => {
            const key = column === "row" ? "" : column;
            this.descending = this.sort === key ? !this.descending : false;
            this.sort = key;
            this.columns = [];
            this.viewport.scrollTop = 0;
            this.schedule();
          },
        },
      });
      this.header.appendChild(button);
    }
  }

  get rowCount(): number {
    return this.total;
  }
}

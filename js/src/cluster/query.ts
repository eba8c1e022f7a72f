// show_query's overlay: the placed query, a line to each of its top-k neighbours (original space) with its rank,
// neighbours the map puts far away drawn dashed, and a user's retriever's results as rings. show_queries adds
// every other query of its set as a numbered marker and the drawn query's judged relevant rows as squares
// (dashed when its top-k missed them). Python places everything; this draws it and follows the view. Every
// text goes in as SVG text content.
import { clear, svg } from "../lib";

type Hit = { row: number; rank: number; x: number; y: number; far?: boolean };
type Marker = { position: number; text: string; x: number; y: number };
type Relevant = { row: number; x: number; y: number; found: boolean };
export type QueryOverlay = {
  queries?: Marker[];
  focus?: number;
  relevant?: Relevant[];
  text?: string;
  x?: number;
  y?: number;
  k?: number;
  trust?: number;
  overlap?: number;
  hits?: Hit[];
  retrieved?: Hit[];
};

export class QueryLayer {
  readonly node: SVGSVGElement;
  private data: QueryOverlay = {};

  constructor() {
    // "ew-plot" marks it as one of our own SVG drawings (the browser tests treat any other <svg> as injected).
    this.node = svg("svg", { class: "ew-plot ew-query-layer", "aria-hidden": "true" }) as SVGSVGElement;
  }

  set(data: QueryOverlay | null | undefined): void {
    this.data = data ?? {};
  }

  /** A one-line summary for the status row ("" when no query is shown). */
  summary(): string {
    const { text, hits, trust, overlap, k } = this.data;
    if (!hits || !hits.length) return "";
    const far = hits.filter((hit) => hit.far).length;
    const parts = [`query “${text ?? ""}”: top-${k ?? hits.length}`, `map trust ${Math.round((trust ?? 0) * 100)} %`];
    if (far) parts.push(`${far} far on the map (dashed)`);
    if (overlap !== undefined) parts.push(`retriever overlap@${k ?? hits.length} ${overlap.toFixed(2)}`);
    const { queries, focus, relevant } = this.data;
    if (relevant && relevant.length) {
      const missed = relevant.filter((item) => !item.found).length;
      parts.push(`${relevant.length - missed} of ${relevant.length} relevant in the top-${k ?? hits.length}`);
    }
    if (queries && queries.length > 1) parts.unshift(`${queries.length} queries, #${focus ?? 0} drawn`);
    return parts.join(" · ");
  }

  place(toScreen: (x: number, y: number) => [number, number], width: number, height: number, accent: string): void {
    this.node.setAttribute("width", String(width));
    this.node.setAttribute("height", String(height));
    clear(this.node);
    const { x, y, hits, retrieved } = this.data;
    if (x === undefined || y === undefined || !hits || !hits.length) {
      this.node.removeAttribute("data-hits");
      return;
    }
    const [qx, qy] = toScreen(x, y);
    for (const query of this.data.queries ?? []) {
      if (query.position === this.data.focus) continue;
      const [mx, my] = toScreen(query.x, query.y);
      const diamond = `${mx},${my - 6} ${mx + 6},${my} ${mx},${my + 6} ${mx - 6},${my}`;
      this.node.appendChild(svg("polygon", { class: "ew-q-other", points: diamond, fill: "#ffffff", stroke: accent, "stroke-width": 2, "data-position": query.position }));
      this.node.appendChild(svg("text", { class: "ew-q-other-label", x: mx + 8, y: my + 4 }, `#${query.position}`));
    }
    for (const item of this.data.relevant ?? []) {
      const [rx, ry] = toScreen(item.x, item.y);
      const square = svg("rect", { class: `ew-q-relevant${item.found ? "" : " ew-q-missed"}`, x: rx - 7, y: ry - 7, width: 14, height: 14, fill: "none", stroke: "#2e9e4f", "stroke-width": 2, "data-row": item.row });
      if (!item.found) square.setAttribute("stroke-dasharray", "3 2");
      this.node.appendChild(square);
    }
    for (const hit of retrieved ?? []) {
      const [hx, hy] = toScreen(hit.x, hit.y);
      this.node.appendChild(svg("circle", { class: "ew-q-retrieved", cx: hx, cy: hy, r: 9, fill: "none", stroke: "#e8772e", "stroke-width": 2, "data-row": hit.row }));
    }
    for (const hit of hits) {
      const [hx, hy] = toScreen(hit.x, hit.y);
      const line = svg("line", { class: `ew-q-line${hit.far ? " ew-q-far" : ""}`, x1: qx, y1: qy, x2: hx, y2: hy, stroke: hit.far ? "#d0393e" : accent, "stroke-width": 1.5 });
      if (hit.far) line.setAttribute("stroke-dasharray", "5 4");
      this.node.appendChild(line);
      this.node.appendChild(svg("circle", { class: "ew-q-hit", cx: hx, cy: hy, r: 5, fill: hit.far ? "#d0393e" : accent, "data-row": hit.row, "data-rank": hit.rank }));
      this.node.appendChild(svg("text", { class: "ew-q-rank", x: hx + 7, y: hy - 6 }, String(hit.rank)));
    }
    this.node.appendChild(svg("circle", { class: "ew-q-point", cx: qx, cy: qy, r: 8, fill: "#ffffff", stroke: accent, "stroke-width": 3 }));
    this.node.appendChild(svg("text", { class: "ew-q-text", x: qx + 11, y: qy + 4 }, this.data.text ?? ""));
    this.node.setAttribute("data-hits", String(hits.length));
  }
}

// The saved page's stand-in for the widget model (see ../standalone.ts): it holds the traits, and answers the
// view's requests that the embedded data can answer (a point's tooltip, a legend highlight); the rest say they
// are not available in a saved page. It imports no DOM or WebGL code, so node's tests can run it.
import { decodeWire as decode, isRecord, readArray, type ArrayValue, type WireArray } from "../lib";
import { ModelEvents } from "../lib/events";
import type { ClusterLabel, ClusterModel, Legend, PointInfo, ViewModel } from "./model";

/** The data embedded in the page by embedwidgets/widgets/_standalone.py. Arrays carry base64 bytes. */
export type PageData = {
  kind?: "cluster";
  title: string;
  n: number;
  xy: WireArray;
  values: WireArray | null;
  legend: Legend;
  labels: string[];
  columns: string[];
  fields: string[][];
  clusters: ClusterLabel[];
  pointSize: number;
  opacity: number;
};

/** A listener, typed as the widget model types them. */
type Request = { type: "request"; id: number; kind: string; params: Record<string, unknown> };

const SAVED = "is not available in a saved page: it needs the Python kernel";
/** Traits the view may change in a saved page: they only change how it looks. */
const LOCAL_TRAITS = new Set<string>(["point_size", "opacity", "labels", "_selection"]);

function int32Array(rows: number[]): ArrayValue {
  return { dtype: "int32", shape: [rows.length], buffer: new DataView(Int32Array.from(rows).buffer) };
}

function isRequest(message: unknown): message is Request {
  return isRecord(message) && message.type === "request" && typeof message.id === "number" && typeof message.kind === "string";
}

/** The widget model's methods, over traits held in the page. */
export class PageModel extends ModelEvents implements ViewModel {
  private traits: ClusterModel;
  private before = new Map<keyof ClusterModel, unknown>(); // what the view changed since it last saved

  constructor(private data: PageData) {
    super();
    this.traits = {
      title: data.title,
      busy: false,
      error: null,
      _sidebar: null,
      projection: "",
      color_by: "",
      k: 0,
      cluster_method: "",
      labels: data.clusters.length > 0,
      point_size: data.pointSize,
      opacity: data.opacity,
      _selection: null,
      search: "",
      query: "",
      query_k: 0,
      hovered: -1,
      height: 600,
      progress: null,
      accepts_text: false,
      _n: data.n,
      _xy: decode(data.xy),
      _values: decode(data.values),
      _legend: data.legend,
      _highlight: null,
      _density: null,
      _highlight_note: "",
      _cluster_labels: data.clusters,
      _color_options: [],
      _projection_options: [],
      _options: {},
      table: false,
      density: false,
      _query_overlay: {},
      _tag_count: 0,
      _tag_version: 0,
      _contours: null,
      _contour_levels: null,
      _sub_labels: [],
      _filter_state: {},
      _charts: [],
      _filtered: null,
    };
  }

  get<K extends keyof ClusterModel>(key: K): ClusterModel[K] {
    return this.traits[key];
  }

  /** A change made by the view; ``save_changes`` keeps it or, where it needs the kernel, takes it back. */
  set<K extends keyof ClusterModel>(key: K, value: ClusterModel[K]): void {
    if (!this.before.has(key)) this.before.set(key, this.traits[key]);
    this.assign(key, value);
  }

  private assign<K extends keyof ClusterModel>(key: K, value: ClusterModel[K]): void {
    if (this.traits[key] === value) return;
    this.traits[key] = value;
    this.emit(`change:${key}`);
  }

  save_changes(): void {
    // The page holds the whole state: look-only changes stay; the rest would need the kernel, so they go back.
    for (const [key, value] of this.before) {
      if (LOCAL_TRAITS.has(key)) continue;
      this.restore(key, value);
      this.assign("error", { message: `changing ${key} ${SAVED}` });
    }
    this.before.clear();
  }

  private restore<K extends keyof ClusterModel>(key: K, value: unknown): void {
    this.assign(key, value as ClusterModel[K]);
  }

  /** Answer a request as the kernel would, a moment later. */
  send(message: unknown): void {
    if (!isRequest(message)) return;
    let reply: { ok: true; data: unknown } | { ok: false; error: { message: string } };
    try {
      reply = { ok: true, data: this.answer(message.kind, message.params) };
    } catch (error) {
      reply = { ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
    }
    setTimeout(() => this.emit("msg:custom", { type: "response", id: message.id, ...reply }), 0);
  }

  private answer(kind: string, params: Record<string, unknown>): unknown {
    if (kind === "point") return this.point(Number(params.index));
    if (kind === "legend") return this.highlightCategory(Number(params.index));
    if (kind === "clear_highlight") {
      this.assign("_highlight", null);
      this.assign("_highlight_note", "");
      return {};
    }
    if (kind === "select_highlighted") {
      const rows = this.highlighted();
      this.assign("_selection", int32Array(rows));
      return { count: rows.length };
    }
    throw new Error(`${kind === "png" ? "keeping the PNG in Python" : `“${kind}”`} ${SAVED}`);
  }

  private point(index: number): PointInfo {
    const label = this.data.labels[index];
    if (!Number.isInteger(index) || label === undefined) throw new Error(`no point ${index}`);
    const fields: [string, string][] = this.data.columns.map((column, j) => [column, this.data.fields[j]?.[index] ?? ""]);
    return { index, label, fields };
  }

  private highlightCategory(index: number): { count: number } {
    const item = this.data.legend.items?.[index];
    const values = this.traits._values;
    if (this.data.legend.kind !== "categorical" || !item || !values) throw new Error("pick an entry of a categorical legend.");
    const data = readArray(values)?.data ?? new Uint8Array(0);
    const rows: number[] = [];
    data.forEach((value, row) => {
      if (value === item.value) rows.push(row);
    });
    this.assign("_highlight", int32Array(rows));
    this.assign("_highlight_note", `${rows.length.toLocaleString()} points: ${item.label}`);
    return { count: rows.length };
  }

  private highlighted(): number[] {
    return Array.from(readArray(this.traits._highlight)?.data ?? []);
  }
}

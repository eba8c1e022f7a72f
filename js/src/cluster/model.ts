// ClusterView's traits as the view reads them, and the parts of a model it uses. The live widget passes its
// anywidget model; the saved page (../standalone.ts) passes a small in-page model with the same methods.
import type { AnyModel } from "@anywidget/types";
import type { QueryOverlay } from "./query";
import type { Chart, FilterState } from "./workbench";
import { readArray, type ArrayValue, type BaseModel, type Choice, type ErrorInfo, type Options } from "../lib";

export type LegendItem = { value: number; label: string; color: string; count: number };
export type Legend = {
  title?: string;
  kind?: "categorical" | "continuous" | "none";
  colors?: string[];
  items?: LegendItem[];
  more?: number;
  note?: string;
  min?: number;
  max?: number;
};
/** A label on the map; ``level`` 1 is a sub-cluster (of ``parent``), shown once zoomed in. */
export type ClusterLabel = { cluster: number; x: number; y: number; text: string; size: number; color: string; level?: number; parent?: number };
export type PointInfo = { index: number; label: string; fields: [string, string][] };
export type Progress = { kind: string; fraction: number; message: string; jobs: number } | null;

/**
 * ClusterView's traits (widgets/cluster/widget.py). The arrays (_xy, _values, _highlight, _selection, _density)
 * are self-describing array values (lib/codecs readArray). ``_options`` keys read here: ``svg_limit`` (most points an SVG export
 * writes), ``max_k`` (most clusters), ``max_query_k`` (most nearest points) and ``methods`` ([value, text]
 * clustering methods).
 */
export type ClusterModel = BaseModel & {
  title: string;
  projection: string;
  color_by: string;
  k: number;
  cluster_method: string;
  labels: boolean;
  point_size: number;
  opacity: number;
  _selection: unknown;
  search: string;
  query: string;
  query_k: number;
  hovered: number;
  height: number;
  progress: Progress;
  accepts_text: boolean;
  error: ErrorInfo | null;
  _n: number;
  _xy: unknown;
  _values: unknown;
  _legend: Legend;
  _highlight: unknown;
  _density: unknown;
  _highlight_note: string;
  _cluster_labels: ClusterLabel[];
  _sub_labels: ClusterLabel[];
  _color_options: Choice[];
  _projection_options: Choice[];
  _options: Options;
  table: boolean;
  density: boolean;
  _query_overlay: QueryOverlay;
  _tag_count: number;
  _tag_version: number;
  _contours: unknown;
  _contour_levels: unknown;
  _filter_state: FilterState;
  _charts: Chart[];
  _filtered: unknown;
};

/** What the view needs of a model: traits, their change events, and custom messages. */
export type ViewModel = Pick<AnyModel<ClusterModel>, "get" | "set" | "on" | "off" | "save_changes" | "send">;

/** The colour of every point when there is nothing to colour by. */
export const PLAIN = "#4a7fc1";

/** The selection's wire value (Python's ``_selection``, shown there as ``selected``): sorted rows as one int32
 * buffer, because a lasso of a million points as a JSON list takes seconds to send and parse. */
export function rowsValue(rows: Int32Array): ArrayValue {
  return { dtype: "int32", shape: [rows.length], buffer: new DataView(rows.buffer, rows.byteOffset, rows.byteLength) };
}

/** The selected rows a model holds (empty when none, or when the value is malformed). */
export function selectionOf(model: Pick<ViewModel, "get">): Int32Array {
  try {
    const data = readArray(model.get("_selection"))?.data;
    return data instanceof Int32Array ? data : new Int32Array(0);
  } catch {
    return new Int32Array(0);
  }
}

// A saved page's stand-in for a widget's model (see ../standalone.ts): a read-only snapshot of the traits the
// widget synced, which the widget's own view draws as in the notebook. A change made in the view is taken back
// and a request is answered with an error, each saying that the page has no kernel. It touches no DOM itself
// (child views are drawn by the ``draw`` it is given), so node's tests can run it.
import type { AnyModel } from "@anywidget/types";
import { decodeWire, isRecord, isWireArray } from "../lib";
import { ModelEvents } from "../lib/events";

/** One widget's saved state, as embedwidgets/widgets/_standalone.py writes it. */
export type Snapshot = { module: string; state: Record<string, unknown> };
/** The page's widget: its snapshot and its children's (the explorer's tabs), keyed by model id. */
export type WidgetSnapshot = Snapshot & { kind: "widget"; children?: Record<string, Snapshot> };

/** Draws a view of ``model`` (its ``module``) into ``el``; the page passes the bundled views. */
export type Draw = (model: SnapshotModel, el: HTMLElement) => void;
/** Told what the user tried that needs the kernel. */
export type OfflineListener = (what: string) => void;

type Request = { type: "request"; id: number; kind: string; params?: unknown };

export const OFFLINE = "needs the Python kernel, and this saved page has none";
/** Traits that only choose what is shown, per view: a saved page may change them. */
const LOCAL: Record<string, readonly string[]> = { explorer: ["selected_index"] };

/** The saved arrays (base64) as the array values the views read, anywhere in a trait's value. */
function revive(value: unknown): unknown {
  if (isWireArray(value)) return decodeWire(value);
  if (Array.isArray(value)) return value.map(revive);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  return value;
}

function isRequest(message: unknown): message is Request {
  return isRecord(message) && message.type === "request" && typeof message.id === "number" && typeof message.kind === "string";
}

export class SnapshotModel extends ModelEvents implements AnyModel {
  readonly module: string;
  readonly widget_manager: {
    get_model(id: string): Promise<any>;
    create_view(model: unknown, options: object): Promise<{ el: HTMLElement; remove(): void }>;
  };
  private traits: Record<string, unknown>;
  private before = new Map<string, unknown>(); // what the view changed since it last saved
  private offline = new Set<OfflineListener>();

  constructor(snapshot: Snapshot, children: Record<string, Snapshot> = {}, draw?: Draw, parent?: SnapshotModel) {
    super();
    this.module = snapshot.module;
    this.traits = isRecord(snapshot.state) ? (revive(snapshot.state) as Record<string, unknown>) : {};
    const made = new Map<string, SnapshotModel>();
    const root = parent ?? this;
    this.widget_manager = {
      get_model: (id: string) => {
        const child = children[id];
        if (!child) return Promise.reject(new Error(`this page holds no saved view ${id}`));
        const model = made.get(id) ?? new SnapshotModel(child, children, draw, root);
        made.set(id, model);
        return Promise.resolve(model);
      },
      create_view: (model: unknown) => {
        if (!(model instanceof SnapshotModel) || !draw) return Promise.reject(new Error("this page cannot draw that view"));
        const el = document.createElement("div");
        draw(model, el);
        return Promise.resolve({ el, remove: () => el.remove() });
      },
    };
    if (parent) this.onOffline((what) => parent.tellOffline(what)); // a tab's note shows on the page's banner
  }

  get(key: string): any {
    return this.traits[key];
  }

  /** A change made by the view: shown at once; ``save_changes`` keeps it or, where it needs the kernel, takes it back. */
  set(key: string, value: unknown): void {
    if (!this.before.has(key)) this.before.set(key, this.traits[key]);
    this.assign(key, value);
  }

  save_changes(): void {
    const refused: string[] = [];
    for (const [key, value] of this.before) {
      if (LOCAL[this.module]?.includes(key)) continue;
      refused.push(key);
      this.assign(key, value);
    }
    this.before.clear();
    if (refused.length) this.tellOffline(`Changing ${refused.join(", ")}`);
  }

  /** Answer a request a moment later, as the kernel would: suggestions are none, everything else is offline. */
  send(message: unknown): void {
    if (!isRequest(message)) return;
    const params = isRecord(message.params) ? message.params : {};
    let reply: Record<string, unknown>;
    if (message.kind === "complete") {
      reply = { ok: true, data: { prefix: params.prefix ?? "", options: [] } };
    } else {
      const what = `“${message.kind}”`;
      reply = { ok: false, error: { kind: "Offline", message: `${what} ${OFFLINE}.` } };
      this.tellOffline(what);
    }
    setTimeout(() => this.emit("msg:custom", { type: "response", id: message.id, ...reply }, []), 0);
  }

  /** Call ``listener`` with what the user tried that needs the kernel. */
  onOffline(listener: OfflineListener): () => void {
    this.offline.add(listener);
    return () => this.offline.delete(listener);
  }

  private tellOffline(what: string): void {
    const message = `${what} ${OFFLINE}.`;
    if ("error" in this.traits) this.assign("error", { kind: "Offline", message }); // where the view shows errors
    for (const listener of this.offline) listener(what);
  }

  private assign(key: string, value: unknown): void {
    if (this.traits[key] === value) return;
    this.traits[key] = value;
    this.emit(`change:${key}`);
  }
}

// The extension's own logic, free of JupyterLab imports so that node can test it: which widget model is
// pinned where, the newest request per model winning, and clean removal when a model or its kernel dies.

export type Area = "left" | "right";
export const AREAS: readonly Area[] = ["right", "left"];

/** The few parts of a Jupyter widget model and manager that pinning needs. */
export interface ModelLike {
  on(event: string, callback: (...args: any[]) => void): void;
  off(event: string, callback: (...args: any[]) => void): void;
  comm_live?: boolean;
}
export interface ViewLike {
  remove(): void;
}
/** A Lumino-style signal, such as a document context's ``disposed``. */
export interface SignalLike {
  connect(slot: () => void): unknown;
  disconnect(slot: () => void): unknown;
}
export interface ManagerLike {
  get_model(modelId: string): Promise<ModelLike>;
  create_view(model: ModelLike, options?: object): Promise<ViewLike>;
  /** A notebook's widget manager has its document context: when the notebook closes, its models stop. */
  context?: { disposed?: SignalLike };
}

/** What a widget's front end asks for: a live view of its model in a side panel. */
export interface PinRequest {
  manager: ManagerLike;
  modelId: string;
  area: Area;
  title: string;
  /** Called when the user closes the panel (not when Python unpins or the model dies). */
  onClose?: () => void;
}

/** The host's side panels, behind an interface: JupyterLab/Notebook 7 in the plugin, a fake in unit tests. */
export interface Dock<P> {
  open(view: ViewLike, pin: { modelId: string; title: string; area: Area; close: () => void }): P;
  move(panel: P, area: Area): void;
  retitle(panel: P, title: string): void;
  activate(panel: P): void;
  dispose(panel: P): void;
}

interface Pin<P> {
  panel: P;
  view: ViewLike;
  area: Area;
  model: ModelLike;
  onClose?: () => void;
  forget: () => void;
}

/** A safe tab title: some text, one line, not endless. */
export function tabTitle(title: unknown, fallback = "embedwidgets"): string {
  const text = typeof title === "string" ? title.replace(/\s+/g, " ").trim() : "";
  if (!text) return fallback;
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export function isArea(value: unknown): value is Area {
  return value === "left" || value === "right";
}

export class PinBoard<P> {
  private pins = new Map<string, Pin<P>>();
  private tickets = new Map<string, number>();
  private nextTicket = 1;

  constructor(private dock: Dock<P>) {}

  /** Pin (or re-show, move, retitle) the model's view. For one model, the newest pin or unpin wins. */
  async pin(request: PinRequest): Promise<void> {
    const { manager, modelId } = request;
    if (typeof modelId !== "string" || !modelId) throw new Error("pin: a widget model id is required");
    if (!isArea(request.area)) throw new Error(`pin: area must be "right" or "left", got ${JSON.stringify(request.area)}`);
    const title = tabTitle(request.title);
    const ticket = this.take(modelId);
    const existing = this.pins.get(modelId);
    if (existing) {
      existing.onClose = request.onClose;
      this.dock.retitle(existing.panel, title);
      if (existing.area !== request.area) {
        this.dock.move(existing.panel, request.area);
        existing.area = request.area;
      }
      this.dock.activate(existing.panel);
      return;
    }
    const model = await manager.get_model(modelId);
    if (this.tickets.get(modelId) !== ticket || model.comm_live === false) return;
    const view = await manager.create_view(model, {});
    // Read again: the comm may have closed while the view was being made (a check TS would narrow away).
    if (this.tickets.get(modelId) !== ticket || closed(model)) {
      view.remove(); // superseded while the view was being made
      return;
    }
    // A model closes on kernel restart or shutdown, and stops with its notebook: its panel goes quietly.
    const onDestroy = () => this.drop(modelId, false);
    const onLive = () => {
      if (model.comm_live === false) this.drop(modelId, false);
    };
    const notebookClosed = manager.context?.disposed;
    model.on("destroy", onDestroy);
    model.on("comm_live_update", onLive);
    notebookClosed?.connect(onDestroy);
    const forget = () => {
      model.off("destroy", onDestroy);
      model.off("comm_live_update", onLive);
      notebookClosed?.disconnect(onDestroy);
    };
    const panel = this.dock.open(view, { modelId, title, area: request.area, close: () => this.drop(modelId, true) });
    this.pins.set(modelId, { panel, view, area: request.area, model, onClose: request.onClose, forget });
    this.dock.activate(panel);
  }

  /** Remove the model's panel, if any (Python's close_sidebar). */
  unpin(modelId: string): void {
    this.take(modelId); // a pin still on its way is dropped
    this.drop(modelId, false);
  }

  area(modelId: string): Area | null {
    return this.pins.get(modelId)?.area ?? null;
  }

  get size(): number {
    return this.pins.size;
  }

  private take(modelId: string): number {
    const ticket = this.nextTicket++;
    this.tickets.set(modelId, ticket);
    return ticket;
  }

  private drop(modelId: string, byUser: boolean): void {
    const pin = this.pins.get(modelId);
    if (!pin) return;
    this.pins.delete(modelId);
    pin.forget();
    this.dock.dispose(pin.panel);
    try {
      pin.view.remove();
    } catch {
      // already removed with its model
    }
    if (byUser && pin.model.comm_live !== false) pin.onClose?.();
  }
}

// ---- the Embedding Explorer launcher ------------------------------------------------------------

/**
 * The one fixed statement the launcher runs in a kernel. It is a constant (no user data goes in): it
 * imports the package and pins an explorer on the bundled GloVe words.
 */
export const EXPLORER_CODE = "import embedwidgets.widgets.explorer as _ew_explorer\n_ew_explorer.open_explorer()";

/** A one-line reason from a failed execute reply, with the fix where we know it. */
export function explorerFailure(reply: { status?: string; ename?: string; evalue?: string } | undefined): string | null {
  if (!reply || reply.status === "ok") return null;
  if (reply.status === "aborted") return "The kernel aborted the request; run it again when the kernel is idle.";
  const name = reply.ename ?? "Error";
  const value = reply.evalue ?? "";
  if (name === "ModuleNotFoundError" && value.includes("embedwidgets")) {
    return "This kernel's Python has no embedwidgets: install it there (pip install embedwidgets) or pick another kernel.";
  }
  return `${name}: ${value}`.trim();
}

/** Whether a model's comm has closed; a function, so each call reads the flag afresh. */
function closed(model: { comm_live?: boolean }): boolean {
  return model.comm_live === false;
}

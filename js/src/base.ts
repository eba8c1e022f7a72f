// The shared front-end base: safe DOM building, typed requests to the kernel, inline errors, busy state,
// an accessible autocomplete, and binary codecs. Every data string reaches the DOM as text.
import type { AnyModel } from "@anywidget/types";

// ---- safe DOM -----------------------------------------------------------------------------------

type Props = {
  class?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: any) => void>>;
};

/** An HTML element with text content and attributes only: never parsed markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [event, listener] of Object.entries(props.on ?? {})) {
    node.addEventListener(event, listener as EventListener);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element; text goes in as a text node. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// ---- requests -----------------------------------------------------------------------------------

export type ErrorInfo = {
  kind?: string;
  message: string;
  missing?: string[];
  suggestions?: Record<string, string[]>;
};

export type Response =
  | { status: "ok"; data: any }
  | { status: "error"; error: ErrorInfo }
  | { status: "stale" };

type Pending = { kind: string; resolve: (response: Response) => void };

/**
 * Typed requests over custom messages. Each request gets an id; for each kind only the newest request
 * counts, so an answer to an older one resolves as "stale" and callers ignore it.
 */
export class Requester {
  private nextId = 1;
  private latest = new Map<string, number>();
  private pending = new Map<number, Pending>();
  private listeners = new Set<(busy: boolean) => void>();

  constructor(private send: (message: object) => void) {}

  request(kind: string, params: Record<string, unknown> = {}): Promise<Response> {
    const id = this.nextId++;
    const superseded = this.latest.get(kind);
    this.latest.set(kind, id);
    // Register the new request before dropping the old one, so busy never flickers false in between.
    const answer = new Promise<Response>((resolve) => this.pending.set(id, { kind, resolve }));
    const stale = superseded === undefined ? undefined : this.pending.get(superseded);
    if (stale) {
      this.pending.delete(superseded!);
      stale.resolve({ status: "stale" });
    }
    this.notify();
    try {
      this.send({ type: "request", id, kind, params });
    } catch (error) {
      // No answer will ever come (e.g. the comm is closed): settle now rather than stay busy forever.
      const message = error instanceof Error ? error.message : String(error);
      this.settle(id, { status: "error", error: { message: `could not reach the kernel: ${message}` } });
    }
    return answer;
  }

  /** Handle a message from the kernel; returns false when it is not a response. */
  receive(message: any): boolean {
    if (!message || message.type !== "response" || typeof message.id !== "number") return false;
    if (!this.pending.has(message.id)) return true; // already settled as stale
    const response: Response = message.ok
      ? { status: "ok", data: message.data }
      : { status: "error", error: normaliseError(message.error) };
    this.settle(message.id, response);
    return true;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  onBusy(listener: (busy: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private settle(id: number, response: Response): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.resolve(response);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.busy);
  }
}

/** A well-formed ErrorInfo from whatever the kernel sent: a readable message, and only well-typed extras. */
function normaliseError(error: any): ErrorInfo {
  if (typeof error === "string" && error) return { message: error };
  if (!error || typeof error !== "object" || typeof error.message !== "string" || !error.message.trim()) {
    return { message: "the kernel returned an unreadable error" };
  }
  const info: ErrorInfo = { message: error.message };
  if (typeof error.kind === "string") info.kind = error.kind;
  if (Array.isArray(error.missing)) info.missing = error.missing.filter((word: unknown) => typeof word === "string");
  if (error.suggestions && typeof error.suggestions === "object" && !Array.isArray(error.suggestions)) {
    info.suggestions = {};
    for (const [word, options] of Object.entries(error.suggestions)) {
      if (Array.isArray(options)) info.suggestions[word] = options.filter((option) => typeof option === "string");
    }
  }
  return info;
}

/** A Requester wired to an anywidget model; call the returned function to unhook it. */
export function connect(model: AnyModel): [Requester, () => void] {
  const requester = new Requester((message) => model.send(message));
  const onMessage = (message: any) => requester.receive(message);
  model.on("msg:custom", onMessage);
  return [requester, () => model.off("msg:custom", onMessage)];
}

// ---- binary codecs ------------------------------------------------------------------------------

/** View a binary buffer (DataView, ArrayBuffer or typed array) as float32 values, without copying. */
export function asFloat32(buffer: ArrayBuffer | ArrayBufferView): Float32Array {
  if (buffer instanceof Float32Array) return buffer;
  if (ArrayBuffer.isView(buffer)) {
    if (buffer.byteLength % 4 !== 0) throw new Error(`a float32 buffer needs a multiple of 4 bytes, got ${buffer.byteLength}`);
    if (buffer.byteOffset % 4 === 0) return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  }
  return new Float32Array(buffer);
}

/** View a binary buffer as int32 values. */
export function asInt32(buffer: ArrayBuffer | ArrayBufferView): Int32Array {
  if (buffer instanceof Int32Array) return buffer;
  const floats = asFloat32(buffer);
  return new Int32Array(floats.buffer, floats.byteOffset, floats.length);
}

// ---- shared pieces of UI ------------------------------------------------------------------------

/** Show an error (with clickable close spellings for unknown words) in ``box``, or hide the box. */
export function showError(box: HTMLElement, error: ErrorInfo | null, pick?: (missing: string, word: string) => void): void {
  clear(box);
  box.hidden = !error;
  if (!error) return;
  box.appendChild(h("span", { class: "ew-error-text", text: error.message }));
  const suggestions = error.suggestions ?? {};
  for (const missing of error.missing ?? []) {
    const options = suggestions[missing] ?? [];
    if (!options.length || !pick) continue;
    const line = h("span", { class: "ew-suggestions" }, [h("span", { text: `Instead of “${missing}”: ` })]);
    for (const option of options) {
      line.appendChild(
        h("button", {
          class: "ew-chip",
          text: option,
          attrs: { type: "button", "aria-label": `Use ${option} instead of ${missing}` },
          on: { click: () => pick(missing, option) },
        }),
      );
    }
    box.appendChild(line);
  }
}

/** A horizontal bar, 0 to 1, with the exact number beside it. */
export function scoreBar(fraction: number, label: string): HTMLElement {
  const fill = h("span", { class: "ew-bar-fill" });
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("span", { class: "ew-bar", attrs: { role: "img", "aria-label": label } }, [fill]);
}

export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(4) : String(score);
}

/** Mirror the kernel's busy flag and our own pending requests onto the root element. */
export function trackBusy(root: HTMLElement, model: AnyModel, requester: Requester): () => void {
  const update = () => {
    const busy = requester.busy || Boolean(model.get("busy"));
    root.classList.toggle("ew-busy", busy);
    root.setAttribute("aria-busy", String(busy));
  };
  const stop = requester.onBusy(update);
  model.on("change:busy", update);
  update();
  return () => {
    stop();
    model.off("change:busy", update);
  };
}

/**
 * Whether ``node`` has the keyboard focus. ``document.activeElement`` is the shadow host when a page (marimo,
 * for one) renders the widget inside a shadow root, so ask the element itself.
 */
export function hasFocus(node: Element): boolean {
  return node.matches(":focus");
}

/**
 * Set traits from the view and send them to the kernel in one message: Python validates them and runs once,
 * and hosts that react to changes made in the view (marimo re-runs dependent cells) see them.
 */
export function setTraits(model: AnyModel, changes: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(changes)) model.set(name, value);
  model.save_changes();
}

let uniqueCounter = 0;
export function uniqueId(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A text input with suggestions from the kernel (prefix search in Python). Arrow keys move through the
 * suggestions, Enter takes the highlighted one (or submits the text), Escape closes the list.
 */
export class Autocomplete {
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  private list: HTMLUListElement;
  private options: string[] = [];
  private active = -1;
  private generation = 0; // bumped whenever the list closes, so late suggestions stay closed

  constructor(
    label: string,
    private requester: Requester,
    private submit: (value: string) => void,
    private requestKind = "complete",
  ) {
    const id = uniqueId("ew-list");
    this.input = h("input", {
      class: "ew-input",
      attrs: {
        type: "text",
        "aria-label": label,
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": id,
        autocomplete: "off",
        spellcheck: "false",
      },
    });
    this.list = h("ul", { class: "ew-options", attrs: { id, role: "listbox", "aria-label": `${label} suggestions` } });
    this.list.hidden = true;
    this.root = h("span", { class: "ew-combo" }, [this.input, this.list]);
    this.input.addEventListener("input", () => this.suggest());
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  get value(): string {
    return this.input.value;
  }

  set value(text: string) {
    if (this.input.value !== text) this.input.value = text;
  }

  private async suggest(): Promise<void> {
    const prefix = this.input.value;
    if (!prefix.trim()) return this.close();
    const generation = this.generation;
    const response = await this.requester.request(this.requestKind, { prefix, limit: 8 });
    // Drop suggestions that arrive after the text changed, a choice was made, or the focus left.
    if (response.status !== "ok" || this.input.value !== prefix || generation !== this.generation) return;
    if (!hasFocus(this.input)) return;
    this.show(response.data.options as string[]);
  }

  private show(options: string[]): void {
    this.options = options.filter((option) => option !== this.input.value);
    this.active = -1;
    clear(this.list);
    this.options.forEach((option, index) => {
      const item = h("li", {
        class: "ew-option",
        text: option,
        attrs: { role: "option", id: `${this.list.id}-${index}`, "aria-selected": "false" },
        on: {
          mousedown: (event: MouseEvent) => {
            event.preventDefault(); // keep the focus in the input
            this.choose(option);
          },
        },
      });
      this.list.appendChild(item);
    });
    const open = this.options.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
  }

  close(): void {
    this.generation += 1;
    this.options = [];
    this.active = -1;
    clear(this.list);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  private highlight(index: number): void {
    const items = Array.from(this.list.children);
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    this.active = index;
    if (index >= 0) this.input.setAttribute("aria-activedescendant", items[index].id);
    else this.input.removeAttribute("aria-activedescendant");
  }

  private choose(option: string): void {
    this.input.value = option;
    this.close();
    this.submit(option);
  }

  private onKey(event: KeyboardEvent): void {
    const open = this.options.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      this.highlight((this.active + 1) % this.options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.highlight((this.active - 1 + this.options.length) % this.options.length);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation(); // don't let JupyterLab leave edit mode
      this.close();
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation(); // Enter runs the query, not the notebook cell
      if (open && this.active >= 0) this.choose(this.options[this.active]);
      else {
        this.close();
        this.submit(this.input.value);
      }
    }
  }
}

/** Call each handler when any of its traits changes; returns a function that stops listening. */
export function listen(model: AnyModel, bindings: [string[], () => void][]): () => void {
  const registered: [string, () => void][] = [];
  for (const [traits, handler] of bindings) {
    for (const trait of traits) {
      model.on(`change:${trait}`, handler);
      registered.push([`change:${trait}`, handler]);
    }
  }
  return () => registered.forEach(([event, handler]) => model.off(event, handler));
}

/** Stop keystrokes in the widget from reaching JupyterLab's notebook shortcuts. */
export function isolateKeys(root: HTMLElement): void {
  root.addEventListener("keydown", (event) => {
    if ((event.target as HTMLElement).matches("input, select, textarea")) event.stopPropagation();
  });
}

// ---- child widgets ------------------------------------------------------------------------------

type ChildView = { el: HTMLElement; remove(): void };

/**
 * Draw the widget that a serialised reference ("IPY_MODEL_<id>") names into ``box``: a live view of its model,
 * made by the model's own widget manager. Returns a function that removes the view, even one still on its way.
 */
export function showChildView(model: AnyModel, ref: unknown, box: HTMLElement, onError: (error: unknown) => void): () => void {
  const manager = (model as any).widget_manager;
  let view: ChildView | null = null;
  let gone = false;
  Promise.resolve()
    .then(() => manager.get_model(String(ref ?? "").replace(/^IPY_MODEL_/, "")))
    .then((child: unknown) => manager.create_view(child, {}))
    .then((created: ChildView) => {
      if (gone) return created.remove();
      view = created;
      box.appendChild(created.el);
    })
    .catch(onError);
  return () => {
    gone = true;
    view?.remove();
  };
}

// ---- the sidebar --------------------------------------------------------------------------------

/** Where the embedwidgets JupyterLab / Notebook 7 extension publishes its sidebar API. */
export const SIDEBAR_KEY = Symbol.for("embedwidgets.sidebar");

export type SidebarState = { area: "left" | "right"; title: string; model_id: string } | null;

/** The extension's typed API (js/labextension): data in, no code. */
export interface SidebarHost {
  version: number;
  pin(request: { manager: unknown; modelId: string; area: string; title: string; onClose?: () => void }): unknown;
  unpin(modelId: string): void;
}

/** The sidebar API, when this page runs the extension (JupyterLab 4, Notebook 7); else undefined. */
export function sidebarHost(): SidebarHost | undefined {
  const host = (globalThis as any)[SIDEBAR_KEY];
  return host && typeof host.pin === "function" && typeof host.unpin === "function" ? host : undefined;
}

/** Keep the host's side panel in step with the model's ``_sidebar`` trait. Runs once per model. */
export function followSidebar(model: AnyModel): () => void {
  let pinned: string | null = null;
  const sync = () => {
    const host = sidebarHost();
    const state = model.get("_sidebar") as SidebarState;
    if (!host) return;
    if (state && typeof state.model_id === "string") {
      pinned = state.model_id;
      host.pin({
        manager: (model as any).widget_manager,
        modelId: state.model_id,
        area: state.area,
        title: state.title,
        // Closed in the UI: tell Python, which is the one source of state.
        onClose: () => {
          model.set("_sidebar", null);
          model.save_changes();
        },
      });
    } else if (pinned) {
      host.unpin(pinned);
      pinned = null;
    }
  };
  model.on("change:_sidebar", sync);
  sync();
  return () => model.off("change:_sidebar", sync);
}

/** A widget module: ``initialize`` follows the sidebar trait, ``render`` draws one view. */
export function widgetModule(render: (props: { model: AnyModel; el: HTMLElement }) => (() => void) | void) {
  return { initialize: ({ model }: { model: AnyModel }) => followSidebar(model), render };
}

/**
 * The widget's title row, with a pin button where the sidebar exists. The button asks Python (a typed
 * "sidebar" request); the trait change that follows moves the view.
 */
export function toolbar(title: HTMLElement, model: AnyModel, requester: Requester): HTMLElement {
  const row = h("div", { class: "ew-toolbar" }, [title]);
  if (!sidebarHost()) return row;
  const button = h("button", {
    class: "ew-button ew-pin",
    attrs: { type: "button" },
    on: {
      click: () => {
        const pinned = model.get("_sidebar") as SidebarState;
        requester.request("sidebar", { area: pinned ? null : "right" });
      },
    },
  });
  const draw = () => {
    const pinned = model.get("_sidebar") as SidebarState;
    button.textContent = pinned ? "Unpin" : "Pin to sidebar";
    button.setAttribute("aria-pressed", pinned ? "true" : "false");
    button.setAttribute("title", pinned ? "Close this widget's side panel" : "Open a live copy of this widget in the right side panel");
  };
  model.on("change:_sidebar", draw);
  draw();
  row.appendChild(button);
  return row;
}

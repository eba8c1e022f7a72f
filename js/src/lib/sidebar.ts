// The sidebar: the extension's typed API (js/labextension), the follower that keeps a side panel in step
// with the ``_sidebar`` trait, and the pin button of the title row.
import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";
import type { SidebarState } from "./model";
import type { Requester } from "./requester";

/** Where the embedwidgets JupyterLab / Notebook 7 extension publishes its sidebar API. */
export const SIDEBAR_KEY = Symbol.for("embedwidgets.sidebar");

/** The extension's typed API (js/labextension): data in, no code. */
export interface SidebarHost {
  version: number;
  pin(request: { manager: unknown; modelId: string; area: string; title: string; onClose?: () => void }): unknown;
  unpin(modelId: string): void;
}

function isSidebarHost(value: unknown): value is SidebarHost {
  const host = value as Partial<SidebarHost> | null | undefined;
  return typeof host?.pin === "function" && typeof host.unpin === "function";
}

/** The sidebar API, when this page runs the extension (JupyterLab 4, Notebook 7); else undefined. */
export function sidebarHost(): SidebarHost | undefined {
  const host: unknown = Reflect.get(globalThis, SIDEBAR_KEY);
  return isSidebarHost(host) ? host : undefined;
}

type SidebarModel = { _sidebar: SidebarState };

/** Keep the host's side panel in step with the model's ``_sidebar`` trait. Runs once per model. */
export function followSidebar<T extends SidebarModel>(model: AnyModel<T>): () => void {
  let pinned: string | null = null;
  const sync = () => {
    const host = sidebarHost();
    const state = model.get("_sidebar");
    if (!host) return;
    if (state && typeof state.model_id === "string") {
      pinned = state.model_id;
      host.pin({
        manager: model.widget_manager,
        modelId: state.model_id,
        area: state.area,
        title: state.title,
        // Closed in the UI: tell Python, which is the one source of state.
        onClose: () => {
          model.set("_sidebar", null as T["_sidebar"]);
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

// Each pin button's model handler, removed with its view (releasePinButtons): a closed model that the host keeps
// would otherwise keep the button, and through it the view's whole DOM.
const pinStops = new WeakMap<Element, () => void>();

/**
 * A pin button where the sidebar exists, else null. The button asks Python (a typed "sidebar" request); the
 * trait change that follows moves the view.
 */
export function pinButton<T extends SidebarModel>(model: Pick<AnyModel<T>, "get" | "on" | "off">, requester: Requester): HTMLButtonElement | null {
  if (!sidebarHost()) return null;
  const button = h("button", {
    class: "ew-button ew-pin",
    attrs: { type: "button" },
    on: { click: () => requester.request("sidebar", { area: model.get("_sidebar") ? null : "right" }) },
  });
  const draw = () => {
    const pinned = model.get("_sidebar");
    button.textContent = pinned ? "Unpin" : "Pin to sidebar";
    button.setAttribute("aria-pressed", pinned ? "true" : "false");
    button.setAttribute("title", pinned ? "Close this widget's side panel" : "Open a live copy of this widget in the right side panel");
  };
  model.on("change:_sidebar", draw);
  pinStops.set(button, () => model.off("change:_sidebar", draw));
  draw();
  return button;
}

/** Removes the model handlers of the pin buttons under ``root`` (a view that is going away). */
export function releasePinButtons(root: ParentNode): void {
  for (const button of root.querySelectorAll(".ew-pin")) pinStops.get(button)?.();
}

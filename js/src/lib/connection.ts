// The kernel connection: a view learns that its kernel restarted or died, and says so instead of going silent.
import type { AnyModel } from "@anywidget/types";
import { h } from "./dom";

export const DISCONNECTED_TEXT = "Disconnected from the kernel: re-run the cell to use this widget again.";

/**
 * Call ``lost`` once, when the model loses its kernel. In JupyterLab 4 and Notebook 7 the ipywidgets manager sets
 * ``comm_live = false`` on every model when the kernel restarts (also when it died and is restarted), and that
 * setter fires "comm_live_update"; anywidget's model passes such events through. ``comm_live`` only ever goes
 * from true to false after a view exists (the restarted kernel has no such widget), so the event means "lost".
 * Hosts without a kernel connection (a saved page, marimo) never fire it.
 */
export function onDisconnect(model: Pick<AnyModel, "on" | "off">, lost: () => void): () => void {
  let done = false;
  const handler = () => {
    if (done) return;
    done = true;
    lost();
  };
  model.on("comm_live_update", handler);
  return () => model.off("comm_live_update", handler);
}

/**
 * Show that a view's kernel is gone: an inline notice at the top of its root, every control disabled and the
 * rest inert (a click would reach nothing), no busy state or progress left. The last results stay readable.
 */
export function showDisconnected(root: HTMLElement): void {
  if (root.classList.contains("ew-disconnected")) return;
  root.classList.add("ew-disconnected");
  // No answer can come now: nothing is "working" any more (the requests already failed, see connect()).
  root.classList.remove("ew-busy");
  root.setAttribute("aria-busy", "false");
  for (const control of root.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
    "button, input, select, textarea",
  )) {
    control.disabled = true;
  }
  for (const child of Array.from(root.children)) child.setAttribute("inert", "");
  root.prepend(h("div", { class: "ew-disconnected-notice", text: DISCONNECTED_TEXT, attrs: { role: "status" } }));
}

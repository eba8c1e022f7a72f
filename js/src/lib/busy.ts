// The busy state: the kernel's flag and our own pending requests, shown on the root element.
import type { AnyModel } from "@anywidget/types";
import type { Requester } from "./requester";

/** Mirror the kernel's busy flag and our own pending requests onto the root element. */
export function trackBusy<T extends { busy: boolean }>(root: HTMLElement, model: Pick<AnyModel<T>, "get" | "on" | "off">, requester: Requester): () => void {
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

// Child widgets: a live view of another model, drawn inside this one (the explorer's tabs, the sidebar note).
import type { AnyModel } from "@anywidget/types";

type ChildView = { el: HTMLElement; remove(): void };

/** The part of the host's widget manager that makes views; anywidget's types name only get_model. */
type ViewMaker = { get_model(id: string): Promise<unknown>; create_view(model: unknown, options: object): Promise<ChildView> };

function isViewMaker(manager: unknown): manager is ViewMaker {
  const candidate = manager as Partial<ViewMaker> | null;
  return typeof candidate?.get_model === "function" && typeof candidate.create_view === "function";
}

/**
 * Draw the widget that a serialised reference ("IPY_MODEL_<id>") names into ``box``: a live view of its model,
 * made by the model's own widget manager. Returns a function that removes the view, even one still on its way.
 */
export function showChildView(model: Pick<AnyModel, "widget_manager">, ref: unknown, box: HTMLElement, onError: (error: unknown) => void): () => void {
  const manager: unknown = model.widget_manager;
  let view: ChildView | null = null;
  let gone = false;
  Promise.resolve()
    .then(() => {
      if (!isViewMaker(manager)) throw new Error("this host cannot draw child widgets");
      return manager.get_model(String(ref ?? "").replace(/^IPY_MODEL_/, "")).then((child) => manager.create_view(child, {}));
    })
    .then((created) => {
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

// The note that show_in_sidebar() leaves in the cell. Where the sidebar extension runs it says where the
// widget went; elsewhere it says why there is no sidebar and shows the widget itself here.
import type { AnyModel, RenderProps } from "@anywidget/types";
import "./styles.css";
import { h, sidebarHost } from "./base";

function render({ model, el }: RenderProps): () => void {
  const m = model as AnyModel;
  const title = (m.get("title") as string) || "The widget";
  const area = m.get("area") as string;
  const note = h("p", { class: "ew-note ew-sidebar-note" });
  el.appendChild(h("div", { class: "ew-root" }, [note]));
  if (sidebarHost()) {
    note.textContent = `${title} is pinned to the ${area} side panel. Close it there, or call close_sidebar().`;
    return () => {};
  }
  note.textContent =
    "No embedwidgets side panel here: it needs JupyterLab 4 or Notebook 7 with the embedwidgets extension " +
    "(pip installs it with the package), so the widget is shown in this cell instead.";
  let view: { el: HTMLElement; remove(): void } | null = null;
  let gone = false;
  const manager = (m as any).widget_manager;
  const ref = String(m.get("target") ?? "").replace(/^IPY_MODEL_/, "");
  Promise.resolve()
    .then(() => manager.get_model(ref))
    .then((target: unknown) => manager.create_view(target, {}))
    .then((created: { el: HTMLElement; remove(): void }) => {
      if (gone) return created.remove();
      view = created;
      el.appendChild(created.el);
    })
    .catch(() => {
      note.textContent += " (This front end could not draw it here either: display the widget itself.)";
    });
  return () => {
    gone = true;
    view?.remove();
  };
}

export default { render };

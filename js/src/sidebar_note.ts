// The note that show_in_sidebar() leaves in the cell. Where the sidebar extension runs it says where the
// widget went; elsewhere it says why there is no sidebar and shows the widget itself here.
import type { AnyModel, RenderProps } from "@anywidget/types";
import "./styles.css";
import { h, showChildView, sidebarHost } from "./base";

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
  return showChildView(m, m.get("target"), el, () => {
    note.textContent += " (This front end could not draw it here either: display the widget itself.)";
  });
}

export default { render };

// The note that show_in_sidebar() leaves in the cell. Where the sidebar extension runs it says where the
// widget went; elsewhere it says why there is no sidebar and shows the widget itself here.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import { h, showChildView, sidebarHost, watchingConnection } from "./lib";

/** The note's traits: the pinned widget's title, the side it went to, and a reference to it. */
export type SidebarNoteModel = { title: string; area: string; target: string };

function render({ model: m, el }: RenderProps<SidebarNoteModel>): () => void {
  const title = m.get("title") || "The widget";
  const area = m.get("area");
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

export default { render: watchingConnection(render) };

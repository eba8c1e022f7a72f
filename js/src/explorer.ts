// The Embedding Explorer: tabs holding live views of child widgets (a NeighborBrowser, an AnalogyExplorer).
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import { connect, h, listen, showChildView, toolbar, type BaseModel, widgetModule } from "./lib";

/** The explorer's traits: references to its child widgets, their tab names, and the open tab. */
export type ExplorerModel = BaseModel & { tabs: string[]; tab_names: string[]; selected_index: number };

function render({ model: m, el }: RenderProps<ExplorerModel>): () => void {
  const [requester, disconnect] = connect(m);
  const title = h("div", { class: "ew-title" });
  const tablist = h("div", { class: "ew-tabs", attrs: { role: "tablist", "aria-label": "Explorer views" } });
  const panels = h("div", { class: "ew-tab-panels" });
  el.appendChild(h("div", { class: "ew-root ew-explorer" }, [toolbar(title, m, requester), tablist, panels]));

  const refs = m.get("tabs") ?? [];
  const names = m.get("tab_names") ?? [];
  const buttons = refs.map((_, i) =>
    h("button", {
      class: "ew-tab",
      text: names[i] ?? `View ${i + 1}`,
      attrs: { type: "button", role: "tab", id: `${el.id || "ew"}-tab-${i}` },
      on: { click: () => select(i) },
    }),
  );
  const boxes = refs.map(() => h("div", { class: "ew-tab-panel", attrs: { role: "tabpanel" } }));
  tablist.append(...buttons);
  panels.append(...boxes);
  const removeViews = refs.map((ref, i) => {
    const box = boxes[i] ?? h("div");
    return showChildView(m, ref, box, (error) => {
      box.appendChild(h("p", { class: "ew-error", text: `Could not show this view: ${String(error)}` }));
    });
  });

  function select(i: number): void {
    m.set("selected_index", i);
    m.save_changes();
  }
  tablist.addEventListener("keydown", (event: KeyboardEvent) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step || !buttons.length) return;
    event.preventDefault();
    event.stopPropagation();
    const next = (m.get("selected_index") + step + buttons.length) % buttons.length;
    select(next);
    buttons[next]?.focus();
  });

  const draw = () => {
    title.textContent = m.get("title");
    const selected = m.get("selected_index");
    buttons.forEach((button, i) => {
      button.setAttribute("aria-selected", String(i === selected));
      button.tabIndex = i === selected ? 0 : -1;
      const box = boxes[i];
      if (box) box.hidden = i !== selected;
    });
  };
  const stop = listen(m, [[["selected_index", "title"], draw]]);
  draw();
  return () => {
    stop();
    disconnect();
    removeViews.forEach((remove) => remove());
  };
}

export default widgetModule(render);

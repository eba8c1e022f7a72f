// The frame of a widget module: the title row, and the module object anywidget loads.
import type { AnyModel, RenderProps } from "@anywidget/types";
import { onDisconnect, showDisconnected } from "./connection";
import { h } from "./dom";
import type { SidebarState } from "./model";
import type { Requester } from "./requester";
import { followSidebar, pinButton, releasePinButtons } from "./sidebar";

/** The widget's title row, with a pin button where the sidebar exists. */
export function toolbar<T extends { _sidebar: SidebarState }>(title: HTMLElement, model: Pick<AnyModel<T>, "get" | "on" | "off">, requester: Requester): HTMLElement {
  return h("div", { class: "ew-toolbar" }, [title, pinButton(model, requester)]);
}

type Render<T extends Record<string, any>> = (props: RenderProps<T>) => (() => void) | void;

/**
 * ``render``, plus the disconnected notice on the view's root once the kernel restarts or dies. A removed view
 * leaves nothing behind: JupyterLab keeps closed models (its comm handler never lets go of them), and a model
 * keeps its handlers and the view's element, so the pin buttons' handlers go and the element is emptied.
 */
export function watchingConnection<T extends Record<string, any>>(render: Render<T>): (props: RenderProps<T>) => () => void {
  return (props) => {
    const cleanup = render(props);
    const { el } = props;
    const stop = onDisconnect(props.model, () => showDisconnected(el.querySelector<HTMLElement>(":scope > .ew-root") ?? el));
    return () => {
      stop();
      cleanup?.();
      releasePinButtons(el);
      el.replaceChildren();
    };
  };
}

/** A widget module: ``initialize`` follows the sidebar trait, ``render`` draws one view (which says when its
 * kernel is gone). */
export function widgetModule<T extends { _sidebar: SidebarState }>(render: Render<T>) {
  return { initialize: ({ model }: { model: AnyModel<T> }) => followSidebar(model), render: watchingConnection(render) };
}

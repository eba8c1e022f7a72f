// The frame of a widget module: the title row, and the module object anywidget loads.
import type { AnyModel, RenderProps } from "@anywidget/types";
import { onDisconnect, showDisconnected } from "./connection";
import { h } from "./dom";
import type { SidebarState } from "./model";
import type { Requester } from "./requester";
import { followSidebar, pinButton } from "./sidebar";

/**
 * The widget's title row, with a pin button where the sidebar exists. A view that is removed while its model
 * lives on passes ``stops`` and calls them on removal: the button's model handler would otherwise keep the
 * view's whole DOM alive.
 */
export function toolbar<T extends { _sidebar: SidebarState }>(
  title: HTMLElement,
  model: Pick<AnyModel<T>, "get" | "on" | "off">,
  requester: Requester,
  stops?: (() => void)[],
): HTMLElement {
  return h("div", { class: "ew-toolbar" }, [title, pinButton(model, requester, stops)]);
}

type Render<T extends Record<string, any>> = (props: RenderProps<T>) => (() => void) | void;

/** ``render``, plus the disconnected notice on the view's root once the kernel restarts or dies. */
export function watchingConnection<T extends Record<string, any>>(render: Render<T>): (props: RenderProps<T>) => () => void {
  return (props) => {
    const cleanup = render(props);
    const { el } = props;
    const stop = onDisconnect(props.model, () => showDisconnected(el.querySelector<HTMLElement>(":scope > .ew-root") ?? el));
    return () => {
      stop();
      cleanup?.();
    };
  };
}

/** A widget module: ``initialize`` follows the sidebar trait, ``render`` draws one view (which says when its
 * kernel is gone). */
export function widgetModule<T extends { _sidebar: SidebarState }>(render: Render<T>) {
  return { initialize: ({ model }: { model: AnyModel<T> }) => followSidebar(model), render: watchingConnection(render) };
}

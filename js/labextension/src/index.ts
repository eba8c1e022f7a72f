// The JupyterLab 4 / Notebook 7 plugin: side panels for embedwidgets views, and the Embedding Explorer.
// Only the shell API both hosts share is used (app.shell.add / activateById); no ILabShell.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { ICommandPalette, showErrorMessage } from "@jupyterlab/apputils";
import { ILauncher } from "@jupyterlab/launcher";
import { INotebookTracker, type NotebookPanel } from "@jupyterlab/notebook";
import { LabIcon } from "@jupyterlab/ui-components";
import { Panel, Widget } from "@lumino/widgets";

import { type Area, type Dock, EXPLORER_CODE, explorerFailure, PinBoard, type PinRequest, type ViewLike } from "./pins";

/** Where the widgets' front ends find the sidebar (see js/src/base.ts): a typed API, never code. */
const HOST_KEY = Symbol.for("embedwidgets.sidebar");
const OPEN_EXPLORER = "embedwidgets:open-explorer";

const pinIcon = new LabIcon({
  name: "embedwidgets:pin",
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16"><g class="jp-icon3" fill="#616161">' +
    '<circle cx="6" cy="17" r="2.2"/><circle cx="12" cy="7" r="2.2"/><circle cx="18" cy="14" r="2.2"/>' +
    '<path d="M6 17 12 7 18 14" fill="none" stroke="#616161" stroke-width="1.4"/></g></svg>',
});

/** Lumino panels in the host's left or right area. */
class ShellDock implements Dock<Panel> {
  constructor(private app: JupyterFrontEnd) {}

  open(view: ViewLike, pin: { modelId: string; title: string; area: Area; close: () => void }): Panel {
    const panel = new Panel();
    panel.id = `ew-sidebar-${pin.modelId}`;
    panel.addClass("ew-sidebar-panel");
    panel.title.icon = pinIcon;
    panel.title.closable = true;

    const header = new Widget();
    header.addClass("ew-sidebar-header");
    const label = document.createElement("span");
    label.className = "ew-sidebar-title";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "ew-sidebar-close jp-Button";
    close.textContent = "×";
    close.addEventListener("click", () => pin.close());
    header.node.append(label, close);
    panel.addWidget(header);

    const body = luminoWidgetOf(view);
    body.addClass("ew-sidebar-body");
    panel.addWidget(body);
    // Closed by the host itself (e.g. a tab's close): same as our close button.
    panel.disposed.connect(() => pin.close());
    this.retitle(panel, pin.title);
    this.app.shell.add(panel, pin.area, { rank: 900 });
    return panel;
  }

  move(panel: Panel, area: Area): void {
    this.app.shell.add(panel, area, { rank: 900 });
  }

  retitle(panel: Panel, title: string): void {
    panel.title.label = title;
    panel.title.caption = title;
    const label = panel.node.querySelector(".ew-sidebar-title");
    if (label) label.textContent = title;
    const close = panel.node.querySelector(".ew-sidebar-close");
    close?.setAttribute("aria-label", `Close ${title}`);
    close?.setAttribute("title", `Close ${title}`);
  }

  activate(panel: Panel): void {
    this.app.shell.activateById(panel.id);
  }

  dispose(panel: Panel): void {
    if (!panel.isDisposed) panel.dispose();
  }
}

/** Run the explorer in the last active notebook's kernel, or in a new notebook's when there is none. */
async function openExplorer(app: JupyterFrontEnd, notebooks: INotebookTracker | null): Promise<void> {
  let panel: NotebookPanel | null = notebooks?.currentWidget ?? null;
  if (!panel || panel.isDisposed) {
    const kernelName = app.serviceManager.kernelspecs.specs?.default ?? "python3";
    panel = (await app.commands.execute("notebook:create-new", { kernelName })) as NotebookPanel | null;
  }
  if (!panel?.sessionContext) {
    await showErrorMessage("Embedding Explorer", "Open a notebook first: the explorer runs in its kernel.");
    return;
  }
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    await showErrorMessage("Embedding Explorer", "This notebook has no kernel: pick a Python kernel, then try again.");
    return;
  }
  const reply = await kernel.requestExecute({ code: EXPLORER_CODE, silent: false, store_history: false }).done;
  const failure = explorerFailure(reply.content);
  if (failure) await showErrorMessage("Embedding Explorer could not start", failure);
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "embedwidgets:sidebar",
  description: "Pins embedwidgets views into the side panels, and opens the Embedding Explorer.",
  autoStart: true,
  optional: [ILauncher, ICommandPalette, INotebookTracker],
  activate: (app: JupyterFrontEnd, launcher: ILauncher | null, palette: ICommandPalette | null,
    notebooks: INotebookTracker | null) => {
    const board = new PinBoard(new ShellDock(app));
    Reflect.set(globalThis, HOST_KEY, Object.freeze({
      version: 1,
      pin: (request: PinRequest) => board.pin(request).catch((error) => console.error("embedwidgets: could not pin", error)),
      unpin: (modelId: string) => board.unpin(modelId),
      area: (modelId: string) => board.area(modelId),
    }));

    app.commands.addCommand(OPEN_EXPLORER, {
      label: "Embedding Explorer",
      caption: "Neighbours and analogies on the bundled GloVe words, in the right side panel",
      icon: pinIcon,
      execute: () => openExplorer(app, notebooks),
    });
    launcher?.add({ command: OPEN_EXPLORER, category: "Other", rank: 0 });
    palette?.addItem({ command: OPEN_EXPLORER, category: "embedwidgets" });
  },
};

export default plugin;

/** The Lumino widget behind a widget view (``luminoWidget`` in ipywidgets 8, ``pWidget`` before). */
function luminoWidgetOf(view: ViewLike): Widget {
  const body: unknown = Reflect.get(view, "luminoWidget") ?? Reflect.get(view, "pWidget");
  if (!isWidget(body)) throw new Error("this widget view has no Lumino widget to show");
  return body;
}

/** Duck-typed, not instanceof: the view's widget may come from another copy of @lumino/widgets. */
function isWidget(value: unknown): value is Widget {
  const widget = value as Partial<Widget> | null;
  return typeof widget?.addClass === "function" && widget.node instanceof HTMLElement;
}

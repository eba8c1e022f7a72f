// Keyboard focus inside a notebook: who has it, and keeping keystrokes away from the host's shortcuts.

/** The part of a page that tracks focus: a document, or the shadow root a host renders the widget in. */
type FocusRoot = { activeElement: Element | null };

/**
 * Whether ``node`` has the keyboard focus. ``document.activeElement`` is the shadow host when a page (marimo,
 * for one) renders the widget inside a shadow root, so ask the node's own root: its document or shadow root.
 */
export function hasFocus(node: Pick<Node, "getRootNode">): boolean {
  const root = node.getRootNode() as Partial<FocusRoot>;
  return root.activeElement === node;
}

/** Stop keystrokes in the widget's text fields from reaching JupyterLab's notebook shortcuts. */
export function isolateKeys(root: HTMLElement): void {
  root.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && event.target.matches("input, select, textarea")) event.stopPropagation();
  });
}

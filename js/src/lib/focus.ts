// Keyboard focus inside a notebook: who has it, and keeping keystrokes away from the host's shortcuts.

/**
 * Whether ``node`` has the keyboard focus. ``document.activeElement`` is the shadow host when a page (marimo,
 * for one) renders the widget inside a shadow root, so ask the element itself.
 */
export function hasFocus(node: Element): boolean {
  return node.matches(":focus");
}

/** Stop keystrokes in the widget's text fields from reaching JupyterLab's notebook shortcuts. */
export function isolateKeys(root: HTMLElement): void {
  root.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && event.target.matches("input, select, textarea")) event.stopPropagation();
  });
}

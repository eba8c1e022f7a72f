// What the views share about their models: the traits every widget has, and helpers to follow and set them.
// Models are type aliases (not interfaces) so that they fit anywidget's AnyModel<Record<string, ...>>.
import type { AnyModel } from "@anywidget/types";
import type { ErrorInfo } from "./requester";

export type Traits = Record<string, unknown>;

/** Where a widget is pinned, as the ``_sidebar`` trait says. */
export type SidebarState = { area: "left" | "right"; title: string; model_id: string } | null;

/** The traits of every embedwidgets view (widgets/_base.py). */
export type BaseModel = {
  title: string;
  busy: boolean;
  error: ErrorInfo | null;
  _sidebar: SidebarState;
};

/** A [value, text] choice for a select or a toggle. */
export type Choice = [value: string, text: string];

/** Limits and choices a widget sends from Python (its ``_options`` trait). Each widget names its keys. */
export type Options = Record<string, unknown>;

/** A number option, or ``fallback`` when Python did not send a usable one. */
export function numberOption(options: Options | null | undefined, key: string, fallback: number): number {
  const value = options?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** A list of [value, text] choices, or [] when Python did not send one. */
export function choicesOption(options: Options | null | undefined, key: string): Choice[] {
  const value = options?.[key];
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Choice => Array.isArray(item) && item.length === 2 && typeof item[0] === "string" && typeof item[1] === "string",
  );
}

/** Call each handler when any of its traits changes; returns a function that stops listening. */
export function listen<T extends Traits>(model: Pick<AnyModel<T>, "on" | "off">, bindings: [(keyof T & string)[], () => void][]): () => void {
  const registered: [string, () => void][] = [];
  for (const [traits, handler] of bindings) {
    for (const trait of traits) {
      model.on(`change:${trait}`, handler);
      registered.push([`change:${trait}`, handler]);
    }
  }
  return () => registered.forEach(([event, handler]) => model.off(event, handler));
}

/**
 * Set traits from the view and send them to the kernel in one message: Python validates them and runs once,
 * and hosts that react to changes made in the view (marimo re-runs dependent cells) see them.
 */
export function setTraits<T extends Traits>(model: Pick<AnyModel<T>, "set" | "save_changes">, changes: Partial<T>): void {
  for (const name of Object.keys(changes) as (keyof T & string)[]) {
    const value = changes[name];
    if (value !== undefined) model.set(name, value);
  }
  model.save_changes();
}

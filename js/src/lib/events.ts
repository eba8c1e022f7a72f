// The event half of a widget model, for the models a saved page holds in place of a kernel's.

type Handler = (...args: any[]) => void;

/** on / off / emit over named events, as anywidget's model offers them to a view. */
export class ModelEvents {
  private handlers = new Map<string, Set<Handler>>();

  on(event: string, handler: Handler): void {
    const set = this.handlers.get(event) ?? new Set<Handler>();
    set.add(handler);
    this.handlers.set(event, set);
  }

  off(event?: string | null, handler?: Handler | null): void {
    if (!event) return this.handlers.clear();
    if (!handler) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(handler);
  }

  protected emit(event: string, ...args: unknown[]): void {
    for (const handler of Array.from(this.handlers.get(event) ?? [])) handler(...args);
  }
}

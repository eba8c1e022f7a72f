// Typed requests to the kernel over custom messages, with supersession: a newer request of a kind makes
// the older one's answer stale.
import type { AnyModel } from "@anywidget/types";
import { DISCONNECTED_TEXT, onDisconnect } from "./connection";

export type ErrorInfo = {
  kind?: string;
  message: string;
  missing?: string[];
  suggestions?: Record<string, string[]>;
};

export type Response =
  // The data is whatever the request kind answers; each caller reads its own kind's fields.
  | { status: "ok"; data: any }
  | { status: "error"; error: ErrorInfo }
  | { status: "stale" };

/** What ``connect`` needs of a model: sending, and the custom-message events. */
export type MessageModel = Pick<AnyModel, "send" | "on" | "off">;

type Pending = { kind: string; resolve: (response: Response) => void };

/**
 * Typed requests over custom messages. Each request gets an id; for each kind only the newest request
 * counts, so an answer to an older one resolves as "stale" and callers ignore it.
 */
export class Requester {
  private nextId = 1;
  private latest = new Map<string, number>();
  private pending = new Map<number, Pending>();
  private listeners = new Set<(busy: boolean) => void>();
  private lost: ErrorInfo | null = null;

  constructor(private send: (message: object) => void) {}

  request(kind: string, params: Record<string, unknown> = {}): Promise<Response> {
    if (this.lost) return Promise.resolve({ status: "error", error: this.lost });
    const id = this.nextId++;
    const superseded = this.latest.get(kind);
    this.latest.set(kind, id);
    // Register the new request before dropping the old one, so busy never flickers false in between.
    const answer = new Promise<Response>((resolve) => this.pending.set(id, { kind, resolve }));
    if (superseded !== undefined) {
      const stale = this.pending.get(superseded);
      if (stale) {
        this.pending.delete(superseded);
        stale.resolve({ status: "stale" });
      }
    }
    this.notify();
    try {
      this.send({ type: "request", id, kind, params });
    } catch (error) {
      // No answer will ever come (e.g. the comm is closed): settle now rather than stay busy forever.
      const message = error instanceof Error ? error.message : String(error);
      this.settle(id, { status: "error", error: { message: `could not reach the kernel: ${message}` } });
    }
    return answer;
  }

  /** Handle a message from the kernel; returns false when it is not a response. */
  receive(message: unknown): boolean {
    if (!isRecord(message) || message.type !== "response" || typeof message.id !== "number") return false;
    if (!this.pending.has(message.id)) return true; // already settled as stale
    const response: Response = message.ok
      ? { status: "ok", data: message.data }
      : { status: "error", error: normaliseError(message.error) };
    this.settle(message.id, response);
    return true;
  }

  /** The kernel is gone: pending requests fail now (no answer will come) and later ones fail without sending. */
  disconnect(error: ErrorInfo = { kind: "Disconnected", message: DISCONNECTED_TEXT }): void {
    this.lost = error;
    for (const id of Array.from(this.pending.keys())) this.settle(id, { status: "error", error });
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  onBusy(listener: (busy: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private settle(id: number, response: Response): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.resolve(response);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.busy);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A well-formed ErrorInfo from whatever the kernel sent: a readable message, and only well-typed extras. */
export function normaliseError(error: unknown): ErrorInfo {
  if (typeof error === "string" && error) return { message: error };
  if (!isRecord(error) || typeof error.message !== "string" || !error.message.trim()) {
    return { message: "the kernel returned an unreadable error" };
  }
  const info: ErrorInfo = { message: error.message };
  if (typeof error.kind === "string") info.kind = error.kind;
  if (Array.isArray(error.missing)) info.missing = error.missing.filter((word): word is string => typeof word === "string");
  if (isRecord(error.suggestions)) {
    info.suggestions = {};
    for (const [word, options] of Object.entries(error.suggestions)) {
      if (Array.isArray(options)) info.suggestions[word] = options.filter((option): option is string => typeof option === "string");
    }
  }
  return info;
}

/** A Requester wired to an anywidget model (and to its kernel connection); call the returned function to unhook it. */
export function connect(model: MessageModel): [Requester, () => void] {
  const requester = new Requester((message) => model.send(message));
  const onMessage = (message: unknown) => requester.receive(message);
  model.on("msg:custom", onMessage);
  const stopWatching = onDisconnect(model, () => requester.disconnect());
  return [
    requester,
    () => {
      model.off("msg:custom", onMessage);
      stopWatching();
    },
  ];
}

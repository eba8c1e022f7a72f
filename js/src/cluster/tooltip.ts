// The hover tooltip: a point's label and metadata, asked for with a typed "point" request and cached.
import { clear, h, uniqueId, type Requester } from "../lib";
import type { PointInfo } from "./model";

const CACHE = 256;

function isPointInfo(value: unknown): value is PointInfo {
  const info = value as Partial<PointInfo> | null;
  return typeof info?.index === "number" && typeof info.label === "string" && Array.isArray(info.fields);
}

export class Tooltip {
  readonly node: HTMLElement;
  private cache = new Map<number, PointInfo>();
  private hovered = -1;

  constructor(
    private requester: Requester,
    private position: (index: number) => [number, number] | undefined,
    private size: () => [number, number],
  ) {
    this.node = h("div", { class: "ew-tooltip", attrs: { role: "tooltip", id: uniqueId("ew-tip") } });
    this.node.hidden = true;
  }

  async hover(index: number): Promise<void> {
    this.hovered = index;
    let info = this.cache.get(index);
    if (!info) {
      const response = await this.requester.request("point", { index });
      if (response.status !== "ok" || !isPointInfo(response.data)) return;
      info = response.data;
      this.cache.set(index, info);
      const oldest = this.cache.keys().next().value;
      if (this.cache.size > CACHE && oldest !== undefined) this.cache.delete(oldest);
    }
    if (this.hovered === index) this.show(info);
  }

  hide(): void {
    this.hovered = -1;
    this.node.hidden = true;
  }

  private show(info: PointInfo): void {
    const tip = this.node;
    clear(tip);
    tip.appendChild(h("div", { class: "ew-tip-label", text: info.label }));
    for (const [name, value] of info.fields) {
      tip.appendChild(h("div", { class: "ew-tip-field" }, [h("span", { class: "ew-muted", text: `${name}: ` }), h("span", { text: value })]));
    }
    tip.hidden = false;
    const [width, height] = this.size();
    const [px, py] = this.position(info.index) ?? [0, 0];
    const left = Math.min(px + 12, Math.max(0, width - tip.offsetWidth - 4));
    const top = py + 12 + tip.offsetHeight > height ? Math.max(0, py - tip.offsetHeight - 12) : py + 12;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }
}

// Cluster labels over the canvas: biggest clusters first, and a label that would overlap one already placed
// waits until zooming makes room for it.
import { clear, h } from "../lib";
import type { ClusterLabel } from "./model";

type Placed = { item: ClusterLabel; node: HTMLElement; width: number; height: number };

export class Labels {
  readonly layer: HTMLElement;
  private placed: Placed[] = [];
  private source: ClusterLabel[] | null = null;

  constructor() {
    this.layer = h("div", { class: "ew-label-layer", attrs: { "aria-hidden": "true" } });
  }

  /** Show ``items`` (or none), placed with ``toScreen`` inside a ``width`` × ``height`` map. */
  place(items: ClusterLabel[], toScreen: (x: number, y: number) => [number, number], width: number, height: number): void {
    if (items !== this.source) {
      this.source = items;
      clear(this.layer);
      const nodes = items.map((item) => {
        const node = h("div", { class: "ew-cluster-label", text: item.text, attrs: { "data-cluster": item.cluster } });
        node.style.borderColor = item.color;
        this.layer.appendChild(node);
        return { item, node };
      });
      // Measure after all are in the page, once per set of labels.
      this.placed = nodes.map(({ item, node }) => ({ item, node, width: node.offsetWidth, height: node.offsetHeight }));
    }
    const taken: [number, number, number, number][] = [];
    for (const { item, node, width: w, height: hgt } of this.placed) {
      const [sx, sy] = toScreen(item.x, item.y);
      const box: [number, number, number, number] = [sx - w / 2, sy - hgt / 2, sx + w / 2, sy + hgt / 2];
      const inside = sx >= 0 && sy >= 0 && sx <= width && sy <= height;
      const clash = taken.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]);
      node.hidden = !inside || clash;
      if (!node.hidden) taken.push(box);
      node.style.transform = `translate(${sx.toFixed(1)}px, ${sy.toFixed(1)}px) translate(-50%, -50%)`;
    }
  }

  /** The labels now on screen (for the exports). */
  visible(): ClusterLabel[] {
    return this.placed.filter(({ node }) => !node.hidden).map(({ item }) => item);
  }
}

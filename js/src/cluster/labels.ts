// Cluster labels over the canvas: biggest clusters first, and a label that would overlap one already placed
// waits until zooming makes room for it. Labels deepen with zoom: zoomed out only the clusters (level 0) are
// named; from SUB_ZOOM on, their sub-clusters (level 1 of the label tree) take the room first.
import { clear, h } from "../lib";
import type { ClusterLabel } from "./model";

type Placed = { item: ClusterLabel; node: HTMLElement; width: number; height: number };

/** The zoom (initial camera distance / distance) from which sub-cluster labels show. */
export const SUB_ZOOM = 2;

export class Labels {
  readonly layer: HTMLElement;
  private placed: Placed[] = [];
  private source: ClusterLabel[] | null = null;
  private subSource: ClusterLabel[] | null = null;

  constructor() {
    this.layer = h("div", { class: "ew-label-layer", attrs: { "aria-hidden": "true" } });
  }

  /** Show ``items`` (or none), placed with ``toScreen`` inside a ``width`` × ``height`` map. */
  place(
    items: ClusterLabel[],
    toScreen: (x: number, y: number) => [number, number],
    width: number,
    height: number,
    zoom = 1,
    subItems: ClusterLabel[] = [],
  ): void {
    if (items !== this.source || subItems !== this.subSource) {
      this.source = items;
      this.subSource = subItems;
      clear(this.layer);
      const nodes = [...items, ...subItems].map((item) => {
        const level = item.level ?? 0;
        const node = h("div", { class: `ew-cluster-label ew-level-${level}`, text: item.text, attrs: { "data-cluster": item.cluster, "data-level": level } });
        node.style.borderColor = item.color;
        this.layer.appendChild(node);
        return { item, node };
      });
      // Measure after all are in the page, once per set of labels.
      this.placed = nodes.map(({ item, node }) => ({ item, node, width: node.offsetWidth, height: node.offsetHeight }));
    }
    const taken: [number, number, number, number][] = [];
    const deep = zoom >= SUB_ZOOM;
    const levelOf = (entry: Placed) => entry.item.level ?? 0;
    // Zoomed in: sub-cluster labels first, then the clusters' where room is left; zoomed out: clusters only.
    const order = deep ? [...this.placed.filter((p) => levelOf(p) > 0), ...this.placed.filter((p) => levelOf(p) === 0)] : this.placed;
    for (const entry of this.placed) if (!deep && levelOf(entry) > 0) entry.node.hidden = true;
    for (const { item, node, width: w, height: hgt } of order) {
      if (!deep && (item.level ?? 0) > 0) continue;
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

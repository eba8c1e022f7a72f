// Density contour lines over the map. Python sends the segments in data coordinates; they are drawn once per
// change as one SVG path per level, and a pan or zoom only changes the group's transform (the map's data → screen
// transform is affine), so following the view costs nothing per segment.
import { readArray, svg } from "../lib";

const LEVEL_OPACITY = [0.35, 0.5, 0.7, 0.9];

export class Contours {
  readonly node: SVGSVGElement;
  private group: SVGElement;
  private source: unknown = null;
  count = 0;

  constructor() {
    // "ew-plot" marks it as one of our own SVG drawings (the browser tests treat any other <svg> as injected).
    this.node = svg("svg", { class: "ew-plot ew-contours", "aria-hidden": "true" }) as SVGSVGElement;
    this.group = svg("g");
    this.node.appendChild(this.group);
  }

  /** Draw the segments (m × 4 float32) of ``levels`` (m uint8), or none; false when the value is malformed. */
  set(segments: unknown, levels: unknown, colour: string): boolean {
    if (segments === this.source) return true;
    this.source = segments;
    while (this.group.firstChild) this.group.removeChild(this.group.firstChild);
    let xy: ArrayLike<number>;
    let which: ArrayLike<number>;
    try {
      xy = readArray(segments)?.data ?? [];
      which = readArray(levels)?.data ?? [];
    } catch {
      this.count = 0;
      return false;
    }
    const m = Math.floor(xy.length / 4);
    const paths: string[][] = [];
    for (let i = 0; i < m; i++) {
      const level = which[i] ?? 0;
      (paths[level] ??= []).push(`M${xy[4 * i]} ${xy[4 * i + 1]}L${xy[4 * i + 2]} ${xy[4 * i + 3]}`);
    }
    paths.forEach((parts, level) => {
      if (!parts) return;
      const opacity = LEVEL_OPACITY[Math.min(level, LEVEL_OPACITY.length - 1)] ?? 0.9;
      this.group.appendChild(
        svg("path", { d: parts.join(""), fill: "none", stroke: colour, "stroke-opacity": opacity, "stroke-width": 1.2, "vector-effect": "non-scaling-stroke", "data-level": level }),
      );
    });
    this.count = m;
    this.node.setAttribute("data-segments", String(m));
    return true;
  }

  /** Follow the view: ``toScreen`` maps data to canvas pixels (affine). */
  place(toScreen: (x: number, y: number) => [number, number], width: number, height: number): void {
    this.node.setAttribute("width", String(width));
    this.node.setAttribute("height", String(height));
    const [ox, oy] = toScreen(0, 0);
    const [ax, ay] = toScreen(1, 0);
    const [bx, by] = toScreen(0, 1);
    this.group.setAttribute("transform", `matrix(${ax - ox} ${ay - oy} ${bx - ox} ${by - oy} ${ox} ${oy})`);
  }
}

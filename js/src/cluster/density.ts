// The density layer: while millions of points are still being drawn (tens of seconds on software WebGL), an image
// of where they lie, binned in Python (layout.density_image), shades the map's data square. It goes once the
// points are drawn; it is never drawn over them.
import { h, readArray } from "../lib";

/** "#rrggbb" as [r, g, b]. */
function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1, 7), 16) || 0;
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export class Density {
  readonly node: HTMLCanvasElement;

  constructor() {
    this.node = h("canvas", { class: "ew-density", attrs: { "aria-hidden": "true" } });
    this.node.hidden = true;
  }

  get shown(): boolean {
    return !this.node.hidden;
  }

  /**
   * Shade the square whose corners (-1, 1) and (1, -1) land at ``topLeft`` and ``bottomRight`` (CSS pixels) with
   * ``value`` (a bins × bins uint8 array, top row first). Returns false, and hides the layer, when there is none.
   */
  show(value: unknown, colour: string, width: number, height: number, topLeft: [number, number], bottomRight: [number, number]): boolean {
    let image = null;
    try {
      image = readArray(value);
    } catch {
      image = null; // a malformed image only costs the preview
    }
    const [rows, cols] = image?.shape ?? [];
    if (!image || image.shape.length !== 2 || !rows || !cols) return this.hide();
    const cells = document.createElement("canvas");
    cells.width = cols;
    cells.height = rows;
    const context = cells.getContext("2d");
    const target = this.node.getContext("2d");
    if (!context || !target) return this.hide();
    const pixels = context.createImageData(cols, rows);
    const [r, g, b] = rgb(colour);
    for (let i = 0; i < rows * cols; i++) {
      pixels.data.set([r, g, b, image.data[i] ?? 0], 4 * i);
    }
    context.putImageData(pixels, 0, 0);
    this.node.width = width;
    this.node.height = height;
    target.clearRect(0, 0, width, height);
    target.drawImage(cells, topLeft[0], topLeft[1], bottomRight[0] - topLeft[0], bottomRight[1] - topLeft[1]);
    this.node.hidden = false;
    return true;
  }

  hide(): false {
    this.node.hidden = true;
    return false;
  }
}

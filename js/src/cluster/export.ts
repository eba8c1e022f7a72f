// PNG and SVG exports of what the map shows now, labels included. The SVG is built with DOM calls (text as
// text nodes) and serialised; the PNG is the canvas with the labels painted over it.
import { h, svg } from "../lib";
import type { ClusterLabel } from "./model";
import type { Scatter, Theme } from "./scatter";

/** Start a download of ``href`` as ``name`` (a hidden link inside ``root``). */
export function download(root: HTMLElement, href: string, name: string): void {
  const link = h("a", { attrs: { href, download: name } });
  link.hidden = true;
  root.appendChild(link);
  link.click();
  link.remove();
}

/** The map as a PNG data URL. */
export function pngOf(scatter: Scatter, canvas: HTMLCanvasElement, labels: ClusterLabel[], colours: Theme): string {
  const out = document.createElement("canvas");
  out.width = canvas.width;
  out.height = canvas.height;
  const context = out.getContext("2d");
  if (!context) throw new Error("this browser cannot draw on a canvas");
  context.fillStyle = colours.bg;
  context.fillRect(0, 0, out.width, out.height);
  context.drawImage(canvas, 0, 0);
  const ratio = out.width / scatter.width;
  context.font = `600 ${12 * ratio}px sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.lineWidth = 3 * ratio;
  context.strokeStyle = colours.bg;
  context.fillStyle = colours.fg;
  for (const item of labels) {
    const [sx, sy] = scatter.toScreen(item.x, item.y);
    context.strokeText(item.text, sx * ratio, sy * ratio);
    context.fillText(item.text, sx * ratio, sy * ratio);
  }
  return out.toDataURL("image/png");
}

/** The points in view (one circle each, grouped by colour) and the labels, as SVG text. */
export function svgOf(
  scatter: Scatter,
  rows: number[],
  colourOf: (row: number) => string,
  labels: ClusterLabel[],
  colours: Theme,
  style: { size: number; opacity: number },
): string {
  const { width, height } = scatter;
  const radius = Math.max(0.5, style.size / 2);
  const doc = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  doc.appendChild(svg("rect", { width, height, fill: colours.bg }));
  const groups = new Map<string, SVGElement>();
  for (const row of rows) {
    const colour = colourOf(row);
    let group = groups.get(colour);
    if (!group) {
      group = svg("g", { fill: colour, "fill-opacity": style.opacity });
      groups.set(colour, group);
      doc.appendChild(group);
    }
    const [sx, sy] = scatter.toScreen(scatter.x[row] ?? 0, scatter.y[row] ?? 0);
    group.appendChild(svg("circle", { cx: sx.toFixed(2), cy: sy.toFixed(2), r: radius }));
  }
  for (const item of labels) {
    const [sx, sy] = scatter.toScreen(item.x, item.y);
    doc.appendChild(
      svg(
        "text",
        {
          x: sx.toFixed(1),
          y: sy.toFixed(1),
          "text-anchor": "middle",
          "dominant-baseline": "middle",
          "font-family": "sans-serif",
          "font-size": 12,
          "font-weight": 600,
          fill: colours.fg,
          stroke: colours.bg,
          "stroke-width": 3,
          "paint-order": "stroke",
        },
        item.text,
      ),
    );
  }
  return new XMLSerializer().serializeToString(doc);
}

// The legend beside the map: categories you can click to highlight, or a colour ramp with its ends.
import { clear, formatNumber, h } from "../lib";
import { PLAIN, type Legend } from "./model";

/** Draw ``legend`` into ``box``; ``pick(index)`` is called when a category is clicked. */
export function drawLegend(box: HTMLElement, legend: Legend, pick: (index: number) => void): void {
  clear(box);
  box.appendChild(h("div", { class: "ew-legend-title", text: legend.title ?? "" }));
  if (legend.kind === "categorical") {
    const list = h("ul", { class: "ew-legend-items" });
    (legend.items ?? []).forEach((item, index) => {
      const swatch = h("span", { class: "ew-swatch" });
      swatch.style.backgroundColor = item.color;
      list.appendChild(
        h("li", {}, [
          h(
            "button",
            {
              class: "ew-legend-item",
              attrs: { type: "button", title: `Highlight ${item.label}`, "aria-label": `Highlight ${item.label}, ${item.count} points` },
              on: { click: () => pick(index) },
            },
            [swatch, h("span", { class: "ew-legend-label", text: item.label }), h("span", { class: "ew-legend-count", text: item.count.toLocaleString() })],
          ),
        ]),
      );
    });
    box.appendChild(list);
    if (legend.more) box.appendChild(h("div", { class: "ew-muted", text: `… and ${legend.more.toLocaleString()} more` }));
  } else if (legend.kind === "continuous") {
    const colours = legend.colors?.length ? legend.colors : [PLAIN];
    const stops = Array.from({ length: 12 }, (_, i) => colours[Math.round((i / 11) * (colours.length - 1))] ?? PLAIN);
    const bar = h("div", { class: "ew-ramp", attrs: { role: "img", "aria-label": `colour ramp from ${legend.min} to ${legend.max}` } });
    bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
    box.append(bar, h("div", { class: "ew-ramp-ends" }, [h("span", { text: formatNumber(legend.min) }), h("span", { text: formatNumber(legend.max) })]));
  }
  if (legend.note) box.appendChild(h("div", { class: "ew-note", text: legend.note }));
}

/** A function giving each row's colour, as the map paints it (for the SVG export). */
export function colourOf(legend: Legend, values: ArrayLike<number> | null, n: number): (row: number) => string {
  const palette = legend.colors?.length ? legend.colors : [PLAIN];
  const first = palette[0] ?? PLAIN;
  if (values === null || values.length !== n || legend.kind === "none") return () => first;
  return (row) => {
    const value = values[row] ?? 0;
    const index = legend.kind === "continuous" ? Math.round(value * (palette.length - 1)) : value;
    return palette[Math.max(0, Math.min(palette.length - 1, index))] ?? first;
  };
}

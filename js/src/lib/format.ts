// Small shared pieces for showing numbers.
import { h } from "./dom";

/** A horizontal bar, 0 to 1, with the exact number beside it. */
export function scoreBar(fraction: number, label: string): HTMLElement {
  const fill = h("span", { class: "ew-bar-fill" });
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("span", { class: "ew-bar", attrs: { role: "img", "aria-label": label } }, [fill]);
}

export function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(4) : String(score);
}

/** Four significant digits, or "" for a missing or non-finite number. */
export function formatNumber(value: number | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return Number(value.toPrecision(4)).toString();
}

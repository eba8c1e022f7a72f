// Inline errors: a message, and clickable close spellings for the words the kernel did not know.
import { clear, h } from "./dom";
import type { ErrorInfo } from "./requester";

/** Show an error (with clickable close spellings for unknown words) in ``box``, or hide the box. */
export function showError(box: HTMLElement, error: ErrorInfo | null | undefined, pick?: (missing: string, word: string) => void): void {
  clear(box);
  box.hidden = !error;
  if (!error) return;
  box.appendChild(h("span", { class: "ew-error-text", text: error.message }));
  const suggestions = error.suggestions ?? {};
  for (const missing of error.missing ?? []) {
    const options = suggestions[missing] ?? [];
    if (!options.length || !pick) continue;
    const line = h("span", { class: "ew-suggestions" }, [h("span", { text: `Instead of “${missing}”: ` })]);
    for (const option of options) {
      line.appendChild(
        h("button", {
          class: "ew-chip",
          text: option,
          attrs: { type: "button", "aria-label": `Use ${option} instead of ${missing}` },
          on: { click: () => pick(missing, option) },
        }),
      );
    }
    box.appendChild(line);
  }
}

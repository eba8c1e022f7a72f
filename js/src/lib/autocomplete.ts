// An accessible text input with suggestions from the kernel (a "complete" request: prefix search in Python).
import { clear, h, uniqueId } from "./dom";
import { hasFocus } from "./focus";
import type { Requester } from "./requester";

/**
 * A text input with suggestions from the kernel. Arrow keys move through the suggestions, Enter takes the
 * highlighted one (or submits the text), Escape closes the list.
 */
export class Autocomplete {
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  private list: HTMLUListElement;
  private options: string[] = [];
  private active = -1;
  private generation = 0; // bumped whenever the list closes, so late suggestions stay closed

  constructor(
    label: string,
    private requester: Requester,
    private submit: (value: string) => void,
    private requestKind = "complete",
  ) {
    const id = uniqueId("ew-list");
    this.input = h("input", {
      class: "ew-input",
      attrs: {
        type: "text",
        "aria-label": label,
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": id,
        autocomplete: "off",
        spellcheck: "false",
      },
    });
    this.list = h("ul", { class: "ew-options", attrs: { id, role: "listbox", "aria-label": `${label} suggestions` } });
    this.list.hidden = true;
    this.root = h("span", { class: "ew-combo" }, [this.input, this.list]);
    this.input.addEventListener("input", () => this.suggest());
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  get value(): string {
    return this.input.value;
  }

  set value(text: string) {
    if (this.input.value !== text) this.input.value = text;
  }

  private async suggest(): Promise<void> {
    const prefix = this.input.value;
    if (!prefix.trim()) return this.close();
    const generation = this.generation;
    const response = await this.requester.request(this.requestKind, { prefix, limit: 8 });
    // Drop suggestions that arrive after the text changed, a choice was made, or the focus left.
    if (response.status !== "ok" || this.input.value !== prefix || generation !== this.generation) return;
    if (!hasFocus(this.input)) return;
    const options: unknown = response.data?.options;
    this.show(Array.isArray(options) ? options.filter((option): option is string => typeof option === "string") : []);
  }

  private show(options: string[]): void {
    this.options = options.filter((option) => option !== this.input.value);
    this.active = -1;
    clear(this.list);
    this.options.forEach((option, index) => {
      const item = h("li", {
        class: "ew-option",
        text: option,
        attrs: { role: "option", id: `${this.list.id}-${index}`, "aria-selected": "false" },
        on: {
          mousedown: (event) => {
            event.preventDefault(); // keep the focus in the input
            this.choose(option);
          },
        },
      });
      this.list.appendChild(item);
    });
    const open = this.options.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
  }

  close(): void {
    this.generation += 1;
    this.options = [];
    this.active = -1;
    clear(this.list);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  private highlight(index: number): void {
    const items = Array.from(this.list.children);
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    this.active = index;
    const item = items[index];
    if (item) this.input.setAttribute("aria-activedescendant", item.id);
    else this.input.removeAttribute("aria-activedescendant");
  }

  private choose(option: string): void {
    this.input.value = option;
    this.close();
    this.submit(option);
  }

  private onKey(event: KeyboardEvent): void {
    const open = this.options.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      this.highlight((this.active + 1) % this.options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.highlight((this.active - 1 + this.options.length) % this.options.length);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation(); // don't let JupyterLab leave edit mode
      this.close();
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation(); // Enter runs the query, not the notebook cell
      const chosen = open ? this.options[this.active] : undefined;
      if (chosen !== undefined) this.choose(chosen);
      else {
        this.close();
        this.submit(this.input.value);
      }
    }
  }
}

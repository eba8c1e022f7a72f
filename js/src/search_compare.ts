// SearchCompare view: one query box, and two ranked columns over the same texts: keyword search (BM25) on
// the left, with the query's words marked, and semantic search (sentence embeddings) on the right. Every
// piece of text is put in the page as a text node or a <mark> with textContent; nothing is parsed as HTML.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import "./search_compare.css";
import {
  clear,
  connect,
  formatScore,
  h,
  isolateKeys,
  listen,
  numberOption,
  scoreBar,
  setTraits,
  showError,
  toolbar,
  trackBusy,
  type BaseModel,
  type Options,
  widgetModule,
} from "./lib";

type Piece = [string, boolean];
type Row = {
  rank: number;
  row: number;
  score: number;
  bar: number;
  matched: string[];
  title: Piece[] | null;
  text: Piece[];
  keyword_rank?: number | null;
};
type Info = { count?: number; model?: string; keyword?: string };

/** Text with its matched words wrapped in <mark>, built from text nodes only. */
function marked(pieces: Piece[], tag: "span" | "strong", className: string): HTMLElement {
  const node = h(tag, { class: className });
  for (const [text, hit] of pieces ?? []) {
    if (typeof text !== "string") continue;
    node.appendChild(hit ? h("mark", { class: "ew-mark", text }) : document.createTextNode(text));
  }
  return node;
}

function quoteList(words: string[]): string {
  return words.map((word) => `“${word}”`).join(", ");
}

/** SearchCompare's traits. ``_options``: ``max_k`` (the most results per column). */
export type SearchCompareModel = BaseModel & {
  query: string;
  k: number;
  _keyword_rows: Row[];
  _semantic_rows: Row[];
  _terms: string[];
  _keyword_total: number;
  _info: Info;
  _options: Options;
};

function render({ model, el }: RenderProps<SearchCompareModel>): () => void {
  const [requester, disconnect] = connect(model);
  const root = h("div", {
    class: "ew-root ew-search-compare",
    attrs: { role: "group", "aria-label": "Keyword search compared with semantic search" },
  });
  isolateKeys(root);

  const run = (changes: Partial<SearchCompareModel>) => setTraits(model, changes);
  const submit = () => run({ query: query.value.trim(), k: Number(k.value) });
  const query = h("input", {
    class: "ew-input ew-query-wide",
    attrs: { type: "search", "aria-label": "Search query", spellcheck: "false", autocomplete: "off" },
    on: {
      keydown: (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          event.stopPropagation(); // Enter searches; it does not run the notebook cell
          submit();
        }
      },
    },
  });
  const k = h("input", {
    class: "ew-number",
    attrs: { type: "number", min: 1, max: numberOption(model.get("_options"), "max_k", 0) || undefined, "aria-label": "Number of results per column" },
    on: {
      change: () => run({ k: Number(k.value) }),
      keydown: (event) => {
        if (event.key === "Enter") run({ k: Number(k.value) });
      },
    },
  });
  const title = h("div", { class: "ew-title" });
  const subtitle = h("p", { class: "ew-note" });
  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert" } });
  const status = h("div", { class: "ew-status", attrs: { "aria-live": "polite" } });
  const summary = h("p", { class: "ew-note ew-summary", attrs: { "aria-live": "polite" } });
  const columns = h("div", { class: "ew-columns" });

  root.append(
    toolbar(title, model, requester),
    h("div", { class: "ew-row" }, [
      query,
      h("button", { class: "ew-button", text: "Search", attrs: { type: "button" }, on: { click: submit } }),
      h("label", {}, [h("span", { class: "ew-muted", text: "results " }), k]),
    ]),
    subtitle,
    errorBox,
    status,
    summary,
    columns,
  );
  el.appendChild(root);

  const resultList = (rows: Row[], label: string, kind: "keyword" | "semantic", unit: string) => {
    const list = h("ol", { class: "ew-results ew-hits", attrs: { "aria-label": label } });
    for (const row of rows) {
      const tags = h("span", { class: "ew-tags" });
      if (row.matched.length) {
        tags.appendChild(h("span", { class: "ew-tag ew-tag-words", text: `words in common: ${row.matched.join(", ")}` }));
      } else {
        tags.appendChild(h("span", { class: "ew-tag ew-tag-none", text: "shares no word with the query" }));
      }
      if (kind === "semantic") {
        const rank = row.keyword_rank;
        tags.appendChild(
          h("span", {
            class: `ew-tag ${rank ? "ew-tag-both" : "ew-tag-only"}`,
            text: rank ? `keyword search: #${rank}` : "missed by keyword search",
          }),
        );
      }
      list.appendChild(
        h("li", { class: "ew-hit", attrs: { "data-row": row.row } }, [
          h("div", { class: "ew-hit-head" }, [
            h("span", { class: "ew-rank", text: String(row.rank) }),
            scoreBar(row.bar, `${unit} ${formatScore(row.score)}`),
            h("span", { class: "ew-score", text: formatScore(row.score) }),
          ]),
          row.title ? marked(row.title, "strong", "ew-hit-title") : null,
          marked(row.text, "span", "ew-hit-text"),
          tags,
        ]),
      );
    }
    return list;
  };

  const draw = () => {
    const info = model.get("_info") ?? {};
    const terms = model.get("_terms") ?? [];
    const keywordRows = model.get("_keyword_rows") ?? [];
    const semanticRows = model.get("_semantic_rows") ?? [];
    const total = model.get("_keyword_total") ?? 0;
    const failed = Boolean(model.get("error"));
    const count = info.count ?? 0;

    title.textContent = model.get("title");
    subtitle.textContent =
      `${count} texts. Left: ${info.keyword ?? "BM25"} ranks texts by the query words they contain. ` +
      `Right: ${info.model ?? "a sentence encoder"} ranks them by cosine similarity of meaning.`;
    clear(columns);

    const keyword = h("section", { class: "ew-panel ew-panel-keyword", attrs: { "aria-label": "Keyword search" } }, [
      h("div", { class: "ew-panel-title", text: "Keyword search (BM25)" }),
    ]);
    if (!failed) {
      const searched = h("p", { class: "ew-note ew-terms" });
      if (terms.length) {
        searched.appendChild(document.createTextNode("Looks for: "));
        terms.forEach((term, index) => {
          if (index) searched.appendChild(document.createTextNode(" "));
          searched.appendChild(h("mark", { class: "ew-mark ew-chip-term", text: term }));
        });
      } else {
        searched.textContent = "The query has only common words (like “the” or “how”), which keyword search ignores.";
      }
      keyword.appendChild(searched);
      if (!keywordRows.length) {
        keyword.appendChild(
          h("div", { class: "ew-empty", attrs: { role: "status" } }, [
            h("strong", { text: "No results. " }),
            h("span", {
              text: terms.length
                ? `None of the ${count} texts contains ${terms.length > 1 ? "any of the words" : "the word"} ${quoteList(terms)}.`
                : "There is no word to look for.",
            }),
          ]),
        );
      } else {
        keyword.appendChild(resultList(keywordRows, "Keyword search results", "keyword", "BM25 score"));
      }
    }

    const semantic = h("section", { class: "ew-panel ew-panel-semantic", attrs: { "aria-label": "Semantic search" } }, [
      h("div", { class: "ew-panel-title", text: `Semantic search (${info.model ?? "embeddings"})` }),
    ]);
    if (!failed) {
      semantic.appendChild(h("p", { class: "ew-note ew-terms", text: "Compares meanings, not words." }));
      semantic.appendChild(resultList(semanticRows, "Semantic search results", "semantic", "cosine similarity"));
    }
    columns.append(keyword, semantic);

    if (failed) {
      summary.textContent = "";
    } else {
      const missed = semanticRows.filter((row) => !row.keyword_rank).length;
      const verb = (n: number) => (n === 1 ? "is" : "are");
      summary.textContent =
        `${total} of ${count} texts ${total === 1 ? "contains" : "contain"} a query word. ` +
        `${missed} of the ${semanticRows.length} semantic results ${verb(missed)} not among the keyword results.`;
    }
  };

  const drawControls = () => {
    const text = model.get("query");
    if (query.value !== text) query.value = text;
    k.value = String(model.get("k"));
  };

  const stopListening = listen(model, [
    [["query", "k"], drawControls],
    [["_keyword_rows", "_semantic_rows", "_terms", "_keyword_total", "_info", "title", "error"], draw],
    [["error"], () => showError(errorBox, model.get("error"))],
  ]);
  const stopBusy = trackBusy(root, model, requester);
  drawControls();
  draw();
  showError(errorBox, model.get("error"));

  return () => {
    stopListening();
    stopBusy();
    disconnect();
  };
}

export default widgetModule(render);

// Quiz view: the questions as groups of choice buttons, the verdict under each answered one, and the score.
// Python grades: a click sends a typed "answer" request and the traits that come back redraw the page. Every
// text goes in with textContent or setAttribute, never parsed as HTML.
import type { RenderProps } from "@anywidget/types";
import "./styles.css";
import "./quiz.css";
import { clear, connect, h, listen, showError, toolbar, trackBusy, type BaseModel, type ErrorInfo, widgetModule } from "./lib";

export type QuizQuestion = { text: string; choices: string[] };
export type QuizFeedback = { right: boolean; answer: number; why: string } | null;

/** Quiz's traits (widgets/quiz.py). */
export type QuizModel = BaseModel & {
  picks: (number | null)[];
  score: number;
  _questions: QuizQuestion[];
  _feedback: QuizFeedback[];
};

/** "3 of 5 right", and how many are still open. */
export function scoreText(score: number, total: number, answered: number): string {
  const open = total - answered;
  return `Score: ${score} of ${total}` + (open > 0 ? ` (${open} still to answer)` : "");
}

function render({ model, el }: RenderProps<QuizModel>): () => void {
  const [requester, disconnect] = connect(model);
  const title = h("div", { class: "ew-title" });
  const score = h("div", { class: "ew-quiz-score", attrs: { "aria-live": "polite" } });
  const list = h("ol", { class: "ew-quiz-questions" });
  const errorBox = h("div", { class: "ew-error", attrs: { role: "alert", hidden: true } });
  let requestError: ErrorInfo | null = null;
  const showErrors = () => showError(errorBox, requestError ?? model.get("error"));
  const send = async (kind: string, params: Record<string, unknown>) => {
    const response = await requester.request(kind, params);
    if (response.status === "stale") return;
    requestError = response.status === "error" ? response.error : null;
    showErrors();
  };
  const again = h("button", {
    class: "ew-button ew-quiz-reset",
    text: "Start again",
    attrs: { type: "button" },
    on: { click: () => void send("reset", {}) },
  });
  const root = h("div", { class: "ew-root ew-quiz", attrs: { role: "group", "aria-label": "Quiz" } }, [
    toolbar(title, model, requester),
    list,
    errorBox,
    h("div", { class: "ew-row" }, [score, again]),
  ]);
  el.appendChild(root);
  // Enter and Space on a choice pick it; they must not reach the notebook's own shortcuts.
  root.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLButtonElement && (event.key === "Enter" || event.key === " ")) event.stopPropagation();
  });

  const draw = () => {
    title.textContent = model.get("title");
    const questions = model.get("_questions") ?? [];
    const picks = model.get("picks") ?? [];
    const feedback = model.get("_feedback") ?? [];
    // Redrawing replaces the buttons: keep keyboard focus on the question the learner was answering.
    const active = (list.getRootNode() as Document | ShadowRoot).activeElement;
    const focused = active && list.contains(active) ? active.closest("li")?.dataset.question : undefined;
    clear(list);
    questions.forEach((question, i) => {
      const pick = picks[i] ?? null;
      const verdict = feedback[i] ?? null;
      const choices = question.choices.map((choice, j) => {
        const button = h("button", {
          class: "ew-button ew-quiz-choice",
          text: choice,
          attrs: { type: "button", "data-choice": j, "aria-pressed": String(pick === j), disabled: pick !== null },
          on: { click: () => void send("answer", { question: i, choice: j }) },
        });
        if (verdict && j === verdict.answer) button.classList.add("ew-quiz-right");
        if (verdict && pick === j && !verdict.right) button.classList.add("ew-quiz-wrong");
        return button;
      });
      const item = h("li", { class: "ew-quiz-question", attrs: { "data-question": i } }, [
        h("div", { class: "ew-quiz-text", text: question.text }),
        h("div", { class: "ew-quiz-choices", attrs: { role: "group", "aria-label": `Choices for question ${i + 1}` } }, choices),
      ]);
      if (verdict) {
        const right = question.choices[verdict.answer] ?? "";
        const line = verdict.right ? "Right." : `Not quite: the answer is “${right}”.`;
        item.appendChild(
          h("div", { class: `ew-quiz-feedback ${verdict.right ? "ew-quiz-feedback-right" : "ew-quiz-feedback-wrong"}`, attrs: { role: "status" } }, [
            h("strong", { text: line }),
            verdict.why ? h("span", { class: "ew-quiz-why", text: verdict.why }) : null,
          ]),
        );
      }
      list.appendChild(item);
      if (focused === String(i)) {
        const target = item.querySelector<HTMLElement>("button:not([disabled])") ?? item.querySelector<HTMLElement>(".ew-quiz-feedback");
        target?.setAttribute("tabindex", target.tagName === "BUTTON" ? "0" : "-1");
        target?.focus();
      }
    });
    const answered = picks.filter((p) => p !== null && p !== undefined).length;
    score.textContent = scoreText(model.get("score") ?? 0, questions.length, answered);
    again.disabled = answered === 0;
  };

  const stop = listen(model, [
    [["_questions", "picks", "score", "_feedback", "title"], draw],
    [["error"], showErrors],
  ]);
  const stopBusy = trackBusy(root, model, requester);
  draw();
  showErrors();
  return () => {
    stop();
    stopBusy();
    disconnect();
  };
}

export default widgetModule(render);

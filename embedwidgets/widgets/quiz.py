"""Quiz: multiple-choice questions, graded in Python as the learner clicks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import traitlets

from ..engine.embeddings import EmbeddingSet
from ..questions import Question, as_questions, lesson_questions
from ._base import STATIC, EmbedWidget
from ._requests import handler


class Quiz(EmbedWidget):
    """Multiple-choice questions with live grading and a running score.

    >>> ew.Quiz()                                                   # doctest: +SKIP
    >>> ew.Quiz([ew.Question("Which score ignores length?", ["cosine", "dot product"], "cosine")])  # doctest: +SKIP

    With no questions it asks the built-in quiz on the lesson, whose answers come from GloVe (``words``,
    default ``ew.glove()``) when the quiz is built. Each question takes one pick; the view then shows whether it
    was right, the right choice and why. ``picks`` holds the learner's choice per question (None until
    answered), ``score`` the number right; ``answer(i, choice)`` picks from Python and ``reset()`` starts again.
    The page only sends picks (a typed "answer" request); the right answers stay in Python until a pick is made.
    """

    _esm = STATIC / "quiz.js"
    _css = STATIC / "quiz.css"

    picks = traitlets.List(traitlets.Int(allow_none=True), read_only=True).tag(sync=True)
    score = traitlets.Int(0, read_only=True).tag(sync=True)
    # What the page shows: each question's text and choices, and after a pick the verdict.
    _questions = traitlets.List(traitlets.Dict()).tag(sync=True)
    _feedback = traitlets.List(traitlets.Dict(allow_none=True)).tag(sync=True)

    def __init__(
        self,
        questions: Sequence[Question | dict] | None = None,
        *,
        words: EmbeddingSet | None = None,
        **kwargs: Any,
    ) -> None:
        self._items = lesson_questions(words) if questions is None else as_questions(questions)
        kwargs.setdefault("title", "Quiz" if questions is not None else "Quiz: what are embeddings?")
        super().__init__(**kwargs)
        self._questions = [{"text": q.text, "choices": list(q.choices)} for q in self._items]
        self.reset()

    @property
    def questions(self) -> list[Question]:
        return list(self._items)

    @property
    def total(self) -> int:
        return len(self._items)

    def answer(self, question: int, choice: int | str) -> bool:
        """Pick ``choice`` (its index or text) for question ``question`` (from 0); returns whether it is right."""
        if isinstance(question, bool) or not isinstance(question, int) or not 0 <= question < self.total:
            raise ValueError(f"question must be a number from 0 to {self.total - 1}, got {question!r}.")
        item = self._items[question]
        if isinstance(choice, str):
            if choice not in item.choices:
                raise ValueError(f"{choice!r} is not one of the choices of question {question + 1}.")
            choice = list(item.choices).index(choice)
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < len(item.choices):
            raise ValueError(f"choice must be a number from 0 to {len(item.choices) - 1}, got {choice!r}.")
        if self.picks[question] is not None:
            raise ValueError(f"question {question + 1} is answered already; reset() to start again.")
        right = choice == item.answer
        picks, feedback = list(self.picks), list(self._feedback)
        picks[question] = choice
        feedback[question] = {"right": right, "answer": item.answer, "why": item.why}
        with self.hold_sync():
            self.set_trait("picks", picks)
            self.set_trait("score", self.score + int(right))
            self._feedback = feedback
        return right

    def reset(self) -> None:
        """Clear every pick and the score."""
        with self.hold_sync():
            self.set_trait("picks", [None] * self.total)
            self.set_trait("score", 0)
            self._feedback = [None] * self.total
            self._report(None)

    def set_state(self, sync_data: dict) -> None:
        """The page may not set the graded state: picks arrive as "answer" requests, graded here."""
        graded = [name for name in sync_data if name in _GRADED]
        if graded:
            self.send_state(graded)  # put the page back
        rest = {name: value for name, value in sync_data.items() if name not in _GRADED}
        if rest:
            super().set_state(rest)

    @handler("answer")
    def _answer_request(self, question: Any = None, choice: Any = None) -> dict:
        right = self.answer(question, choice)
        return {"question": question, "right": right, "score": self.score}

    @handler("reset")
    def _reset_request(self) -> dict:
        self.reset()
        return {"score": self.score}


_GRADED = ("picks", "score", "_questions", "_feedback")

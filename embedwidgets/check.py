"""Exercises that check themselves: each function compares a learner's answer with the right one, worked out
from the engine (or the notebook's own numbers) when it is called, and says right or wrong in plain text.

>>> import embedwidgets as ew                                          # doctest: +SKIP
>>> words = ew.glove()                                                 # doctest: +SKIP
>>> ew.check.nearest(words, "frog", "toad")                            # doctest: +SKIP
Not yet. toad is not the nearest. Look at the first row of neighbors('frog').
>>> ew.check.analogy(words, "king", "man", "woman", "queen")           # doctest: +SKIP
Right! king − man + woman ≈ queen (0.852).
>>> ew.check.analogy(words, "king", "man", "woman", None)              # doctest: +SKIP
No answer yet. Replace None with your answer.

Each returns a :class:`Result`: it shows as its message, and is truthy only when the answer is right, so a
solution cell can ``assert`` it. ``None`` stands for "not answered yet": it is never an error, so an exercise
cell runs before the learner has answered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .engine.embeddings import EmbeddingSet

__all__ = ["Result", "analogy", "custom", "equal", "exercises", "nearest", "value"]


@dataclass(frozen=True)
class Result:
    """The verdict on one answer: ``right`` is True, False, or None when there was no answer yet."""

    right: bool | None
    text: str  # "right! ...", "not yet. <hint>" or "no answer yet. ..."
    label: str = ""  # e.g. "Exercise 2", put in front of the text

    @property
    def message(self) -> str:
        return f"{self.label}: {self.text}" if self.label else self.text[:1].upper() + self.text[1:]

    def labelled(self, label: str) -> Result:
        return replace(self, label=label)

    def __bool__(self) -> bool:
        return self.right is True

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:  # a notebook shows the message as plain text
        return self.message


def _unanswered(label: str) -> Result:
    return Result(None, "no answer yet. Replace None with your answer.", label)


def _verdict(right: bool, label: str, hint: str, note: str = "") -> Result:
    if right:
        return Result(True, "right!" + (f" {note}" if note else ""), label)
    return Result(False, "not yet." + (f" {hint}" if hint else ""), label)


Verdict = Result | tuple[bool, str] | bool


def custom(answer: Any, rule: Callable[[Any], Verdict], *, label: str = "") -> Result:
    """Check ``answer`` with your own ``rule``, which returns ``(right, hint)``, just ``right``, or a Result.

    >>> custom(3, lambda a: (a % 2 == 1, "an odd number, please"), label="Exercise 1")
    Exercise 1: right!
    >>> custom(None, lambda a: True)
    No answer yet. Replace None with your answer.
    """
    if answer is None:
        return _unanswered(label)
    verdict = rule(answer)
    if isinstance(verdict, Result):
        return verdict.labelled(label)
    right, hint = verdict if isinstance(verdict, tuple) else (verdict, "")
    return _verdict(bool(right), label, hint)


def exercises(checks: Mapping[int, Callable[[Any], Verdict]]) -> Callable[[int, Any], Result]:
    """A notebook's ``check(exercise, answer)``: each exercise's rule, labelled "Exercise n".

    A rule takes the answer (never None: that is "no answer yet") and returns a Result (from ``nearest``,
    ``value``, ...), ``(right, hint)`` or ``right``. The rules run when called, so answers follow the data.

    >>> check = exercises({1: lambda answer: value(answer, 6 * 7, tol=0)})
    >>> check(1, 42)
    Exercise 1: right!
    >>> check(1, None)
    Exercise 1: no answer yet. Replace None with your answer.
    """
    rules = dict(checks)

    def check(exercise: int, answer: Any) -> Result:
        """Whether ``answer`` to an exercise above is right, with a hint if not."""
        if exercise not in rules:
            raise ValueError(f"there is no exercise {exercise!r} here; the exercises are {sorted(rules)}.")
        return custom(answer, rules[exercise], label=f"Exercise {exercise}")

    return check


def equal(answer: Any, expected: Any, *, hint: str = "", label: str = "") -> Result:
    """Right when ``answer == expected`` (strings compared without surrounding spaces).

    >>> equal("dot", "dot")
    Right!
    >>> equal("cosine", "dot", hint="Which score grows with the vector's length?")
    Not yet. Which score grows with the vector's length?
    """
    if answer is None:
        return _unanswered(label)
    if isinstance(answer, str) and isinstance(expected, str):
        if answer.strip() == expected.strip():
            return _verdict(True, label, hint)
        if answer.strip().casefold() == expected.strip().casefold():
            return _verdict(False, label, "Almost: check the capitals.")
        return _verdict(False, label, hint)
    return _verdict(bool(answer == expected), label, hint)


def value(answer: Any, expected: float, tol: float = 0.005, hint: str = "", *, label: str = "") -> Result:
    """Right when the number ``answer`` is within ``tol`` of ``expected`` (computed in the notebook).

    A wrong answer is told whether it is too high or too low, then ``hint``.

    >>> value(0.81, 0.8093, tol=0.005)
    Right!
    >>> value(0.5, 0.8093, tol=0.005, hint="Read the score column.")
    Not yet. 0.5 is too low. Read the score column.
    """
    if answer is None:
        return _unanswered(label)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        return _verdict(False, label, "Answer with a number." + (f" {hint}" if hint else ""))
    if abs(answer - expected) <= tol:
        return _verdict(True, label, hint)
    side = "too high" if answer > expected else "too low"
    return _verdict(False, label, f"{answer:g} is {side}." + (f" {hint}" if hint else ""))


def nearest(
    words: EmbeddingSet,
    query: Any,
    answer: Any,
    *,
    k: int = 1,
    metric: str = "cosine",
    hint: str = "",
    label: str = "",
) -> Result:
    """Right when ``answer`` is ``query``'s nearest neighbour in ``words`` (``words.neighbors(query)``).

    With ``k > 1`` the answer is the top ``k`` labels, in any order. ``query`` is anything ``neighbors``
    takes: a label, a text (for a set with an encoder) or a vector.
    """
    if answer is None:
        return _unanswered(label)
    top = words.neighbors(query, k=k, metric=metric)
    if isinstance(top, list):
        raise TypeError("check.nearest checks the neighbours of one query, not of a list of them.")
    expected = [str(x) for x in top.label]
    rows = "the first row" if k == 1 else f"the first {k} rows"
    look = hint or f"Look at {rows} of neighbors({query!r})."
    if k == 1:
        if not isinstance(answer, str):
            return _verdict(False, label, "Answer with one label, as a string.")
        got = answer.strip()
        if got == expected[0]:
            shown = query if isinstance(query, str) else "the query"
            note = f"{shown}'s nearest neighbour is {got} ({metric} {float(top.score[0]):.3f})."
            return _verdict(True, label, look, note)
        if got not in words:
            return _verdict(False, label, f"{got!r} is not in the set. {look}")
        return _verdict(False, label, f"{got} is not the nearest. {look}")
    if isinstance(answer, str) or not isinstance(answer, Collection):
        return _verdict(False, label, f"Answer with a list of {k} labels.")
    given = {str(a).strip() for a in answer}
    if len(given) != k:
        return _verdict(False, label, f"Give {k} different labels, not {len(given)}.")
    wrong = len(given - set(expected))
    if not wrong:
        return _verdict(True, label, look)
    return _verdict(False, label, f"{wrong} of your {k} {'is' if wrong == 1 else 'are'} not in the top {k}. {look}")


def analogy(
    words: EmbeddingSet,
    start: str,
    minus: str,
    plus: str,
    answer: Any,
    *,
    exclude_inputs: bool = True,
    method: str = "3cosadd",
    hint: str = "",
    label: str = "",
) -> Result:
    """Right when ``answer`` is the top word for ``start − minus + plus`` in ``words``.

    ``analogy(words, "king", "man", "woman", answer)`` asks for king − man + woman, as
    ``words.analogy(positive=["king", "woman"], negative=["man"])`` ranks it (with the same
    ``exclude_inputs`` and ``method``).
    """
    if answer is None:
        return _unanswered(label)
    top = words.analogy([start, plus], [minus], k=5, method=method, exclude_inputs=exclude_inputs)
    expected = str(top.label[0])
    sum_ = f"{start} − {minus} + {plus}"
    look = hint or (
        f"Run words.analogy(positive=[{start!r}, {plus!r}], negative=[{minus!r}]"
        + ("" if exclude_inputs else ", exclude_inputs=False")
        + ")."
    )
    if not isinstance(answer, str):
        return _verdict(False, label, "Answer with one word, as a string.")
    got = answer.strip()
    if got == expected:
        return _verdict(True, label, look, f"{sum_} ≈ {expected} ({float(top.score[0]):.3f}).")
    if exclude_inputs and got in {start, minus, plus}:
        return _verdict(False, label, f"The inputs are left out of the answers here. {look}")
    if got not in words:
        return _verdict(False, label, f"{got!r} is not in the set. {look}")
    runner = [str(x) for x in top.label[1:]]
    placed = " It is close, but not first." if got in runner else ""
    return _verdict(False, label, f"{got} is not the top word for {sum_}.{placed} {look}")

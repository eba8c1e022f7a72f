"""Multiple-choice questions for ``ew.Quiz``, and the built-in quiz on the lesson.

The built-in questions take their right answers from the engine when they are built (GloVe's analogies, the
ranking each metric gives), so the quiz cannot drift away from what the library computes.

>>> q = Question("Which score ignores a vector's length?", ["cosine", "dot product"], "cosine")
>>> q.answer
0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine.embeddings import EmbeddingSet
from .engine.encoders import WordAverage
from .engine.similarity import cosine_matrix

MAX_TEXT = 10_000  # a question or a choice longer than this is surely a mistake


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: ``answer`` is the right choice, by index or by its text; ``why`` is
    shown once the learner has picked."""

    text: str
    choices: Sequence[str]
    answer: int | str
    why: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("a question needs its text, a non-empty string.")
        if isinstance(self.choices, str) or not isinstance(self.choices, Sequence):
            raise TypeError("choices must be a list of strings, e.g. ['cosine', 'dot product'].")
        choices = tuple(self.choices)
        if len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValueError(f"a question needs at least two non-empty choices (strings), got {list(choices)!r}.")
        if len(set(choices)) != len(choices):
            raise ValueError(f"the choices repeat: {list(choices)!r}.")
        if any(len(s) > MAX_TEXT for s in (self.text, self.why, *choices)):
            raise ValueError(f"question, choice and why texts are at most {MAX_TEXT:,} characters.")
        answer = self.answer
        if isinstance(answer, str):
            if answer not in choices:
                raise ValueError(f"the answer {answer!r} is not one of the choices {list(choices)!r}.")
            answer = choices.index(answer)
        elif isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
            raise ValueError(f"answer must be a choice's text or its index (0 to {len(choices) - 1}), got {answer!r}.")
        object.__setattr__(self, "choices", choices)  # a tuple, so the question stays unchanged
        object.__setattr__(self, "answer", answer)

    @property
    def right_choice(self) -> str:
        return self.choices[int(self.answer)]


def _with(choices: list[str], answer: str) -> list[str]:
    """The choices, with the computed answer added when the engine came up with another word."""
    return choices if answer in choices else [*choices, answer]


# Documents as *sums* of their word vectors, so that a longer text gets a longer vector.
_LONG_DOCUMENT = (
    "my chest hurts and my heart is racing and I feel sick and dizzy, my left arm aches, I am sweating, "
    "I cannot breathe properly and I am scared that something is badly wrong with my heart"
)
_DOCUMENTS = {
    "short note": "heart attack symptoms",
    "long account": _LONG_DOCUMENT,
    "travel": "cheap flights to rome",
    "city": "the heart of the city at night",
}
_METRICS = {"cosine": "cosine similarity", "dot": "dot product", "euclidean": "Euclidean distance"}


def lesson_questions(words: EmbeddingSet | None = None) -> list[Question]:
    """The built-in quiz on the lesson: six questions, most answered by GloVe (``words``) when called."""
    if words is None:
        from .models import glove

        words = glove()
    questions = [_analogy_with_inputs(words), _capital(words), _long_document(words), _unit_length(words)]
    questions += [_word_order(words), _raw_bert()]
    return questions


def _analogy_with_inputs(words: EmbeddingSet) -> Question:
    top = words.analogy(["king", "woman"], ["man"], k=3, exclude_inputs=False)
    first, score = str(top.label[0]), float(top.score[0])
    queen = words.analogy(["king", "woman"], ["man"], k=1).label[0]
    return Question(
        "In GloVe, rank every word by cosine to king − man + woman, without leaving out the three input words. "
        "Which word comes first?",
        _with(["queen", "king", "woman", "princess"], first),
        first,
        f"{first} scores {score:.3f}. The sum still points mostly at king, so analogy searches (gensim's too) "
        f"leave the inputs out; then {queen} comes first.",
    )


def _capital(words: EmbeddingSet) -> Question:
    top = words.analogy(["paris", "germany"], ["france"], k=1)
    first = str(top.label[0])
    return Question(
        "paris − france + germany ≈ ? (GloVe, inputs left out)",
        _with(["berlin", "munich", "london", "europe"], first),
        first,
        f"{first}, at cosine {float(top.score[0]):.3f}: the capital-of offset is close to one direction in the space.",
    )


def _summed_documents(words: EmbeddingSet) -> tuple[EmbeddingSet, np.ndarray]:
    average = WordAverage(words)
    vectors = np.stack([words.vectors[words.rows(average.known_tokens(t))].sum(axis=0) for t in _DOCUMENTS.values()])
    query = words.vectors[words.rows(["heart", "attack"])].sum(axis=0)
    return EmbeddingSet(list(_DOCUMENTS), vectors), query


def _ranking(docs: EmbeddingSet, query: np.ndarray, k: int, metric: str) -> list[str]:
    frame = docs.neighbors(query, k=k, metric=metric)
    assert not isinstance(frame, list)  # one query vector, one frame
    return [str(label) for label in frame.label]


def _long_document(words: EmbeddingSet) -> Question:
    docs, query = _summed_documents(words)
    firsts = {m: _ranking(docs, query, 1, m)[0] for m in _METRICS}
    winners = [_METRICS[m] for m, label in firsts.items() if label == "long account"]
    answer = winners[0] if len(winners) == 1 else ("none of them" if not winners else "more than one")
    choices = _with([*_METRICS.values(), "none of them"], answer)
    ranks = "; ".join(f"{_METRICS[m]} puts the {label} first" for m, label in firsts.items())
    return Question(
        "Four documents are each the sum of their GloVe word vectors, so a long text gets a long vector. "
        "Searching for 'heart attack', which score ranks the long, rambling account above the short note "
        "'heart attack symptoms'?",
        choices,
        answer,
        f"{ranks}. A dot product grows with a vector's length, so long documents win; cosine looks only at the "
        "direction.",
    )


def _unit_length(words: EmbeddingSet) -> Question:
    docs, query = _summed_documents(words)
    lengths = np.maximum(np.linalg.norm(docs.vectors, axis=1, keepdims=True), 1e-12)  # a text of unknown words
    unit = EmbeddingSet(docs.labels, docs.vectors / lengths)
    order = {m: _ranking(unit, query, len(unit), m) for m in _METRICS}
    same = [m for m in ("dot", "euclidean") if order[m] == order["cosine"]]
    answer = {
        ("dot", "euclidean"): "both",
        ("dot",): "the dot product only",
        ("euclidean",): "Euclidean distance only",
        (): "neither",
    }[tuple(same)]
    return Question(
        "Scale every document vector to length 1 first. Which scores then rank the documents in the same order "
        "as cosine similarity?",
        ["the dot product only", "Euclidean distance only", "both", "neither"],
        answer,
        "For unit document vectors d the dot product q·d is |q| × cosine, and |q − d|² = |q|² + 1 − 2 q·d falls "
        "as it rises, so all three agree. That is why vector databases normalise once and then use the fast "
        "inner product.",
    )


def _word_order(words: EmbeddingSet) -> Question:
    vectors = WordAverage(words).encode(["the dog bit the man", "the man bit the dog"])
    cosine = float(cosine_matrix(np.asarray(vectors, dtype=np.float64))[0, 1])
    levels = {"exactly 1": 1.0, "about 0.9": 0.9, "about 0.5": 0.5, "about 0": 0.0}
    answer = min(levels, key=lambda name: abs(levels[name] - cosine))
    return Question(
        "Sentence vectors made by averaging GloVe word vectors: what is the cosine between 'the dog bit the man' "
        "and 'the man bit the dog'?",
        list(levels),
        answer,
        f"{cosine:.4f}. The same words give the same average, whatever their order: averaging loses word order.",
    )


def _raw_bert() -> Question:
    return Question(
        "Why are raw BERT vectors (no similarity fine-tuning) a poor choice for semantic search?",
        [
            "768 dimensions are too many for cosine similarity",
            "BERT cannot read sentences longer than a few words",
            "its training (guess masked words, is this the next sentence?) never asked similar sentences to be close",
            "BERT gives every word the same vector whatever the context",
        ],
        2,
        "Sentence-BERT fine-tuned the same network on pairs, pulling similar sentences together and pushing "
        "others apart; after that, cosine means similar. (And BERT's vectors do depend on context.)",
    )


def as_questions(questions: Sequence[Any]) -> list[Question]:
    """Questions from ``Question`` objects or dicts with the same keys."""
    if isinstance(questions, (str, Question)) or not isinstance(questions, Sequence):
        raise TypeError("questions must be a list of ew.Question (or dicts with text, choices, answer, why).")
    out = []
    for q in questions:
        if isinstance(q, Question):
            out.append(q)
        elif isinstance(q, dict):
            out.append(Question(**q))
        else:
            raise TypeError(f"each question is an ew.Question or a dict, got {type(q).__name__}.")
    if not out:
        raise ValueError("a quiz needs at least one question.")
    return out

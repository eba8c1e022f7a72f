"""ew.Quiz: the built-in questions take their answers from the engine; picks are graded in Python."""

import pytest

import embedwidgets as ew
from embedwidgets.questions import Question, lesson_questions
from embedwidgets.widgets.quiz import Quiz


@pytest.fixture(scope="module")
def lesson(glove):
    return lesson_questions(glove)


def test_lesson_answers_come_from_the_engine(glove, lesson):
    first = glove.analogy(["king", "woman"], ["man"], k=1, exclude_inputs=False).label[0]
    assert lesson[0].right_choice == first == "king"  # GloVe's answer while the inputs stay in
    assert lesson[1].right_choice == glove.analogy(["paris", "germany"], ["france"], k=1).label[0] == "berlin"
    assert lesson[2].right_choice == "dot product"
    assert lesson[3].right_choice == "both"
    assert lesson[4].right_choice == "exactly 1"
    assert all(q.why for q in lesson)


def test_lesson_answers_follow_other_vectors(glove):
    # GloVe's own rows for every word the questions use, with queen moved onto king − man + woman: now queen
    # wins even with the inputs kept in, and the quiz's right answer follows.
    from embedwidgets.questions import _DOCUMENTS

    average = ew.WordAverage(glove)
    texts = ["king man woman queen princess paris france germany berlin munich london europe the dog bit"]
    needed = {t for text in [*texts, *_DOCUMENTS.values()] for t in average.known_tokens(text)}
    labels = sorted(needed)
    vectors = glove.vectors[glove.rows(labels)].copy()
    row = {w: i for i, w in enumerate(labels)}
    vectors[row["queen"]] = vectors[row["king"]] - vectors[row["man"]] + vectors[row["woman"]]
    moved = lesson_questions(ew.EmbeddingSet(labels, vectors))
    assert moved[0].right_choice == "queen"
    assert lesson_questions(ew.EmbeddingSet(labels, glove.vectors[glove.rows(labels)]))[0].right_choice == "king"


def test_picks_grade_and_score(wire, glove):
    quiz = Quiz(words=glove)
    assert quiz.total == 6 and quiz.picks == [None] * 6 and quiz.score == 0
    assert quiz.title == "Quiz: what are embeddings?"
    assert quiz._feedback == [None] * 6  # the right answers are not on the page before a pick
    assert all(set(q) == {"text", "choices"} for q in quiz._questions)
    assert quiz.answer(0, "king") is True
    assert quiz.answer(1, "munich") is False
    assert quiz.picks[:2] == [1, 1] and quiz.score == 1
    assert quiz._feedback[1] == {"right": False, "answer": 0, "why": quiz.questions[1].why}
    with pytest.raises(ValueError, match="answered already"):
        quiz.answer(1, "berlin")
    # The page's typed request, as the front end sends it.
    response = wire(quiz).request("answer", question=2, choice=1)
    assert response["ok"] and response["data"] == {"question": 2, "right": True, "score": 2}
    assert quiz.picks[2] == 1
    quiz.reset()
    assert quiz.picks == [None] * 6 and quiz.score == 0 and quiz._feedback == [None] * 6


def test_bad_requests_show_inline_and_change_nothing(wire):
    quiz = Quiz([Question("2 + 2?", ["3", "4"], "4", "arithmetic")])
    page = wire(quiz)
    for params in ({"question": 5, "choice": 0}, {"question": 0, "choice": 9}, {"question": "0", "choice": 0}):
        response = page.request("answer", **params)
        assert not response["ok"] and response["error"]["kind"] == "ValueError"
    assert quiz.picks == [None] and quiz.score == 0
    # The page cannot set the score or the picks by syncing them: they are read-only and put back.
    resent = page.update(score=5, picks=[1])
    assert quiz.score == 0 and quiz.picks == [None] and resent == {"score": 0, "picks": [None]}


def test_custom_questions():
    quiz = ew.Quiz(
        [
            ew.Question("Which score ignores length?", ["cosine", "dot product"], "cosine", "angle only"),
            {"text": "Dimensions of GloVe here?", "choices": ["50", "300"], "answer": 0},
        ]
    )
    assert quiz.title == "Quiz" and quiz.total == 2
    assert quiz.answer(0, 0) and not quiz.answer(1, "300") and quiz.score == 1
    with pytest.raises(ValueError, match="not one of the choices"):
        Question("?", ["a", "b"], "c")
    with pytest.raises(ValueError, match="at least two"):
        Question("?", ["a"], 0)
    with pytest.raises(ValueError, match="repeat"):
        Question("?", ["a", "a"], 0)
    with pytest.raises(ValueError, match="index"):
        Question("?", ["a", "b"], 2)
    with pytest.raises(TypeError, match="list of ew.Question"):
        ew.Quiz("what?")
    with pytest.raises(ValueError, match="at least one"):
        ew.Quiz([])
    with pytest.raises(TypeError, match="unexpected keyword argument 'tilte'"):
        ew.Quiz([Question("?", ["a", "b"], 0)], tilte="x")

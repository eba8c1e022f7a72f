"""ew.check: right and wrong answers, the hints, and right answers that come from the engine when checked."""

import doctest

import numpy as np
import pytest

import embedwidgets as ew
from embedwidgets import check


def test_docstring_examples():
    assert doctest.testmod(check).failed == 0


def test_nearest_follows_the_engine(glove):
    top = glove.neighbors("frog", k=3).label.tolist()
    right = check.nearest(glove, "frog", top[0])
    assert right and right.right is True
    assert str(right).startswith(f"Right! frog's nearest neighbour is {top[0]}")
    wrong = check.nearest(glove, "frog", top[1], label="Exercise 1")
    assert not wrong and wrong.right is False
    look = "Look at the first row of neighbors('frog')."
    assert str(wrong) == f"Exercise 1: not yet. {top[1]} is not the nearest. {look}"
    unknown = check.nearest(glove, "frog", "frgo")
    assert not unknown and "'frgo' is not in the set" in str(unknown)
    assert check.nearest(glove, "frog", top, k=3)
    assert check.nearest(glove, "frog", list(reversed(top)), k=3)  # any order
    some = check.nearest(glove, "frog", [top[0], top[1], "piano"], k=3)
    assert not some and "1 of your 3 is not in the top 3" in str(some)
    assert "Answer with one label" in str(check.nearest(glove, "frog", 42))


def test_the_expected_answer_follows_the_data():
    # A tiny set where a moves from nearest b to nearest c when the data changes: nothing is hard-coded.
    labels = ["a", "b", "c"]
    before = ew.EmbeddingSet(labels, np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    after = ew.EmbeddingSet(labels, np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]]))
    assert check.nearest(before, "a", "b") and not check.nearest(after, "a", "b")
    assert check.nearest(after, "a", "c") and not check.nearest(before, "a", "c")


def test_analogy_with_and_without_the_inputs(glove):
    first = glove.analogy(["king", "woman"], ["man"], k=1).label[0]
    assert first == "queen"
    right = check.analogy(glove, "king", "man", "woman", "queen")
    assert right and "king − man + woman ≈ queen" in str(right)
    excluded = check.analogy(glove, "king", "man", "woman", "king")
    assert not excluded and "The inputs are left out" in str(excluded)
    kept = glove.analogy(["king", "woman"], ["man"], k=1, exclude_inputs=False).label[0]
    assert check.analogy(glove, "king", "man", "woman", kept, exclude_inputs=False)
    close = check.analogy(glove, "king", "man", "woman", "throne")
    assert not close and "not the top word for king − man + woman" in str(close)


def test_value_equal_custom_and_unanswered():
    assert check.value(0.812, 0.8093, tol=0.005)
    low = check.value(0.5, 0.8093, hint="Read the score column.")
    assert str(low) == "Not yet. 0.5 is too low. Read the score column."
    assert "too high" in str(check.value(2, 1))
    assert "Answer with a number" in str(check.value("0.8", 0.8))
    assert not check.value(float("nan"), 0.8) and not check.value(True, 1)
    assert check.equal(" dot ", "dot") and not check.equal("Dot", "dot")
    assert "capitals" in str(check.equal("Dot", "dot"))
    assert check.equal(3, 3) and not check.equal(2, 3, hint="count again")
    odd = check.custom(4, lambda a: (a % 2 == 1, "an odd number"), label="Exercise 2")
    assert str(odd) == "Exercise 2: not yet. an odd number"
    assert check.custom(3, lambda a: a % 2 == 1)
    for result in (check.value(None, 1), check.equal(None, 1), check.custom(None, lambda a: True)):
        assert result.right is None and not result
        assert str(result) == "No answer yet. Replace None with your answer."


def test_unanswered_needs_no_engine_work():
    # The learner's cell runs before they answer; None is answered without touching the set.
    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"{name} used")

    assert check.nearest(Untouchable(), "frog", None).right is None
    unanswered = check.analogy(Untouchable(), "a", "b", "c", None, label="Exercise 3")
    assert unanswered.message == "Exercise 3: no answer yet. Replace None with your answer."


def test_results_show_as_plain_text():
    result = check.equal("x", "x", label="Exercise 1")
    assert repr(result) == str(result) == "Exercise 1: right!"


def test_exercises_label_each_rule_and_run_it_when_called():
    data = {"n": 3}
    check = ew.check.exercises(
        {1: lambda answer: check_value(answer, data["n"]), 2: lambda answer: (answer == "b", "try b")}
    )
    assert str(check(1, 3)) == "Exercise 1: right!"
    data["n"] = 4  # the right answer is worked out at check time
    assert str(check(1, 3)) == "Exercise 1: not yet. 3 is too low."
    assert str(check(2, "a")) == "Exercise 2: not yet. try b" and check(2, "b")
    assert check(2, None).right is None and str(check(2, None)).startswith("Exercise 2: no answer yet")
    with pytest.raises(ValueError, match=r"no exercise 3 here; the exercises are \[1, 2\]"):
        check(3, "a")


def check_value(answer, expected):
    return check.value(answer, expected, tol=0)

"""ew.Quiz in a real notebook, in JupyterLab 4 and Notebook 7: clicking an answer shows right or wrong and
updates the score, the kernel holds the same picks, and hostile question texts stay text."""

from __future__ import annotations

import re

import pytest
from ewbrowser import HOSTS, SETUP, assert_not_injected
from playwright.sync_api import expect

IMG = "<img src=x onerror=alert(1)>"
PWN = '<img src=x onerror="window.__pwned=1">'
RTL = "أي مقياس يتجاهل طول المتجه؟"  # Arabic: "which measure ignores the vector's length?"
LONG = "w" * 5000  # one unbroken word

QUIZ, HOSTILE = 1, 2
CELLS = [
    SETUP,
    "q = ew.Quiz(words=w)\nq",
    f"""LONG = "w" * 5000
hq = ew.Quiz([ew.Question({IMG!r} + " which?", [{IMG!r}, {RTL!r}, LONG, {PWN!r}], 1, why={PWN!r})], title={IMG!r})
hq""",
]


@pytest.fixture(scope="module", params=HOSTS)
def nb(request, open_notebook):
    notebook = open_notebook(request.param, "quiz", CELLS, run=False)
    notebook.dialogs = []  # any alert() a payload managed to run, from the first render on

    def dismiss(dialog):
        notebook.dialogs.append(dialog.message)
        dialog.dismiss()

    notebook.page.on("dialog", dismiss)
    notebook.run_all()
    yield notebook
    errors = notebook.unexpected_errors()
    notebook.close()  # free the kernel before the other host's notebook runs
    assert errors == [], "uncaught errors in the page"


def question(view, i: int):
    return view.locator(f"li.ew-quiz-question[data-question='{i}']")


def choice(view, i: int, text: str):
    return question(view, i).locator("button.ew-quiz-choice", has_text=re.compile(f"^{re.escape(text)}$"))


def test_clicks_are_graded_in_python_and_the_score_follows(nb):
    nb.run_code("q.reset()")
    view = nb.widget(QUIZ, ".ew-root.ew-quiz")
    score = view.locator(".ew-quiz-score")
    expect(view.locator(".ew-title")).to_have_text("Quiz: what are embeddings?")
    expect(view.locator("li.ew-quiz-question")).to_have_count(6)
    expect(score).to_have_text("Score: 0 of 6 (6 still to answer)")
    expect(view.locator(".ew-quiz-feedback")).to_have_count(0)

    # GloVe's own answer: with the inputs kept in, king beats queen.
    choice(view, 0, "king").click()
    feedback = question(view, 0).locator(".ew-quiz-feedback")
    expect(feedback).to_have_class(re.compile(r"\bew-quiz-feedback-right\b"))
    expect(feedback.locator("strong")).to_have_text("Right.")
    expect(feedback.locator(".ew-quiz-why")).to_contain_text(re.compile(r"^king scores 0\.885"))
    expect(choice(view, 0, "king")).to_have_attribute("aria-pressed", "true")
    for button in question(view, 0).locator("button.ew-quiz-choice").all():
        expect(button).to_be_disabled()  # one pick per question
    expect(score).to_have_text("Score: 1 of 6 (5 still to answer)")

    expect(feedback).to_be_focused()  # the verdict, where the learner's focus was
    choice(view, 1, "munich").focus()
    nb.page.keyboard.press("Enter")  # from the keyboard this time
    wrong = question(view, 1).locator(".ew-quiz-feedback")
    expect(wrong).to_have_class(re.compile(r"\bew-quiz-feedback-wrong\b"))
    expect(wrong.locator("strong")).to_have_text("Not quite: the answer is “berlin”.")
    expect(choice(view, 1, "munich")).to_have_class(re.compile(r"\bew-quiz-wrong\b"))
    expect(choice(view, 1, "berlin")).to_have_class(re.compile(r"\bew-quiz-right\b"))
    expect(score).to_have_text("Score: 1 of 6 (4 still to answer)")

    state = nb.kernel_json('{"picks": q.picks, "score": q.score}')
    assert state == {"picks": [1, 1, None, None, None, None], "score": 1}

    # A pick made in Python shows on the page too.
    nb.run_code('q.answer(2, "dot product")')
    expect(question(view, 2).locator(".ew-quiz-feedback-right")).to_be_visible()
    expect(score).to_have_text("Score: 2 of 6 (3 still to answer)")

    view.get_by_role("button", name="Start again").click()
    expect(score).to_have_text("Score: 0 of 6 (6 still to answer)")
    expect(view.locator(".ew-quiz-feedback")).to_have_count(0)
    assert nb.kernel_json('{"picks": q.picks, "score": q.score}') == {"picks": [None] * 6, "score": 0}


def test_hostile_question_texts_render_as_text(nb):
    view = nb.widget(HOSTILE, ".ew-root.ew-quiz")
    expect(view.locator(".ew-title")).to_have_text(IMG)
    expect(question(view, 0).locator(".ew-quiz-text")).to_have_text(IMG + " which?")
    buttons = question(view, 0).locator("button.ew-quiz-choice")
    expect(buttons).to_have_text([IMG, RTL, LONG, PWN])
    # The 5,000-character word wraps inside the widget instead of widening it.
    widths = view.evaluate(
        "(root) => [root.getBoundingClientRect().width,"
        " root.querySelector('[data-choice=\"2\"]').getBoundingClientRect().width]"
    )
    assert 0 < widths[1] <= widths[0], widths

    choice(view, 0, IMG).click()  # wrong: the answer is the right-to-left text
    wrong = question(view, 0).locator(".ew-quiz-feedback")
    expect(wrong.locator("strong")).to_have_text(f"Not quite: the answer is “{RTL}”.")
    expect(wrong.locator(".ew-quiz-why")).to_have_text(PWN)
    assert nb.kernel_json('{"picks": hq.picks, "score": hq.score}') == {"picks": [0], "score": 0}

    assert_not_injected(nb.page)  # no element, no on* attribute, no window.__pwned
    assert nb.dialogs == [], f"a payload opened a dialog: {nb.dialogs}"

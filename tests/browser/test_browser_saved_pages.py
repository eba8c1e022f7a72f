"""Every widget's save_html page, in a real browser with every request but the page itself blocked: it shows the
state set from Python (real GloVe and MiniLM answers), says "offline" where the kernel would be needed, asks the
network for nothing, logs no error, and hostile labels saved in it stay text and never run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pytest
from ewbrowser import assert_not_injected
from playwright.sync_api import Page, expect

import embedwidgets as ew

HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", '"><svg onload=alert(3)>']
TITLE = "</script><script>alert(4)</script> <b>saved</b>"
SENTENCES = [
    "heart attack symptoms",
    "signs of a myocardial infarction",
    "chest pain and shortness of breath",
    "cheap flights to lisbon",
    "budget airline tickets",
    "how to bake sourdough bread",
]


@dataclass
class Opened:
    page: Page
    blocked: list[str] = field(default_factory=list)  # requests other than the page file, all aborted
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        assert self.blocked == [], f"the saved page tried the network: {self.blocked}"
        assert self.errors == [], f"errors in the saved page: {self.errors}"
        assert self.dialogs == [], f"a script ran in the saved page: {self.dialogs}"


@pytest.fixture
def open_saved(context):
    pages: list[Page] = []

    def open_(path) -> Opened:
        page = context.new_page()
        pages.append(page)
        url = path.as_uri()
        opened = Opened(page)

        def route(request_route):
            if request_route.request.url == url:
                request_route.continue_()
            else:
                opened.blocked.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.on("request", lambda r: r.url != url and opened.blocked.append(r.url))
        page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        return opened

    yield open_
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def words():
    return ew.glove()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("pages")


def test_analogy_page_shows_queen_first_with_the_plot_and_refuses_new_questions(open_saved, words, folder):
    widget = ew.AnalogyExplorer(words, a="man", b="king", c="woman", k=5)
    expected = widget.results.label.tolist()
    assert expected[0] == "queen"
    saved = open_saved(widget.save_html(folder / "analogy.html"))
    view = saved.page.locator(".ew-root.ew-analogy")
    expect(view.locator("li.ew-result .ew-label")).to_have_text(expected)
    expect(view.locator(".ew-plot circle.ew-point")).to_have_count(len(widget._plot))
    expect(view.locator(".ew-plot text:not(.ew-axis-note)").filter(has_text=re.compile("^queen$"))).to_have_count(1)
    expect(view.get_by_label("word c", exact=True)).to_have_value("woman")

    # A new question needs the kernel: the page says so, and keeps showing what was saved.
    c = view.get_by_label("word c", exact=True)
    c.fill("girl")
    c.press("Enter")
    expect(view.locator(":scope > .ew-error")).to_contain_text("needs the Python kernel")
    expect(saved.page.locator(".ew-offline-note")).to_contain_text("not available offline")
    expect(c).to_have_value("woman")
    expect(view.locator("li.ew-result .ew-label")).to_have_text(expected)
    saved.assert_quiet()


def test_neighbour_page_compare_mode_shows_both_columns_in_order(open_saved, words, folder):
    vocabulary = words.neighbors("frog", k=120).label.tolist() + ["frog"]
    minilm_words = ew.EmbeddingSet.from_texts(vocabulary, encoder=ew.minilm(), name="MiniLM words")
    widget = ew.NeighborBrowser(words, query="frog", k=8, compare=minilm_words)
    main, other = widget.results.label.tolist(), widget.compare_results.label.tolist()
    assert main[0] == "snake" and len(other) == 8  # GloVe 6B 50d
    saved = open_saved(widget.save_html(folder / "neighbors.html"))
    view = saved.page.locator(".ew-root.ew-neighbors")
    expect(view.locator(".ew-panel-main li.ew-result .ew-label")).to_have_text(main)
    expect(view.locator(".ew-panel-compare li.ew-result .ew-label")).to_have_text(other)
    expect(view.locator(".ew-panel-compare .ew-panel-title")).to_contain_text("MiniLM words")
    expect(view.locator(".ew-overlap")).to_contain_text(f"overlap@8: {widget.overlap:.2f}")

    # Clicking a neighbour would ask the kernel: refused, said, and the list stays.
    view.locator(".ew-panel-main").get_by_role("button", name="Search the neighbours of snake").click()
    expect(view.locator(":scope > .ew-error")).to_contain_text("needs the Python kernel")
    expect(view.locator("input.ew-query")).to_have_value("frog")
    expect(view.locator(".ew-panel-main li.ew-result .ew-label")).to_have_text(main)
    saved.assert_quiet()


def test_similarity_page_paints_every_cell_and_reads_exact_values(open_saved, folder):
    widget = ew.SimilarityMatrix(SENTENCES, order="cluster")
    matrix = widget.matrix
    n = len(SENTENCES)
    saved = open_saved(widget.save_html(folder / "similarity.html"))
    view = saved.page.locator(".ew-root.ew-similarity")
    expect(view.locator(".ew-row-label")).to_have_text(list(matrix.index))
    expect(view.locator(".ew-col-label")).to_have_count(n)
    size = view.locator("canvas.ew-heatmap").evaluate("c => [c.width, c.height]")
    cell = size[0] // n
    assert size == [n * cell, n * cell] and cell >= 10  # n × n cells, each cell px wide
    # Every cell is painted: the canvas has no transparent pixel.
    transparent = view.locator("canvas.ew-heatmap").evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
        ".filter((v, i) => i % 4 === 3 && v === 0).length"
    )
    assert transparent == 0
    # The exact value of a cell, read with the keyboard (no kernel needed).
    canvas = view.locator("canvas.ew-heatmap")
    canvas.focus()
    canvas.press("ArrowRight")
    expect(view.locator(".ew-readout")).to_have_text(f"{matrix.index[0]} ↔ {matrix.index[1]}: {matrix.iloc[0, 1]:.4f}")
    saved.assert_quiet()


def test_search_compare_page_shows_both_columns(open_saved, folder):
    widget = ew.SearchCompare(SENTENCES, query="heart attack", k=3)
    keyword, semantic = widget.keyword_results.text.tolist(), widget.semantic_results.text.tolist()
    assert keyword and len(semantic) == 3 and "signs of a myocardial infarction" in semantic
    saved = open_saved(widget.save_html(folder / "search.html", title="Two searches"))
    view = saved.page.locator(".ew-root.ew-search-compare")
    expect(view.locator(".ew-title")).to_have_text("Two searches")
    expect(view.locator(".ew-panel-keyword .ew-hit-text")).to_have_text(keyword)
    expect(view.locator(".ew-panel-semantic .ew-hit-text")).to_have_text(semantic)
    expect(view.locator(".ew-panel-keyword mark.ew-mark").first).to_have_text(re.compile("heart|attack"))
    expect(view.locator("input[type=search]")).to_have_value("heart attack")
    assert saved.page.title() == "Two searches"
    saved.assert_quiet()


def test_explorer_page_draws_both_tabs(open_saved, words, folder):
    widget = ew.EmbeddingExplorer(words, query="frog")
    expected = widget.neighbors.results.label.tolist()
    saved = open_saved(widget.save_html(folder / "explorer.html"))
    page = saved.page
    neighbours = page.locator(".ew-root.ew-neighbors")
    expect(neighbours.locator("li.ew-result .ew-label")).to_have_text(expected)
    page.get_by_role("tab", name="Analogies").click()  # choosing a tab is the page's own business
    analogies = page.locator(".ew-root.ew-analogy")
    expect(analogies).to_be_visible()
    expect(analogies.locator("li.ew-result .ew-label").first).to_have_text("queen")
    expect(neighbours).to_be_hidden()
    page.get_by_role("tab", name="Map").click()
    labels = page.locator(".ew-root .ew-map-plot text.ew-map-label")
    expect(labels).to_have_count(len(widget.map_points))
    assert sorted(labels.all_text_contents()) == sorted(widget.map_points.label)
    expect(page.locator(".ew-offline-note")).not_to_contain_text("not available offline")
    saved.assert_quiet()


def test_quiz_page_shows_the_graded_picks(open_saved, folder):
    quiz = ew.Quiz(
        [
            ew.Question("Which score ignores length?", ["cosine", "dot product"], 0, "the angle only"),
            ew.Question(HOSTILE[0], [HOSTILE[1], "plain"], 1),
        ]
    )
    quiz.answer(0, 0)
    saved = open_saved(quiz.save_html(folder / "quiz.html"))
    view = saved.page.locator(".ew-root.ew-quiz")
    expect(view.locator(".ew-quiz-text")).to_have_text(["Which score ignores length?", HOSTILE[0]])
    expect(view.locator(".ew-quiz-score")).to_contain_text("1 of 2")
    expect(view.locator(".ew-quiz-why")).to_have_text("the angle only")
    assert_not_injected(saved.page, whole_page=True)
    saved.assert_quiet()


def test_compare_view_page_draws_both_maps(open_saved, folder):
    rng = np.random.default_rng(5)
    n = 60
    vectors = rng.normal(size=(n, 8))
    names = [f"item {i}" for i in range(n)]
    a = ew.EmbeddingSet(names, vectors, name="before")
    b = ew.EmbeddingSet(names, vectors + rng.normal(scale=0.3, size=vectors.shape), name="after")
    widget = ew.CompareView(a, b, projection="pca", background=False)
    saved = open_saved(widget.save_html(folder / "compare.html"))
    expect(saved.page.locator(f".ew-cluster[data-drawn='{n}']")).to_have_count(2, timeout=60_000)
    expect(saved.page.locator(".ew-title")).to_have_text([widget.a_view.title, widget.b_view.title])
    saved.assert_quiet()


def test_hostile_labels_in_every_saved_page_stay_text(open_saved, folder):
    rng = np.random.default_rng(7)
    items = HOSTILE + ["alpha", "beta", "gamma", "delta"]
    hostile = ew.EmbeddingSet(items, rng.normal(size=(len(items), 16)), name=HOSTILE[0])
    widgets = {
        "neighbors": ew.NeighborBrowser(hostile, query=HOSTILE[1], k=6, compare=hostile, title=TITLE),
        "analogy": ew.AnalogyExplorer(hostile, a=HOSTILE[0], b=HOSTILE[1], c=HOSTILE[2], k=4, title=TITLE),
        "similarity": ew.SimilarityMatrix(hostile, labels=items[:5], title=TITLE),
        "search": ew.SearchCompare([f"{h} alert text" for h in HOSTILE], query="alert", k=3, title=TITLE),
    }
    for name, widget in widgets.items():
        saved = open_saved(widget.save_html(folder / f"hostile-{name}.html"))
        page = saved.page
        expect(page.locator(".ew-root .ew-title").first).to_have_text(TITLE)
        assert page.title() == TITLE
        for label in HOSTILE:  # each label is on screen as its literal text
            expect(page.get_by_text(label).first).to_be_attached()
        assert_not_injected(page, whole_page=True)
        saved.assert_quiet()


def test_control_markup_that_slipped_in_is_caught_and_the_policy_stops_it(open_saved, folder):
    """Inject a payload with innerHTML into a saved page, on purpose: the DOM scan must catch it, and the page's
    content-security policy (only the page's own script runs) must keep its handler from running."""
    widget = ew.AnalogyExplorer(
        ew.EmbeddingSet(HOSTILE + ["alpha"], np.eye(4, 8)), a=HOSTILE[0], b=HOSTILE[1], c=HOSTILE[2], k=1
    )
    saved = open_saved(widget.save_html(folder / "control.html"))
    page = saved.page
    expect(page.locator("li.ew-result")).to_have_count(1)
    assert_not_injected(page, whole_page=True)
    page.evaluate(
        """label => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
        const probe = document.createElement('div');
        probe.innerHTML = label;                       // the mistake the views must never make
        document.querySelector('.ew-root').appendChild(probe);
    }""",
        HOSTILE[0],
    )
    page.wait_for_function("window.__violations.some((d) => d.startsWith('script-src'))")  # the handler was refused
    with pytest.raises(AssertionError, match=r"img\[onerror\]"):
        assert_not_injected(page, whole_page=True)
    assert saved.dialogs == [] and any("Content Security Policy" in error for error in saved.errors), saved.errors
    # The harness saw (and aborted) the image fetch the payload tried: the other tests' "no request" can fail.
    assert saved.blocked and all(url.endswith("/x") for url in saved.blocked), saved.blocked

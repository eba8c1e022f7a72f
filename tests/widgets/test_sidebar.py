"""The sidebar's Python side: the `_sidebar` trait that the front end follows, the pin button's request, the
note left in the cell, and the Embedding Explorer that the launcher opens."""

from __future__ import annotations

import pytest

import embedwidgets as ew
from embedwidgets.widgets import explorer as explorer_module
from embedwidgets.widgets.sidebar import SidebarNote


@pytest.fixture(scope="module")
def words():
    return ew.glove(vocab=20000)


WIDGETS = {
    "AnalogyExplorer": lambda words: ew.AnalogyExplorer(words),
    "NeighborBrowser": lambda words: ew.NeighborBrowser(words),
    "SimilarityMatrix": lambda words: ew.SimilarityMatrix(words, labels=["king", "queen", "frog"]),
    "ClusterView": lambda words: ew.ClusterView(ew.EmbeddingSet(words.labels[:300], words.vectors[:300])),
    "SearchCompare": lambda words: ew.SearchCompare(
        ["a cheap flight", "a doctor visit"], encoder=ew.WordAverage(words)
    ),
    "EmbeddingExplorer": lambda words: ew.EmbeddingExplorer(words),
    "EmbeddingMap": lambda words: ew.EmbeddingMap(words, items=["king", "queen"]),
    "Quiz": lambda words: ew.Quiz([ew.Question("Which score ignores length?", ["cosine", "dot product"], 0)]),
}


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_every_widget_pins_and_closes(name, words, wire):
    widget = WIDGETS[name](words)
    assert widget.sidebar is None
    widget._pin("left", None)
    assert widget.sidebar == "left"
    assert widget._sidebar["model_id"] == widget.model_id
    assert widget._sidebar["title"]  # the widget's title, or its kind in words
    # The pin button in the view: a typed request, answered with the new state.
    response = wire(widget).request("sidebar", area=None)
    assert response["ok"] and response["data"] == {"area": None} and widget.sidebar is None
    response = wire(widget).request("sidebar", area="right")
    assert response["ok"] and widget.sidebar == "right"
    widget.close_sidebar()
    assert widget._sidebar is None


def test_show_in_sidebar_returns_nothing_and_leaves_a_note(words, capsys):
    widget = ew.NeighborBrowser(words, query="frog")
    assert widget.show_in_sidebar(title="Frog's neighbours") is None  # nothing for the cell to display twice
    assert widget._sidebar["title"] == "Frog's neighbours"
    # Outside a notebook, display() prints the note's text form: where it went and what that needs.
    printed = capsys.readouterr().out
    assert "Frog's neighbours is pinned to the right side panel" in printed and "Notebook 7" in printed


def test_pinning_again_is_a_change_the_front_end_sees(words):
    widget = ew.AnalogyExplorer(words)
    seen = []
    widget.observe(lambda change: seen.append(change["new"]), names="_sidebar")
    widget._pin("right", None)
    widget._pin("right", None)  # same place: the panel is re-opened and shown, so the value must change
    assert len(seen) == 2 and seen[0] != seen[1]


def test_default_title_is_the_widgets_title_or_its_kind(words):
    assert ew.AnalogyExplorer(words, title="")._sidebar is None
    untitled = ew.AnalogyExplorer(words)
    untitled.title = ""
    untitled._pin("right", None)
    assert untitled._sidebar["title"] == "Analogy Explorer"
    titled = ew.NeighborBrowser(words, title="My words")
    titled._pin("right", None)
    assert titled._sidebar["title"] == "My words"


@pytest.mark.parametrize("area", ["top", "", None, "RIGHT"])
def test_bad_area_is_a_clear_error_and_changes_nothing(words, area, wire):
    widget = ew.NeighborBrowser(words)
    with pytest.raises(ValueError, match=r"area must be 'right' or 'left'.*show_in_sidebar\(area='left'\)"):
        widget.show_in_sidebar(area=area)
    assert widget.sidebar is None
    if area is not None:  # from the front end, the same error comes back inline
        response = wire(widget).request("sidebar", area=area)
        assert not response["ok"] and "area must be" in response["error"]["message"]
    with pytest.raises(TypeError, match="title must be a string"):
        widget.show_in_sidebar(title=3)


def test_note_points_at_its_widget(words):
    widget = ew.NeighborBrowser(words)
    widget._pin("left", "Words")
    note = SidebarNote(widget)
    assert note.target is widget and note.area == "left" and note.title == "Words"
    assert "pinned to the left side panel" in repr(note)


def test_explorer_tabs_hold_a_neighbour_browser_an_analogy_explorer_and_a_map(words):
    explorer = ew.EmbeddingExplorer(words)
    assert [type(tab).__name__ for tab in explorer.tabs] == ["NeighborBrowser", "AnalogyExplorer", "EmbeddingMap"]
    assert explorer.tab_names == ["Neighbours", "Analogies", "Map"]
    assert explorer.neighbors.query == "king" and explorer.neighbors.results.label.iloc[0] == "prince"
    assert explorer.analogies.results.label.iloc[0] == "queen"
    assert explorer.map_items == ["man", "woman", "king", "queen", "boy", "girl"]  # the map starts with words
    with pytest.raises(Exception, match="selected_index must be between 0 and 2"):
        explorer.selected_index = 3
    explorer.selected_index = 2


def test_open_explorer_pins_glove_and_reuses_the_same_explorer():
    explorer_module._opened = None
    explorer_module.open_explorer()
    first = explorer_module._opened
    assert first.sidebar == "right" and first._sidebar["title"] == "Embedding Explorer"
    assert len(first.neighbors.embeddings) == 400_000  # the bundled GloVe words
    explorer_module.open_explorer(area="left")
    assert explorer_module._opened is first and first.sidebar == "left"

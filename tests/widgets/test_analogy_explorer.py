import pytest
import traitlets

import embedwidgets as ew


@pytest.fixture
def explorer(glove):
    return ew.AnalogyExplorer(glove)


def test_opens_on_king_queen_with_a_plot(explorer):
    assert (explorer.a, explorer.b, explorer.c) == ("man", "king", "woman")
    assert explorer.results.label.tolist()[:2] == ["queen", "throne"]
    assert explorer.results.score[0] == pytest.approx(0.85236, abs=1e-5)
    roles = [p["role"] for p in explorer._plot]
    assert roles[:3] == ["a", "b", "c"] and roles[-1] == "target" and "answer" in roles
    target = explorer._plot[-1]
    assert target["cosine"] == pytest.approx(1.0, abs=1e-6)
    queen = next(p for p in explorer._plot if p["label"] == "queen")
    assert queen["cosine"] == pytest.approx(0.85236, abs=1e-5)  # hover shows the exact cosine


def test_setting_traits_from_python_reruns(explorer):
    explorer.a, explorer.b, explorer.c = "france", "paris", "germany"
    assert explorer.results.label[0] == "berlin"
    explorer.k = 3
    assert len(explorer.results) == 3
    explorer.method = "3cosmul"
    assert explorer.results.score[0] == pytest.approx(
        explorer.words.analogy(["paris", "germany"], ["france"], k=1, method="3cosmul").score[0]
    )


def test_the_exclude_inputs_pitfall_is_shown(explorer):
    assert explorer._flipped_rows[0] == {
        "rank": 1,
        "label": "king",
        "score": pytest.approx(0.8854, abs=1e-4),
        "is_input": True,
    }
    explorer.exclude_inputs = False
    assert explorer.results.label[0] == "king"
    assert explorer._rows[0]["is_input"] and explorer._flipped_rows[0]["label"] == "queen"


def test_bigger_big_small_is_honest(explorer):
    explorer.a, explorer.b, explorer.c = "big", "bigger", "small"
    assert explorer.results.label.tolist()[:2] == ["larger", "smaller"]
    assert any("larger first" in p["note"] for p in explorer._presets)


def test_unknown_word_shows_an_inline_error_and_the_widget_keeps_working(explorer):
    explorer.c = "wooman"
    assert explorer.results.empty and explorer._plot == []
    assert explorer.error["missing"] == ["wooman"]
    assert "woman" in explorer.error["suggestions"]["wooman"]
    explorer.c = "woman"
    assert explorer.error is None and explorer.results.label[0] == "queen"


def test_bad_values_from_python_raise(explorer):
    with pytest.raises(traitlets.TraitError, match="between 1 and 100"):
        explorer.k = 0
    with pytest.raises(traitlets.TraitError):
        explorer.method = "3cosfoo"
    with pytest.raises(TypeError, match="unexpected keyword argument 'kk'.*'k'"):
        ew.AnalogyExplorer(explorer.words, kk=3)
    with pytest.raises(TypeError, match="EmbeddingSet"):
        ew.AnalogyExplorer(["king", "queen"])


def test_requests_complete_and_run(explorer, wire):
    front = wire(explorer)
    done = front.request("complete", prefix="quee")
    assert done["ok"] and done["data"]["options"][0] == "queen"
    assert front.request("complete", prefix="  ")["data"]["options"] == []
    runs = []
    explorer.observe(lambda change: runs.append(change), names="_rows")
    front.update(a="walk", b="walked", c="run", method="3cosadd", exclude_inputs=True, k=5)
    assert len(runs) == 1, "a batch of changes from the view runs the analogy once"
    assert (explorer.a, explorer.b, explorer.c, explorer.k) == ("walk", "walked", "run", 5)
    assert explorer.results.label[0] == "ran" and len(explorer.results) == 5


def test_view_errors_are_structured_and_harmless(explorer, wire):
    front = wire(explorer)
    front.update(c="wooman")
    assert explorer.error["kind"] == "UnknownTokenError" and explorer.error["missing"] == ["wooman"]
    assert "woman" in explorer.error["suggestions"]["wooman"]
    assert explorer.results.empty and isinstance(explorer.failure, KeyError)
    # A refused value changes nothing, shows why, and puts the view back to Python's values.
    assert front.update(k=1000, c="woman") == {"k": 10, "c": "wooman"}
    assert "between 1 and 100" in explorer.error["message"] and (explorer.k, explorer.c) == (10, "wooman")
    assert front.update(k="ten") == {"k": 10}
    assert "unknown request kind" in front.request("eval", source="1+1")["error"]["message"]
    front.update(c="woman")
    assert explorer.error is None and explorer.results.label[0] == "queen"


def test_internal_errors_do_not_kill_the_widget(explorer, wire, monkeypatch):
    front = wire(explorer)
    monkeypatch.setattr(explorer.words, "complete", lambda *a: 1 / 0)
    broken = front.request("complete", prefix="qu")
    assert not broken["ok"] and "internal error" in broken["error"]["message"]
    front.update(c="girl")
    assert explorer.error is None and explorer.results.label[:2].tolist() == ["queen", "princess"]

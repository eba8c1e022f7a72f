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
    ran = front.request("run", a="walk", b="walked", c="run", method="3cosadd", exclude_inputs=True, k=5)
    assert ran["ok"] and ran["data"]["count"] == 5
    assert (explorer.a, explorer.b, explorer.c, explorer.k) == ("walk", "walked", "run", 5)
    assert explorer.results.label[0] == "ran"


def test_request_errors_are_structured_and_harmless(explorer, wire):
    front = wire(explorer)
    failed = front.request("run", c="wooman")
    assert not failed["ok"] and failed["error"]["kind"] == "UnknownTokenError"
    assert failed["error"]["missing"] == ["wooman"] and explorer.error["missing"] == ["wooman"]
    assert not front.request("run", k=1000)["ok"]
    assert "unknown run parameters" in front.request("run", code="import os")["error"]["message"]
    assert "unknown request kind" in front.request("eval", source="1+1")["error"]["message"]
    assert front.request("run", c="woman")["ok"] and explorer.results.label[0] == "queen"


def test_internal_errors_do_not_kill_the_widget(explorer, wire, monkeypatch):
    front = wire(explorer)
    monkeypatch.setattr(explorer.words, "complete", lambda *a: 1 / 0)
    broken = front.request("complete", prefix="qu")
    assert not broken["ok"] and "internal error" in broken["error"]["message"]
    assert front.request("run", c="woman")["ok"]

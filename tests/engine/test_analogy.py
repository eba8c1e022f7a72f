import random
from pathlib import Path

import numpy as np
import pytest

from embedwidgets import UnknownTokenError

KING_QUEEN = [
    ("queen", 0.85236),
    ("throne", 0.76643),
    ("prince", 0.75921),
    ("daughter", 0.74739),
    ("elizabeth", 0.74602),
]
KING_QUEEN_COSMUL = [
    ("queen", 0.92889),
    ("throne", 0.88233),
    ("elizabeth", 0.87895),
    ("princess", 0.87675),
    ("daughter", 0.87052),
]


def test_king_minus_man_plus_woman_matches_gensim(glove, glove_kv):
    ours = glove.analogy(positive=["king", "woman"], negative=["man"], k=5)
    theirs = glove_kv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)
    assert ours.label.tolist() == [w for w, _ in theirs] == [w for w, _ in KING_QUEEN]
    np.testing.assert_allclose(ours.score, [s for _, s in theirs], atol=1e-5)
    np.testing.assert_allclose(ours.score, [s for _, s in KING_QUEEN], atol=1e-5)


def test_3cosmul_matches_gensim(glove, glove_kv):
    ours = glove.analogy(positive=["king", "woman"], negative=["man"], k=5, method="3cosmul")
    theirs = glove_kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=5)
    assert ours.label.tolist() == [w for w, _ in theirs] == [w for w, _ in KING_QUEEN_COSMUL]
    np.testing.assert_allclose(ours.score, [s for _, s in theirs], atol=1e-5)


def test_lesson_examples_as_glove_really_answers_them(glove):
    def top(b, a, c, k=1):
        return glove.analogy(positive=[b, c], negative=[a], k=k).label.tolist()

    assert top("paris", "france", "germany") == ["berlin"]
    assert top("walked", "walk", "run") == ["ran"]
    assert top("bigger", "big", "small", k=2) == ["larger", "smaller"]  # not "smaller" first


def test_without_excluding_inputs_an_input_comes_back(glove):
    included = glove.analogy(positive=["king", "woman"], negative=["man"], k=3, exclude_inputs=False)
    assert included.label[0] == "king"
    excluded = glove.analogy(positive=["king", "woman"], negative=["man"], k=3)
    assert not {"king", "woman", "man"} & set(excluded.label)


def test_random_questions_match_gensim_most_similar(glove, glove_kv):
    rng = random.Random(7)
    vocab = glove.labels[:20000]
    for method in ("3cosadd", "3cosmul"):
        questions = [rng.sample(vocab, 3) for _ in range(40)]
        batch = glove.analogies(questions, k=5, method=method)
        for q, (a, b, c) in enumerate(questions):
            if method == "3cosadd":
                theirs = glove_kv.most_similar(positive=[b, c], negative=[a], topn=5)
            else:
                theirs = glove_kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            ours = batch[batch.question == q]
            assert ours.label.tolist() == [w for w, _ in theirs], (a, b, c)
            np.testing.assert_allclose(ours.score, [s for _, s in theirs], atol=1e-5)


def test_restrict_vocab_limits_answers_for_both_methods(glove):
    for method in ("3cosadd", "3cosmul"):
        result = glove.analogy(positive=["king", "woman"], negative=["man"], k=20, method=method, restrict_vocab=1000)
        assert all(glove.row(w) < 1000 for w in result.label)


def test_google_sample_matches_gensim_evaluation(glove, glove_kv, tmp_path):
    """A few thousand Google questions, section by section, as gensim scores them."""
    from gensim.test.utils import datapath

    lines = Path(datapath("questions-words.txt")).read_text().splitlines()
    rng = random.Random(3)
    sample = [line if line.startswith(":") or rng.random() < 0.15 else None for line in lines]
    path = tmp_path / "sample.txt"
    path.write_text("\n".join(line for line in sample if line) + "\n")
    for restrict in (30000, 300000):
        score, sections = glove_kv.evaluate_word_analogies(str(path), restrict_vocab=restrict)
        ours = glove.evaluate_analogies(str(path), restrict_vocab=restrict)
        total = sections[-1]
        assert ours.scored == len(total["correct"]) + len(total["incorrect"]) > 2000
        assert ours.total == pytest.approx(score, abs=1e-12)
        for theirs, (_, row) in zip(sections[:-1], ours.sections.iterrows()):
            assert row.section == theirs["section"]
            assert row.correct == len(theirs["correct"])
        wrong = {tuple(w.upper() for w in r) for r in ours.wrong[["a", "b", "c", "expected"]].itertuples(index=False)}
        assert wrong == set(total["incorrect"])


def test_report_splits_semantic_and_syntactic(glove, tmp_path):
    path = tmp_path / "mini.txt"
    path.write_text(
        ": capital-common-countries\nathens greece berlin germany\n"
        ": city-in-state\nchicago illinois houston texas\n: currency\n: family\n: extra\n"
        ": gram3-comparative\nbig bigger small smaller\ngood better bad worse\n"
        "zzzqqq big small smaller\n"
    )
    report = glove.evaluate_analogies(str(path))
    assert report.scored == 4 and report.skipped == 1
    assert report.semantic == 0.5  # houston is in texas, but GloVe 50d answers "ohio"
    assert report.syntactic == 0.5  # bigger - big + small gives "larger"
    assert report.wrong.predicted.tolist() == ["ohio", "larger"]
    assert report.sections.scored.tolist() == [1, 1, 0, 0, 0, 2]
    assert report.sections.kind.tolist()[:5] == ["semantic"] * 5


def test_similarity_benchmarks_equal_gensim(glove, glove_kv):
    from gensim.test.utils import datapath

    for name, filename in (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")):
        pearson, spearman, oov = glove_kv.evaluate_word_pairs(datapath(filename))
        ours = glove.evaluate_similarity(name)
        assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-9)
        assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
        assert ours.oov_ratio == pytest.approx(oov)
    assert glove.evaluate_similarity("wordsim353").spearman == pytest.approx(0.503, abs=5e-4)


def test_bad_analogy_input(glove):
    with pytest.raises(ValueError, match="at least one positive"):
        glove.analogy(positive=[], negative=["man"])
    with pytest.raises(ValueError, match="method"):
        glove.analogy(positive=["king"], method="3cosfoo")
    with pytest.raises(ValueError, match="at least 1"):
        glove.analogy(positive=["king"], k=0)
    with pytest.raises(UnknownTokenError) as caught:
        glove.analogies([("man", "king", "wooman"), ("man", "king", "woman")])
    assert caught.value.missing == ["wooman"]
    with pytest.raises(ValueError, match="three words"):
        glove.analogies([("man", "king", "woman"), ("a", "b")])
    with pytest.raises(FileNotFoundError, match="no benchmark file"):
        glove.evaluate_analogies("/nonexistent/questions.txt")

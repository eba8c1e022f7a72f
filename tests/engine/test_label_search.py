"""Substring search over labels, as ClusterView's search box uses it."""

import numpy as np

import embedwidgets as ew
from embedwidgets.engine.labels import LabelIndex


def test_containing_ignores_case_and_returns_rows_in_order():
    index = LabelIndex(["Tree frog", "toad", "FROG", "frogspawn"])
    assert index.containing("frog").tolist() == [0, 2, 3]
    assert index.containing("FROG S").tolist() == []
    assert index.containing("a.d").dtype == np.int64  # text, not a pattern: nothing matches
    assert index.containing("a.d").tolist() == []


def test_a_set_searches_its_own_label_index_which_goes_with_the_cache():
    es = ew.EmbeddingSet(["Apple pie", "apple", "pear"], np.eye(3, dtype=np.float32))
    assert es.label_index.containing("APPLE").tolist() == [0, 1]
    before = es.label_index
    es.invalidate()
    assert es.label_index is not before and es.label_index.containing("PIE").tolist() == [0]

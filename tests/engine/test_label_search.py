"""Substring search over labels, as ClusterView's search box uses it."""

import gc

import numpy as np

import embedwidgets as ew
from embedwidgets.engine import labels as label_module
from embedwidgets.engine.labels import LabelIndex, rows_containing


def test_rows_containing_ignores_case_and_returns_rows_in_order():
    index = LabelIndex(["Tree frog", "toad", "FROG", "frogspawn"])
    assert rows_containing(index, "frog").tolist() == [0, 2, 3]
    assert rows_containing(index, "FROG S").tolist() == []
    assert rows_containing(index, "a.d").dtype == np.int64  # text, not a pattern: nothing matches


def test_a_set_is_searched_through_one_lowered_copy_that_goes_with_it():
    es = ew.EmbeddingSet(["Apple pie", "apple", "pear"], np.eye(3, dtype=np.float32))
    assert rows_containing(es, "APPLE").tolist() == [0, 1]
    assert rows_containing(es, "PIE").tolist() == [0]
    cached = len(label_module._LOWERED)
    assert es in label_module._LOWERED
    del es
    gc.collect()
    assert len(label_module._LOWERED) == cached - 1

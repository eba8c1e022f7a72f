"""The array trait: numpy in Python, a self-describing binary value on the wire."""

import numpy as np
import pytest
import traitlets

from embedwidgets.widgets._arrays import ArrayTrait, array_from_json, array_to_json


class Holder(traitlets.HasTraits):
    any = ArrayTrait()
    rows = ArrayTrait(dtype="int32")


def test_64_bit_types_become_32_bit_and_bools_bytes():
    holder = Holder()
    holder.any = np.array([0.5, 1.5])  # float64
    assert holder.any.dtype == np.float32
    holder.any = np.arange(4, dtype=np.int64)
    assert holder.any.dtype == np.int32
    holder.any = np.array([True, False])
    assert holder.any.dtype == np.uint8
    holder.rows = [3.0, 1.0]
    assert holder.rows.dtype == np.int32 and holder.rows.tolist() == [3, 1]


def test_wire_value_round_trips_with_its_shape():
    xy = np.arange(6, dtype=np.float64).reshape(3, 2)
    wire = array_to_json(xy, None)
    assert wire["dtype"] == "float32" and wire["shape"] == [3, 2] and isinstance(wire["buffer"], memoryview)
    assert array_from_json(wire, None).tolist() == xy.tolist()
    empty = array_to_json(Holder().any, None)
    assert empty["shape"] == [0] and bytes(empty["buffer"]) == b""


def test_changes_notify_once_and_equal_values_not_at_all():
    holder = Holder()
    seen = []
    holder.observe(lambda change: seen.append(change["new"].tolist()), "rows")
    holder.rows = [1, 2]
    holder.rows = np.array([1, 2], dtype=np.int64)  # the same rows
    holder.rows = [1, 2, 3]
    holder.rows = []
    assert seen == [[1, 2], [1, 2, 3], []]


def test_non_numbers_are_refused():
    with pytest.raises(traitlets.TraitError, match="array of numbers"):
        Holder().any = np.array(["a", "b"])

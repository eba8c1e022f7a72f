"""The one binary contract for arrays sent to a view.

An array trait holds a numpy array in Python and reaches the front end as a self-describing value::

    {"dtype": "float32" | "int32" | "uint8", "shape": [n, ...], "buffer": <the bytes, C order, little-endian>}

The bytes travel as a binary buffer (a ``memoryview``), never as a JSON list. WebGL and JavaScript have no
64-bit types, so float64 becomes float32 and int64 becomes int32 on assignment; bools become uint8. The front
end decodes it with one codec, ``readArray`` in ``js/src/lib/codecs.ts``.

>>> import traitlets
>>> class View(traitlets.HasTraits):
...     xy = ArrayTrait(dtype="float32")
>>> view = View()
>>> view.xy = [[0.5, -1.0], [1.0, 0.25]]
>>> view.xy.dtype.name, view.xy.shape
('float32', (2, 2))
>>> wire = array_to_json(view.xy, None)
>>> wire["dtype"], wire["shape"], bytes(wire["buffer"]) == view.xy.tobytes()
('float32', [2, 2], True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

DTYPES = ("float32", "int32", "uint8")


def as_wire_array(value: Any, dtype: str | None = None) -> np.ndarray:
    """``value`` as a C-ordered little-endian array of one of ``DTYPES`` (``dtype`` if given).

    >>> as_wire_array(np.arange(3)).dtype.name
    'int32'
    >>> as_wire_array([True, False]).dtype.name
    'uint8'
    """
    array = np.asarray(value)
    if dtype is None:
        kind = array.dtype.kind
        if kind == "f":
            dtype = "float32"
        elif kind == "b" or array.dtype == np.uint8:
            dtype = "uint8"
        elif kind in "iu":
            dtype = "int32"
        elif array.size == 0:
            dtype = "float32"  # an empty list has no element type
        else:
            raise TypeError(f"an array sent to a view holds numbers, not {array.dtype}")
    if dtype not in DTYPES:
        raise ValueError(f"an array sent to a view is one of {DTYPES}, not {dtype!r}")
    return np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))


def array_to_json(value: np.ndarray | None, widget: object) -> dict | None:
    """The self-describing wire value of an array (``widget`` is ipywidgets' serializer argument)."""
    if value is None:
        return None
    array = as_wire_array(value)
    return {"dtype": array.dtype.name, "shape": list(array.shape), "buffer": memoryview(array.tobytes())}


def array_from_json(value: dict | None, widget: object) -> np.ndarray | None:
    """The array a wire value holds (views do not send arrays today; this keeps the trait round-trippable)."""
    if value is None:
        return None
    dtype = value["dtype"]
    if dtype not in DTYPES:
        raise ValueError(f"unknown array dtype {dtype!r}")
    data = np.frombuffer(bytes(value["buffer"]), dtype=np.dtype(dtype).newbyteorder("<"))
    return data.reshape([int(d) for d in value["shape"]]).astype(dtype)


class ArrayTrait(traitlets.TraitType):
    """A numpy array trait that syncs as a self-describing binary value. Empty by default (shape ``[0]``).

    ``dtype`` fixes the type sent (values are cast); without it the array's own kind decides.
    """

    info_text = "an array of numbers"

    def __init__(self, *, dtype: str | None = None, **kwargs: Any) -> None:
        if dtype is not None and dtype not in DTYPES:
            raise ValueError(f"dtype is one of {DTYPES}, not {dtype!r}")
        self.dtype = dtype
        empty = np.zeros(0, dtype=dtype or "float32")
        empty.flags.writeable = False  # one default shared by every instance
        super().__init__(default_value=empty, **kwargs)
        self.metadata = {**self.metadata, "to_json": array_to_json, "from_json": array_from_json}

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        try:
            return as_wire_array(value, self.dtype)
        except (TypeError, ValueError) as error:
            raise traitlets.TraitError(f"the {self.name!r} trait takes an array of numbers: {error}") from error

    def set(self, obj: traitlets.HasTraits, value: Any) -> None:
        # numpy's == compares element-wise, so decide "changed" here: same dtype, shape and bytes is no change.
        new = self._validate(obj, value)
        old = obj._trait_values.get(self.name, self.default_value)
        obj._trait_values[self.name] = new
        same = (
            isinstance(old, np.ndarray)
            and old.dtype == new.dtype
            and old.shape == new.shape
            and np.array_equal(old, new)
        )
        if not same:
            obj._notify_trait(self.name, old, new)

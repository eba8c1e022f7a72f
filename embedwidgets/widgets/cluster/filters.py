"""The workbench beside the map: filter charts over metadata columns (a cross-filter) and the linked table.

:class:`Filters` holds one chart per named column: a histogram for numbers and dates, top-N bars for categories.
Each row's bin (or bar) is computed once, so a brush costs a few vectorised passes over the rows: the mask of
rows that pass, and for each chart the counts under the *other* filters (a cross-filter).

Filters in Python: ``{"topic": ["music", "sport"], "length": (100, 500), "date": (Timestamp, Timestamp)}``.
On the wire (JSON): the same, with ranges as ``[low, high]`` and dates as milliseconds since the epoch.

:class:`TableRows` answers the table's requests: rows ``start .. start+count`` of the rows shown (the selection,
or the rows that pass the filters), sorted by a column, as text cells. Only the rows in view travel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from .colors import clip, display_text

BINS = 30  # histogram bins
TOP = 12  # category bars; the rest are counted as "other"
CELL_CHARS = 200  # characters of a table cell
MAX_TABLE_ROWS = 500  # rows one table request may ask for
OTHER = "(other)"
MS = 1_000_000  # nanoseconds in a millisecond


class Chart:
    """One metadata column prepared for filtering: its kind, its bins or bars, and each row's bin (-1: none)."""

    def __init__(self, name: str, values: pd.Series) -> None:
        self.name = name
        if pd.api.types.is_datetime64_any_dtype(values):
            self.kind = "date"
            numbers = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
            ns = numbers.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
            ns[numbers.isna().to_numpy()] = np.nan
            self.numbers = ns / MS  # ms since the epoch
        elif pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            self.kind = "category"
        else:
            self.kind = "number"
            self.numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        if self.kind == "category":
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            self.codes = codes
            self.texts = np.array([display_text(u) for u in uniques], dtype=object)
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            top = np.argsort(-counts, kind="stable")[:TOP]
            self.bars = [str(self.texts[i]) for i in top]
            bar_of_code = np.full(len(uniques), len(top), dtype=np.int32)  # not in the top: "other"
            bar_of_code[top] = np.arange(len(top))
            self.bins = np.where(codes >= 0, bar_of_code[np.maximum(codes, 0)], len(top)).astype(np.int32)
            self.nbins = len(top) + 1
        else:
            finite = self.numbers[np.isfinite(self.numbers)]
            low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
            if high <= low:
                high = low + 1.0
            self.edges = np.linspace(low, high, BINS + 1)
            position = np.floor((self.numbers - low) / (high - low) * BINS)
            self.bins = np.where(np.isfinite(position), np.clip(position, 0, BINS - 1), -1).astype(np.int32)
            self.nbins = BINS

    def check(self, value: Any) -> Any:
        """A filter on this column as Python holds it: a list of category texts, or a ``(low, high)`` range."""
        if self.kind == "category":
            if isinstance(value, str) or not isinstance(value, (list, tuple, set, np.ndarray, pd.Series)):
                raise traitlets.TraitError(
                    f"the filter on {self.name!r} is a list of the categories to keep, not {type(value).__name__}."
                )
            return [display_text(v) for v in value]
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)) or len(value) != 2:
            raise traitlets.TraitError(f"the filter on {self.name!r} is a (low, high) range, not {value!r}.")
        if self.kind == "date":
            try:
                low, high = (pd.Timestamp(v) for v in value)
            except (TypeError, ValueError):
                raise traitlets.TraitError(f"the filter on {self.name!r} is a range of dates, not {value!r}.") from None
            if pd.isna(low) or pd.isna(high):
                raise traitlets.TraitError(f"the filter on {self.name!r} needs two dates, not {value!r}.")
            low, high = (t.tz_localize(None) if t.tzinfo is not None else t for t in (low, high))
        else:
            try:
                low, high = float(value[0]), float(value[1])
            except (TypeError, ValueError):
                raise traitlets.TraitError(
                    f"the filter on {self.name!r} is a range of numbers, not {value!r}."
                ) from None
            if np.isnan(low) or np.isnan(high):
                raise traitlets.TraitError(f"the filter on {self.name!r} needs two numbers, not {value!r}.")
        if low > high:
            raise traitlets.TraitError(f"the filter on {self.name!r} has low > high: {value!r}.")
        return (low, high)

    def passes(self, value: Any) -> np.ndarray:
        """The rows that pass this column's (checked) filter."""
        if self.kind == "category":
            kept = np.isin(self.texts, np.asarray(list(value), dtype=object))
            return np.where(self.codes >= 0, kept[np.maximum(self.codes, 0)], False)
        low, high = (self._ms(v) for v in value)
        return (self.numbers >= low) & (self.numbers <= high)  # NaN fails both

    def _ms(self, value: Any) -> float:
        return float(pd.Timestamp(value).value) / MS if self.kind == "date" else float(value)

    def to_wire(self, value: Any) -> list:
        if self.kind == "category":
            return list(value)
        return [self._ms(value[0]), self._ms(value[1])]

    def from_wire(self, value: Any) -> Any:
        if self.kind == "date" and isinstance(value, (list, tuple)) and len(value) == 2:
            try:
                value = [pd.Timestamp(float(v) * MS) for v in value]
            except (TypeError, ValueError, OverflowError):
                raise traitlets.TraitError(f"the filter on {self.name!r} is a range of dates, not {value!r}.") from None
        return self.check(value)

    def describe(self) -> dict:
        """The chart's fixed part, for the view: kind, and the bars' texts or the bins' edges."""
        if self.kind == "category":
            return {"column": self.name, "kind": "category", "bars": [clip(b, 80) for b in self.bars] + [OTHER]}
        return {"column": self.name, "kind": self.kind, "edges": [float(e) for e in self.edges]}


class Filters:
    """Cross-filtering over the charts of ``columns`` of ``metadata``.

    >>> f = Filters(pd.DataFrame({"topic": ["a", "b", "a"], "n": [1, 5, 9]}), ["topic", "n"])
    >>> f.check({"topic": ["a"], "n": (0, 4)})
    {'topic': ['a'], 'n': (0.0, 4.0)}
    >>> f.mask({"topic": ["a"], "n": (0, 4)}).tolist()
    [True, False, False]
    """

    def __init__(self, metadata: pd.DataFrame, columns: Sequence[str]) -> None:
        if isinstance(columns, str):
            columns = [columns]
        missing = [c for c in columns if c not in metadata.columns]
        if missing:
            raise KeyError(f"no metadata column {missing}; the columns are {list(metadata.columns)}.")
        self.n = len(metadata)
        self.charts = {str(c): Chart(str(c), metadata[c]) for c in dict.fromkeys(columns)}

    def refresh(self, metadata: pd.DataFrame, column: str) -> None:
        """Rebuild ``column``'s chart after its values changed (tags); a column without a chart gets one."""
        self.charts[column] = Chart(column, metadata[column].replace("", None))  # "" = untagged: no bar

    def check(self, filters: Any) -> dict:
        """``filters`` as Python holds them; a TraitError says what is wrong. Empty filters are dropped."""
        if not isinstance(filters, Mapping):
            raise traitlets.TraitError(f"filters is a dict of column → categories or (low, high), not {filters!r}.")
        checked = {}
        for column, value in filters.items():
            if column not in self.charts:
                raise traitlets.TraitError(
                    f"no filter chart for {column!r}; the charts are {list(self.charts)} (the filters= argument)."
                )
            if value is None:
                continue
            checked[column] = self.charts[column].check(value)
        return checked

    def to_wire(self, filters: dict) -> dict:
        return {column: self.charts[column].to_wire(value) for column, value in filters.items()}

    def from_wire(self, wire: Any) -> dict:
        if not isinstance(wire, Mapping):
            raise traitlets.TraitError("the view sent filters that are not a dict.")
        unknown = [c for c in wire if c not in self.charts]
        if unknown:
            raise traitlets.TraitError(f"no filter chart for {unknown}; the charts are {list(self.charts)}.")
        return {c: self.charts[c].from_wire(v) for c, v in wire.items() if v is not None}

    def mask(self, filters: dict, skip: str | None = None) -> np.ndarray:
        """The rows passing every filter but ``skip``'s."""
        passing = np.ones(self.n, dtype=bool)
        for column, value in filters.items():
            if column != skip:
                passing &= self.charts[column].passes(value)
        return passing

    def chart_counts(self, filters: dict) -> list[dict]:
        """Each chart with its ``total`` counts and its ``counts`` under the other filters (the cross-filter)."""
        out = []
        for column, chart in self.charts.items():
            others = self.mask(filters, skip=column)
            inside = chart.bins >= 0
            total = np.bincount(chart.bins[inside], minlength=chart.nbins)
            counts = np.bincount(chart.bins[inside & others], minlength=chart.nbins)
            out.append({**chart.describe(), "total": total.tolist(), "counts": counts.tolist()})
        return out


class TableRows:
    """The table's rows as text: label, cluster and metadata columns, sorted on request (orders are cached)."""

    def __init__(self, labels: Sequence[str], metadata: pd.DataFrame) -> None:
        self.labels = labels
        self.metadata = metadata
        self._orders: dict[str, np.ndarray] = {}

    def forget(self, column: str) -> None:
        """Drop the cached sort order of a column whose values changed."""
        self._orders = {k: v for k, v in self._orders.items() if not k.startswith(f"{column}:")}

    def columns(self, clusters: bool) -> list[str]:
        return ["row", "label"] + (["cluster"] if clusters else []) + [str(c) for c in self.metadata.columns]

    def _values(self, column: str, clusters: np.ndarray | None) -> Any:
        if column == "label":
            return pd.Series(self.labels)
        if column == "cluster" and clusters is not None:
            return pd.Series(clusters)
        return self.metadata[self._meta_name(column)].reset_index(drop=True)

    def _meta_name(self, column: str) -> Any:
        for name in self.metadata.columns:
            if str(name) == column:
                return name
        raise ValueError(f"no table column {column!r}.")

    def order(self, column: str, clusters: np.ndarray | None) -> np.ndarray | None:
        """Every row in ``column``'s order (missing values last), or None for row order."""
        if column in ("", "row"):
            return None
        key = f"{column}:{id(clusters) if column == 'cluster' else ''}"
        if key not in self._orders:
            if column == "cluster" and clusters is None:
                return None
            # Factorising with sort=True ranks strings and numbers alike, then an integer argsort is quick at 1M.
            codes, _ = pd.factorize(self._values(column, clusters), sort=True, use_na_sentinel=True)
            codes = np.where(codes < 0, np.iinfo(np.int64).max, codes)
            self._orders = {k: v for k, v in self._orders.items() if not k.startswith("cluster:")} | {
                key: np.argsort(codes, kind="stable")
            }
        return self._orders[key]

    def page(
        self,
        shown: np.ndarray | None,
        n: int,
        *,
        start: int,
        count: int,
        sort: str,
        descending: bool,
        clusters: np.ndarray | None,
    ) -> dict:
        """Rows ``start .. start+count`` of ``shown`` (a bool mask over all rows, or None for all), sorted."""
        if not isinstance(start, int) or not isinstance(count, int) or start < 0 or count < 0:
            raise ValueError("a table request needs whole numbers start ≥ 0 and count ≥ 0.")
        count = min(count, MAX_TABLE_ROWS)
        order = self.order(sort, clusters)
        if order is None:
            rows = np.arange(n) if shown is None else np.flatnonzero(shown)
        else:
            rows = order if shown is None else order[shown[order]]
        if descending:
            rows = rows[::-1]
        total = len(rows)
        picked = rows[start : start + count]
        columns = self.columns(clusters is not None)
        meta = self.metadata.iloc[picked]
        cells = []
        for position, row in enumerate(picked.tolist()):
            line = [str(row), clip(self.labels[row], CELL_CHARS)]
            if clusters is not None:
                line.append(str(int(clusters[row])))
            line += [clip(display_text(v), CELL_CHARS) for v in meta.iloc[position].tolist()]
            cells.append(line)
        return {"total": total, "start": start, "rows": [int(r) for r in picked], "cells": cells, "columns": columns}

"""Label lookup: exact index, prefix completion and close spellings."""

from __future__ import annotations

import bisect
import difflib
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import DuplicateLabelError

DUPLICATE_POLICIES = ("error", "first", "number")
# Past this length a token gets no spelling suggestions: its one-edit variants alone would be ~52 × length
# strings of that length (gigabytes for a pasted paragraph), and no misspelt word is that long.
SUGGEST_MAX_LENGTH = 64


def clean_labels(labels: Iterable[object]) -> list[str]:
    """Labels as strings: whatever the user passed (ints, numpy strings, ...) goes through ``str``."""
    if isinstance(labels, str):
        raise TypeError("labels must be a list of strings, not one string. Wrap it: labels=[label].")
    if not isinstance(labels, Iterable):
        raise TypeError(f"labels must be a list of strings, one per vector, not a {type(labels).__name__}.")
    return [label if isinstance(label, str) else str(label) for label in labels]


def resolve_duplicates(labels: list[str], policy: str) -> tuple[list[str], np.ndarray | None]:
    """Apply the duplicates policy. Returns the labels and, for 'first', the rows to keep."""
    if policy not in DUPLICATE_POLICIES:
        raise ValueError(f"duplicates={policy!r} is not an option; use one of {DUPLICATE_POLICIES}.")
    seen: dict[str, int] = {}
    repeats: list[str] = []
    for label in labels:
        count = seen.get(label, 0)
        if count == 1:
            repeats.append(label)
        seen[label] = count + 1
    if not repeats:
        return labels, None
    if policy == "error":
        raise DuplicateLabelError(repeats, len(repeats))
    if policy == "first":
        taken: set[str] = set()
        keep = []
        for row, label in enumerate(labels):
            if label not in taken:
                taken.add(label)
                keep.append(row)
        return [labels[row] for row in keep], np.asarray(keep, dtype=np.int64)
    renamed, used = [], set(labels)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
        if counts[label] == 1:
            renamed.append(label)
            continue
        number = counts[label]
        while f"{label} ({number})" in used:
            number += 1
        name = f"{label} ({number})"
        used.add(name)
        renamed.append(name)
    return renamed, None


class LabelIndex:
    """Maps labels to rows, completes prefixes and suggests close spellings."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.rows = {label: row for row, label in enumerate(self.labels)}
        self._sorted: list[tuple[str, int]] | None = None
        self._by_initial: dict[str, list[str]] | None = None
        self._lower: dict[str, int] | None = None
        self._lowered: pd.Series | None = None  # for substring search, built on the first one

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label: object) -> bool:
        return (label if isinstance(label, str) else str(label)) in self.rows

    def row(self, label: str) -> int | None:
        return self.rows.get(label)

    def containing(self, text: str) -> np.ndarray:
        """Rows (int64, ascending) whose label contains ``text``, ignoring case; ``text`` is not a pattern.

        >>> LabelIndex(["Tree frog", "toad", "FROG"]).containing("frog").tolist()
        [0, 2]
        """
        if self._lowered is None:
            self._lowered = pd.Series(self.labels, dtype=object).str.lower()
        found = self._lowered.str.contains(text.lower(), regex=False)
        return np.flatnonzero(found.to_numpy(dtype=bool)).astype(np.int64)

    def complete(self, prefix: str, limit: int = 20) -> list[str]:
        """Labels starting with ``prefix`` (case-insensitive), most frequent (first rows) first."""
        if self._sorted is None:
            self._sorted = sorted((label.lower(), row) for row, label in enumerate(self.labels))
        key = prefix.lower()
        start = bisect.bisect_left(self._sorted, (key, -1))
        rows = []
        for lowered, row in self._sorted[start:]:
            if not lowered.startswith(key):
                break
            rows.append(row)
        rows.sort()
        return [self.labels[row] for row in rows[:limit]]

    def suggest(self, token: str, n: int = 3) -> list[str]:
        """Up to ``n`` known labels spelled like ``token``."""
        if self._lower is None:  # built aside and then published, so another thread never sees half of it
            lower: dict[str, int] = {}
            for row, label in enumerate(self.labels):
                lower.setdefault(label.lower(), row)
            self._lower = lower
        found: list[str] = []
        same_case = self._lower.get(token.lower())
        if same_case is not None and self.labels[same_case] != token:
            found.append(self.labels[same_case])
        if len(token) > SUGGEST_MAX_LENGTH:
            return found[:n]
        one_edit = sorted({e for e in _one_edit_away(token.lower()) if e in self.rows}, key=self.rows.__getitem__)
        found += [e for e in one_edit if e not in found and e != token]
        if self._by_initial is None:
            by_initial: dict[str, list[str]] = {}
            for label in self.labels:
                by_initial.setdefault(label[:1].lower(), []).append(label)
            self._by_initial = by_initial
        pool = [c for c in self._by_initial.get(token[:1].lower(), []) if abs(len(c) - len(token)) <= 2]
        if len(pool) < 50:  # a typo in the first letter: widen to every label of a similar length
            pool = [c for c in self.labels if abs(len(c) - len(token)) <= 1]
        close = difflib.get_close_matches(token, pool, n=4 * n + len(found), cutoff=0.6)
        # Among similar spellings, prefer frequent words (earlier rows): "wooman" → "woman", not "woolman".
        ranked = sorted(
            close, key=lambda c: -difflib.SequenceMatcher(None, token, c).ratio() + 0.02 * math.log10(self.rows[c] + 1)
        )
        for candidate in ranked:
            if candidate not in found and candidate != token:
                found.append(candidate)
        return found[:n]


def _one_edit_away(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away (Norvig's speller)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {left + right[1:] for left, right in splits if right}
        | {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        | {left + ch + right[1:] for left, right in splits if right for ch in letters}
        | {left + ch + right for left, right in splits for ch in letters}
    )

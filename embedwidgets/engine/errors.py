"""The errors embedwidgets raises. Each message names the problem and the fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class EmbedWidgetsError(Exception):
    """Base class of every error embedwidgets raises on purpose."""


class UnknownTokenError(EmbedWidgetsError, KeyError):
    """One or more labels are not in the embedding set.

    ``missing`` lists them in the order given; ``suggestions`` maps each one to
    up to three close known labels.
    """

    def __init__(
        self, missing: Sequence[str], suggestions: Mapping[str, Sequence[str]] | None = None, *, what: str = "label"
    ) -> None:
        self.missing = list(missing)
        self.suggestions = {m: list((suggestions or {}).get(m, [])) for m in self.missing}
        parts = []
        for m in self.missing:
            close = self.suggestions[m]
            hint = f" (did you mean {', '.join(_short(c) for c in close)}?)" if close else ""
            parts.append(f"{_short(m)}{hint}")
        plural = "s" if len(self.missing) > 1 else ""
        self.message = (
            f"unknown {what}{plural}: {'; '.join(parts)}. "
            f"Check the spelling, or look labels up with `'word' in embeddings`."
        )
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return self.message


class DuplicateLabelError(EmbedWidgetsError, ValueError):
    """Labels must be unique; these repeat."""

    def __init__(self, duplicates: Sequence[str], total: int) -> None:
        self.duplicates = list(duplicates)
        shown = ", ".join(_short(d) for d in self.duplicates[:5])
        more = f" and {total - 5} more" if total > 5 else ""
        super().__init__(
            f"labels must be unique, but {total} repeat: {shown}{more}. "
            f"Pass duplicates='first' to keep the first row of each, "
            f"or duplicates='number' to rename repeats as 'label (2)', 'label (3)', ..."
        )


def _short(label: str, limit: int = 80) -> str:
    """``repr(label)``, cut in the middle when long, so a pasted paragraph does not flood the message."""
    text = repr(label)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]} ({len(label):,} characters)"

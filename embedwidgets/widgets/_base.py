"""The shared widget base: typed requests and responses, inline errors, and strict keyword arguments.

The front end talks to Python in two ways only:
- synced traits, for state a user may want back in Python (the query, the results). The view sets the traits
  a user changes, all in one update; ``set_state`` applies them together or refuses them inline;
- ``{"type": "request", "id", "kind", "params"}`` custom messages, answered by
  ``{"type": "response", "id", "kind", "ok", "data" | "error"}``. Each kind maps to one handler
  method; there is no way to send code. The front end drops any answer older than its latest request.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import pandas as pd
import traitlets

from ..engine.errors import EmbedWidgetsError, UnknownTokenError
from ._requests import STATIC as STATIC
from ._requests import Handler, front_end_traits, handler
from ._standalone import SavedPage
from .sidebar import SidebarMixin

log = logging.getLogger("embedwidgets")


def check_k(k: int, most: int, what: str = "k") -> int:
    """A widget's ``k`` trait: between 1 and ``most``."""
    if not 1 <= k <= most:
        raise traitlets.TraitError(f"{what} must be between 1 and {most}, got {k}.")
    return k


def error_payload(error: BaseException) -> dict:
    """An error as the front end shows it: a message, and for unknown words the close spellings."""
    payload: dict[str, Any] = {"kind": type(error).__name__, "message": str(error)}
    if isinstance(error, UnknownTokenError):
        payload["message"] = error.message
        payload["missing"] = error.missing
        payload["suggestions"] = error.suggestions
    elif isinstance(error, KeyError) and error.args:
        payload["message"] = str(error.args[0])
    return payload


class EmbedWidget(SavedPage, SidebarMixin, anywidget.AnyWidget):
    """Base of every embedwidgets widget: ``save_html`` (``_standalone.py``), the sidebar, requests, errors."""

    _completion_set: Any = None  # the EmbeddingSet whose labels the "complete" request offers, if any

    error = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        for key in ("_esm", "_css"):
            source = getattr(type(self), key, None)
            if isinstance(source, Path) and not source.exists():
                raise EmbedWidgetsError(
                    f"the widget front end {source.name} is missing from {source.parent}: the JavaScript was "
                    f"not built. Reinstall the package (pip install .) with Node.js and npm available."
                )
        unknown = [key for key in kwargs if not self.has_trait(key)]
        if unknown:
            public = sorted(n for n in self.trait_names() if not n.startswith("_") and n not in _HIDDEN)
            close = difflib.get_close_matches(unknown[0], public, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {unknown[0]!r}.{hint}")
        self._own_layout = "layout" not in kwargs
        front_end_traits(self)
        super().__init__(**kwargs)
        self._handlers: dict[str, Handler] = {}
        for klass in reversed(type(self).__mro__):
            for name, value in vars(klass).items():
                kind = getattr(value, "_request_kind", None) if callable(value) else None
                if kind:
                    self._handlers[kind] = getattr(self, name)
        self.on_msg(self._on_custom_message)

    def close(self) -> None:
        """Close the widget, and the ``layout`` widget ipywidgets made for it: otherwise every closed widget
        leaves its Layout in ipywidgets' registry, for ever."""
        layout = self.layout if getattr(self, "_own_layout", False) else None
        super().close()
        if layout is not None:
            layout.close()

    def _on_custom_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "request":
            return
        request_id, kind, params = content.get("id"), content.get("kind"), content.get("params") or {}
        response: dict[str, Any] = {"type": "response", "id": request_id, "kind": kind}
        method = self._handlers.get(kind) if isinstance(kind, str) else None
        try:
            if method is None:
                raise ValueError(f"unknown request kind {kind!r}; expected one of {sorted(self._handlers)}.")
            if not isinstance(params, dict):
                raise ValueError("request params must be an object.")
            response.update(ok=True, data=method(**params))
        except (EmbedWidgetsError, KeyError, ValueError, TypeError) as error:
            response.update(ok=False, error=error_payload(error))
        except Exception as error:  # the kernel and the widget stay alive, and the user sees why
            log.error("embedwidgets request %r failed:\n%s", kind, traceback.format_exc())
            response.update(ok=False, error={"kind": type(error).__name__, "message": f"internal error: {error}"})
        self.send(response)

    @handler("complete")
    def _complete(self, prefix: str = "", limit: int = 8) -> dict:
        """Labels starting with ``prefix`` (prefix search in Python, at most 20), for the inputs' suggestions."""
        if self._completion_set is None or not isinstance(prefix, str) or not prefix.strip():
            return {"prefix": prefix, "options": []}
        return {"prefix": prefix, "options": self._completion_set.complete(prefix.strip(), min(int(limit), 20))}

    def _report(self, error: BaseException | None) -> None:
        """Show ``error`` inline in the widget (or clear it)."""
        self.error = None if error is None else error_payload(error)

    # ---- changes made in the view ----------------------------------------------------------------

    def set_state(self, sync_data: dict) -> None:
        """Apply traits the view set, all together or none. A refused value (a k out of range, a wrong type)
        shows inline and the view goes back to Python's value; the kernel carries on."""
        try:
            with self._view_changes(sync_data):
                super().set_state(sync_data)
        except traitlets.TraitError as error:
            self._report(error)
            self.send_state([name for name in sync_data if name in self.keys])

    # ---- answering again when the question changes -------------------------------------------------

    _question: ClassVar[tuple[str, ...]] = ()  # traits whose change asks the widget to answer again
    _quiet = False  # set while traits are first set, or a batch from the view is applied: no answer yet

    def _answer(self, changed: list[str]) -> None:
        """Answer again after the traits ``changed`` (of ``_question``) changed; widgets with a question do."""

    def _rerun(self, change: dict) -> None:
        if not self._quiet:
            self._answer([change["name"]])

    @contextlib.contextmanager
    def _view_changes(self, sync_data: dict) -> Iterator[None]:
        """Wraps a batch of changes from the view: the widget answers once after it, not once per trait."""
        asks = any(name in self._question for name in sync_data)
        self._quiet = asks
        try:
            yield
        finally:
            self._quiet = False
        if asks:
            self._answer(list(sync_data))


class QueryWidget(EmbedWidget):
    """A widget that answers one question posed by its traits (AnalogyExplorer, NeighborBrowser, SearchCompare).

    A subclass names those traits in ``_question`` and implements ``_compute()``, which returns the results as a
    DataFrame and the synced traits that show them, and ``_cleared()``, the traits to show when it fails. The base
    runs it on every change of the question (once for a batch of changes from the view), shows failures inline
    and keeps ``results``.
    """

    _expected_errors: ClassVar[tuple[type[BaseException], ...]] = (EmbedWidgetsError, KeyError, ValueError)

    def __init__(self, **kwargs: Any) -> None:
        self._quiet = True  # no runs while the traits are first set
        self._failure: BaseException | None = None
        self._results = self._empty_results()
        super().__init__(**kwargs)
        self.observe(self._rerun, names=list(self._question))
        self._quiet = False
        self.run()

    @property
    def results(self) -> pd.DataFrame:
        """What the widget shows now, as a DataFrame."""
        return self._results.copy()

    @property
    def failure(self) -> BaseException | None:
        """The error of the last run (also shown inline), or None when it succeeded."""
        return self._failure

    def run(self) -> pd.DataFrame:
        """Answer the current question; an expected error shows inline and the results come back empty."""
        self._failure = None
        self.busy = True
        try:
            results, shown = self._compute()
        except self._expected_errors as error:
            self._failure = error
            results, shown = self._empty_results(), self._cleared()
        finally:
            self.busy = False
        self._results = results
        with self.hold_sync():
            for name, value in shown.items():
                setattr(self, name, value)
            self._report(self._failure)
        return self.results

    def _answer(self, changed: list[str]) -> None:
        self.run()

    def _compute(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        raise NotImplementedError

    def _cleared(self) -> dict[str, Any]:
        raise NotImplementedError

    def _empty_results(self) -> pd.DataFrame:
        return pd.DataFrame(columns=["rank", "label", "score"])


_HIDDEN = {"comm", "keys", "log", "layout", "tabbable", "tooltip", "busy", "error"}

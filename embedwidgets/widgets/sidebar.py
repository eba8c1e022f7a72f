"""Pinning a widget into the side panel, and the note that ``show_in_sidebar()`` leaves in the cell.

Python cannot know whether the page runs the embedwidgets extension, so the front end decides: with the
extension the note says where the widget went; without it (VS Code, Colab, Voila...) the note says why and
the widget itself is shown in the cell.
"""

from __future__ import annotations

import itertools
import re

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ._requests import STATIC, front_end_traits, handler

SIDEBAR_AREAS = ("right", "left")
_PIN_NUMBERS = itertools.count(1)


class SidebarMixin(traitlets.HasTraits):
    """The sidebar half of every embedwidgets widget: ``EmbedWidget`` inherits it, and provides the ``title``
    trait and the ``model_id`` that a pin names."""

    title: str
    model_id: str

    # Where the view is pinned: {"area", "title", "model_id", "pin"}, or None. The front end's side panel
    # follows it, and closing the panel there sets it back to None.
    _sidebar = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)

    @property
    def sidebar(self) -> str | None:
        """The side panel this widget is pinned to ("right" or "left"), or None."""
        return self._sidebar["area"] if self._sidebar else None

    def show_in_sidebar(self, area: str = "right", title: str | None = None) -> None:
        """Pin a live view of this widget into JupyterLab's or Notebook 7's side panel.

        The pinned view and the cell's views share one model: act in either, and Python sees it. The cell
        shows a one-line note; in hosts without the embedwidgets extension (VS Code, Colab, ...) it shows
        the widget itself, with a note saying why. Calling it again re-opens, moves or renames the panel.
        """
        self._pin(area, title)
        from IPython.display import display

        display(SidebarNote(self))

    def close_sidebar(self) -> None:
        """Close this widget's side panel, if it has one."""
        self._sidebar = None

    def _pin(self, area: str, title: str | None) -> None:
        if area not in SIDEBAR_AREAS:
            raise ValueError(f"area must be 'right' or 'left', got {area!r}: e.g. show_in_sidebar(area='left').")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}.")
        label = (title or self.title or self.display_name).strip() or self.display_name
        # A fresh "pin" number makes a repeated call re-open the panel even when nothing else changed.
        self._sidebar = {"area": area, "title": label, "model_id": self.model_id, "pin": next(_PIN_NUMBERS)}

    @property
    def display_name(self) -> str:
        """The widget's kind in words, e.g. "Analogy Explorer"."""
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(self).__name__)

    @handler("sidebar")
    def _sidebar_request(self, area: str | None = None) -> dict:
        """The view's pin button: pin to ``area``, or close the panel when ``area`` is None."""
        if area is None:
            self.close_sidebar()
        else:
            self._pin(area, None)
        return {"area": self.sidebar}


class SidebarNote(anywidget.AnyWidget):
    _esm = STATIC / "sidebar_note.js"
    _css = STATIC / "sidebar_note.css"

    target = traitlets.Instance(SidebarMixin).tag(sync=True, **widget_serialization)
    area = traitlets.Unicode("right").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(self, target: SidebarMixin) -> None:
        pinned = target._sidebar or {}
        front_end_traits(self)
        super().__init__(target=target, area=pinned.get("area", "right"), title=pinned.get("title", ""))

    def close(self) -> None:
        layout = self.layout  # made for this note alone: closed with it, or it stays in the registry
        super().close()
        layout.close()

    def __repr__(self) -> str:
        # What hosts without widget support print instead.
        return (
            f"{self.title or 'The widget'} is pinned to the {self.area} side panel; that needs JupyterLab 4 or "
            f"Notebook 7 with the embedwidgets extension, and widget support in this front end."
        )

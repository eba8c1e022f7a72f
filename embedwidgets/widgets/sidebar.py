"""The note that ``show_in_sidebar()`` leaves in the cell.

Python cannot know whether the page runs the embedwidgets extension, so the front end decides: with the
extension the note says where the widget went; without it (VS Code, Colab, Voila...) the note says why and
the widget itself is shown in the cell.
"""

from __future__ import annotations

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ._base import STATIC, EmbedWidget


class SidebarNote(anywidget.AnyWidget):
    _esm = STATIC / "sidebar_note.js"
    _css = STATIC / "sidebar_note.css"

    target = traitlets.Instance(EmbedWidget).tag(sync=True, **widget_serialization)
    area = traitlets.Unicode("right").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(self, target: EmbedWidget) -> None:
        pinned = target._sidebar or {}
        super().__init__(target=target, area=pinned.get("area", "right"), title=pinned.get("title", ""))

    def __repr__(self) -> str:
        # What hosts without widget support print instead.
        return (
            f"{self.title or 'The widget'} is pinned to the {self.area} side panel; that needs JupyterLab 4 or "
            f"Notebook 7 with the embedwidgets extension, and widget support in this front end."
        )

import pytest


class Wire:
    """Stands in for the front end: sends typed requests to a widget and collects its responses."""

    def __init__(self, widget):
        self.widget = widget
        self.sent = []
        self.next_id = 0
        widget.send = lambda content, buffers=None: self.sent.append(content)

    def request(self, kind, **params):
        self.next_id += 1
        self.widget._on_custom_message(
            self.widget, {"type": "request", "id": self.next_id, "kind": kind, "params": params}, []
        )
        response = self.sent[-1]
        assert response["type"] == "response" and response["id"] == self.next_id and response["kind"] == kind
        return response


@pytest.fixture
def wire():
    return Wire

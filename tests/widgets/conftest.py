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

    def update(self, **state):
        """What the view's ``model.set(...); model.save_changes()`` does in the kernel: one state update.
        Returns the traits the widget sent back (a refused value is sent back as Python's value)."""
        resent = {}
        original = self.widget.send_state

        def send_state(key=None):
            if isinstance(key, list):  # the widget putting the view back; single trait changes pass on
                resent.update({name: getattr(self.widget, name) for name in key})
            else:
                original(key)

        self.widget.send_state = send_state
        try:
            self.widget.set_state(state)
        finally:
            self.widget.send_state = original
        return resent


@pytest.fixture
def wire():
    return Wire

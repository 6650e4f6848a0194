"""What a refusal is: something a person asked for that Gapline will not do, with a message they can act on."""

from __future__ import annotations


class Refusal(Exception):
    """A request refused for a reason the person can fix; ``message`` says why, ``status`` is the HTTP status.

    Views catch this one type; an uncaught one is rendered by the app's refusal page.
    """

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

"""A total time allowance shared by several Procore calls, e.g. everything one web request asks of Procore.

Per-call timeouts alone do not bound a request: three calls that each wait 30 s, plus retries,
hold a web worker for minutes. A Deadline caps each call's timeout at what is left, and refuses a
retry or a wait that would not fit, so the caller answers in time with a clear "Procore is slow".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import ProcoreConnectionError


class DeadlineExceeded(ProcoreConnectionError):
    """Procore did not answer within the time the caller could wait in all."""


class Deadline:
    """Ends ``seconds`` after it is made; every call sharing it gets only the time that is left."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends = clock() + seconds

    def left(self) -> float:
        """Seconds left (zero or less once spent)."""
        return self._ends - self._clock()

    def check(self, doing: str) -> float:
        """The seconds left, raising DeadlineExceeded when none are."""
        left = self.left()
        if left <= 0:
            raise self.exceeded(doing)
        return left

    def timeout(self, timeout: tuple[float, float], doing: str) -> tuple[float, float]:
        """A (connect, read) timeout no longer than what is left."""
        left = self.check(doing)
        return min(timeout[0], left), min(timeout[1], left)

    def allows(self, wait: float) -> bool:
        """True if waiting ``wait`` seconds still leaves time for another try."""
        return wait < self.left()

    def exceeded(self, doing: str) -> DeadlineExceeded:
        """The error for running out of time while ``doing`` something."""
        return DeadlineExceeded(f"Procore did not answer {doing} within the {self.seconds:g} s this request may wait")

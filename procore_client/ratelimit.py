"""Procore's X-Rate-Limit-* headers and the shared budget that paces requests before a 429."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .errors import RateLimitedError


@dataclass(frozen=True)
class RateLimitHeaders:
    """The rate-limit facts of one response; any of them may be missing."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    retry_after: float | None = None

    @classmethod
    def parse(cls, headers: Mapping[str, str], *, now: float | None = None) -> RateLimitHeaders:
        """Read X-Rate-Limit-Limit/-Remaining/-Reset (epoch seconds) and Retry-After."""
        return cls(limit=_int(headers.get("X-Rate-Limit-Limit")),
                   remaining=_int(headers.get("X-Rate-Limit-Remaining")),
                   reset=_float(headers.get("X-Rate-Limit-Reset")),
                   retry_after=_retry_after(headers.get("Retry-After"), time.time() if now is None else now))

    def wait(self, now: float) -> float | None:
        """Return seconds to wait before retrying: Retry-After if given, else until the reset."""
        if self.retry_after is not None:
            return max(0.0, self.retry_after)
        if self.reset is not None:
            return max(0.0, self.reset - now)
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(value: str | None, now: float) -> float | None:
    seconds = _float(value)
    if seconds is not None or value is None:
        return seconds
    try:  # Retry-After may also be an HTTP date
        return email.utils.parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class BudgetState:
    """What one worker pool knows of one company's current window.

    `remaining` is our conservative estimate: decremented when a request is let through and
    lowered (never raised) by headers from the same window. `passed` is the last reset we have
    moved beyond, so late answers from an old window cannot refill the budget. `seq` numbers the
    requests let through; a response's ticket tells how many were sent after it.
    """

    limit: int | None = None
    remaining: float = 0.0
    reset: float = 0.0
    passed: float = 0.0
    seq: int = 0


def take(state: BudgetState, now: float, *, reserve: int, slack: float,
         assumed_window: float) -> tuple[BudgetState, int | None, float]:
    """Try to let one request through: return (new state, ticket or None, seconds to wait)."""
    if state.limit is None:  # nothing known yet: go, and learn from the answer
        return replace(state, seq=state.seq + 1), state.seq + 1, 0.0
    if state.reset > state.passed and now >= state.reset + slack:
        state = replace(state, passed=state.reset, remaining=float(state.limit))
    if state.remaining > min(reserve, state.limit - 1):
        return replace(state, remaining=state.remaining - 1, seq=state.seq + 1), state.seq + 1, 0.0
    if state.reset > state.passed:
        return state, None, state.reset + slack - now
    # The new window's numbers have not arrived and our guess is spent: assume one more window.
    return replace(state, reset=now + assumed_window), None, assumed_window + slack


def observe(state: BudgetState, ticket: int, headers: RateLimitHeaders) -> BudgetState:
    """Fold one response's headers into the state."""
    if headers.limit is None or headers.remaining is None or headers.reset is None:
        return state
    if headers.reset <= state.passed:
        return replace(state, limit=headers.limit)  # an answer from a window already over
    # Requests let through after this one may not have been counted by Procore yet.
    estimate = headers.remaining - max(0, state.seq - ticket)
    if headers.reset == state.reset:
        return replace(state, limit=headers.limit, remaining=min(state.remaining, estimate))
    return replace(state, limit=headers.limit, remaining=float(estimate), reset=headers.reset)


class RateBudget(Protocol):
    """Paces requests that share one rate limit (one company, one app) across workers."""

    def acquire(self, key: str) -> int:
        """Wait until a request for `key` may go; return a ticket for `record`."""
        ...

    def record(self, key: str, ticket: int, headers: RateLimitHeaders) -> None:
        """Learn from the rate-limit headers of the answer to the request holding `ticket`."""
        ...


class NullRateBudget:
    """No pacing: every request goes at once (429s are still waited out by the client)."""

    def acquire(self, key: str) -> int:
        """Return immediately."""
        return 0

    def record(self, key: str, ticket: int, headers: RateLimitHeaders) -> None:
        """Ignore the headers."""


class PacedBudget:
    """The waiting loop shared by the in-memory and Redis budgets; subclasses store the state.

    `reserve` requests are held back in each window for answers still in flight: set it to at
    least the number of workers sharing one company's limit.
    """

    def __init__(self, *, reserve: int = 3, slack: float = 0.5, assumed_window: float = 10.0,
                 max_wait: float = 900.0, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.reserve = reserve
        self.slack = slack
        self.assumed_window = assumed_window
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def acquire(self, key: str) -> int:
        """Wait (with the injected sleep) until a request for `key` may go; return its ticket."""
        while True:
            ticket, wait = self._take(key, self.clock())
            if ticket is not None:
                return ticket
            if wait > self.max_wait:
                raise RateLimitedError(f"Procore rate limit for {key} resets in {wait:.0f}s", reset=self.clock() + wait)
            self.sleep(wait)

    def record(self, key: str, ticket: int, headers: RateLimitHeaders) -> None:
        """Fold the answer's headers into the shared state for `key`."""
        self._update(key, lambda state: observe(state, ticket, headers))

    def _take(self, key: str, now: float) -> tuple[int | None, float]:
        outcome: list[tuple[int | None, float]] = []

        def step(state: BudgetState) -> BudgetState:
            new, ticket, wait = take(state, now, reserve=self.reserve, slack=self.slack,
                                     assumed_window=self.assumed_window)
            outcome[:] = [(ticket, wait)]
            return new

        self._update(key, step)
        return outcome[0]

    def _update(self, key: str, change: Callable[[BudgetState], BudgetState]) -> None:
        raise NotImplementedError


class InMemoryRateBudget(PacedBudget):
    """A budget shared by the threads of one process."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._states: dict[str, BudgetState] = {}
        self._lock = threading.Lock()

    def state(self, key: str) -> BudgetState:
        """Return the current state for `key` (for tests and diagnostics)."""
        with self._lock:
            return self._states.get(key, BudgetState())

    def _update(self, key: str, change: Callable[[BudgetState], BudgetState]) -> None:
        with self._lock:
            self._states[key] = change(self._states.get(key, BudgetState()))

"""A rate budget kept in Redis, so workers in several processes pace one company's limit together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ratelimit import BudgetState, PacedBudget

_FIELDS = ("limit", "remaining", "reset", "passed", "seq")


class RedisRateBudget(PacedBudget):
    """Stores each key's BudgetState in a Redis hash, updated with WATCH/MULTI so no update is lost.

    Keys look like `<prefix><app>:<company_id>`; they expire after `ttl` seconds of silence.
    """

    def __init__(self, redis: Any, *, prefix: str = "procore:rate:", ttl: int = 7200, **options: Any) -> None:
        super().__init__(**options)
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl

    def state(self, key: str) -> BudgetState:
        """Return the stored state for `key` (for tests and diagnostics)."""
        return _decode(self._redis.hgetall(self._prefix + key))

    def _update(self, key: str, change: Callable[[BudgetState], BudgetState]) -> None:
        name = self._prefix + key

        def apply(pipe: Any) -> None:
            new = change(_decode(pipe.hgetall(name)))
            pipe.multi()
            pipe.hset(name, mapping=_encode(new))
            pipe.expire(name, self._ttl)

        self._redis.transaction(apply, name)


def _decode(raw: dict[Any, Any]) -> BudgetState:
    values = {_text(key): _text(value) for key, value in raw.items()}
    if not values:
        return BudgetState()
    limit = values.get("limit", "")
    return BudgetState(limit=int(limit) if limit else None, remaining=float(values.get("remaining", 0)),
                       reset=float(values.get("reset", 0)), passed=float(values.get("passed", 0)),
                       seq=int(values.get("seq", 0)))


def _encode(state: BudgetState) -> dict[str, str]:
    return {field: "" if getattr(state, field) is None else repr(getattr(state, field)) for field in _FIELDS}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

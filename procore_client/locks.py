"""Per-connection locks that serialize token refreshes (Procore refresh tokens are single-use)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol


class LockProvider(Protocol):
    """Hands out one mutual-exclusion context manager per connection key."""

    def lock(self, key: str) -> AbstractContextManager[Any]:
        """Return a context manager held while the token for `key` is refreshed."""
        ...


class ThreadLockProvider:
    """In-process locks: enough when every caller of a connection lives in one process."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: str) -> AbstractContextManager[Any]:
        """Return the process-wide lock for `key`."""
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class RedisLockProvider:
    """Locks shared by every process that uses one Redis, built on redis-py's `Lock`.

    `timeout` bounds how long a crashed holder can block others; it must exceed one token call.
    """

    def __init__(self, redis: Any, *, prefix: str = "procore:token-lock:", timeout: float = 60.0,
                 blocking_timeout: float = 90.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._timeout = timeout
        self._blocking_timeout = blocking_timeout

    def lock(self, key: str) -> AbstractContextManager[Any]:
        """Return a Redis lock for `key`; entering it raises if not acquired in time."""
        return self._held(key)

    @contextmanager
    def _held(self, key: str) -> Iterator[None]:
        lock = self._redis.lock(self._prefix + key, timeout=self._timeout,
                                blocking_timeout=self._blocking_timeout)
        if not lock.acquire():
            raise TimeoutError(f"could not lock token refresh for {key!r} within {self._blocking_timeout}s")
        try:
            yield
        finally:
            lock.release()

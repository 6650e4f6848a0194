"""When to try a Procore call again, and how long to wait first."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

# Methods whose repeat cannot create a second record. PATCH is here because the only PATCH
# this client sends in bulk is the insurance sync, which upserts on origin_id.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retries: `max_attempts` for connection errors and 5xx, `max_rate_waits` for 429/503."""

    max_attempts: int = 4
    max_rate_waits: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 900.0
    random: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Return the jittered exponential delay before retry number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # "Equal jitter": at least half the ceiling, so retries spread out but never bunch at zero.
        return ceiling / 2 + ceiling / 2 * self.random()

    def jitter(self) -> float:
        """Return a small extra wait (under a second) so workers released together do not stampede."""
        return 0.25 * self.random()

    def retries_failure(self, method: str, attempt: int) -> bool:
        """Return True if a connection error or 5xx on attempt `attempt` may be retried."""
        return method.upper() in IDEMPOTENT_METHODS and attempt < self.max_attempts

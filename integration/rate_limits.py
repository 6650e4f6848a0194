"""Rate limits for the ways in without a password: so many tries per address or per IP in a window.

Hits are rows in the database (the demo has no Redis), keyed by a hash of who, never the address itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from integration.extensions import db
from integration.models import RateEvent, utcnow
from integration.refusals import Refusal


class RateLimited(Refusal):
    """Too many tries; ``message`` says when to try again (and nothing about whether an address is known)."""

    status = 429


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` hits per key within ``window`` under the name ``bucket``."""

    bucket: str
    limit: int
    window: timedelta

    def hit(self, key: str, now: datetime | None = None) -> None:
        """Count one hit for ``key`` in the current transaction, or raise RateLimited when over the limit."""
        now = now or utcnow()
        digest = hashlib.sha256(f"{self.bucket}\x00{key.strip().lower()}".encode()).hexdigest()
        recent = db.session.scalar(select(func.count(RateEvent.id)).where(
            RateEvent.bucket == self.bucket, RateEvent.key_hash == digest, RateEvent.at > now - self.window))
        if recent >= self.limit:
            minutes = max(1, int(self.window.total_seconds() // 60))
            raise RateLimited(f"Too many tries. Please wait up to {minutes} minutes and try again.")
        db.session.add(RateEvent(bucket=self.bucket, key_hash=digest, at=now))
        db.session.flush()


def prune(before: datetime) -> int:
    """Forget hits older than ``before``; returns how many."""
    return db.session.execute(delete(RateEvent).where(RateEvent.at < before)).rowcount

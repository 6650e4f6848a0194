"""Housekeeping jobs that the clock runs."""

from __future__ import annotations

from datetime import timedelta

from integration import rate_limits, tokens
from integration.extensions import db
from integration.models import utcnow
from sync_jobs.context import job

SPENT_SECRET_RETENTION = timedelta(days=30)
RATE_EVENT_RETENTION = timedelta(days=2)  # longer than any rate limit's window


@job
def prune_spent_secrets() -> int:
    """Delete one-time codes and link tokens used or expired over 30 days ago, and old rate-limit hits.

    Returns how many codes and tokens went; a deleted one can never match again.
    """
    now = utcnow()
    count = tokens.prune(now - SPENT_SECRET_RETENTION)
    rate_limits.prune(now - RATE_EVENT_RETENTION)
    db.session.commit()
    return count

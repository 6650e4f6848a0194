"""Housekeeping jobs that the clock runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update

from integration.extensions import db
from integration.models import OutreachRequest, utcnow
from sync_jobs.context import job

SPENT_LINK_RETENTION = timedelta(days=30)


@job
def prune_spent_links() -> int:
    """Forget the hashes of links used or expired over 30 days ago; return how many were cleared.

    The request rows stay (they are history); only the hash goes, so an old link can never match.
    """
    cutoff = utcnow() - SPENT_LINK_RETENTION
    result = db.session.execute(
        update(OutreachRequest)
        .where(OutreachRequest.token_hash.is_not(None))
        .where(or_(OutreachRequest.used_at < cutoff, OutreachRequest.expires_at < cutoff))
        .values(token_hash=None)
    )
    db.session.commit()
    return result.rowcount

"""Sync runs as admins see them: kind, start, end, what was examined, pushed and failed, and the API calls made.

A run is started under the company's sync lock; finding a run of the same kind still ``running``
there means its worker died, so that run is resumed from its checkpoint instead of a new one begun.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from integration.extensions import db
from integration.models import PushedRecord, SyncRun, Vendor, utcnow
from integration.tenancy import scoped

FAILURES_KEPT = 20  # per run: enough to see what is wrong, not a copy of every refusal


def start_run(company_id: int, kind: str) -> SyncRun:
    """Begin a run of ``kind`` (committed at once), or resume the one a crash left running. Hold the lock."""
    stale = db.session.scalar(scoped(SyncRun, company_id).where(SyncRun.kind == kind, SyncRun.state == "running")
                              .order_by(SyncRun.id.desc()).limit(1))
    if stale is not None:
        stale.counts = {**stale.counts, "resumed": stale.counts.get("resumed", 0) + 1}
        db.session.commit()
        return stale
    run = SyncRun(company_id=company_id, kind=kind, state="running", started_at=utcnow(), counts={}, checkpoint={})
    db.session.add(run)
    db.session.commit()
    return run


def save_checkpoint(run: SyncRun, **steps: Any) -> None:
    """Record steps the run has finished (in the caller's transaction)."""
    run.checkpoint = {**run.checkpoint, **steps}


def add_counts(run: SyncRun, counts: Mapping[str, Any]) -> None:
    """Add numbers to the run's counts (a resumed run keeps what it counted before)."""
    merged = dict(run.counts)
    for key, value in counts.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = merged.get(key, 0) + value
        elif key == "failures":
            merged[key] = (merged.get(key, []) + list(value))[-FAILURES_KEPT:]
        else:
            merged[key] = value
    run.counts = merged


def calls_since(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """The API calls counted between two readings of a client's call counts (as a run records them)."""
    return {key: value - before.get(key, 0) for key, value in after.items()}


def finish_run(run: SyncRun, state: str, error: str | None = None) -> SyncRun:
    """Close the run (committed)."""
    run.state, run.error, run.finished_at = state, error, utcnow()
    db.session.commit()
    return run


def recent_runs(company_id: int, limit: int = 20) -> list[SyncRun]:
    """The company's latest runs, newest first."""
    return list(db.session.scalars(scoped(SyncRun, company_id).order_by(SyncRun.id.desc()).limit(limit)))


def failing_records(company_id: int, limit: int = 100) -> list[tuple[PushedRecord, Vendor]]:
    """Records Procore refused at their last try, with their vendor, oldest refusal first."""
    query = (select(PushedRecord, Vendor).join(Vendor, Vendor.id == PushedRecord.vendor_id)
             .where(PushedRecord.company_id == company_id, PushedRecord.last_error.is_not(None))
             .order_by(PushedRecord.updated_at).limit(limit))
    return [tuple(row) for row in db.session.execute(query)]

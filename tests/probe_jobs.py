"""Jobs used only by the tests of the queue wiring: they touch the real database from a worker."""

from __future__ import annotations

from integration.extensions import db
from integration.models import AuditEvent
from sync_jobs.context import job


@job
def record_probe(company_id: int, label: str) -> int:
    """Write one audit row and return its id (proves the worker reached the database)."""
    event = AuditEvent(company_id=company_id, action="probe", subject_type="probe", actor_label=label)
    db.session.add(event)
    db.session.commit()
    return event.id


@job
def where_it_ran(then_queue: str | None = None) -> dict[str, int]:
    """The process a job ran in and the PostgreSQL backend it talked to; ``then_queue`` queues one more after it."""
    import os

    from sqlalchemy import text

    from integration.queue import enqueue

    backend = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.rollback()
    if then_queue:
        enqueue(where_it_ran, queue=then_queue, job_id=f"where-after-{then_queue}")
    return {"pid": os.getpid(), "parent": os.getppid(), "backend": backend}

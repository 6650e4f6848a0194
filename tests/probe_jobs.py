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

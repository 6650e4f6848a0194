"""The audit log: every change a person or job makes to compliance data, with before and after."""

from __future__ import annotations

from typing import Any

from integration.extensions import db
from integration.models import AppUser, AuditEvent
from integration.tenancy import scoped


def record(company_id: int, action: str, subject: Any = None, *, actor: AppUser | None = None,
           before: dict | None = None, after: dict | None = None, actor_label: str | None = None,
           subject_type: str | None = None) -> AuditEvent:
    """Add an audit event for ``subject`` (a model row, or ``subject_type`` alone) in the current transaction."""
    event = AuditEvent(
        company_id=company_id,
        actor_user_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email or actor.name if actor else "system"),
        action=action,
        subject_type=subject_type or type(subject).__name__,
        subject_id=getattr(subject, "id", None),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def history(company_id: int, subject: Any) -> list[AuditEvent]:
    """The audit events of one subject, oldest first, within the company."""
    query = (
        scoped(AuditEvent, company_id)
        .where(AuditEvent.subject_type == type(subject).__name__, AuditEvent.subject_id == subject.id)
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))

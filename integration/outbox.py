"""The transactional outbox: emails are rows written with the change that causes them, then sent once.

``add`` writes an email in the caller's transaction, once per idempotency key. ``commit`` commits
and hands what was committed to the sender (the ``emails`` RQ queue; see sync_jobs/emails.py).
``deliver`` sends a batch of rows under a claim, so a duplicated or retried job sends nothing
twice: the rows are claimed (``sending``, with a lease) in one commit before the SMTP conversation,
and each is marked ``sent`` as soon as the server takes it (a few connections send at once).
Transient failures go back to ``queued`` with a backoff; after the last attempt, or on a permanent
refusal, the row ends ``failed`` with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import event, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from integration.extensions import db
from integration.mail_transport import DeliveryError, Senders, build_message
from integration.models import OutreachRequest, SentEmail, SentEmailRequest, VendorContact, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a sender that died holding a row loses it after this
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3))
MAX_ATTEMPTS = len(BACKOFF) + 1
STRANDED_AFTER = timedelta(minutes=1)  # a queued row nobody picked up this long after writing is sent by the sweep
PENDING, COMMITTED = "outbox_pending", "outbox_committed"


@dataclass(frozen=True)
class Email:
    """An email as composed: its kind, recipient, subject, both bodies and any extra headers."""

    kind: str
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def add(email: Email, key: str, *, company_id: int | None, requests: Iterable[OutreachRequest] = ()) -> SentEmail:
    """Write ``email`` to the outbox in the current transaction; the same ``key`` again returns the first row.

    One statement: a row whose key is already written (even by another transaction at this moment) is
    "already queued"; any other broken rule (an unknown company, a kind we do not send) raises.
    """
    row = db.session.scalar(_insert_once(db.session.get_bind().dialect.name), {
        "idempotency_key": key, "company_id": company_id, "kind": email.kind, "to_address": email.to,
        "subject": email.subject, "body_text": email.text, "body_html": email.html, "headers": dict(email.headers)})
    if row is None:
        return db.session.scalar(select(SentEmail).where(SentEmail.idempotency_key == key))
    db.session.add_all(SentEmailRequest(company_id=r.company_id, sent_email_id=row.id, outreach_request_id=r.id)
                       for r in requests)
    db.session.info.setdefault(PENDING, []).append(row.id)
    return row


@cache
def _insert_once(dialect_name: str):
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING, in the database's own words.

    Built once per dialect with the values as parameters, so writing a row costs no statement building."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (dialect.insert(SentEmail).on_conflict_do_nothing(index_elements=[SentEmail.idempotency_key])
            .returning(SentEmail))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Emails of a committed transaction are ready to send (no SQL may run here; ``release`` sends them)."""
    pending = session.info.pop(PENDING, None)
    if pending:
        session.info.setdefault(COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)


def commit() -> list[int]:
    """Commit the current transaction, then hand every email it (or an earlier commit) wrote to the sender."""
    db.session.commit()
    return release()


def release() -> list[int]:
    """Dispatch the committed, not yet dispatched emails of this session; returns their ids."""
    ids = db.session.info.pop(COMMITTED, [])
    if ids:
        dispatcher: Callable[[list[int]], object] = current_app.extensions["outbox_dispatch"]
        dispatcher(ids)
    return ids


def deliver(ids: Iterable[int], now: Callable[[], datetime] = utcnow) -> dict[str, int]:
    """Send each queued email of ``ids`` over a few reused connections; returns a count per outcome."""
    wanted = list(dict.fromkeys(ids))
    settings = current_app.config["GAPLINE"]
    outgoing = {row.id: (row.to_address, build_message(row, settings.mail_default_sender))
                for row in _claim(wanted, now())}
    db.session.commit()  # the claim holds before any SMTP conversation starts
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": len(wanted) - len(outgoing)}
    with Senders(settings) as senders:
        for finished in senders.send(outgoing):  # each group as the server answers it, while others are in flight
            sent = [email_id for email_id, error in finished if error is None]
            _sent(sent, now())
            counts["sent"] += len(sent)
            for email_id, error in finished:
                if error is not None:
                    counts[_failed(email_id, error, now())] += 1
    return counts


def _claim(ids: list[int], now: datetime) -> list[SentEmail]:
    """Take the rows for sending in one statement: queued and due, or left ``sending`` by a sender whose lease
    ran out. Rows another sender is claiming right now are skipped, never waited for (no two claims deadlock)."""
    if not ids:
        return []
    free = (select(SentEmail.id).where(SentEmail.id.in_(ids), _sendable(now)).order_by(SentEmail.id)
            .with_for_update(skip_locked=True))
    claimed = db.session.scalars(
        update(SentEmail).where(SentEmail.id.in_(free.scalar_subquery()))
        .values(state="sending", claimed_until=now + LEASE, attempts=SentEmail.attempts + 1)
        .returning(SentEmail).execution_options(populate_existing=True))
    return sorted(claimed.all(), key=lambda row: row.id)


def _sent(email_ids: list[int], now: datetime) -> None:
    """The server took these messages: marked sent at once, in one commit for those answered together."""
    if not email_ids:
        return
    db.session.execute(update(SentEmail).where(SentEmail.id.in_(email_ids))
                       .values(state="sent", sent_at=now, claimed_until=None, last_error=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _sendable(now: datetime):
    due = or_(SentEmail.next_attempt_at.is_(None), SentEmail.next_attempt_at <= now)
    return or_((SentEmail.state == "queued") & due, (SentEmail.state == "sending") & (SentEmail.claimed_until < now))


def _failed(email_id: int, error: DeliveryError, now: datetime) -> str:
    row = db.session.get(SentEmail, email_id)
    row.last_error, row.claimed_until = error.reason[:2000], None
    if error.transient and row.attempts < MAX_ATTEMPTS:
        row.state, row.next_attempt_at = "queued", now + BACKOFF[row.attempts - 1]
        outcome = "retry"
    else:
        row.state, row.next_attempt_at = "failed", None
        outcome = "failed"
    if error.recipient_refused:
        row.recipient_refused = True
        _record_refusal(row, error.reason, now)
    log.warning("email %s to %s: %s (%s)", row.id, row.to_address, error.reason, outcome)
    db.session.commit()
    return outcome


def _record_refusal(row: SentEmail, reason: str, now: datetime) -> None:
    """Mark the refused address on the contacts of every vendor the email was about, so the GC sees it."""
    links = db.session.execute(select(SentEmailRequest.company_id, OutreachRequest.vendor_id)
                               .join(OutreachRequest, OutreachRequest.id == SentEmailRequest.outreach_request_id)
                               .where(SentEmailRequest.sent_email_id == row.id)).all()
    for company_id, vendor_id in links:
        contact = db.session.scalar(select(VendorContact).where(
            VendorContact.company_id == company_id, VendorContact.vendor_id == vendor_id,
            VendorContact.email == row.to_address))
        if contact is None:  # the address came from the vendor's own record: keep the refusal on a contact row
            contact = VendorContact(company_id=company_id, vendor_id=vendor_id, email=row.to_address)
            db.session.add(contact)
        contact.mail_refused_at, contact.mail_refusal = now, reason[:500]


def due_for_sweep(now: datetime, limit: int = 1000) -> list[int]:
    """Emails the sweep should hand to the sender: retries now due, stranded rows, expired leases."""
    stranded = (SentEmail.state == "queued") & SentEmail.next_attempt_at.is_(None) & (
        SentEmail.created_at <= now - STRANDED_AFTER)
    retry = (SentEmail.state == "queued") & (SentEmail.next_attempt_at <= now)
    lost = (SentEmail.state == "sending") & (SentEmail.claimed_until < now)
    return list(db.session.scalars(select(SentEmail.id).where(or_(stranded, retry, lost))
                                   .order_by(SentEmail.id).limit(limit)))


def mailbox(limit: int = 200) -> list[SentEmail]:
    """The demo's dev mailbox: the newest emails of every kind and state (never served in production)."""
    return list(db.session.scalars(select(SentEmail).order_by(SentEmail.id.desc()).limit(limit)))


def written(key: str) -> bool:
    """True when an email with this idempotency key is already in the outbox."""
    return db.session.scalar(select(SentEmail.id).where(SentEmail.idempotency_key == key)) is not None

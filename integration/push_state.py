"""Which vendors' Procore records may be out of date, and what Procore last said about each record.

Every status change marks its vendor (``mark_vendors``); after the transaction commits, the app's
push trigger is told which companies have marks, so a debounced push follows within seconds.
A record counts as pushed only when Procore's answer lists it among the accepted entities; a
refused one keeps Procore's message and is retried with a growing delay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import bindparam, delete, event, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from integration.extensions import db
from integration.insurance_records import InsuranceRecord
from integration.models import PendingPush, PushedRecord, utcnow
from integration.tenancy import scoped

log = logging.getLogger(__name__)

DIRTY_KEY = "gapline.dirty_companies"
PUSH_TRIGGER = "gapline.push_trigger"
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=6)
STATEMENT_ROWS = 1000  # marks cleared per statement


def mark_vendors(company_id: int, vendor_ids: Iterable[int], reason: str) -> None:
    """Mark vendors whose records may have changed (in the caller's transaction); the push follows the commit."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return
    now, why = utcnow(), reason[:64]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":  # one statement with the ids as one array, however many they are
        db.session.execute(text(
            "INSERT INTO pending_pushes (company_id, vendor_id, marked_at, reason, generation, not_before) "
            "SELECT :company_id, vendor_id, :now, :reason, 1, NULL FROM unnest(CAST(:ids AS integer[])) AS vendor_id "
            "ON CONFLICT (vendor_id) DO UPDATE SET marked_at = excluded.marked_at, reason = excluded.reason, "
            "not_before = NULL, generation = pending_pushes.generation + 1"),
            {"company_id": company_id, "now": now, "reason": why, "ids": ids})
    else:
        rows = [{"company_id": company_id, "vendor_id": vendor_id, "marked_at": now, "reason": why,
                 "generation": 1, "not_before": None} for vendor_id in ids]
        insert = sqlite.insert(PendingPush).values(rows)
        db.session.execute(insert.on_conflict_do_update(index_elements=["vendor_id"], set_={
            "marked_at": insert.excluded.marked_at, "reason": insert.excluded.reason, "not_before": None,
            "generation": PendingPush.generation + 1}))
    db.session.info.setdefault(DIRTY_KEY, set()).add(company_id)


@dataclass(frozen=True)
class SeenMark:
    """A mark as a push read it: which row, at which generation (a later change bumps the generation)."""

    id: int
    vendor_id: int
    generation: int


def due_marks(company_id: int, now: datetime) -> dict[int, SeenMark]:
    """The company's marks a push should act on now, by vendor (those held back for a retry wait)."""
    query = scoped(PendingPush, company_id).with_only_columns(
        PendingPush.id, PendingPush.vendor_id, PendingPush.generation).where(
        (PendingPush.not_before.is_(None)) | (PendingPush.not_before <= now))
    return {vendor_id: SeenMark(mark_id, vendor_id, generation)
            for mark_id, vendor_id, generation in db.session.execute(query)}


def next_retry(company_id: int) -> datetime | None:
    """When the earliest held-back mark of the company is due, if any."""
    return db.session.scalar(scoped(PendingPush, company_id).with_only_columns(
        db.func.min(PendingPush.not_before)).where(PendingPush.not_before.is_not(None)))


def clear_marks(company_id: int, seen: Iterable[SeenMark]) -> None:
    """Drop the marks a push acted on, unless a newer change bumped them meanwhile (a statement per 1000)."""
    pairs = sorted((mark.id, mark.generation) for mark in seen)
    for start in range(0, len(pairs), STATEMENT_ROWS):
        db.session.execute(delete(PendingPush).where(
            PendingPush.company_id == company_id,
            tuple_(PendingPush.id, PendingPush.generation).in_(pairs[start:start + STATEMENT_ROWS])))


def hold_back(company_id: int, vendor_id: int, seen: SeenMark | None, attempts: int, now: datetime) -> None:
    """Keep a failed vendor marked, due again after the backoff for its ``attempts``.

    A change made since the push read the mark (``seen``) keeps the mark due at once instead.
    """
    due = now + retry_delay(attempts)
    if seen is not None:
        db.session.execute(update(PendingPush).where(PendingPush.company_id == company_id,
                                                     PendingPush.id == seen.id,
                                                     PendingPush.generation == seen.generation)
                           .values(not_before=due))
        return
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PendingPush).values(
        company_id=company_id, vendor_id=vendor_id, marked_at=now, reason="push_failed", generation=1,
        not_before=due)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["vendor_id"]))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... up to 6 h between tries of a refused record."""
    return min(RETRY_CAP, RETRY_BASE * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Sent:
    """A record sent to Procore, with what its bookkeeping row held when it was sent."""

    record: InsuranceRecord
    row_id: int
    vendor_id: int
    procore_insurance_id: int | None
    attempts: int


def record_answers(company_id: int, accepted: list[tuple[Sent, dict]], refused: list[tuple[Sent, str]],
                   run_id: int | None, now: datetime) -> None:
    """Write what Procore said of a batch, in one statement for the accepted records and one for the refused.

    An accepted record keeps its Procore id and the hash of what Procore now holds; a refused one keeps
    Procore's message, and its hash stays that of the last accepted payload.
    """
    table = PushedRecord.__table__
    stamp = utcnow()
    if accepted:
        db.session.execute(
            update(table).where(table.c.company_id == company_id, table.c.id == bindparam("row_id"))
            .values(procore_insurance_id=bindparam("procore_id"), payload_sha256=bindparam("digest"),
                    status=bindparam("record_status"), retired=bindparam("exempt"), last_error=None, attempts=0,
                    pushed_at=now, last_run_id=run_id, updated_at=stamp),
            [{"row_id": sent.row_id, "procore_id": entity.get("id") or sent.procore_insurance_id,
              "digest": sent.record.digest(), "record_status": sent.record.status, "exempt": sent.record.exempt}
             for sent, entity in accepted])
    if refused:
        db.session.execute(
            update(table).where(table.c.company_id == company_id, table.c.id == bindparam("row_id"))
            .values(last_error=bindparam("message"), attempts=bindparam("tries"), last_run_id=run_id,
                    updated_at=stamp),
            [{"row_id": sent.row_id, "message": message[:2000], "tries": sent.attempts + 1}
             for sent, message in refused])


def forget_copy(row: PushedRecord) -> None:
    """Procore no longer holds what we sent (edited or deleted there): the next push sends it again."""
    row.payload_sha256 = None


def record_row(company_id: int, vendor_id: int, record: InsuranceRecord,
               known: dict[str, PushedRecord]) -> PushedRecord:
    """The bookkeeping row of a record, created on first use."""
    row = known.get(record.origin_id)
    if row is None:
        row = known[record.origin_id] = PushedRecord(company_id=company_id, vendor_id=vendor_id,
                                                     origin_id=record.origin_id, line=record.line, attempts=0)
        db.session.add(row)
    return row


def set_push_trigger(app, trigger: Callable[[int], object]) -> None:
    """Wire what runs after a commit that marked vendors of a company (the app factory does this)."""
    app.extensions[PUSH_TRIGGER] = trigger
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    companies = session.info.pop(DIRTY_KEY, None)
    if not companies or not has_app_context():
        return
    trigger = current_app.extensions.get(PUSH_TRIGGER)
    for company_id in sorted(companies):
        try:
            if trigger is not None:
                trigger(company_id)
        except Exception:  # the change is committed and marked; the nightly reconcile still pushes it
            log.exception("could not queue the Procore push for company %s", company_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(DIRTY_KEY, None)

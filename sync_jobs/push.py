"""The Procore push: a company's changed insurance records, up to 1000 a call through the company-level sync.

Only records whose payload hashes differently from what Procore last accepted are sent. Each
batch's answer is recorded at once (so a crash loses nothing Procore accepted); refused items keep
Procore's message and are retried with backoff; a call that still fails after the client's retries
marks nothing pushed, and the push is queued again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app

from integration.evaluations import evaluate_unevaluated
from integration.extensions import db
from integration.insurance_records import InsuranceRecord
from integration.insurance_standing import load_standings
from integration.models import PushedRecord, SyncRun, Vendor, utcnow
from integration.procore_connection import is_app_disconnected, job_client, record_disconnection
from integration.push_state import (
    SeenMark,
    Sent,
    clear_marks,
    due_marks,
    hold_back,
    next_retry,
    record_answers,
    record_row,
)
from integration.queue import debounce_started, enqueue_debounced, job_id_for
from integration.sync_lock import company_sync_lock
from integration.sync_runs import add_counts, calls_since, finish_run, start_run
from integration.tenancy import installation_of, scoped
from procore_client import ProcoreClient, ProcoreError
from procore_client.errors import error_message
from procore_client.sync import SYNC_BATCH_LIMIT
from sync_jobs.context import job

log = logging.getLogger(__name__)

CHUNK = 500  # vendors read from the database at a time
Progress = Callable[[int, int], None]


def push_key(company_id: int) -> str:
    """The debounce key of the company's push."""
    return job_id_for("push", company_id)


def queue_push(company_id: int, *, delay: float | None = None) -> bool:
    """Queue the company's push a few seconds from now, unless one already waits (so bursts share one push).

    Pushes have a queue of their own that workers take first: a change must reach Procore in seconds even
    while a burst of uploads keeps the ``high`` queue busy with readings.
    """
    settings = current_app.config["GAPLINE"]
    return enqueue_debounced(push_company, company_id, key=push_key(company_id),
                             delay=settings.push_debounce_seconds if delay is None else delay,
                             min_interval=settings.push_min_interval_seconds, queue="push")


FAILED_PUSH_RETRY_SECONDS = 60.0  # after a push that broke off: soon, yet a broken one costs at most a call a minute


@job
def push_company(company_id: int, full: bool = False, now: str | None = None) -> int | None:
    """Push the company's out-of-date records (every vendor's when ``full``); returns the run id, None if busy.

    A push that breaks off (a database error, the job's time running out) keeps its marks and queues the
    next push before it fails: the changes it did not send must not wait for another change to come.
    """
    debounce_started(push_key(company_id))
    try:
        return _push_company(company_id, full, now)
    except Exception:
        log.exception("Procore push for company %s broke off; the next one is queued", company_id)
        db.session.rollback()
        queue_push(company_id, delay=FAILED_PUSH_RETRY_SECONDS)
        raise


def _push_company(company_id: int, full: bool, now: str | None) -> int | None:
    installation = installation_of(company_id)
    if installation is None or installation.connection_state != "connected":
        return None  # disconnected: nothing more goes to Procore until an admin reconnects
    with company_sync_lock(company_id) as held:
        if not held:  # another sync job of the company runs: try again after it
            queue_push(company_id, delay=current_app.config["GAPLINE"].push_min_interval_seconds)
            return None
        moment = datetime.fromisoformat(now) if now else utcnow()
        if not full and not due_marks(company_id, moment):
            return None  # nothing changed (or only retries not due yet): no call, no run
        run = start_run(company_id, "push")
        push_records(run, full=full, now=moment)
        return run.id


def push_records(run: SyncRun, *, full: bool = False, now: datetime | None = None,
                 progress: Progress | None = None, batch_size: int = SYNC_BATCH_LIMIT,
                 client: ProcoreClient | None = None, close: bool = True) -> SyncRun:
    """Send what changed for the run's company; call under the company's sync lock.

    A push of its own closes its run; inside a reconcile (``close=False``) a failure raises to the reconcile.
    """
    company_id, now = run.company_id, now or utcnow()
    client = client or job_client(company_id)
    push = Push(run, client, now, batch_size=batch_size, reported=client.http.stats.to_dict())
    try:
        push.all(*_vendor_ids(company_id, full, now), progress)
    except ProcoreError as exc:
        db.session.rollback()
        if not close:
            push.record_counts()
            db.session.commit()
            raise
        return push.failed(exc)
    return push.finish(close=close)


def _vendor_ids(company_id: int, full: bool, now: datetime) -> tuple[list[int], set[int]]:
    """The vendors to examine (every active one, or the active ones marked) and the vendors marked now.

    An inactive vendor's mark just clears. A vendor marked after this moment waits for the next push.
    """
    marked = set(due_marks(company_id, now))
    query = scoped(Vendor, company_id).with_only_columns(Vendor.id).where(Vendor.active.is_(True))
    if not full:
        query = query.where(Vendor.id.in_(list(marked)))
    return list(db.session.scalars(query.order_by(Vendor.id))), marked


@dataclass
class Push:
    """One push's progress: records waiting to be sent, what Procore said, the vendors not finished yet."""

    run: SyncRun
    client: ProcoreClient
    now: datetime
    batch_size: int = SYNC_BATCH_LIMIT
    waiting: list[Sent] = field(default_factory=list)  # plain values: a commit between batches reloads nothing
    open_records: Counter = field(default_factory=Counter)  # vendor id -> records not answered yet
    failed_vendors: dict[int, int] = field(default_factory=dict)  # vendor id -> attempts
    tally: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)
    marks: dict[int, SeenMark] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)  # API calls already added to the run's counts

    @property
    def company_id(self) -> int:
        """The company being pushed."""
        return self.run.company_id

    def all(self, vendor_ids: list[int], marked: set[int], progress: Progress | None) -> None:
        """Examine every vendor in ``vendor_ids`` and send what changed, in batches of up to 1000.

        The marks this push may clear are those of the vendors it examines or found marked at its start,
        read after evaluating (those marks are its own); another vendor marked meanwhile keeps its mark.
        """
        today = self.now.astimezone(UTC).date()
        evaluate_unevaluated(self.company_id, vendor_ids, today)
        answered = marked.union(vendor_ids)
        self.marks = {vendor_id: mark for vendor_id, mark in due_marks(self.company_id, self.now).items()
                      if vendor_id in answered}
        for done, chunk in _chunks(vendor_ids, CHUNK):
            self._examine(chunk, today)
            while len(self.waiting) >= self.batch_size:
                self._send(self.waiting[:self.batch_size])
            if progress:
                progress(done, len(vendor_ids))
        while self.waiting:
            self._send(self.waiting[:self.batch_size])

    def _examine(self, vendor_ids: list[int], today: date) -> None:
        base_url = current_app.config["GAPLINE"].public_base_url
        rows: list[tuple[InsuranceRecord, PushedRecord]] = []
        for standing in load_standings(self.company_id, vendor_ids, base_url=base_url, today=today):
            known = {row.origin_id: row for row in standing.pushed.values()}
            for record in standing.records():
                self.tally["examined"] += 1
                row = known.get(record.origin_id)
                if row is not None and row.payload_sha256 == record.digest() and row.procore_insurance_id:
                    self.tally["unchanged"] += 1
                    continue
                rows.append((record, record_row(self.company_id, standing.vendor.id, record, known)))
                self.open_records[standing.vendor.id] += 1
        db.session.flush()  # new rows get their ids
        self.waiting += [Sent(record, row.id, row.vendor_id, row.procore_insurance_id, row.attempts or 0)
                         for record, row in rows]

    def _send(self, batch: list[Sent]) -> None:
        """One sync call; its answer is committed before the next call."""
        result = self.client.sync_insurances(self.company_id, [sent.record.to_procore() for sent in batch])
        entities = {item.get("origin_id"): item for item in result.entities}
        errors = {item.get("origin_id"): error_message(item, "refused") for item in result.errors}
        accepted, refused = [], []
        for sent in batch:
            origin = sent.record.origin_id
            if origin in entities:
                accepted.append((sent, entities[origin]))
                self.tally["pushed"] += 1
                self.tally["retired"] += int(sent.record.exempt)
            else:
                refused.append((sent, errors.get(origin) or "Procore's answer did not include it"))
                self._refused(sent, refused[-1][1])
            self.open_records[sent.vendor_id] -= 1
        record_answers(self.company_id, accepted, refused, self.run.id, self.now)
        del self.waiting[:len(batch)]
        self.record_counts()
        db.session.commit()

    def _refused(self, sent: Sent, message: str) -> None:
        self.tally["failed"] += 1
        self.failed_vendors[sent.vendor_id] = max(self.failed_vendors.get(sent.vendor_id, 0), sent.attempts + 1)
        self.failures.append({"origin_id": sent.record.origin_id, "message": message})

    def record_counts(self) -> None:
        """Add what was done and the API calls made since the last time to the run's counts."""
        calls = self.client.http.stats.to_dict()
        add_counts(self.run, {**self.tally, **calls_since(self.reported, calls), "failures": self.failures})
        self.tally, self.failures, self.reported = Counter(), [], calls

    def finish(self, *, close: bool = True) -> SyncRun:
        """Clear the marks of vendors now in step, hold back failed ones, queue their retry, close the run."""
        self._settle_marks()
        self.record_counts()
        if close:
            finish_run(self.run, "partial" if self.failed_vendors else "succeeded")
        else:
            db.session.commit()
        self._queue_retry()
        return self.run

    def failed(self, error: ProcoreError) -> SyncRun:
        """A call failed after the client's retries: nothing unanswered counts as pushed; retry later."""
        log.warning("Procore push for company %s stopped: %s", self.company_id, error)
        self.waiting.clear()
        self.record_counts()
        finish_run(self.run, "failed", f"{type(error).__name__}: {error}")
        if is_app_disconnected(error):
            record_disconnection(self.company_id, f"Procore says the app is not connected to this company ({error})")
        else:  # after the rate window resets, when Procore said when that is
            reset = getattr(error, "reset", None)
            queue_push(self.company_id, delay=max(60.0, (reset or 0) - utcnow().timestamp()))
        return self.run

    def _settle_marks(self) -> None:
        for vendor_id, attempts in self.failed_vendors.items():
            hold_back(self.company_id, vendor_id, self.marks.get(vendor_id), attempts, self.now)
        clear_marks(self.company_id, [mark for vendor_id, mark in self.marks.items()
                                      if vendor_id not in self.failed_vendors and self.open_records[vendor_id] <= 0])
        db.session.commit()

    def _queue_retry(self) -> None:
        retry_at = next_retry(self.company_id)
        if retry_at is not None:
            queue_push(self.company_id, delay=max(0.0, (retry_at - utcnow()).total_seconds()))


def _chunks(items: list[int], size: int) -> Iterator[tuple[int, list[int]]]:
    for start in range(0, len(items), size):
        yield min(start + size, len(items)), items[start:start + size]

"""The nightly reconcile of one company: expiries, Procore's copy of our records, the directory, the push.

Each step is recorded in the run's checkpoint as it finishes, so a run whose worker died resumes at
the first step it had not finished (the push itself resumes by hash: what Procore accepted is not
sent again). Only records carrying Gapline's origin_id are read back and repaired; everything else
on a vendor's Insurance tab belongs to someone else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from integration.evaluations import batches, evaluate_vendors
from integration.extensions import db
from integration.insurance_records import is_ours, payload_digest, payload_from_procore
from integration.models import (
    Certificate,
    CertificatePolicy,
    Evaluation,
    Installation,
    Override,
    PushedRecord,
    SyncRun,
)
from integration.procore_connection import is_app_disconnected, job_client, record_disconnection
from integration.procore_failures import in_words
from integration.push_state import forget_copy
from integration.queue import enqueue, enqueue_debounced, job_id_for
from integration.requirement_sets import RequirementCache
from integration.sync_lock import company_sync_lock
from integration.sync_runs import add_counts, calls_since, finish_run, save_checkpoint, start_run
from integration.tenancy import scoped
from procore_client import ProcoreClient, ProcoreError
from sync_jobs.context import job
from sync_jobs.directory_import import run_import
from sync_jobs.push import push_records

log = logging.getLogger(__name__)

READ_PAGE = 1000  # insurance records per page read back: 40 calls for 10,000 vendors with 4 lines each
EXPIRY_HORIZON = timedelta(days=120)  # a policy ending this soon may cross an expiry-notice threshold today
BUSY_RETRY_SECONDS = 120.0
STEPS = ("expiries", "read_back", "directory", "push")
Progress = Callable[[int, int], None]


@job
def reconcile_all_companies() -> int:
    """The nightly run: queue one reconcile per connected company; returns how many were queued."""
    company_ids = db.session.scalars(select(Installation.company_id).where(
        Installation.connection_state == "connected").order_by(Installation.company_id)).all()
    for company_id in company_ids:
        queue_reconcile(company_id)
    return len(company_ids)


def queue_reconcile(company_id: int):
    """Queue the company's reconcile (de-duplicated while one waits)."""
    return enqueue(reconcile_company, company_id, queue="low", job_id=job_id_for("reconcile", company_id),
                   job_timeout=3 * 3600)


@job
def reconcile_company(company_id: int, today: str | None = None) -> int | None:
    """Reconcile one company under its sync lock; returns the run id (None when another sync job held the lock)."""
    with company_sync_lock(company_id) as held:
        if not held:
            enqueue_debounced(reconcile_company, company_id, key=job_id_for("reconcile_later", company_id),
                              delay=BUSY_RETRY_SECONDS)
            return None
        run = start_run(company_id, "reconcile")
        return reconcile(run, date.fromisoformat(today) if today else date.today()).id


def reconcile(run: SyncRun, today: date, *, progress: Progress | None = None) -> SyncRun:
    """Run the steps the run has not finished yet and close it; call under the company's sync lock."""
    client = job_client(run.company_id)
    try:
        for step in STEPS:
            if not run.checkpoint.get(step):
                _run_step(step, run, client, today, progress)
    except ProcoreError as exc:
        db.session.rollback()
        log.warning("reconcile of company %s stopped: %s", run.company_id, exc)
        if is_app_disconnected(exc):
            record_disconnection(run.company_id, "Procore says the app is not connected to this company; a company "
                                                 "admin can reconnect it")
        return finish_run(run, "failed", in_words(exc))
    state = "partial" if run.counts.get("failed") else "succeeded"
    return finish_run(run, state)


def _run_step(step: str, run: SyncRun, client: ProcoreClient, today: date, progress: Progress | None) -> None:
    """One step, its API calls added to the run's counts (the push counts its own), then checkpointed."""
    before = client.http.stats.to_dict()
    try:
        _STEP[step](run, client, today, progress)
    finally:
        if step != "push":
            add_counts(run, calls_since(before, client.http.stats.to_dict()))
    save_checkpoint(run, **{step: True})
    db.session.commit()


def reevaluate_expiries(run: SyncRun, client: ProcoreClient, today: date, progress: Progress | None) -> None:
    """Re-evaluate vendors whose policies or overrides end around today and were not evaluated for today yet."""
    company_id = run.company_id
    requirements = RequirementCache(company_id)
    vendor_ids, done = _expiring(company_id, today), 0
    for chunk in batches(vendor_ids):  # a batch at a time: a crash keeps what is done, and those are not redone
        evaluate_vendors(company_id, chunk, today, "expiry", requirements)
        db.session.commit()
        done += len(chunk)
        if progress:
            progress(done, len(vendor_ids))
    add_counts(run, {"reevaluated": len(vendor_ids)})


def _expiring(company_id: int, today: date) -> list[int]:
    stale = select(Evaluation.vendor_id).where(Evaluation.company_id == company_id, Evaluation.is_current.is_(True),
                                               Evaluation.assignment_id.is_(None), Evaluation.evaluated_for < today)
    policies = select(CertificatePolicy.certificate_id).where(
        CertificatePolicy.company_id == company_id, CertificatePolicy.expiration_date >= today - timedelta(days=7),
        CertificatePolicy.expiration_date <= today + EXPIRY_HORIZON)
    by_policy = select(Certificate.vendor_id).where(Certificate.id.in_(policies))
    by_override = select(Override.vendor_id).where(
        Override.company_id == company_id, Override.revoked_at.is_(None),
        Override.expires_on >= today - timedelta(days=7), Override.expires_on <= today)
    query = stale.where(Evaluation.vendor_id.in_(by_policy) | Evaluation.vendor_id.in_(by_override))
    return sorted(set(db.session.scalars(query)))


def read_back(run: SyncRun, client: ProcoreClient, today: date, progress: Progress | None) -> None:
    """Compare Procore's copy of each of our records with what it last accepted; repair edits and deletions."""
    rows = {row.origin_id: row for row in db.session.scalars(scoped(PushedRecord, run.company_id))}
    seen, edited, foreign = set(), 0, 0
    for entity in client.list_company_insurances(run.company_id, per_page=READ_PAGE):
        origin = entity.get("origin_id")
        if not is_ours(origin):
            continue
        row = rows.get(origin)
        if row is None:
            foreign += 1  # ours by name but not known here: the push's upsert on origin_id takes it over
            continue
        seen.add(origin)
        row.procore_insurance_id = entity.get("id") or row.procore_insurance_id
        if row.payload_sha256 and payload_digest(payload_from_procore(entity)) != row.payload_sha256:
            forget_copy(row)
            edited += 1
    deleted = [row for origin, row in rows.items() if origin not in seen and row.payload_sha256]
    for row in deleted:
        forget_copy(row)
        row.procore_insurance_id = None
    add_counts(run, {"procore_records": len(seen), "edited_in_procore": edited, "deleted_in_procore": len(deleted),
                     "unknown_in_procore": foreign})


def pull_directory(run: SyncRun, client: ProcoreClient, today: date, progress: Progress | None) -> None:
    """Bring in what changed in the Procore directory since the last import (filters[updated_at])."""
    imported = run_import(run.company_id, client=client)  # its own run; a failure raises
    if imported.state != "succeeded":
        raise ProcoreError(imported.error or "the directory import failed")
    add_counts(run, {"directory_vendors": imported.counts.get("vendors", 0)})


def push_differences(run: SyncRun, client: ProcoreClient, today: date, progress: Progress | None) -> None:
    """Push every record that differs from what Procore holds (a full push, by hash)."""
    push_records(run, full=True, progress=progress, client=client, close=False)


_STEP = {"expiries": reevaluate_expiries, "read_back": read_back, "directory": pull_directory,
         "push": push_differences}

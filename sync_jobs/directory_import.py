"""Import the GC's Procore directory: projects, vendors (incrementally by updated_at), contacts, assignments."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from rq import Retry
from sqlalchemy import select

from integration.directory import DirectoryIndex
from integration.evaluations import evaluate_each
from integration.extensions import db
from integration.models import Evaluation, SyncRun, Vendor, utcnow
from integration.procore_connection import is_app_disconnected, job_client, record_disconnection
from integration.procore_failures import in_words
from integration.push_state import mark_vendors
from integration.queue import Enqueued, enqueue, enqueue_debounced, job_id_for
from integration.sync_lock import company_sync_lock
from integration.sync_runs import calls_since
from integration.tenancy import scoped
from procore_client import ProcoreClient, ProcoreError
from sync_jobs.context import job

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 60.0
# A failed import (Procore down, a 5xx, a timeout) is tried again after one, five and fifteen minutes.
IMPORT_RETRY = Retry(max=3, interval=[60, 300, 900])
PAGE = 500  # items per page: fewer calls against the company's rate limit than Procore's default of 100


@job
def import_directory(company_id: int) -> int | None:
    """Run one directory import for the company under its sync lock; returns the SyncRun id. Safe to run twice.

    When another sync job of the company holds the lock, the import is queued again a minute later.
    """
    with company_sync_lock(company_id) as held:
        if not held:
            enqueue_debounced(import_directory, company_id, key=job_id_for("import_later", company_id),
                              delay=BUSY_RETRY_SECONDS)
            return None
        return run_import(company_id).id


def run_import(company_id: int, client: ProcoreClient | None = None,
               progress: Callable[[int, int], None] | None = None) -> SyncRun:
    """One import, recorded as its own run, under the company's sync lock (the caller's).

    A Procore failure is recorded and raised, except "not connected": that run is returned failed,
    since nothing can be retried until an admin reconnects.
    Vendors new to Gapline are marked so their first records are pushed; vendors Procore changed are
    re-evaluated (a new trade can mean other requirements), which marks them too.
    """
    since = _last_success(company_id)
    run = SyncRun(company_id=company_id, kind="directory_import", state="running", started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    client = client or job_client(company_id)
    before = client.http.stats.to_dict()
    try:
        counts, changed = _import(client, company_id, since, run.started_at, progress or (lambda done, total: None))
    except ProcoreError as exc:
        db.session.rollback()
        run.counts = calls_since(before, client.http.stats.to_dict())
        run.state, run.error, run.finished_at = "failed", in_words(exc), utcnow()
        db.session.commit()
        log.warning("directory import for company %s failed: %s", company_id, exc)
        if is_app_disconnected(exc):
            record_disconnection(company_id, "Procore says the app is not connected to this company; a company "
                                             "admin can reconnect it")
            return run
        raise
    counts.update(calls_since(before, client.http.stats.to_dict()))  # the API calls it made, as every run records
    run.state, run.counts, run.finished_at = "succeeded", counts, utcnow()
    db.session.commit()
    follow_changes(company_id, changed)
    return run


def follow_changes(company_id: int, changed: list[Vendor]) -> None:
    """Re-evaluate vendors Procore changed that were evaluated before; mark the new ones for their first push."""
    evaluated = set(db.session.scalars(select(Evaluation.vendor_id).where(
        Evaluation.company_id == company_id, Evaluation.vendor_id.in_([v.id for v in changed]))))
    evaluate_each(company_id, [v.id for v in changed if v.id in evaluated], date.today(), "directory_changed")
    mark_vendors(company_id, [v.id for v in changed if v.id not in evaluated], "directory_import")
    db.session.commit()


def queue_directory_import(company_id: int) -> Enqueued:
    """Queue a directory import for the company (high priority: an admin is waiting); retried when it fails."""
    return enqueue(import_directory, company_id, queue="high", job_id=job_id_for("import_directory", company_id),
                   retry=IMPORT_RETRY)


STALE_RUN = timedelta(hours=1)  # a run "running" longer than this crashed; it no longer counts as under way


def import_under_way(company_id: int, now: datetime | None = None) -> bool:
    """True while the company's directory is being imported: a run is running (started within STALE_RUN), or
    none has finished yet (the first one is queued). A project not imported yet may still arrive."""
    now = now or utcnow()
    runs = scoped(SyncRun, company_id).with_only_columns(SyncRun.id).where(SyncRun.kind == "directory_import")
    if db.session.scalar(runs.where(SyncRun.state == "running", SyncRun.started_at > now - STALE_RUN).limit(1)):
        return True
    return db.session.scalar(runs.where(SyncRun.finished_at.is_not(None)).limit(1)) is None


def _last_success(company_id: int) -> datetime | None:
    return db.session.scalar(
        scoped(SyncRun, company_id).with_only_columns(SyncRun.started_at)
        .where(SyncRun.kind == "directory_import", SyncRun.state == "succeeded")
        .order_by(SyncRun.started_at.desc()).limit(1))


def _import(client: ProcoreClient, company_id: int, since: datetime | None, now: datetime,
            progress: Callable[[int, int], None]) -> tuple[dict, list[Vendor]]:
    """Fetch and upsert in one transaction: a failure part-way writes nothing."""
    index = DirectoryIndex.load(company_id)
    projects = [index.project(p) for p in client.list_projects(company_id, per_page=PAGE)]
    progress(1, 4)
    window = (since, now) if since else None
    vendors = [index.vendor(v) for v in client.list_vendors(company_id, updated_between=window, per_page=PAGE)]
    db.session.flush()  # ids for the contacts and assignments below
    progress(2, 4)
    contacts = _import_contacts(client, index, {v.procore_vendor_id for v in vendors})
    progress(3, 4)
    assignments = _import_assignments(client, index, [p for p in projects if p.active])
    db.session.flush()
    progress(4, 4)
    return {"projects": len(projects), "vendors": len(vendors), "contacts": contacts,
            "assignments": assignments}, vendors


def _import_contacts(client: ProcoreClient, index: DirectoryIndex, changed: set[int]) -> int:
    """One paginated pass over the company's users, keeping those of the vendors just imported."""
    if not changed:
        return 0
    count = 0
    for user in client.list_vendor_users(index.company_id, per_page=PAGE):
        procore_vendor_id = (user.get("vendor") or {}).get("id")
        if procore_vendor_id in changed and index.contact(index.vendors[procore_vendor_id], user) is not None:
            count += 1
    return count


def _import_assignments(client: ProcoreClient, index: DirectoryIndex, projects: list) -> int:
    count = 0
    for project in projects:
        for payload in client.list_project_vendors(index.company_id, project.procore_project_id, per_page=PAGE):
            vendor = index.vendors.get(payload["id"])
            if vendor is not None:
                index.assign(project, vendor)
                count += 1
    return count

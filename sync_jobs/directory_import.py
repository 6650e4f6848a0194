"""Import the GC's Procore directory: projects, vendors (incrementally by updated_at), contacts, assignments."""

from __future__ import annotations

import logging
from datetime import datetime

from integration.directory import DirectoryIndex
from integration.extensions import db
from integration.models import SyncRun, utcnow
from integration.procore_connection import is_app_disconnected, job_client, record_disconnection
from integration.procore_failures import in_words
from integration.queue import Enqueued, enqueue, job_id_for
from integration.tenancy import scoped
from procore_client import ProcoreClient, ProcoreError
from sync_jobs.context import job

log = logging.getLogger(__name__)

PAGE = 500  # items per page: fewer calls against the company's rate limit than Procore's default of 100


@job
def import_directory(company_id: int) -> int:
    """Run one directory import for the company; returns the SyncRun id. Safe to run twice."""
    since = _last_success(company_id)
    run = SyncRun(company_id=company_id, kind="directory_import", state="running", started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    try:
        counts = _import(job_client(company_id), company_id, since, run.started_at)
    except ProcoreError as exc:
        db.session.rollback()
        run.state, run.error, run.finished_at = "failed", in_words(exc), utcnow()
        db.session.commit()
        log.warning("directory import for company %s failed: %s", company_id, exc)
        if is_app_disconnected(exc):
            record_disconnection(company_id, "Procore says the app is not connected to this company; a company "
                                             "admin can reconnect it")
            return run.id  # nothing to retry until an admin reconnects
        raise
    run.state, run.counts, run.finished_at = "succeeded", counts, utcnow()
    db.session.commit()
    return run.id


def queue_directory_import(company_id: int) -> Enqueued:
    """Queue a directory import for the company (high priority: an admin just connected and is waiting)."""
    return enqueue(import_directory, company_id, queue="high", job_id=job_id_for("import_directory", company_id))


def _last_success(company_id: int) -> datetime | None:
    return db.session.scalar(
        scoped(SyncRun, company_id).with_only_columns(SyncRun.started_at)
        .where(SyncRun.kind == "directory_import", SyncRun.state == "succeeded")
        .order_by(SyncRun.started_at.desc()).limit(1))


def _import(client: ProcoreClient, company_id: int, since: datetime | None, now: datetime) -> dict:
    """Fetch and upsert in one transaction: a failure part-way writes nothing."""
    index = DirectoryIndex.load(company_id)
    projects = [index.project(p) for p in client.list_projects(company_id, per_page=PAGE)]
    window = (since, now) if since else None
    vendors = [index.vendor(v) for v in client.list_vendors(company_id, updated_between=window, per_page=PAGE)]
    db.session.flush()  # ids for the contacts and assignments below
    contacts = _import_contacts(client, index, {v.procore_vendor_id for v in vendors})
    assignments = _import_assignments(client, index, [p for p in projects if p.active])
    db.session.flush()
    return {"projects": len(projects), "vendors": len(vendors), "contacts": contacts, "assignments": assignments}


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

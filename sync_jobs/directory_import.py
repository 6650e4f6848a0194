"""Import the GC's Procore directory: projects, vendors (incrementally by updated_at), contacts, assignments."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from integration import directory
from integration.extensions import db
from integration.models import Project, SyncRun, Vendor, utcnow
from integration.procore_connection import procore_client
from procore_client import ProcoreClient, ProcoreError
from sync_jobs.context import job

log = logging.getLogger(__name__)


@job
def import_directory(company_id: int) -> int:
    """Run one directory import for the company; returns the SyncRun id. Safe to run twice."""
    since = _last_success(company_id)
    run = SyncRun(company_id=company_id, kind="directory_import", state="running", started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    try:
        counts = _import(procore_client(company_id), company_id, since, run.started_at)
    except ProcoreError as exc:
        db.session.rollback()
        run.state, run.error, run.finished_at = "failed", f"{type(exc).__name__}: {exc}", utcnow()
        db.session.commit()
        log.warning("directory import for company %s failed: %s", company_id, exc)
        raise
    run.state, run.counts, run.finished_at = "succeeded", counts, utcnow()
    db.session.commit()
    return run.id


def _last_success(company_id: int) -> datetime | None:
    return db.session.scalar(
        select(SyncRun.started_at).where(SyncRun.company_id == company_id, SyncRun.kind == "directory_import",
                                         SyncRun.state == "succeeded").order_by(SyncRun.started_at.desc()).limit(1))


def _import(client: ProcoreClient, company_id: int, since: datetime | None, now: datetime) -> dict:
    """Fetch everything first, then write in one transaction: a failure part-way writes nothing."""
    projects = [directory.upsert_project(company_id, p) for p in client.list_projects(company_id)]
    window = (since, now) if since else None
    vendors = [directory.upsert_vendor(company_id, v) for v in client.list_vendors(company_id, updated_between=window)]
    db.session.flush()
    contacts = _import_contacts(client, company_id, {v.procore_vendor_id: v for v in vendors})
    assignments = _import_assignments(client, company_id, [p for p in projects if p.active])
    db.session.flush()
    return {"projects": len(projects), "vendors": len(vendors), "contacts": contacts, "assignments": assignments}


def _import_contacts(client: ProcoreClient, company_id: int, vendors: dict[int, Vendor]) -> int:
    """One paginated pass over the company's users, keeping those who belong to an imported vendor."""
    if not vendors:
        return 0
    count = 0
    for user in client.list_vendor_users(company_id):
        vendor = vendors.get((user.get("vendor") or {}).get("id"))
        if vendor is not None and directory.upsert_contact(company_id, vendor, user) is not None:
            count += 1
    return count


def _import_assignments(client: ProcoreClient, company_id: int, projects: list[Project]) -> int:
    by_procore_id = {v.procore_vendor_id: v for v in db.session.scalars(
        select(Vendor).where(Vendor.company_id == company_id))}
    count = 0
    for project in projects:
        for payload in client.list_project_vendors(company_id, project.procore_project_id):
            vendor = by_procore_id.get(payload["id"])
            if vendor is not None:
                directory.assign(company_id, project, vendor)
                count += 1
    return count

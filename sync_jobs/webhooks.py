"""Webhook jobs: make the company's hook after it connects, and process the events that arrive on it.

Processing reads each named vendor or project as Procore has it now (one call per resource, however
many events named it), so repeats and any order of arrival give the same result. A vendor that is
new or changed is evaluated at once, which marks it, so its records reach Procore within seconds.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app

from integration.directory import DirectoryIndex
from integration.evaluations import evaluate_each
from integration.extensions import db
from integration.models import SyncRun, WebhookEvent, utcnow
from integration.procore_connection import job_client
from integration.procore_failures import in_words
from integration.queue import Enqueued, debounce_started, enqueue, enqueue_debounced, job_id_for
from integration.sync_lock import company_sync_lock
from integration.sync_runs import add_counts, finish_run, start_run
from integration.webhooks import install_hook, waiting_events
from procore_client import NotFoundError, ProcoreClient, ProcoreError
from sync_jobs.context import job

log = logging.getLogger(__name__)

GATHER_SECONDS = 1.0  # events of one burst (a bulk edit in Procore) are processed together
BUSY_RETRY_SECONDS = 5.0


@job
def set_up_webhooks(company_id: int) -> int:
    """Create the company's hook and triggers in Procore; returns the hook row's id."""
    return install_hook(company_id, job_client(company_id), current_app.config["GAPLINE"].public_base_url).id


def queue_webhook_setup(company_id: int) -> Enqueued:
    """Queue the hook's creation (right after connecting)."""
    return enqueue(set_up_webhooks, company_id, queue="high", job_id=job_id_for("set_up_webhooks", company_id))


def events_key(company_id: int) -> str:
    """The debounce key of the company's event processing."""
    return job_id_for("webhook_events", company_id)


def queue_event_processing(company_id: int, delay: float = GATHER_SECONDS) -> bool:
    """Queue the processing of the company's waiting events (one run for a burst of them)."""
    return enqueue_debounced(process_webhook_events, company_id, key=events_key(company_id), delay=delay,
                             queue="high")


@job
def process_webhook_events(company_id: int) -> int | None:
    """Bring in the vendors and projects the waiting events name; returns the run id (None when busy or idle)."""
    debounce_started(events_key(company_id))
    with company_sync_lock(company_id) as held:
        if not held:
            queue_event_processing(company_id, delay=BUSY_RETRY_SECONDS)
            return None
        events = waiting_events(company_id)
        if not events:
            return None
        run = start_run(company_id, "webhook_events")
        return process_events(run, events, job_client(company_id)).id


def process_events(run: SyncRun, events: list[WebhookEvent], client: ProcoreClient) -> SyncRun:
    """Read each named resource once, apply it, mark the events processed and close the run."""
    company_id = run.company_id
    vendors = sorted({e.resource_id for e in events if e.resource_name == "Company Vendors"})
    projects = sorted({e.resource_id for e in events if e.resource_name == "Projects"})
    index = DirectoryIndex.load_for(company_id, vendors)
    try:
        changed = [_vendor(client, index, vendor_id) for vendor_id in vendors]
        changed += [vendor for project_id in projects for vendor in _project(client, index, project_id)]
    except ProcoreError as exc:
        db.session.rollback()
        add_counts(run, client.http.stats.to_dict())
        queue_event_processing(company_id, delay=60.0)
        return finish_run(run, "failed", in_words(exc))
    db.session.flush()
    evaluate_each(company_id, [v.id for v in changed if v is not None and v.active], date.today(), "procore_webhook")
    for event in events:
        event.processed_at = utcnow()
    add_counts(run, {"events": len(events), "vendors": len(vendors), "projects": len(projects),
                     **client.http.stats.to_dict()})
    return finish_run(run, "succeeded")


def _vendor(client: ProcoreClient, index: DirectoryIndex, procore_vendor_id: int):
    """The vendor as Procore has it now (inactive once Procore no longer has it), with its contacts."""
    try:
        payload = client.show_vendor(index.company_id, procore_vendor_id)
    except NotFoundError:
        gone = index.vendors.get(procore_vendor_id)
        if gone is not None:
            gone.active = False
        return gone
    vendor = index.vendor(payload)
    db.session.flush()
    for user in client.list_vendor_users(index.company_id, procore_vendor_id):
        index.contact(vendor, user)
    for project_id in payload.get("project_ids") or []:
        if project_id in index.projects:
            index.assign(index.projects[project_id], vendor)
    return vendor


def _project(client: ProcoreClient, index: DirectoryIndex, procore_project_id: int) -> list:
    """The project as Procore has it now, and the vendors newly assigned to it."""
    try:
        project = index.project(client.show_project(index.company_id, procore_project_id))
    except NotFoundError:
        gone = index.projects.get(procore_project_id)
        if gone is not None:
            gone.active = False
        return []
    db.session.flush()
    if not project.active:
        return []
    assigned, payloads = [], list(client.list_project_vendors(index.company_id, procore_project_id))
    index.add_vendors([payload["id"] for payload in payloads])
    for payload in payloads:
        vendor = index.vendors.get(payload["id"])
        if vendor is not None and (project.id, vendor.id) not in index.assignments:
            index.assign(project, vendor)
            assigned.append(vendor)
    return assigned

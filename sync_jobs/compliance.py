"""Compliance jobs: re-evaluate after a change, and daily so that expiries flip statuses on their day."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from integration import outbox
from integration.evaluations import evaluate_in_batches
from integration.extensions import db
from integration.models import Installation, Vendor
from integration.outreach.requests import after_evaluation
from integration.queue import Enqueued, enqueue, job_id_for
from integration.requirement_sets import RequirementCache
from integration.tenancy import scoped
from sync_jobs.context import job


@job
def reevaluate_company(company_id: int, trigger: str = "requirements_changed", today: str | None = None,
                       vendor_ids: list[int] | None = None) -> int:
    """Re-evaluate every vendor of the company, or only ``vendor_ids``, in batches; returns how many.

    Each batch is read, evaluated and written in a few statements and committed: a failure later keeps
    what is done. Earlier evaluations stay as history; outreach answers the vendors whose results changed.
    """
    day = date.fromisoformat(today) if today else date.today()
    query = scoped(Vendor, company_id).with_only_columns(Vendor.id).order_by(Vendor.id)
    if vendor_ids is not None:
        query = query.where(Vendor.id.in_(vendor_ids))
    ids = db.session.scalars(query).all()
    requirements = RequirementCache(company_id)  # one read of the sets and carriers for the whole run

    def answer(vendors: list[Vendor]) -> None:
        for vendor in vendors:
            after_evaluation(vendor, trigger, day)

    evaluate_in_batches(company_id, list(ids), day, trigger, requirements, answer, outbox.commit)
    return len(ids)


@job
def reevaluate_all_companies() -> int:
    """The daily run: queue a re-evaluation of every connected company; returns how many were queued."""
    company_ids = db.session.scalars(select(Installation.company_id)).all()
    for company_id in company_ids:
        queue_reevaluation(company_id, "daily", queue="low")  # after any re-evaluation a person asked for
    return len(company_ids)


def queue_reevaluation(company_id: int, trigger: str, queue: str = "default",
                       vendor_ids: Iterable[int] | None = None) -> Enqueued:
    """Queue a re-evaluation of the company, or of only ``vendor_ids`` (de-duplicated while the same one waits)."""
    if vendor_ids is None:
        return enqueue(reevaluate_company, company_id, trigger, queue=queue,
                       job_id=job_id_for("reevaluate", company_id))
    ids = sorted(set(vendor_ids))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return enqueue(reevaluate_company, company_id, trigger, None, ids, queue=queue,
                   job_id=job_id_for("reevaluate", company_id, "vendors", digest))

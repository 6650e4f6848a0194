"""What the full-screen app shows first: the connection, the project in view, and bulk requests from its table."""

from __future__ import annotations

from dataclasses import dataclass, field

from integration.extensions import db
from integration.models import AppUser, Installation, Project, SyncRun, Vendor
from integration.outreach.requests import request_documents
from integration.refusals import Refusal
from integration.tenancy import installation_of, scoped

MOST_AT_ONCE = 200  # vendors one bulk request may name (four pages of the table)


@dataclass
class Overview:
    """The company's connection, the project in view (None: the whole company) and the last directory import."""

    installation: Installation
    project: Project | None
    projects: list[Project] = field(default_factory=list)
    last_import: SyncRun | None = None


def company_overview(company_id: int, procore_project_id: int | None = None, *, project: Project | None = None,
                     installation: Installation | None = None) -> Overview:
    """The company's connection and projects, and its project ``procore_project_id`` when it is one of them.

    ``project`` and ``installation``, when the caller has read them already this request, are not read again.
    """
    if project is None and procore_project_id is not None:
        project = db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == procore_project_id))
    projects = list(db.session.scalars(scoped(Project, company_id).where(Project.active.is_(True))
                                       .order_by(Project.name)))
    last_import = db.session.scalar(scoped(SyncRun, company_id).where(SyncRun.kind == "directory_import")
                                    .order_by(SyncRun.id.desc()).limit(1))
    return Overview(installation or installation_of(company_id), project, projects, last_import)


@dataclass
class BulkRequest:
    """What a bulk "Request COI" did: the vendors asked, and those refused with the reason."""

    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def request_from_vendors(company_id: int, user: AppUser, vendor_ids: list[int], project: Project | None) -> BulkRequest:
    """Request documents from each vendor (for ``project``, or company-wide); each is its own transaction.

    A vendor that cannot be asked (muted, no address, a request already running) is named with the
    reason; the others are asked all the same.
    """
    if not vendor_ids:
        raise Refusal("Choose at least one vendor to request documents from.")
    if len(vendor_ids) > MOST_AT_ONCE:
        raise Refusal(f"Choose at most {MOST_AT_ONCE} vendors at once (you chose {len(vendor_ids)}).")
    names = dict(db.session.execute(scoped(Vendor, company_id).with_only_columns(Vendor.id, Vendor.name)
                                    .where(Vendor.id.in_(vendor_ids))).all())
    outcome = BulkRequest()
    for vendor_id in dict.fromkeys(vendor_ids):
        if vendor_id not in names:
            outcome.refused.append((f"Vendor {vendor_id}", "not one of this company's vendors"))
            continue
        try:
            request_documents(company_id, vendor_id, project.id if project else None, user)
            outcome.sent.append(names[vendor_id])
        except Refusal as refused:
            db.session.rollback()
            outcome.refused.append((names[vendor_id], refused.message))
    return outcome

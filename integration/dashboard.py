"""What the full-screen app shows first: the connection and every vendor's status, for one company."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from integration.extensions import db
from integration.models import Installation, Project, ProjectAssignment, SyncRun, Vendor
from integration.tenancy import installation_of, scoped


@dataclass
class Overview:
    """The company's connection, its vendors (optionally one project's) and a count per status."""

    installation: Installation
    project: Project | None
    vendors: list[Vendor]
    status_counts: dict[str, int] = field(default_factory=dict)
    last_import: SyncRun | None = None


def company_overview(company_id: int, procore_project_id: int | None = None) -> Overview:
    """Vendors of the company, or of one project when ``procore_project_id`` is one of the company's."""
    installation = installation_of(company_id)
    project = None
    query = scoped(Vendor, company_id).order_by(Vendor.name)
    if procore_project_id is not None:
        project = db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == procore_project_id))
    if project is not None:
        query = query.join(ProjectAssignment, ProjectAssignment.vendor_id == Vendor.id).where(
            ProjectAssignment.project_id == project.id)
    vendors = list(db.session.scalars(query))
    last_import = db.session.scalar(scoped(SyncRun, company_id).where(SyncRun.kind == "directory_import")
                                    .order_by(SyncRun.id.desc()).limit(1))
    return Overview(installation, project, vendors, dict(Counter(v.status for v in vendors)), last_import)

"""Which requirement set each vendor is held to: its trade tier over the default, and any project's own set."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from integration.compliance.tiers import TIERS
from integration.extensions import db
from integration.models import Project, ProjectAssignment, RequirementSet, Vendor
from integration.tenancy import scoped

SHOWN = 200  # vendors listed on the page; the count says how many there are in all


@dataclass
class HeldTo:
    """One vendor and the sets it is held to."""

    vendor: Vendor
    base: str  # the company default, or the trade tier over it
    projects: list[str] = field(default_factory=list)  # "<project>: <set>" where a project or tier differs


@dataclass
class HeldToTable:
    """The first vendors with their sets, and how many vendors there are."""

    rows: list[HeldTo]
    total: int


def tier_label(tier: str | None) -> str:
    """A tier's set in words ("High-risk trades"), the company default when there is no tier."""
    return TIERS[tier]["name"] if tier in TIERS else "Company default"


def held_to(company_id: int) -> HeldToTable:
    """The company's vendors by name, each with the set it is held to company-wide and per project."""
    vendors = db.session.scalars(scoped(Vendor, company_id).where(Vendor.active.is_(True))
                                 .order_by(Vendor.name).limit(SHOWN)).all()
    total = db.session.scalar(scoped(Vendor, company_id).with_only_columns(db.func.count())
                              .where(Vendor.active.is_(True))) or 0
    rows = {v.id: HeldTo(v, tier_label(v.trade_tier)) for v in vendors}
    with_sets = set(db.session.scalars(select(RequirementSet.project_id).where(
        RequirementSet.company_id == company_id, RequirementSet.project_id.is_not(None))))
    assignments = db.session.execute(scoped(ProjectAssignment, company_id).add_columns(Project.name)
                                     .join(Project, Project.id == ProjectAssignment.project_id)
                                     .where(ProjectAssignment.vendor_id.in_(rows)).order_by(Project.name)).all()
    for assignment, project_name in assignments:
        row = rows[assignment.vendor_id]
        tier = tier_label(assignment.trade_tier or row.vendor.trade_tier)
        if assignment.project_id in with_sets:
            row.projects.append(f"{project_name}: {tier} + the project's set")
        elif tier != row.base:
            row.projects.append(f"{project_name}: {tier}")
    return HeldToTable(list(rows.values()), total)

"""A requirement change before and after saving: who it reaches, whose status it would flip, and saving it.

The preview runs the real evaluation inside a savepoint that is rolled back, so it counts exactly what
saving would do and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from integration.evaluations import decided_statuses
from integration.extensions import db
from integration.models import AppUser, ProjectAssignment, RequirementSet, Vendor
from integration.push_state import DIRTY_KEY
from integration.requirement_editor import SetScope, as_stored
from integration.requirement_sets import RequirementCache, save_set
from integration.tenancy import scoped


@dataclass(frozen=True)
class Flip:
    """One vendor whose overall status the change would move."""

    vendor: Vendor
    before: str
    after: str


@dataclass(frozen=True)
class Preview:
    """What saving would do: how many vendors the set reaches and whose status would change."""

    reached: int
    flips: list[Flip]


def reached_vendors(company_id: int, scope: SetScope) -> list[int]:
    """The vendors a set is applied to: all for the default, the tier's vendors, the project's vendors."""
    query = scoped(Vendor, company_id).with_only_columns(Vendor.id).where(Vendor.active.is_(True))
    if scope.kind == "tier":
        tiered = select(ProjectAssignment.vendor_id).where(ProjectAssignment.company_id == company_id,
                                                           ProjectAssignment.trade_tier == scope.tier)
        query = query.where(or_(Vendor.trade_tier == scope.tier, Vendor.id.in_(tiered)))
    elif scope.kind == "project":
        query = query.where(Vendor.id.in_(select(ProjectAssignment.vendor_id).where(
            ProjectAssignment.company_id == company_id, ProjectAssignment.project_id == scope.project_id)))
    return list(db.session.scalars(query.order_by(Vendor.id)))


def preview_change(company_id: int, scope: SetScope, body: dict[str, Any], actor: AppUser, today: date) -> Preview:
    """Evaluate the reached vendors under today's sets and under the proposed one; nothing is kept."""
    vendor_ids = reached_vendors(company_id, scope)
    dirty = set(db.session.info.get(DIRTY_KEY, set()))
    savepoint = db.session.begin_nested()
    try:
        before = _statuses(company_id, vendor_ids, today)
        save_set(company_id, as_stored(company_id, scope, body), actor, project_id=scope.project_id, tier=scope.tier)
        after = _statuses(company_id, vendor_ids, today)
        names = {v.id: v for v in db.session.scalars(scoped(Vendor, company_id).where(Vendor.id.in_(vendor_ids)))}
        flips = [Flip(names[vid], before[vid], after[vid]) for vid in vendor_ids if before[vid] != after[vid]]
    finally:
        savepoint.rollback()
        db.session.info[DIRTY_KEY] = dirty  # the preview's marks were rolled back: it asks for no push
    return Preview(len(vendor_ids), flips)


def _statuses(company_id: int, vendor_ids: list[int], today: date) -> dict[int, str]:
    """The vendors' statuses under the sets stored now (in the savepoint, the proposed one), decided in batches
    without writing an evaluation."""
    return decided_statuses(company_id, vendor_ids, today, RequirementCache(company_id))


def save_change(company_id: int, scope: SetScope, body: dict[str, Any], actor: AppUser) -> tuple[RequirementSet,
                                                                                                   list[int]]:
    """Store the set (audited, version + 1) and commit; returns it and the vendors to re-evaluate."""
    row = save_set(company_id, as_stored(company_id, scope, body), actor, project_id=scope.project_id,
                   tier=scope.tier)
    db.session.commit()
    return row, reached_vendors(company_id, scope)

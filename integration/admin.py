"""What the admin home shows: the connection, and a count for each admin screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from integration.extensions import db
from integration.models import AppUser, Certificate, Installation, RequirementSet, SyncRun
from integration.tenancy import installation_of, scoped


@dataclass(frozen=True)
class AdminOverview:
    """One line per admin screen: the connection, requirement sets, team, review queue, last sync."""

    installation: Installation
    connected_by: AppUser | None
    requirement_sets: int
    team: dict[str, int]
    waiting_review: int
    last_sync: SyncRun | None

    @property
    def connected(self) -> bool:
        """True while Procore is connected."""
        return self.installation.connection_state == "connected"


def admin_overview(company_id: int) -> AdminOverview:
    """Where the company's set-up stands, read in a handful of queries."""
    installation = installation_of(company_id)
    connected_by = db.session.scalar(scoped(AppUser, company_id).where(
        AppUser.procore_user_id == installation.installed_by_procore_user_id)) \
        if installation.installed_by_procore_user_id else None
    roles = dict(db.session.execute(scoped(AppUser, company_id).with_only_columns(AppUser.role, func.count())
                                    .group_by(AppUser.role)).all())
    return AdminOverview(
        installation=installation, connected_by=connected_by,
        requirement_sets=db.session.scalar(scoped(RequirementSet, company_id).with_only_columns(func.count())) or 0,
        team=roles,
        waiting_review=db.session.scalar(scoped(Certificate, company_id).with_only_columns(func.count())
                                         .where(Certificate.needs_review.is_(True))) or 0,
        last_sync=db.session.scalar(scoped(SyncRun, company_id).order_by(SyncRun.id.desc()).limit(1)))

"""Which companies and projects a signed-in user can see in Procore, as Procore said when they signed in.

The project in a URL (Procore puts it there, and anyone can edit it) must be one of the company's and one the
user can see in Procore. Gapline reads the user's companies and their list of the company's projects with the
user's own token at sign-in (integration.connections), keeps the ids on the user's row with when they were read,
and revokes the token. A list older than MAX_AGE, or one Procore did not give, is not trusted: the user signs in
again (in the popup) and the list is read afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from integration.models import AppUser, utcnow
from integration.refusals import Refusal

MAX_AGE = timedelta(hours=4)
VISIBLE, HIDDEN, UNKNOWN = "visible", "hidden", "unknown"


class ProjectNotVisible(Refusal):
    """The project is the company's, but not one the user can see in Procore (or Gapline cannot tell: ``unknown``)."""

    status = 403

    def __init__(self, message: str, *, reason: str, read_at: datetime | None) -> None:
        super().__init__(message)
        self.reason, self.read_at = reason, read_at


def record(user: AppUser, company_ids: Iterable[int] | None, project_ids: Iterable[int] | None,
           now: datetime | None = None) -> None:
    """Keep what Procore showed ``user`` at sign-in (None: Procore did not say, so nothing is trusted)."""
    user.procore_company_ids = None if company_ids is None else sorted({int(c) for c in company_ids})
    user.procore_project_ids = None if project_ids is None else sorted({int(p) for p in project_ids})
    user.visibility_read_at = now or utcnow()


def project_visibility(user: AppUser, procore_project_id: int, now: datetime | None = None) -> str:
    """VISIBLE, HIDDEN, or UNKNOWN (never read, Procore did not say, or read longer than MAX_AGE ago)."""
    now = now or utcnow()
    if user.procore_project_ids is None or user.visibility_read_at is None or \
            now - user.visibility_read_at >= MAX_AGE:
        return UNKNOWN
    return VISIBLE if procore_project_id in user.procore_project_ids else HIDDEN


def require_visible(user: AppUser, procore_project_id: int, now: datetime | None = None) -> None:
    """Refuse (ProjectNotVisible) a project ``user`` cannot be shown to see in Procore."""
    seen = project_visibility(user, procore_project_id, now)
    if seen == VISIBLE:
        return
    if seen == HIDDEN:
        raise ProjectNotVisible(
            f"Procore project {procore_project_id} is not one of the projects you can see in Procore, so Gapline "
            "shows nothing of it. If you were added to it after you signed in, sign in again.",
            reason=HIDDEN, read_at=user.visibility_read_at)
    hours = int(MAX_AGE.total_seconds() // 3600)
    raise ProjectNotVisible(
        f"Gapline reads the Procore projects you can see when you sign in; that was more than {hours} hours ago, or "
        f"Procore did not answer then, so Gapline cannot tell whether you can see Procore project "
        f"{procore_project_id}. Sign in again to open it.", reason=UNKNOWN, read_at=user.visibility_read_at)


def can_see_company(user: AppUser, company_id: int) -> bool | None:
    """Whether Procore listed ``company_id`` among the user's companies at sign-in (None: not known)."""
    if user.procore_company_ids is None:
        return None
    return company_id in user.procore_company_ids

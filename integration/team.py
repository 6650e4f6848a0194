"""The company's Gapline users and the roles an admin gives them (Procore company admins are admins anyway)."""

from __future__ import annotations

from integration import audit
from integration.extensions import db
from integration.models import AppUser
from integration.models.installation import ROLES
from integration.refusals import Refusal
from integration.roles import is_admin
from integration.tenancy import get_scoped, scoped


class RoleRefused(Refusal):
    """The role was not changed; the message says why."""

    status = 403


def team(company_id: int) -> list[AppUser]:
    """The company's Gapline users, admins first, then by name."""
    users = db.session.scalars(scoped(AppUser, company_id)).all()
    return sorted(users, key=lambda user: (ROLES.index(user.role), (user.name or user.email).lower()))


def grant_role(company_id: int, actor: AppUser, user_id: int, role: str) -> AppUser:
    """Give one of the company's users ``role`` (admins only; never your own role), audited."""
    if not is_admin(actor) or actor.company_id != company_id:
        raise RoleRefused(is_admin.refusal(actor))
    if role not in ROLES:
        raise RoleRefused(f"role must be one of {', '.join(ROLES)}; got {role!r}.", status=400)
    user = get_scoped(AppUser, user_id, company_id)
    if user is None:
        raise RoleRefused(f"User {user_id} is not one of this company's Gapline users.", status=404)
    if user.id == actor.id:
        raise RoleRefused("You cannot change your own role; ask another admin.", status=400)
    if user.role != role:
        audit.record(company_id, "user.role_changed", user, actor=actor, before={"role": user.role},
                     after={"role": role})
        user.role = role
        db.session.commit()
    return user

"""The team page: an admin sees the company's Gapline users and gives each a role."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from integration.models.installation import ROLES
from integration.refusals import Refusal
from integration.roles import is_admin
from integration.team import grant_role, team

bp = Blueprint("team", __name__, url_prefix="/procore/companies/<int:company_id>/team")


@bp.get("/")
@requires_user(is_admin)
def index(company_id: int):
    """Everyone who has signed in to Gapline for the company, with their role."""
    return render_template("team/index.html", users=team(company_id), roles=ROLES, company_id=company_id,
                           user=g.user)


@bp.post("/<int:user_id>")
@requires_user(is_admin)
def set_role(company_id: int, user_id: int):
    """Give one user a role."""
    try:
        changed = grant_role(company_id, g.user, user_id, request.form.get("role", ""))
    except Refusal as exc:
        flash(f"Role not changed: {exc.message}", "error")
    else:
        flash(f"{changed.name or changed.email} is now {changed.role.replace('_', ' ')}.", "ok")
    return redirect(url_for(".index", company_id=company_id), 303)

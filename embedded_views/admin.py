"""The admin area inside Procore: one home linking every admin screen, and the Procore connection."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from embedded_views.auth import requires_user
from integration.admin import admin_overview
from integration.roles import is_admin

bp = Blueprint("admin", __name__, url_prefix="/procore/companies/<int:company_id>/admin")


@bp.get("/")
@requires_user(is_admin)
def index(company_id: int):
    """Links to every admin screen, each with one line of where things stand."""
    return render_template("admin/index.html", overview=admin_overview(company_id), company_id=company_id,
                           user=g.user)


@bp.get("/connection")
@requires_user(is_admin)
def connection(company_id: int):
    """The Procore connection: who connected it and when; reconnect in the popup, or disconnect."""
    return render_template("admin/connection.html", overview=admin_overview(company_id), company_id=company_id,
                           user=g.user)


@bp.get("/connection/disconnect")
@requires_user(is_admin)
def confirm_disconnect(company_id: int):
    """The separate step before disconnecting, naming everything that stops."""
    return render_template("admin/disconnect.html", overview=admin_overview(company_id), company_id=company_id,
                           user=g.user)

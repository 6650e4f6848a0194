"""The sync page for admins: the last runs against Procore and the records Procore refused."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from embedded_views.auth import requires_user
from integration.roles import is_admin
from integration.sync_runs import failing_records, recent_runs

bp = Blueprint("sync", __name__, url_prefix="/procore/companies/<int:company_id>/sync")


@bp.get("/")
@requires_user(is_admin)
def index(company_id: int):
    """Each recent run (kind, start, end, what it examined, pushed and failed, API calls) and failing records."""
    return render_template("sync/index.html", runs=recent_runs(company_id), failing=failing_records(company_id),
                           company_id=company_id, user=g.user)

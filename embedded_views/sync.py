"""The sync page for admins: the last runs against Procore and the records Procore refused."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template

from embedded_views.auth import requires_user
from embedded_views.project_table import app_home_url
from integration.roles import is_admin
from integration.sync_runs import failing_records, recent_runs
from sync_jobs.directory_import import queue_directory_import

bp = Blueprint("sync", __name__, url_prefix="/procore/companies/<int:company_id>/sync")


@bp.get("/")
@requires_user(is_admin)
def index(company_id: int):
    """Each recent run (kind, start, end, what it examined, pushed and failed, API calls) and failing records."""
    return render_template("sync/index.html", runs=recent_runs(company_id), failing=failing_records(company_id),
                           company_id=company_id, user=g.user)


@bp.post("/import")
@requires_user(is_admin)
def run_import(company_id: int):
    """Run the directory import again (admins), e.g. after it failed; the page shows how it went."""
    queue_directory_import(company_id)
    flash("The directory import is running again; its result shows here when it ends.", "ok")
    return redirect(app_home_url(company_id)), 303

"""The full-screen app's table: a project's vendors (or the company's, for admins) and bulk "Request COI".

The project stays in context: the app remembers the last project opened for the company in the
session, so a link to the app's home (the brand, "All vendors") comes back to that project.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from embedded_views import page_cache
from embedded_views.auth import requires_user, signed_in_installation
from integration.dashboard import BulkRequest, company_overview, request_from_vendors
from integration.extensions import db
from integration.models import Project
from integration.outreach.next_steps import waiting_actions
from integration.procore_visibility import HIDDEN, project_visibility, require_visible
from integration.refusals import Refusal
from integration.roles import can_manage, is_admin
from integration.tenancy import scoped
from integration.vendor_table import TableFilter, vendor_table

bp = Blueprint("vendor_table", __name__, url_prefix="/procore/companies/<int:company_id>")
PROJECT_KEY = "gapline_project"  # the session's {company_id: procore_project_id} last opened
# Routes whose project_id is Procore's (elsewhere, such as the requirement editor, it is Gapline's own id).
PROCORE_PROJECT_ROUTES = {"procore.app_home", "vendor_table.request_coi"}


def render_app_home(company_id: int, procore_project_id: int | None):
    """The app's home: the project's table, the company's (admins, or ``scope=company``), or a project to choose."""
    remembered = remembered_project(company_id)
    chosen = request.args.get("project", type=int) or (None if request.args.get("scope") == "company" else remembered)
    if procore_project_id is None and chosen:
        return redirect(url_for("procore.app_home", company_id=company_id, project_id=chosen))
    if procore_project_id is None:  # (a project's page was looked for before its project was checked: app_home)
        kept = page_cache.served(company_id, None, remembered)
        if kept is not None:
            return kept
    kept_as = page_cache.key(company_id, procore_project_id, remembered)  # before anything is read or flashed
    checked = g.get("project")  # the project was checked (procore.app_home): not read again
    overview = company_overview(company_id, procore_project_id, installation=signed_in_installation(company_id),
                                project=checked if checked is not None and procore_project_id is not None
                                and checked.procore_project_id == procore_project_id else None)
    overview.projects = [p for p in overview.projects  # no name of a project Procore hides from the user
                         if project_visibility(g.user, p.procore_project_id) != HIDDEN]
    if overview.project is not None:
        remember_project(company_id, procore_project_id)
    wanted, today = TableFilter.from_args(request.args), date.today()
    table, waiting = None, {}
    if overview.project is not None or is_admin(g.user):
        table = vendor_table(company_id, overview.project.id if overview.project else None, wanted, today)
        waiting = waiting_actions(company_id, overview.project.id if overview.project else None, table.rows)
    page = render_template("procore/app_home.html", overview=overview, table=table, user=g.user, today=today,
                           waiting=waiting,
                           company_id=company_id, table_href=_table_href(company_id, procore_project_id),
                           vendor_href=_vendor_href(company_id, overview.project))
    page_cache.keep(kept_as, page)
    return page


def _vendor_href(company_id: int, project: Project | None):
    """A row's link to its vendor's page, built from one url_for (a url_for per row costs more than the row)."""
    marker = 987654321
    url = url_for("vendors.show", company_id=company_id, vendor_id=marker,
                  project=project.procore_project_id if project is not None else None)
    head, tail = url.split(f"/{marker}", 1)
    return lambda vendor_id: f"{head}/{int(vendor_id)}{tail}"


def _table_href(company_id: int, procore_project_id: int | None):
    """The table's own URL with other query arguments (the company-wide one says so, or it would go to a project)."""
    scope = {"project_id": procore_project_id} if procore_project_id else {"scope": "company"}
    return lambda args: url_for("procore.app_home", company_id=company_id, **scope, **args)


def remembered_project(company_id: int) -> int | None:
    """The Procore project this browser last opened for the company, if any."""
    return (session.get(PROJECT_KEY) or {}).get(str(company_id))


def remember_project(company_id: int, procore_project_id: int) -> None:
    """Keep the project in context for the company's later pages."""
    if remembered_project(company_id) != procore_project_id:
        session[PROJECT_KEY] = {**(session.get(PROJECT_KEY) or {}), str(company_id): procore_project_id}


def app_home_url(company_id: int) -> str:
    """The app's home for the project in context (the URL's once checked as one the user may see, else the
    remembered one), else the company's: a refusal page never links back to the project it refused."""
    in_url = (request.view_args or {}).get("project_id") if request.endpoint in PROCORE_PROJECT_ROUTES else None
    if in_url or request.args.get("project", type=int):
        checked = g.get("project")
        in_url = checked.procore_project_id if checked is not None else None
    project = in_url or remembered_project(company_id)
    if project and str(project).isdigit():
        return url_for("procore.app_home", company_id=company_id, project_id=project)
    return url_for("procore.app_home", company_id=company_id)


@bp.post("/vendors/request")
@bp.post("/projects/<int:project_id>/vendors/request")
@requires_user(can_manage)
def request_coi(company_id: int, project_id: int | None = None):
    """Bulk "Request COI": ask each chosen vendor for documents for the project (or company-wide)."""
    project = None
    if project_id is not None:
        project = db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == project_id))
        if project is None:
            abort(404, description=f"Project {project_id} is not one of this company's projects.")
        require_visible(g.user, project_id)  # one the user cannot see in Procore is refused (403), nothing sent
    chosen = [int(v) for v in request.form.getlist("vendor_id") if v.isdigit()]
    try:
        outcome = request_from_vendors(company_id, g.user, chosen, project)
    except Refusal as refused:
        outcome = BulkRequest(refused=[("anyone", refused.message)])
    if outcome.sent:
        flash(f"Requested documents from {len(outcome.sent)} vendor{'' if len(outcome.sent) == 1 else 's'}: "
              f"{', '.join(outcome.sent)}.", "ok")
    for name, reason in outcome.refused:
        flash(f"Not sent to {name}: {reason}", "error")
    back = url_for("procore.app_home", company_id=company_id, project_id=project_id) if project_id else \
        url_for("procore.app_home", company_id=company_id, scope="company")
    return redirect(back, 303)

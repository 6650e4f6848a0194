"""The requirement-set editor: the company default, trade tiers and project sets, previewed before saving."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from integration.compliance.requirement_schema import RequirementSetError
from integration.compliance.tiers import TIERS
from integration.procore_visibility import require_visible
from integration.requirement_changes import preview_change, save_change
from integration.requirement_editor import SetScope, body_from_form, current_body, form_lines, project_scope, scopes
from integration.requirement_held import held_to
from integration.roles import is_admin
from sync_jobs.compliance import queue_reevaluation

bp = Blueprint("requirements", __name__, url_prefix="/procore/companies/<int:company_id>/requirements")


def _scope(company_id: int, tier: str | None = None, project_id: int | None = None) -> SetScope:
    if tier is not None:
        if tier not in TIERS:
            abort(404, description=f"No trade tier {tier!r}; the tiers are {', '.join(TIERS)}.")
        return SetScope("tier", tier)
    if project_id is not None:
        found = project_scope(company_id, project_id) or abort(404, description="No such project in this company.")
        require_visible(g.user, project_id)  # a project the admin cannot see in Procore is refused (403)
        return found
    return SetScope("default")


@bp.route("/", methods=["GET", "POST"], endpoint="index")
@bp.route("/tiers/<tier>", methods=["GET", "POST"], endpoint="tier")
@bp.route("/projects/<int:project_id>", methods=["GET", "POST"], endpoint="project")
@requires_user(is_admin)
def edit(company_id: int, tier: str | None = None, project_id: int | None = None):
    """One set's form; Preview shows whose status would flip, Save stores it and queues the re-evaluation."""
    scope = _scope(company_id, tier, project_id)
    start = current_body(company_id, scope)
    if request.method == "GET":
        return _page(company_id, scope, start)
    try:
        body = body_from_form(start, request.form)
    except RequirementSetError as refused:
        return _page(company_id, scope, start, form=request.form, errors=refused.errors,
                     previewing=request.form.get("action") != "save"), 400
    if request.form.get("action") != "save":
        preview = preview_change(company_id, scope, body, g.user, date.today())
        return _page(company_id, scope, body, preview=preview)
    row, vendor_ids = save_change(company_id, scope, body, g.user)
    queue_reevaluation(company_id, "requirements_changed", vendor_ids=vendor_ids)
    flash(f"{scope.label} saved (version {row.version}); re-evaluating {len(vendor_ids)} vendor"
          f"{'s' if len(vendor_ids) != 1 else ''} now.", "ok")
    return redirect(url_for(request.endpoint, **request.view_args), 303)  # keeps ?project= (navigation.py)


def _page(company_id: int, scope: SetScope, body: dict, *, form=None, errors=(), preview=None, previewing=False):
    return render_template("requirements/edit.html", scope=scope, scopes=scopes(company_id), body=body,
                           lines=form_lines(body), form=form, errors=list(errors), preview=preview,
                           previewing=previewing,
                           held=held_to(company_id) if scope.kind == "default" else None,
                           scope_url=lambda other: scope_url(company_id, other), company_id=company_id, user=g.user)


def scope_url(company_id: int, scope: SetScope) -> str:
    """The editor's address for a set (used by the template's list of sets)."""
    if scope.kind == "tier":
        return url_for("requirements.tier", company_id=company_id, tier=scope.tier)
    if scope.kind == "project":
        return url_for("requirements.project", company_id=company_id, project_id=scope.project.procore_project_id)
    return url_for("requirements.index", company_id=company_id)

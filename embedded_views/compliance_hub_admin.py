"""Admin pages in the app: who may use the Compliance Hub, bulk download, and vendors' work windows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from integration.compliance_hub import access
from integration.extensions import db
from integration.models import Project
from integration.procore_visibility import require_visible
from integration.refusals import Refusal
from integration.roles import is_admin
from integration.tenancy import scoped
from integration.work_windows import import_work_windows, project_windows, set_work_window, work_windows_csv
from sync_jobs.compliance import queue_reevaluation

bp = Blueprint("compliance_hub_admin", __name__, url_prefix="/procore/companies/<int:company_id>")


@bp.get("/compliance-hub")
@requires_user(is_admin)
def index(company_id: int):
    """Accounts with their projects and members; invite, revoke, toggle bulk download."""
    return render_template("compliance_hub/admin.html", company_id=company_id, user=g.user,
                           accounts=access.accounts(company_id), projects=_projects(company_id))


@bp.post("/compliance-hub/invitations")
@requires_user(is_admin)
def invite(company_id: int):
    """Invite a person: into a new account for the chosen projects, or into an existing account."""
    form = request.form
    with _refusals_flashed("Not invited"):
        invitee = access.Invitee.typed(form.get("email", ""), form.get("name", ""))
        if form.get("account_id", type=int):
            access.invite_to_account(company_id, g.user, invitee, form.get("account_id", type=int))
        else:
            access.invite_to_new_account(company_id, g.user, invitee, form.get("account_name", ""),
                                         form.getlist("project_id", type=int))
        flash(f"Invited {invitee.email}: their sign-in link is on its way.", "ok")
    return redirect(url_for(".index", company_id=company_id), 303)


@bp.post("/compliance-hub/members/<int:member_id>/revoke")
@requires_user(is_admin)
def revoke(company_id: int, member_id: int):
    """End a member's access now."""
    with _refusals_flashed("Not revoked"):
        member = access.revoke(company_id, g.user, member_id)
        flash(f"{member.email} no longer has access.", "ok")
    return redirect(url_for(".index", company_id=company_id), 303)


@bp.post("/compliance-hub/accounts/<int:account_id>/bulk-download")
@requires_user(is_admin)
def bulk_download(company_id: int, account_id: int):
    """Turn bulk download on or off for an account."""
    with _refusals_flashed("Not changed"):
        account = access.set_bulk_download(company_id, g.user, account_id, request.form.get("enabled") == "1")
        flash(f"Bulk download is {'on' if account.bulk_download else 'off'} for {account.name}.", "ok")
    return redirect(url_for(".index", company_id=company_id), 303)


@bp.post("/compliance-hub/accounts/<int:account_id>/projects")
@requires_user(is_admin)
def projects(company_id: int, account_id: int):
    """Change which projects an account sees."""
    with _refusals_flashed("Projects not changed"):
        account = access.set_projects(company_id, g.user, account_id, request.form.getlist("project_id", type=int))
        flash(f"Projects saved for {account.name}.", "ok")
    return redirect(url_for(".index", company_id=company_id), 303)


@bp.get("/work-windows")
@requires_user(is_admin)
def work_windows(company_id: int):
    """Pick a project whose vendors' work windows to set."""
    chosen = request.args.get("project", type=int)
    if chosen:
        return redirect(url_for(".project_work_windows", company_id=company_id, project_id=chosen))
    return render_template("compliance_hub/work_windows.html", company_id=company_id, user=g.user,
                           projects=_projects(company_id), project=None, windows=[])


@bp.get("/work-windows/<int:project_id>")
@requires_user(is_admin)
def project_work_windows(company_id: int, project_id: int):
    """Each vendor on the project (by its Procore id, as Procore's pages name it) with its work window."""
    project = _project(company_id, project_id)
    require_visible(g.user, project_id)  # a project the admin cannot see in Procore is refused (403)
    return render_template("compliance_hub/work_windows.html", company_id=company_id, user=g.user,
                           projects=_projects(company_id), project=project,
                           windows=project_windows(company_id, project.id))


@bp.post("/work-windows/assignments/<int:assignment_id>")
@requires_user(is_admin)
def save_work_window(company_id: int, assignment_id: int):
    """Set one vendor's work window on a project, then re-evaluate that vendor."""
    with _refusals_flashed("Not saved"):
        changed = set_work_window(company_id, g.user, assignment_id, request.form.get("work_start", ""),
                                  request.form.get("work_end", ""))
        _reevaluate(company_id, changed)
    return redirect(url_for(".project_work_windows", company_id=company_id,
                            project_id=request.form.get("project_id", type=int) or 0), 303)


@bp.post("/work-windows/<int:project_id>/csv")
@requires_user(is_admin)
def upload_work_windows(company_id: int, project_id: int):
    """Set the project's work windows from a CSV: every row or none."""
    upload, project = request.files.get("file"), _project(company_id, project_id)
    with _refusals_flashed("Not saved"):
        changed = import_work_windows(company_id, g.user, project.id, upload.read() if upload else b"")
        _reevaluate(company_id, changed)
    return redirect(url_for(".project_work_windows", company_id=company_id, project_id=project_id), 303)


@bp.get("/work-windows/<int:project_id>.csv")
@requires_user(is_admin)
def download_work_windows(company_id: int, project_id: int):
    """The project's work windows as a CSV to fill in and upload."""
    project = _project(company_id, project_id)
    return Response(work_windows_csv(company_id, project.id), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="work-windows-project-{project_id}.csv"'})


def _reevaluate(company_id: int, vendor_ids: list[int]) -> None:
    if vendor_ids:
        queue_reevaluation(company_id, "work_window", vendor_ids=vendor_ids)
    flash(f"Saved {len(vendor_ids)} work window{'' if len(vendor_ids) == 1 else 's'}"
          f"{'; those vendors are being re-evaluated' if vendor_ids else ' (nothing had changed)'}.", "ok")


@contextmanager
def _refusals_flashed(prefix: str) -> Iterator[None]:
    """A refusal inside the block becomes a flashed message (nothing was saved), and the view carries on."""
    try:
        yield
    except Refusal as error:
        db.session.rollback()
        flash(f"{prefix}: {error.message}", "error")


def _projects(company_id: int) -> list[Project]:
    return list(db.session.scalars(scoped(Project, company_id).order_by(Project.name)))


def _project(company_id: int, procore_project_id: int) -> Project:
    project = db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == procore_project_id))
    if project is None:
        abort(404, description="No such project in this company.")
    return project

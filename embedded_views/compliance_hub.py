"""The Compliance Hub outside Procore: owners, lenders and auditors sign in by link and pull certificates."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, stream_with_context, url_for

from embedded_views.compliance_hub_session import end_session, requires_member, start_session
from integration.compliance_hub import access, exports, links
from integration.compliance_hub.table import HubFilter, listed_row, matching_rows, table_page
from integration.extensions import db
from integration.models import Project
from integration.rate_limits import RateLimited
from integration.refusals import Refusal

bp = Blueprint("compliance_hub", __name__, url_prefix="/compliance-hub")
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@bp.after_request
def not_cached(response: Response) -> Response:
    """Certificates and the people who see them stay out of shared caches."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@bp.get("/")
@requires_member
def index():
    """The first project the member may see, or a page saying there is none."""
    projects = access.projects_of(g.member)
    if not projects:
        return render_template("compliance_hub/no_projects.html", member=g.member), 404
    return redirect(url_for(".table", project_id=projects[0].id))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Ask for a sign-in link by email; the answer is the same whether or not the address has access."""
    if request.method == "GET":
        return render_template("compliance_hub/sign_in.html")
    try:
        invitee = access.Invitee.typed(request.form.get("email", ""))
        links.request_links(invitee.email, request.remote_addr or "")
    except Refusal as exc:
        return render_template("compliance_hub/sign_in.html", error=exc.message), exc.status
    except RateLimited as exc:
        db.session.rollback()
        return render_template("compliance_hub/sign_in.html", error=exc.message), exc.status
    return render_template("compliance_hub/link_sent.html", email=invitee.email)


@bp.get("/sign-in/<token>")
def open_link(token: str):
    """The link from the email: a button that signs in (so a mail scanner opening the link uses nothing up)."""
    return render_template("compliance_hub/open_link.html", token=token)


@bp.post("/sign-in/<token>")
def redeem_link(token: str):
    """Use up the link and start the member's session."""
    try:
        member = links.redeem(token, request.remote_addr or "")
    except links.LinkRefused as exc:
        return render_template("compliance_hub/sign_in.html", error=exc.message, refused=exc.reason), exc.status
    start_session(member)
    return redirect(url_for(".index"), 303)


@bp.post("/sign-out")
def sign_out():
    """Sign this browser out of the hub."""
    end_session()
    return redirect(url_for(".sign_in"), 303)


@bp.get("/projects")
@requires_member
def switch():
    """The facility switcher without JavaScript: go to the chosen project's table."""
    return redirect(url_for(".table", project_id=request.args.get("project", type=int) or 0))


@bp.get("/projects/<int:project_id>")
@requires_member
def table(project_id: int):
    """The project's certificates: one row per assignment and certificate period, filtered, sorted, paged."""
    project = _project(project_id)
    try:
        wanted = HubFilter.from_args(request.args)
    except Refusal as exc:
        return _table_page(project, HubFilter(), None, error=exc.message), exc.status
    return _table_page(project, wanted, table_page(project.company_id, project.id, wanted))


def _table_page(project: Project, wanted: HubFilter, page, error: str | None = None) -> str:
    return render_template("compliance_hub/table.html", member=g.member, project=project, wanted=wanted, page=page,
                           projects=access.projects_of(g.member), account=access.account_of(g.member), error=error,
                           teammates=access.teammates(g.member), today=date.today())


@bp.get("/projects/<int:project_id>/certificates/<int:certificate_id>")
@requires_member
def certificate(project_id: int, certificate_id: int):
    """One certificate the table lists on this project: shown in the browser, or as a download."""
    project = _project(project_id)
    row = listed_row(project.company_id, project.id, certificate_id)
    if row is None:
        abort(404, description="No such certificate on this project.")
    document = exports.document_of(g.member, row)
    exports.record_download(g.member, "certificate_downloaded", project.id, [row])
    inline = request.args.get("download") != "1" and document.content_type in INLINE_TYPES
    response = Response(document.read(), mimetype=document.content_type)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{document.filename}"'
    return response


@bp.get("/projects/<int:project_id>/export.csv")
@requires_member
def export_csv(project_id: int):
    """The filtered rows (every page) as CSV, each with its certificate's link."""
    project, wanted = _project(project_id), HubFilter.from_args(request.args).unpaged()
    rows = list(matching_rows(project.company_id, project.id, wanted))
    exports.record_download(g.member, "table_exported", project.id, rows, wanted)

    def link(row) -> str:
        return url_for(".certificate", project_id=project.id, certificate_id=row.certificate_id, _external=True)

    return Response(stream_with_context(exports.table_csv(rows, link)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="certificates-project-{project.id}.csv"'})


@bp.get("/projects/<int:project_id>/certificates.zip")
@requires_member
def export_zip(project_id: int):
    """The filtered rows' certificates as one ZIP, streamed; only when the GC enabled bulk download."""
    project, wanted = _project(project_id), HubFilter.from_args(request.args).unpaged()
    exports.check_bulk_download(access.account_of(g.member).bulk_download)
    rows = list(matching_rows(project.company_id, project.id, wanted))
    exports.record_download(g.member, "certificates_zipped", project.id, rows, wanted)
    return Response(stream_with_context(exports.certificates_zip(project.company_id, rows)), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="certificates-project-{project.id}.zip"'})


@bp.post("/team")
@requires_member
def invite_teammate():
    """Invite a teammate: they get this account's projects and no more."""
    try:
        invitee = access.Invitee.typed(request.form.get("email", ""), request.form.get("name", ""))
        access.invite_teammate(g.member, invitee)
    except (Refusal, RateLimited) as exc:
        db.session.rollback()
        flash(f"Not invited: {exc.message}", "error")
    else:
        flash(f"Invited {invitee.email}: a sign-in link is on its way.", "ok")
    return redirect(request.form.get("back") if _same_site(request.form.get("back")) else url_for(".index"), 303)


def _same_site(path: str | None) -> bool:
    return bool(path) and path.startswith("/compliance-hub/") and not path.startswith("//")


def _project(project_id: int) -> Project:
    """The project if the signed-in member may see it; 404 for every other id, whoever's it is."""
    project = access.project_for(g.member, project_id)
    if project is None:
        abort(404, description="No such project in your Compliance Hub.")
    return project

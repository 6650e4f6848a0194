"""The vendor's Insurance view inside Procore (full screen here, the side panel in sidepanel.py): status, each
coverage line, documents (upload, preview, download), history, the next outreach step, overrides."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, jsonify, render_template, request

from embedded_views.auth import requires_user
from embedded_views.insurance_view import back_to, insurance_context, project_in_context, take_next_step
from embedded_views.uploads import incoming_files
from integration.isolation import BudgetExceeded
from integration.models import Override, StoredFile, Vendor
from integration.outreach.history import outreach_panel
from integration.outreach.requests import OutreachRefused
from integration.overrides import create_override, expiry_date, revoke_override
from integration.previews import page_png
from integration.refusals import Refusal
from integration.roles import can_manage
from integration.storage import get_storage
from integration.submissions import receive
from integration.tenancy import get_scoped
from integration.vendor_view import file_progress, vendor_page
from sync_jobs.reading import queue_reading

bp = Blueprint("vendors", __name__, url_prefix="/procore/companies/<int:company_id>")


@bp.get("/vendors/<int:vendor_id>")
@requires_user()
def show(company_id: int, vendor_id: int):
    """A vendor's compliance: status, gaps with explanations, documents, overrides, history."""
    page = vendor_page(company_id, vendor_id)
    if page is None:
        abort(404, description="No such vendor in this company.")
    project = project_in_context(company_id)
    context = insurance_context(page, project, compact=False)
    return render_template("vendors/show.html", **context, outreach=outreach_panel(page.vendor, context["action"]))


@bp.get("/vendors/<int:vendor_id>/reading")
@requires_user()
def reading(company_id: int, vendor_id: int):
    """How far the reading of each of the vendor's files has gone, and its status (polled by the page)."""
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        abort(404, description="No such vendor in this company.")
    files = [f.to_dict() for f in file_progress(company_id, vendor_id)]
    return jsonify({"status": vendor.status, "files": files, "reading": any(f["state"] == "reading" for f in files)})


@bp.post("/vendors/<int:vendor_id>/next-step")
@requires_user(can_manage)
def next_step(company_id: int, vendor_id: int):
    """The Insurance view's button: Request New COI, Resend Invitation or Send Gaps, as the page showed it."""
    try:
        sent = take_next_step(company_id, vendor_id, request.form.get("action", ""))
        flash(f"{request.form.get('action')}: sent to {sent.recipient_email}.", "ok")
    except (OutreachRefused, Refusal) as refused:
        flash(f"Not sent: {refused.message}", "error")
    return back_to(company_id, vendor_id)


@bp.post("/vendors/<int:vendor_id>/documents")
@requires_user(can_manage)
def upload(company_id: int, vendor_id: int):
    """GC staff upload documents on a vendor's behalf (1 to 6 PDF/JPEG/PNG files)."""
    if get_scoped(Vendor, vendor_id, company_id) is None:
        abort(404, description="No such vendor in this company.")
    files = incoming_files()
    try:
        received = receive(company_id, vendor_id, files, "staff_upload", submitted_by=g.user.email)
    except Refusal as exc:
        flash(f"Nothing was uploaded: {exc.message}", "error")
        return back_to(company_id, vendor_id)
    reading = queue_reading(company_id, received.submission.id)
    one = len(files) == 1
    count = "1 file" if one else f"{len(files)} files"
    if reading.error:
        flash(f"Received {count}, kept safely, but Gapline could not read {'it' if one else 'them'} just now; "
              f"{'it' if one else 'they'} can be read again.", "error")
    else:
        flash(f"Received {count}; {'it is' if one else 'they are'} being read, and this page follows along.", "ok")
    return back_to(company_id, vendor_id)


@bp.get("/files/<int:file_id>")
@requires_user()
def download(company_id: int, file_id: int):
    """A stored document, only to users of its company, always as a download."""
    stored = get_scoped(StoredFile, file_id, company_id)
    if stored is None:
        abort(404, description="No such document in this company.")
    response = Response(get_storage().get(stored.storage_key), mimetype=stored.content_type)
    response.headers["Content-Disposition"] = attachment(stored.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def attachment(name: str) -> str:
    """A Content-Disposition that always downloads: a plain ASCII name, and the real one encoded (RFC 6266)."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "._- ") else "_" for c in name) or "document"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.post("/vendors/<int:vendor_id>/overrides")
@requires_user(can_manage)
def override(company_id: int, vendor_id: int):
    """Waive a gap or mark it compliant (admins and compliance managers; a reason is required)."""
    form = request.form
    try:
        create_override(company_id, g.user, vendor_id, form.get("gap_key", ""), form.get("kind", ""),
                        form.get("reason", ""), date.today(), expires_on=expiry_date(form.get("expires_on", "")))
    except Refusal as exc:
        flash(f"Not overridden: {exc}", "error")
        return back_to(company_id, vendor_id)
    flash("Override saved; the vendor was re-evaluated.", "ok")
    return back_to(company_id, vendor_id)


@bp.post("/overrides/<int:override_id>/revoke")
@requires_user(can_manage)
def revoke(company_id: int, override_id: int):
    """End an override now."""
    found = get_scoped(Override, override_id, company_id)
    if found is None:
        abort(404, description="No such override in this company.")
    if request.form.get("confirm") != "yes":
        flash("Not revoked: tick the box that says the gap comes back, then press Revoke.", "error")
        return back_to(company_id, found.vendor_id)
    ended = revoke_override(company_id, g.user, override_id, date.today())  # a refusal renders as its page
    flash("Override revoked; the gap is back.", "ok")
    return back_to(company_id, ended.vendor_id)


@bp.get("/files/<int:file_id>/pages/<int:page>.png")
@requires_user()
def page_preview(company_id: int, file_id: int, page: int):
    """A page of a stored document as a PNG we rendered ourselves (safe to show inline)."""
    stored = get_scoped(StoredFile, file_id, company_id)
    if stored is None:
        abort(404, description="No such document in this company.")
    try:
        png = page_png(stored, page)
    except BudgetExceeded as exc:
        abort(404, description=f"No preview: {exc}")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=300"})

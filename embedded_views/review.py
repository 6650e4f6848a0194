"""The review queue: certificates the reader was unsure of, checked and corrected (or rejected) by a person."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from integration.extensions import db
from integration.isolation import BudgetExceeded
from integration.models import Certificate
from integration.previews import PLACEHOLDER_WIDTH, PREVIEW_WIDTH, page_png
from integration.refusals import Refusal
from integration.review import approve, editable_fields, queue, reject, stored_file_of
from integration.roles import can_manage
from integration.tenancy import get_scoped

bp = Blueprint("review", __name__, url_prefix="/procore/companies/<int:company_id>/review")


@bp.get("/")
@requires_user(can_manage)
def index(company_id: int):
    """Certificates waiting for a person."""
    return render_template("review/index.html", certificates=queue(company_id), company_id=company_id, user=g.user)


def _certificate(company_id: int, certificate_id: int) -> Certificate:
    return get_scoped(Certificate, certificate_id, company_id) or abort(
        404, description="No such certificate in this company.")


@bp.get("/<int:certificate_id>")
@requires_user(can_manage)
def edit(company_id: int, certificate_id: int):
    """The document beside its extracted fields, the ones that matter and are doubtful marked."""
    certificate = _certificate(company_id, certificate_id)
    return render_template("review/edit.html", certificate=certificate, fields=editable_fields(certificate),
                           stored=stored_file_of(certificate), company_id=company_id, user=g.user)


@bp.get("/<int:certificate_id>/pages/<int:page>.png")
@requires_user(can_manage)
def page_image(company_id: int, certificate_id: int, page: int):
    """A page of the certificate's document: ``?size=small`` is the placeholder shown at once, else full width."""
    stored = stored_file_of(_certificate(company_id, certificate_id))
    width = PLACEHOLDER_WIDTH if request.args.get("size") == "small" else PREVIEW_WIDTH
    try:
        png = page_png(stored, page, width)
    except BudgetExceeded as exc:
        abort(404, description=f"No preview: {exc}")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=300"})


@bp.post("/<int:certificate_id>")
@requires_user(can_manage)
def save(company_id: int, certificate_id: int):
    """Apply corrections and approve; the vendor is re-evaluated."""
    try:
        certificate = approve(company_id, g.user, certificate_id, request.form.to_dict(), date.today())
    except Refusal as exc:
        flash(f"Not saved: {exc}", "error")
        return redirect(url_for(".edit", company_id=company_id, certificate_id=certificate_id)), 303
    flash("Approved; the vendor was re-evaluated.", "ok")
    return redirect(url_for("vendors.show", company_id=company_id, vendor_id=certificate.vendor_id)), 303


@bp.post("/<int:certificate_id>/reject")
@requires_user(can_manage)
def reject_certificate(company_id: int, certificate_id: int):
    """Reject with a reason: the vendor is re-evaluated and asked for a new certificate."""
    try:
        certificate = reject(company_id, g.user, certificate_id, request.form.get("reason", ""), date.today())
    except Refusal as exc:
        db.session.rollback()  # the rejection and its request go together or not at all
        flash(f"Not rejected: {exc.message} Nothing was changed.", "error")
        return redirect(url_for(".edit", company_id=company_id, certificate_id=certificate_id)), 303
    flash("Rejected; the vendor was asked for a new certificate.", "ok")
    return redirect(url_for("vendors.show", company_id=company_id, vendor_id=certificate.vendor_id)), 303

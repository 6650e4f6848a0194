"""The review queue: certificates the reader was unsure of, checked and corrected by a person."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from integration.models import Certificate
from integration.refusals import Refusal
from integration.review import approve, editable_fields, queue, stored_file_of
from integration.roles import can_manage
from integration.tenancy import get_scoped

bp = Blueprint("review", __name__, url_prefix="/procore/companies/<int:company_id>/review")


@bp.get("/")
@requires_user(can_manage)
def index(company_id: int):
    """Certificates waiting for a person."""
    return render_template("review/index.html", certificates=queue(company_id), company_id=company_id, user=g.user)


@bp.get("/<int:certificate_id>")
@requires_user(can_manage)
def edit(company_id: int, certificate_id: int):
    """The document beside its extracted fields, low-confidence ones marked."""
    certificate = get_scoped(Certificate, certificate_id, company_id)
    if certificate is None:
        abort(404, description="No such certificate in this company.")
    return render_template("review/edit.html", certificate=certificate, fields=editable_fields(certificate),
                           stored=stored_file_of(certificate), company_id=company_id, user=g.user)


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

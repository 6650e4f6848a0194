"""The GC's outreach buttons inside Procore: request documents, resend an invitation, send gaps, stop a
request; and the company's account settings (logo, certificate holder, gaps emails, reminder cadence)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from embedded_views.auth import requires_user
from embedded_views.project_table import app_home_url
from integration.extensions import db
from integration.outreach import branding
from integration.outreach.requests import cancel_request, request_documents, resend_invitation, send_gaps
from integration.refusals import Refusal
from integration.roles import can_manage, is_admin
from integration.tenancy import installation_of
from sync_jobs.compliance import queue_reevaluation

bp = Blueprint("outreach", __name__, url_prefix="/procore/companies/<int:company_id>")


def _back(company_id: int, vendor_id: int):
    """Back to the vendor page, with the project it was showing (``?project=``) kept."""
    project = request.args.get("project", type=int)
    return redirect(url_for("vendors.show", company_id=company_id, vendor_id=vendor_id, project=project)), 303


@bp.post("/vendors/<int:vendor_id>/outreach/request")
@requires_user(can_manage)
def request_coi(company_id: int, vendor_id: int):
    """Request New COI: open a request and send the invitation (or resend a non-responsive one)."""
    return _send(company_id, vendor_id, request_documents,
                 "Request sent to {to}; reminders follow on the company's reminder days.")


@bp.post("/vendors/<int:vendor_id>/outreach/gaps")
@requires_user(can_manage)
def gaps(company_id: int, vendor_id: int):
    """Send Gaps: email the open gaps with the upload link."""
    return _send(company_id, vendor_id, send_gaps, "Gaps sent to {to}.")


def _send(company_id: int, vendor_id: int, action, done: str):
    try:
        sent = action(company_id, vendor_id, request.form.get("project_id", type=int) or None, g.user)
        flash(done.format(to=sent.recipient_email), "ok")
    except Refusal as refused:
        flash(f"Not sent: {refused.message}", "error")
    return _back(company_id, vendor_id)


@bp.post("/outreach/<int:request_id>/resend")
@requires_user(can_manage)
def resend(company_id: int, request_id: int):
    """Resend Invitation: start a non-responsive request's reminders again."""
    return _change(company_id, lambda: resend_invitation(company_id, request_id, g.user),
                   "Invitation sent again to {to}.")


@bp.post("/outreach/<int:request_id>/cancel")
@requires_user(can_manage)
def cancel(company_id: int, request_id: int):
    """Stop a request: no more reminders, and its link closes."""
    return _change(company_id, lambda: cancel_request(company_id, request_id, g.user),
                   "Request to {to} stopped; its upload link no longer works.")


def _change(company_id: int, action, done: str):
    try:
        changed = action()
    except Refusal as refused:
        flash(f"Not done: {refused.message}", "error")
        return redirect(app_home_url(company_id)), 303
    flash(done.format(to=changed.recipient_email), "ok")
    return _back(company_id, changed.vendor_id)


@bp.route("/settings/outreach", methods=["GET", "POST"])
@requires_user(is_admin)
def settings(company_id: int):
    """Account settings: the logo on emails, the certificate holder, automatic or manual gaps, the reminder days."""
    if request.method == "POST":
        try:
            saved = branding.save_outreach_settings(
                company_id, g.user, request.form.get("logo_url", ""), request.form.get("gap_email_mode", ""),
                holder=request.form.get("certificate_holder"), cadence=request.form.get("reminder_days"))
        except Refusal as refused:
            db.session.rollback()
            flash(f"Not saved: {refused.message}", "error")
            return _settings_page(company_id, request.form), 400
        if saved.holder_changed:
            queue_reevaluation(company_id, "requirements_changed")
        flash("Account settings saved." + (" Every vendor is being re-evaluated against the new certificate holder."
                                           if saved.holder_changed else ""), "ok")
        return redirect(url_for(".settings", company_id=company_id), 303)
    return _settings_page(company_id, None)


def _settings_page(company_id: int, form):
    return render_template("outreach/settings.html", installation=installation_of(company_id), form=form,
                           holder=branding.certificate_holder(company_id),
                           days=", ".join(map(str, branding.reminder_days(company_id))), company_id=company_id,
                           user=g.user)

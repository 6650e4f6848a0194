"""What the vendor's Insurance view needs, full screen and in the side panel alike: the project in context, the
page's data, the next outreach step, and the way back to where a form was sent from."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import abort, g, redirect, request, url_for

from embedded_views.procore import _same_site_path
from integration.models import OutreachRequest, Project, Vendor
from integration.outreach.history import REQUEST_NEW_COI, RESEND_INVITATION, SEND_GAPS, next_action
from integration.outreach.next_steps import waiting_actions
from integration.outreach.requests import OutreachRefused, request_documents, send_gaps
from integration.roles import can_manage
from integration.tenancy import get_scoped
from integration.vendor_history import people_of, vendor_history
from integration.vendor_view import VendorPage, coverage_lines, file_progress


def project_in_context(company_id: int) -> Project | None:
    """The project named by ``?project=`` (its Procore id), already checked to be the company's by requires_user."""
    project = g.get("project")
    return project if project is not None and project.company_id == company_id else None


def insurance_context(page: VendorPage, project: Project | None, *, compact: bool) -> dict:
    """The template values of the Insurance view for ``page``'s vendor, ``project`` in context."""
    today = date.today()
    lines, whole = coverage_lines(page, project.id if project else None, today)
    vendor = page.vendor
    people = people_of(vendor.company_id)
    decisions = {o.id: (o, people.get(o.created_by_user_id)) for o in page.overrides}
    action = next_action(vendor, project.id if project else None)
    waiting = None  # with no button to press, what happens next in words (as the table's Next action says)
    if action is None:
        row = SimpleNamespace(vendor_id=vendor.id, status=vendor.status, next_action=None)
        waiting = waiting_actions(vendor.company_id, project.id if project else None, [row]).get(vendor.id)
    return {"page": page, "project": project, "lines": lines, "whole_gaps": whole, "compact": compact,
            "decisions": decisions,
            "files": file_progress(vendor.company_id, vendor.id),
            "history": vendor_history(vendor.company_id, vendor.id),
            "action": action, "waiting": waiting, "user": g.user,
            "company_id": vendor.company_id, "here": request.full_path.rstrip("?"), "today": today,
            "manage": can_manage(g.user)}


def take_next_step(company_id: int, vendor_id: int, shown: str) -> OutreachRequest:
    """Do the step the page offered (``shown``), if it is still the step to take; OutreachRefused says why not."""
    project_id = request.form.get("project_id", type=int)
    if project_id is not None and get_scoped(Project, project_id, company_id) is None:
        raise OutreachRefused(f"Project {project_id} is not one of this company's projects.")
    vendor = get_scoped_vendor(company_id, vendor_id)
    now = next_action(vendor, project_id)
    if shown not in (REQUEST_NEW_COI, RESEND_INVITATION, SEND_GAPS) or shown != now:
        step = now or "nothing (its emails are running)"
        raise OutreachRefused(f"The page was out of date: the next step is now {step}; nothing was sent.")
    if shown == SEND_GAPS:
        return send_gaps(company_id, vendor_id, project_id, g.user)
    return request_documents(company_id, vendor_id, project_id, g.user)  # resends a non-responsive one


def get_scoped_vendor(company_id: int, vendor_id: int) -> Vendor:
    """The company's vendor, or a 404 page."""
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        abort(404, description="No such vendor in this company.")
    return vendor


def back_to(company_id: int, vendor_id: int):
    """Back where the form was sent from (a path on this site: the side panel or the page), else the vendor page."""
    target = _same_site_path(request.form.get("next", ""))
    return redirect(target or url_for("vendors.show", company_id=company_id, vendor_id=vendor_id), 303)

"""Requests for documents as the GC makes them, and as a vendor's documents answer them.

Every function writes its email in the same transaction as the change that causes it and commits
through the outbox. The rule is every email needed and none more: a muted vendor gets nothing, a
request already running is not sent again, and a submission ends the running sequence (the vendor
answered) until its result decides what comes next.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from integration import audit, outbox
from integration.compliance.statuses import Status
from integration.compliance.wording import day
from integration.extensions import db
from integration.models import AppUser, OutreachRequest, Project, Vendor, VendorContact, utcnow
from integration.outreach import compose
from integration.outreach.facts import Scope, earliest_expiry, open_gaps, scope_of, status_of, under_review
from integration.outreach.links import upload_link
from integration.refusals import Refusal
from integration.roles import can_manage
from integration.tenancy import get_scoped, installation_of

LIVE = ("open", "non_responsive")
RESPONSES = ("submission", "review")  # evaluations that follow something the vendor sent


class OutreachRefused(Refusal):
    """The request, reminder or gaps email was not sent; ``message`` says why and what to do."""


def address_on_file(vendor: Vendor) -> str | None:
    """Where requests to the vendor go: its insurance contact, else its own email, else any contact.

    Addresses the mail server refused are skipped.
    """
    contacts = list(db.session.scalars(select(VendorContact).where(VendorContact.company_id == vendor.company_id,
                                                                   VendorContact.vendor_id == vendor.id)
                                       .order_by(VendorContact.is_insurance_contact.desc(), VendorContact.id)))
    refused = {c.email for c in contacts if c.mail_refused_at is not None}
    own = (vendor.email or "").strip().lower() or None
    candidates = [c.email for c in contacts if c.is_insurance_contact] + [own] + [c.email for c in contacts]
    return next((address for address in candidates if address and address not in refused), None)


def live_request(company_id: int, vendor_id: int, project_id: int | None) -> OutreachRequest | None:
    """The vendor's request for this project (None: company-wide) that has not closed, if any."""
    return db.session.scalar(select(OutreachRequest).where(
        OutreachRequest.company_id == company_id, OutreachRequest.vendor_id == vendor_id,
        OutreachRequest.kind == "invitation", OutreachRequest.state.in_(LIVE),
        OutreachRequest.project_id.is_(None) if project_id is None else OutreachRequest.project_id == project_id))


def refused_address(company_id: int, address: str) -> bool:
    """True when the mail server refused ``address`` for one of the company's vendors."""
    return db.session.scalar(select(VendorContact.id).where(
        VendorContact.company_id == company_id, VendorContact.email == address,
        VendorContact.mail_refused_at.is_not(None)).limit(1)) is not None


def _resendable(request: OutreachRequest) -> bool:
    """A live request that cannot reach anyone: nobody answered it, or its address was refused."""
    return request.state == "non_responsive" or (
        request.state == "open" and refused_address(request.company_id, request.recipient_email))


def request_documents(company_id: int, vendor_id: int, project_id: int | None, by_user: AppUser,
                      today: date | None = None) -> OutreachRequest:
    """Ask a vendor for documents for a project (None: company-wide) and send the invitation now.

    A non-responsive request is sent again ("Resend Invitation"); one still running is refused.
    """
    vendor = _sendable_vendor(company_id, vendor_id, by_user)
    if project_id is not None and get_scoped(Project, project_id, company_id) is None:
        raise OutreachRefused(f"Project {project_id} is not one of this company's projects.")
    existing = live_request(company_id, vendor_id, project_id)
    if existing is not None and _resendable(existing):
        return resend_invitation(company_id, existing.id, by_user, today)
    if existing is not None:
        raise OutreachRefused(f"A request to {vendor.name} is already open (sent on {day(existing.created_at.date())}, "
                              f"{existing.sequence_emails} of 4 emails so far); it is not sent twice.")
    request = OutreachRequest(company_id=company_id, vendor_id=vendor.id, project_id=project_id, kind="invitation",
                              recipient_email=_address(vendor), requested_by_user_id=by_user.id, state="open")
    db.session.add(request)
    db.session.flush()
    _invite(request, by_user, today or date.today())
    audit.record(company_id, "outreach.requested", request, actor=by_user,
                 after={"recipient": request.recipient_email, "project_id": project_id})
    outbox.commit()
    return request


def resend_invitation(company_id: int, request_id: int, by_user: AppUser, today: date | None = None) -> OutreachRequest:
    """Start a non-responsive request's reminders again (or one whose address was refused), to the address now
    on file."""
    request = get_scoped(OutreachRequest, request_id, company_id)
    if request is None or not _resendable(request):
        raise OutreachRefused("Only a non-responsive request can be sent again.")
    vendor = _sendable_vendor(company_id, request.vendor_id, by_user)
    request.recipient_email, request.state = _address(vendor), "open"
    _invite(request, by_user, today or date.today())
    audit.record(company_id, "outreach.reminders_renewed", request, actor=by_user,
                 after={"recipient": request.recipient_email})
    outbox.commit()
    return request


def request_new_certificate(company_id: int, vendor_id: int, by_user: AppUser, reason: str,
                            today: date | None = None) -> OutreachRequest:
    """After a reviewer rejects a certificate: ask again, saying why, on the vendor's latest live request (else a
    new company-wide one). The caller commits (through the outbox) with the rejection itself."""
    vendor = _sendable_vendor(company_id, vendor_id, by_user)
    address = _address(vendor)
    request = db.session.scalar(select(OutreachRequest).where(
        OutreachRequest.company_id == company_id, OutreachRequest.vendor_id == vendor.id,
        OutreachRequest.kind == "invitation", OutreachRequest.state.in_(LIVE)).order_by(OutreachRequest.id.desc()))
    if request is None:
        request = OutreachRequest(company_id=company_id, vendor_id=vendor.id, project_id=None, kind="invitation",
                                  requested_by_user_id=by_user.id)
        db.session.add(request)
    request.recipient_email, request.state = address, "open"
    db.session.flush()
    _invite(request, by_user, today or date.today(), rejected=reason)
    audit.record(company_id, "outreach.requested_after_rejection", request, actor=by_user,
                 after={"recipient": request.recipient_email, "reason": reason})
    return request


def send_gaps(company_id: int, vendor_id: int, project_id: int | None, by_user: AppUser,
              today: date | None = None) -> OutreachRequest:
    """Send the vendor its open gaps with the upload link ("Send Gaps"), and remind it of them."""
    vendor = _sendable_vendor(company_id, vendor_id, by_user)
    request = live_request(company_id, vendor_id, project_id)
    if request is None:
        request = OutreachRequest(company_id=company_id, vendor_id=vendor.id, project_id=project_id,
                                  kind="invitation", recipient_email=_address(vendor),
                                  requested_by_user_id=by_user.id, state="open")
        db.session.add(request)
        db.session.flush()
    scope, today = scope_of(request), today or date.today()
    if under_review(vendor):
        raise OutreachRefused(f"{vendor.name}'s documents are being read or wait for a person to check them: the "
                              "gaps are not known yet, so nothing was sent. They go once the review is done.")
    found = open_gaps(scope)
    if status_of(scope).satisfied or not found:
        raise OutreachRefused(f"{vendor.name} has no open gaps to send.")
    if request.sequence == "gaps" and request.sequence_started_on == today:
        raise OutreachRefused(f"The gaps went to {request.recipient_email} today; reminders follow on their days, "
                              "so they are not sent twice.")
    request.state = "open"
    _start(request, "gaps", today)
    _send(request, compose.gaps(scope, found, upload_link(request), responded=False, reply_to=by_user.email), "gaps")
    audit.record(company_id, "outreach.gaps_sent", request, actor=by_user, after={"gaps": [g.code for g in found]})
    outbox.commit()
    return request


def cancel_request(company_id: int, request_id: int, by_user: AppUser) -> OutreachRequest:
    """Close a request: no more reminders, and its upload link stops working."""
    request = get_scoped(OutreachRequest, request_id, company_id)
    if request is None or request.state == "closed":
        raise OutreachRefused("That request is not open.")
    _check_role(by_user, company_id)
    mark_closed(request, "cancelled")
    audit.record(company_id, "outreach.cancelled", request, actor=by_user)
    db.session.commit()
    return request


def after_evaluation(vendor: Vendor, trigger: str, today: date) -> None:
    """Answer a re-evaluation in the caller's transaction: close what is met, send gaps or the result.

    Only evaluations that follow the vendor's documents (``RESPONSES``) or a person's override speak
    to the vendor; nightly re-evaluations change no request.
    """
    if trigger not in (*RESPONSES, "override"):
        return
    for request in db.session.scalars(select(OutreachRequest).where(
            OutreachRequest.company_id == vendor.company_id, OutreachRequest.vendor_id == vendor.id,
            OutreachRequest.state.in_(LIVE))).all():
        _answer(request, scope_of(request), trigger, today)


def _answer(request: OutreachRequest, scope: Scope, trigger: str, today: date) -> None:
    status, expires_on = status_of(scope), earliest_expiry(scope.vendor, today)
    if request.kind == "renewal":  # answered by a certificate that runs past the expiry it was about
        if (expires_on or date.max) > request.renewal_of:
            mark_closed(request, "compliant")
            if status.satisfied:
                _result(request, scope, expires_on)
    elif status.satisfied:
        mark_closed(request, "compliant")
        _result(request, scope, expires_on)
    elif trigger in RESPONSES:
        request.sequence, request.state = None, "open"  # the vendor answered: this sequence is over
        found = open_gaps(scope)
        if found and _gaps_go_now(scope, status):
            _start(request, "gaps", today)
            _send(request, compose.gaps(scope, found, upload_link(request), responded=True), "gaps")


def _result(request: OutreachRequest, scope: Scope, expires_on: date | None) -> None:
    """The compliant result, unless the vendor is muted."""
    if not scope.vendor.outreach_muted:
        outbox.add(compose.compliant(scope, expires_on), f"result:{request.id}:{request.sequence_number}",
                   company_id=request.company_id, requests=[request])


def _gaps_go_now(scope: Scope, status: Status) -> bool:
    """Gaps go at once unless a person still has to look, the vendor is muted, or the GC sends gaps itself."""
    if status == Status.UNDER_REVIEW or under_review(scope.vendor) or scope.vendor.outreach_muted:
        return False
    return installation_of(scope.request.company_id).gap_email_mode == "automatic"


def _invite(request: OutreachRequest, by_user: AppUser | None, today: date, rejected: str | None = None) -> None:
    _start(request, "invitation", today)
    _send(request, compose.invitation(scope_of(request), upload_link(request),
                                      reply_to=by_user.email if by_user else None, rejected=rejected), "invitation")


def _start(request: OutreachRequest, sequence: str, today: date) -> None:
    """A new email sequence: its first email goes now, its reminders follow the cadence."""
    request.sequence, request.sequence_number = sequence, request.sequence_number + 1
    request.sequence_started_on, request.sequence_emails = today, 0


def _send(request: OutreachRequest, email: outbox.Email, kind: str) -> None:
    """An email of the running sequence (it counts toward the sequence's four)."""
    outbox.add(email, f"{kind}:{request.id}:{request.sequence_number}:{request.sequence_emails}",
               company_id=request.company_id, requests=[request])
    request.sequence_emails += 1


def mark_closed(request: OutreachRequest, reason: str) -> None:
    """Close a request in the current transaction: its sequence stops and its upload link stops working."""
    request.state, request.closed_reason, request.closed_at, request.sequence = "closed", reason, utcnow(), None


def _sendable_vendor(company_id: int, vendor_id: int, by_user: AppUser) -> Vendor:
    _check_role(by_user, company_id)
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise OutreachRefused(f"Vendor {vendor_id} is not one of this company's vendors.")
    if vendor.outreach_muted:
        raise OutreachRefused(f"Outreach to {vendor.name} is muted: unmute it to send emails.")
    return vendor


def _check_role(user: AppUser, company_id: int) -> None:
    if user.company_id != company_id or not can_manage(user):
        raise OutreachRefused(can_manage.refusal(user), status=403)


def _address(vendor: Vendor) -> str:
    address = address_on_file(vendor)
    if address is None:
        raise OutreachRefused(f"{vendor.name} has no email address on file that accepts mail: add one in "
                              "Procore's Directory, then try again.")
    return address

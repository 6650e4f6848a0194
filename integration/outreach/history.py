"""What the GC sees of outreach to one vendor: its requests, every email and how it went, refused addresses,
and the one button that makes sense next ("Request New COI", "Resend Invitation" or "Send Gaps").
"""

from __future__ import annotations

from dataclasses import dataclass

from integration.compliance.statuses import Status
from integration.extensions import db
from integration.models import OutreachRequest, SentEmail, SentEmailRequest, Vendor, VendorContact
from integration.outbox import MAX_ATTEMPTS
from integration.outreach.facts import open_gaps, scope_of, status_of, under_review
from integration.outreach.next_steps import progress_words, steps_of
from integration.outreach.requests import address_on_file, live_request
from integration.tenancy import scoped

REQUEST_NEW_COI = "Request New COI"
RESEND_INVITATION = "Resend Invitation"
SEND_GAPS = "Send Gaps"
STATE_WORDS = {"open": "Open", "non_responsive": "Non-responsive", "closed": "Closed"}


@dataclass(frozen=True)
class RequestLine:
    """One request as the vendor page lists it."""

    request: OutreachRequest
    project: str
    state: str
    progress: str


@dataclass(frozen=True)
class EmailLine:
    """One email of the vendor's history and how its delivery went."""

    email: SentEmail
    outcome: str


@dataclass(frozen=True)
class OutreachPanel:
    """The outreach part of the vendor page."""

    address: str | None
    muted: bool
    action: str | None
    requests: list[RequestLine]
    emails: list[EmailLine]
    refused: list[VendorContact]


def next_action(vendor: Vendor, project_id: int | None = None) -> str | None:
    """The outreach button for the vendor (and project): what the GC can usefully send now, if anything."""
    if vendor.outreach_muted:
        return None
    live = live_request(vendor.company_id, vendor.id, project_id)
    if live is not None and live.state == "non_responsive":
        return RESEND_INVITATION
    status = Status(vendor.status) if live is None else status_of(scope_of(live))
    if live is not None and live.sequence is not None:
        return None  # its emails are running
    if under_review(vendor):
        return None  # documents are being read or wait for a person: what to ask for is not known yet
    if status in (Status.NOTHING_RECEIVED, Status.EXPIRED):
        return REQUEST_NEW_COI
    if not status.satisfied and status != Status.UNDER_REVIEW:
        return SEND_GAPS
    return None


def outreach_panel(vendor: Vendor, action: str | None) -> OutreachPanel:
    """The vendor's requests (newest first), emails (newest first), refused addresses and next button (``action``:
    ``next_action`` for the project in context, as the page worked it out)."""
    company_id = vendor.company_id
    requests = db.session.scalars(scoped(OutreachRequest, company_id).where(OutreachRequest.vendor_id == vendor.id)
                                  .order_by(OutreachRequest.id.desc())).all()
    emails = db.session.scalars(
        db.select(SentEmail).join(SentEmailRequest, SentEmailRequest.sent_email_id == SentEmail.id)
        .join(OutreachRequest, OutreachRequest.id == SentEmailRequest.outreach_request_id)
        .where(SentEmailRequest.company_id == company_id, OutreachRequest.vendor_id == vendor.id)
        .order_by(SentEmail.id.desc()).distinct()).all()
    refused = db.session.scalars(scoped(VendorContact, company_id).where(
        VendorContact.vendor_id == vendor.id, VendorContact.mail_refused_at.is_not(None))).all()
    steps = steps_of(company_id)
    return OutreachPanel(address_on_file(vendor), vendor.outreach_muted, action,
                         [_request_line(r, steps) for r in requests], [EmailLine(e, outcome(e)) for e in emails],
                         list(refused))


def _request_line(request: OutreachRequest, steps: tuple[int, ...]) -> RequestLine:
    scope = scope_of(request)
    project = scope.label if scope.project else "Company-wide"
    if request.state == "closed":
        progress = f"closed ({request.closed_reason})"
    elif request.sequence is None:
        progress = "No emails running: documents are under review, or the gaps are not sent yet"
    else:
        progress = progress_words(request, steps)
    if scope.project is None and request.kind == "renewal":
        project = f"Renewal before {request.renewal_of}"
    gaps = open_gaps(scope) if request.state != "closed" else []
    if gaps:
        progress += f"; {len(gaps)} open gap{'s' if len(gaps) != 1 else ''}"
    return RequestLine(request, project, STATE_WORDS[request.state], progress)


def outcome(email: SentEmail) -> str:
    """How an email's delivery went, in words (the reason when it failed or is being retried)."""
    if email.state == "sent":
        return "Sent"
    if email.state == "failed":
        return f"Failed: {email.last_error}"
    if email.attempts:
        return f"Retrying (attempt {email.attempts + 1} of {MAX_ATTEMPTS}): {email.last_error}"
    return "Sending" if email.state == "sending" else "Queued"

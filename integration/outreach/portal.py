"""The subcontractor's side of a request, shared by the upload link and the Record Hub: open it, send
documents through the usual intake, follow the reading to its result, ask for a fresh link, stop reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from integration import outbox, tokens
from integration.compliance.statuses import Status
from integration.extensions import db
from integration.extraction.intake import IncomingFile
from integration.models import EmailOptOut, OutreachRequest, StoredFile, Submission, utcnow
from integration.outreach import compose
from integration.outreach.facts import STATUS_WORDS, Scope, open_gaps, scope_of, status_of, status_words
from integration.outreach.links import UPLOAD, LinkTarget, read_upload_token, upload_link
from integration.outreach.requests import live_request
from integration.rate_limits import RateLimit
from integration.submissions import Received, receive
from integration.tenancy import get_scoped, scoped

NEW_LINKS_PER_REQUEST = RateLimit("new-link-request", 3, timedelta(days=1))
NEW_LINKS_PER_IP = RateLimit("new-link-ip", 10, timedelta(hours=1))
CLOSED = "This request is closed: {gc} has what it needs from it. Ask for a new link if you have more to send."


def open_link(token: str) -> Scope:
    """The request an upload link opens; TokenRefused (tampered, expired, closed) otherwise."""
    target = read_upload_token(token)
    request = get_scoped(OutreachRequest, target.request_id, target.company_id)
    if request is None or request.vendor_id != target.vendor_id:
        raise tokens.TokenRefused("tampered", "This link is not valid: it was changed or cut short.")
    scope = scope_of(request)
    if request.state == "closed":
        raise tokens.TokenRefused("closed", CLOSED.format(gc=scope.brand.name), _data(target))
    return scope


def _data(target: LinkTarget) -> dict:
    return {"c": target.company_id, "v": target.vendor_id, "r": target.request_id}


def submit(scope: Scope, files: list[IncomingFile], channel: str, submitted_by: str | None = None) -> Received:
    """Send documents for the request through the intake (1 to 6 PDF, JPEG or PNG files of 25 MB at most)."""
    request = scope.request
    return receive(request.company_id, request.vendor_id, files, channel, project_id=request.project_id,
                   submitted_by=submitted_by, outreach_request_id=request.id)


@dataclass
class Progress:
    """Where a submission's reading stands, and once done, the automatic review's result in plain words."""

    state: str
    done: bool
    stage: str
    files: list[str]
    status: str | None = None
    compliant: bool = False
    gaps: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON the upload page polls."""
        return {"state": self.state, "done": self.done, "stage": self.stage, "files": self.files,
                "status": self.status, "compliant": self.compliant, "gaps": self.gaps}


def progress(scope: Scope, submission_id: int) -> Progress | None:
    """The progress of a submission sent for this request (None for any other submission)."""
    request = scope.request
    submission = db.session.scalar(scoped(Submission, request.company_id).where(
        Submission.id == submission_id, Submission.outreach_request_id == request.id))
    if submission is None:
        return None
    db.session.refresh(submission)
    files = _file_names(submission)
    state, count = submission.state, f"{len(files)} file{'s' if len(files) != 1 else ''}"
    if state == "received":
        return Progress(state, False, f"Received {count}; waiting for the reader.", files)
    if state == "reading":
        them = "them" if len(files) != 1 else "it"
        return Progress(state, False, f"Reading {count} and checking {them} against the requirements.", files)
    if state == "failed":
        return Progress(state, True, "We kept your files but could not read them automatically; a person at "
                        f"{scope.brand.name} will look at them.", files, status_words(scope))
    if state == "needs_review":
        return Progress(state, True, f"Read. Some values need a person's eye: {scope.brand.name} will check them "
                        "and you will get an email with the result.", files, STATUS_WORDS[Status.UNDER_REVIEW])
    status = status_of(scope)
    return Progress(state, True, "Read and checked.", files, status_words(scope), status.satisfied,
                    [] if status.satisfied else [gap.to_dict() for gap in open_gaps(scope)])



SENT_WORDS = {"received": "Waiting to be read", "reading": "Being read", "needs_review": "A person is checking them",
              "failed": "Kept; a person will look at them", "evaluated": "Read and checked"}


@dataclass(frozen=True)
class SentSoFar:
    """Documents already sent for a request: when, which files, and where their reading stands."""

    sent_on: str
    files: list[str]
    state: str


def sent_so_far(scope: Scope) -> list[SentSoFar]:
    """Every submission already sent for this request, newest first, so a returning visitor sees what arrived."""
    request = scope.request
    submissions = db.session.scalars(scoped(Submission, request.company_id).where(
        Submission.outreach_request_id == request.id).order_by(Submission.id.desc())).all()
    return [SentSoFar(f"{s.created_at:%b} {s.created_at.day}, {s.created_at:%Y}", _file_names(s),
                      SENT_WORDS.get(s.state, s.state)) for s in submissions]


def _file_names(submission: Submission) -> list[str]:
    return list(db.session.scalars(scoped(StoredFile, submission.company_id).with_only_columns(StoredFile.filename)
                                   .where(StoredFile.submission_id == submission.id).order_by(StoredFile.position)))


def send_new_link(token: str, ip: str) -> None:
    """Email a fresh upload link for what ``token`` names to the vendor's address on file (never to the asker).

    The token may be expired, closed or even tampered with: only where it points is used, and the
    email goes to the address the GC has on file. Says nothing about whether anything was sent.
    """
    target = _claimed_target(token)
    request = get_scoped(OutreachRequest, target.request_id, target.company_id) if target else None
    if request is None or request.vendor_id != target.vendor_id:
        return  # it names nothing: nothing to send, nothing to count
    try:
        NEW_LINKS_PER_IP.hit(ip)
        NEW_LINKS_PER_REQUEST.hit(str(request.id))
        fresh = _request_to_link(request)
        scope = scope_of(fresh)
        if not scope.vendor.outreach_muted:
            outbox.add(compose.new_link(scope, upload_link(fresh)), f"new_link:{fresh.id}:{utcnow():%Y%m%d%H}",
                       company_id=fresh.company_id, requests=[fresh])
    finally:
        outbox.commit()  # the rate-limit hits count even when the answer is a refusal


def _claimed_target(token: str) -> LinkTarget | None:
    """Where a link points, whatever the state of its signature (used only to find the address on file)."""
    data = tokens.peek(UPLOAD, token)
    try:
        return LinkTarget(int(data["c"]), int(data["v"]), int(data["r"]))
    except (TypeError, KeyError, ValueError):
        return None


def _request_to_link(request: OutreachRequest) -> OutreachRequest:
    """This request while live, else the live one for its project, else a new one (the vendor asked: no reminders)."""
    if request.state != "closed":
        return request
    live = live_request(request.company_id, request.vendor_id, request.project_id)
    if live is not None:
        return live
    fresh = OutreachRequest(company_id=request.company_id, vendor_id=request.vendor_id, project_id=request.project_id,
                            kind="invitation", recipient_email=request.recipient_email, state="open")
    db.session.add(fresh)
    db.session.flush()
    return fresh


def opt_out(address: str) -> None:
    """Stop reminders to ``address`` (List-Unsubscribe); requests and results still reach it."""
    address = address.strip().lower()
    if db.session.scalar(select(EmailOptOut.id).where(EmailOptOut.address == address)) is None:
        db.session.add(EmailOptOut(address=address))
    db.session.commit()


"""A vendor's history as one timeline: requests, emails (reminders among them), uploads, reviews, overrides with
who and when, status changes, and the records pushed to Procore. Read in one query per kind, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integration.compliance.statuses import Status
from integration.compliance.wording import coverage
from integration.extensions import db
from integration.insurance_records import procore_status_words
from integration.models import (
    AppUser,
    Certificate,
    Evaluation,
    OutreachRequest,
    Override,
    PushedRecord,
    SentEmail,
    SentEmailRequest,
    StoredFile,
    Submission,
)
from integration.tenancy import scoped

MOST = 60  # events shown; older ones stay in the audit log
CHANNEL_WORDS = {"upload_link": "through the emailed upload link", "record_hub": "through the Record Hub",
                 "procore_widget": "from inside Procore", "staff_upload": "by GC staff"}
EMAIL_WORDS = {"invitation": "Invitation", "reminder": "Reminder", "gaps": "Gaps email", "result": "Result email",
               "renewal": "Renewal reminder", "digest": "Digest", "new_link": "Fresh upload link",
               "non_responsive": "Non-responsive notice"}


@dataclass(frozen=True)
class Event:
    """One thing that happened to the vendor's compliance: when, what kind, in words, and by whom."""

    at: datetime
    kind: str  # request, email, upload, review, override, status, push
    words: str
    by: str | None = None


def vendor_history(company_id: int, vendor_id: int) -> list[Event]:
    """The vendor's timeline, newest first (at most MOST events)."""
    people = people_of(company_id)
    events = [*_requests(company_id, vendor_id, people), *_emails(company_id, vendor_id),
              *_uploads(company_id, vendor_id), *_reviews(company_id, vendor_id, people),
              *_overrides(company_id, vendor_id, people), *_statuses(company_id, vendor_id),
              *_pushes(company_id, vendor_id)]
    return sorted(events, key=lambda e: e.at, reverse=True)[:MOST]


def people_of(company_id: int) -> dict[int, str]:
    """The company's users by id, as their name (else their email)."""
    rows = db.session.execute(scoped(AppUser, company_id).with_only_columns(AppUser.id, AppUser.name, AppUser.email))
    return {user_id: name or email for user_id, name, email in rows}


def _requests(company_id: int, vendor_id: int, people: dict[int, str]) -> list[Event]:
    rows = db.session.scalars(scoped(OutreachRequest, company_id).where(OutreachRequest.vendor_id == vendor_id)
                              .order_by(OutreachRequest.id.desc()).limit(MOST))
    events = []
    for r in rows:
        what = "Renewal requested" if r.kind == "renewal" else "Documents requested"
        events.append(Event(r.created_at, "request", f"{what} from {r.recipient_email}",
                            people.get(r.requested_by_user_id) if r.requested_by_user_id else "Gapline"))
        if r.closed_at:
            events.append(Event(r.closed_at, "request", f"Request closed ({r.closed_reason})"))
    return events


def _emails(company_id: int, vendor_id: int) -> list[Event]:
    rows = db.session.scalars(
        db.select(SentEmail).join(SentEmailRequest, SentEmailRequest.sent_email_id == SentEmail.id)
        .join(OutreachRequest, OutreachRequest.id == SentEmailRequest.outreach_request_id)
        .where(SentEmailRequest.company_id == company_id, OutreachRequest.company_id == company_id,
               OutreachRequest.vendor_id == vendor_id)
        .order_by(SentEmail.id.desc()).distinct().limit(MOST))
    return [Event(e.sent_at or e.created_at, "email",
                  f"{EMAIL_WORDS.get(e.kind, e.kind)} to {e.to_address}: {_delivery(e)}") for e in rows]


def _delivery(email: SentEmail) -> str:
    return {"sent": "sent", "failed": f"failed ({email.last_error})"}.get(email.state, "queued")


def _uploads(company_id: int, vendor_id: int) -> list[Event]:
    rows = db.session.execute(
        scoped(Submission, company_id).add_columns(db.func.count(StoredFile.id))
        .outerjoin(StoredFile, StoredFile.submission_id == Submission.id)
        .where(Submission.vendor_id == vendor_id).group_by(Submission.id)
        .order_by(Submission.id.desc()).limit(MOST)).all()
    return [Event(s.submitted_at or s.created_at, "upload",
                  f"{count} file{'s' if count != 1 else ''} received {CHANNEL_WORDS.get(s.channel, s.channel)}",
                  s.submitted_by_email) for s, count in rows]


def _reviews(company_id: int, vendor_id: int, people: dict[int, str]) -> list[Event]:
    rows = db.session.execute(
        scoped(Certificate, company_id).add_columns(StoredFile.filename)
        .join(StoredFile, StoredFile.id == Certificate.stored_file_id)
        .where(Certificate.vendor_id == vendor_id, Certificate.reviewed_at.is_not(None))
        .order_by(Certificate.reviewed_at.desc()).limit(MOST)).all()
    return [Event(c.reviewed_at, "review", f"Reviewed {name}", people.get(c.reviewed_by_user_id)) for c, name in rows]


def _overrides(company_id: int, vendor_id: int, people: dict[int, str]) -> list[Event]:
    rows = db.session.scalars(scoped(Override, company_id).where(Override.vendor_id == vendor_id)
                              .order_by(Override.id.desc()).limit(MOST))
    events = []
    for o in rows:
        verb = "Waived" if o.kind == "waive" else "Marked compliant"
        until = f" until {o.expires_on:%b %-d, %Y}" if o.expires_on else ""
        events.append(Event(o.created_at, "override", f"{verb}: {o.gap_label}{until}. Reason: {o.reason}",
                            people.get(o.created_by_user_id)))
        if o.revoked_at:
            events.append(Event(o.revoked_at, "override", f"Override revoked: {o.gap_label}",
                                people.get(o.revoked_by_user_id)))
    return events


# Why an evaluation was made, as the history says it (the job's own name, in words, for any other).
BECAUSE = {
    "submission": "after documents were read", "review": "after a person reviewed a document",
    "rejected": "after a document was rejected", "override": "after a gap was overridden",
    "override_revoked": "after an override was revoked", "requirements_changed": "after the requirements changed",
    "carriers_changed": "after the list of rated insurers changed", "work_window": "after the work dates changed",
    "first_push": "when Gapline first checked this vendor", "daily": "in the daily check",
    "expiry": "as a policy neared or passed its end date", "procore_webhook": "after a change in Procore",
    "directory_changed": "after the Procore directory changed",
}


def because(trigger: str | None) -> str:
    """Why an evaluation was made, in words ("after the requirements changed")."""
    return BECAUSE.get(trigger or "", f"after {(trigger or 're-evaluation').replace('_', ' ')}")


def _statuses(company_id: int, vendor_id: int) -> list[Event]:
    rows = db.session.scalars(scoped(Evaluation, company_id).where(
        Evaluation.vendor_id == vendor_id, Evaluation.assignment_id.is_(None))
        .order_by(Evaluation.version.desc()).limit(MOST))
    return [Event(e.created_at, "status", f"Status: {Status(e.status).label} ({because(e.trigger)})")
            for e in rows]


def _pushes(company_id: int, vendor_id: int) -> list[Event]:
    rows = db.session.scalars(scoped(PushedRecord, company_id).where(PushedRecord.vendor_id == vendor_id,
                                                                    PushedRecord.pushed_at.is_not(None)))
    events = [Event(r.pushed_at, "push", f"Sent to Procore: {coverage(r.line) if r.line else 'record'} "
                                         f"{procore_status_words(r.status)}".rstrip()) for r in rows]
    refused = db.session.scalars(scoped(PushedRecord, company_id).where(PushedRecord.vendor_id == vendor_id,
                                                                       PushedRecord.last_error.is_not(None)))
    return events + [Event(r.updated_at, "push", f"Procore refused the {coverage(r.line)} record: {r.last_error}")
                     for r in refused]

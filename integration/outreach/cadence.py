"""The reminder cadence, run once a business day: what is due, to whom, in as few emails as possible.

A sequence's first email goes when it starts (day 0); reminders follow on business days +2, +5 and +8
(or the days the company chose in its account settings), four emails at most. Two business days after
the last, a request nobody answered is marked non-responsive and the GC is told. Renewal reminders go
30, 14 and 7 days before the earliest expiry on file. Nothing goes to a muted vendor, to an address that
asked to stop reminders or that the mail server refused, or while documents are being read or reviewed;
a compliant request just closes. All that is due to one address on one day, across projects and GCs, is
one email: a digest when it is more than one request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from integration import outbox
from integration.compliance.statuses import Status
from integration.extensions import db
from integration.models import AppUser, EmailOptOut, Installation, OutreachRequest, Vendor
from integration.outreach import compose
from integration.outreach.branding import reminder_days
from integration.outreach.facts import Scope, brand_of, earliest_expiry, open_gaps, scope_of, status_of, under_review
from integration.outreach.links import upload_link, vendor_page_url
from integration.outreach.requests import address_on_file, mark_closed, refused_address

SILENT_AFTER_LAST = 2  # business days after the last reminder, an unanswered request is non-responsive
RENEWAL_DAYS = (30, 14, 7)


def business_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (0 when end <= start)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += day.weekday() < 5
    return days


@dataclass
class Due:
    """One reminder due today: its request, the email it would be alone, and its line in a digest."""

    request: OutreachRequest
    key: str
    email: outbox.Email
    item: compose.DigestItem


@dataclass
class CadenceRun:
    """What a run did."""

    emails: int = 0
    digests: int = 0
    reminded: int = 0
    non_responsive: int = 0
    closed: int = 0
    silent: dict[tuple[int, str], list[compose.SilentVendor]] = field(default_factory=dict)


def run_cadence(today: date) -> CadenceRun:
    """Send every reminder due ``today`` for every company; safe to run twice the same day."""
    run, due = CadenceRun(), []
    for company_id in db.session.scalars(select(Installation.company_id).where(
            Installation.connection_state == "connected")).all():
        _renewals(company_id, today)
        steps = (0, *reminder_days(company_id))  # the first email, then the company's reminder days
        for request in db.session.scalars(select(OutreachRequest).where(
                OutreachRequest.company_id == company_id, OutreachRequest.state == "open",
                OutreachRequest.sequence.is_not(None)).order_by(OutreachRequest.id)).all():
            reminder = _step(request, scope_of(request), today, run, steps)
            if reminder is not None:
                due.append(reminder)
    _send_due(due, today, run)
    _tell_gcs(run, today)
    outbox.commit()
    return run


def _step(request: OutreachRequest, scope: Scope, today: date, run: CadenceRun,
          steps: tuple[int, ...]) -> Due | None:
    """The reminder this request is due today, if any; closes or marks it non-responsive as its time comes."""
    status = status_of(scope)
    if scope.vendor.outreach_muted:
        return None
    if status.satisfied and request.kind != "renewal":
        mark_closed(request, "compliant")  # compliant by other means: no email needed
        run.closed += 1
        return None
    if status == Status.UNDER_REVIEW or under_review(scope.vendor):
        return None  # paused while documents are read or a person reviews them
    if request.kind == "renewal":
        return _renewal_step(request, scope, today, run)
    sent, elapsed = request.sequence_emails, business_days_between(request.sequence_started_on, today)
    if elapsed >= steps[-1] + SILENT_AFTER_LAST:
        _non_responsive(request, scope, run)  # every reminder had its day (or the address cannot get them)
        return None
    if sent >= len(steps) or elapsed < steps[sent] or not _reachable(request):
        return None
    return _reminder(request, scope, sent, final=sent == len(steps) - 1)


def _reminder(request: OutreachRequest, scope: Scope, step: int, *, final: bool) -> Due:
    link = upload_link(request)
    if request.sequence == "gaps":
        found = open_gaps(scope)
        email = compose.gaps(scope, found, link, responded=True, step=step, final=final)
        need = f"{len(found)} gap{'s' if len(found) != 1 else ''} to fix: " + "; ".join(g.title for g in found)
    else:
        email = compose.invitation(scope, link, step=step, final=final)
        need = "Your certificate of insurance is needed"
    key = f"reminder:{request.id}:{request.sequence_number}:{step}"
    return Due(request, key, email, compose.DigestItem(scope.brand, scope.label, scope.vendor.name, need, link))


def _renewals(company_id: int, today: date) -> None:
    """Open a renewal request for each vendor whose earliest expiry is within the first warning.

    Not while another request to the vendor is running: its emails already ask for what is missing.
    """
    busy = select(OutreachRequest.vendor_id).where(OutreachRequest.company_id == company_id,
                                                  OutreachRequest.kind == "invitation",
                                                  OutreachRequest.state.in_(("open", "non_responsive")))
    vendors = db.session.scalars(select(Vendor).where(
        Vendor.company_id == company_id, Vendor.active.is_(True), Vendor.outreach_muted.is_(False),
        Vendor.id.not_in(busy)))
    for vendor in vendors.all():
        expires_on = earliest_expiry(vendor, today)
        if expires_on is None or (expires_on - today).days > RENEWAL_DAYS[0]:
            continue
        exists = db.session.scalar(select(OutreachRequest.id).where(
            OutreachRequest.company_id == company_id, OutreachRequest.vendor_id == vendor.id,
            OutreachRequest.kind == "renewal", OutreachRequest.renewal_of == expires_on))
        address = address_on_file(vendor)
        if exists is None and address is not None:
            db.session.add(OutreachRequest(company_id=company_id, vendor_id=vendor.id, kind="renewal",
                                           recipient_email=address, state="open", sequence="renewal",
                                           sequence_number=1, sequence_started_on=today, renewal_of=expires_on))
    db.session.flush()


def _renewal_step(request: OutreachRequest, scope: Scope, today: date, run: CadenceRun) -> Due | None:
    days_left = (request.renewal_of - today).days
    if days_left < 0:
        _non_responsive(request, scope, run)  # it expired without a renewal
        return None
    warning = min((days for days in RENEWAL_DAYS if days_left <= days), default=None)
    key = f"renewal:{request.id}:{warning}"
    if warning is None or outbox.written(key) or not _reachable(request):
        return None
    link = upload_link(request)
    need = f"Renewal needed: insurance on file expires {request.renewal_of:%b} {request.renewal_of.day}"
    return Due(request, key, compose.renewal(scope, link, request.renewal_of, today),
               compose.DigestItem(scope.brand, scope.label, scope.vendor.name, need, link))


def _reachable(request: OutreachRequest) -> bool:
    """False when the address asked to stop reminders or the mail server refused it."""
    address = request.recipient_email
    if db.session.scalar(select(EmailOptOut.id).where(EmailOptOut.address == address)) is not None:
        return False
    return not refused_address(request.company_id, address)


def _send_due(due: list[Due], today: date, run: CadenceRun) -> None:
    """One email per address: the reminder itself when it is alone, a digest of them all otherwise."""
    by_address: dict[str, list[Due]] = {}
    for item in due:
        by_address.setdefault(item.request.recipient_email, []).append(item)
    for address, items in by_address.items():
        if len(items) == 1:
            outbox.add(items[0].email, items[0].key, company_id=items[0].request.company_id,
                       requests=[items[0].request])
        else:
            names = hashlib.sha256("|".join(sorted(i.key for i in items)).encode()).hexdigest()[:16]
            company_ids = {i.request.company_id for i in items}
            outbox.add(compose.digest(address, [i.item for i in items]), f"digest:{address}:{today}:{names}",
                       company_id=company_ids.pop() if len(company_ids) == 1 else None,
                       requests=[i.request for i in items])
            run.digests += 1
        for item in items:
            item.request.sequence_emails += 1
        run.emails += 1
        run.reminded += len(items)


def _non_responsive(request: OutreachRequest, scope: Scope, run: CadenceRun) -> None:
    request.state, request.sequence = "non_responsive", None
    run.non_responsive += 1
    for to in _gc_addresses(request):
        run.silent.setdefault((request.company_id, to), []).append(compose.SilentVendor(
            scope.vendor.name, scope.label, request.recipient_email,
            vendor_page_url(request.company_id, request.vendor_id)))


def _gc_addresses(request: OutreachRequest) -> list[str]:
    """Who at the GC hears of a silent vendor: whoever sent the request, else the company's admins."""
    if request.requested_by_user_id is not None:
        email = db.session.scalar(select(AppUser.email).where(AppUser.id == request.requested_by_user_id))
        if email:
            return [email]
    return [e for e in db.session.scalars(select(AppUser.email).where(
        AppUser.company_id == request.company_id, AppUser.role == "admin")) if e]


def _tell_gcs(run: CadenceRun, today: date) -> None:
    """One notice per GC person per day, however many vendors went silent."""
    for (company_id, to), items in run.silent.items():
        names = hashlib.sha256("|".join(sorted(i.url for i in items)).encode()).hexdigest()[:16]
        key = f"non_responsive:{company_id}:{to}:{today}:{names}"
        outbox.add(compose.non_responsive(to, brand_of(company_id), items), key, company_id=company_id)


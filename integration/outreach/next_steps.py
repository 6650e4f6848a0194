"""What happens next for a vendor with no button to press: its emails are muted, or running with the next one due
on a day, or the documents are being reviewed. Said in words for the compliance table and the vendor page.

The day a request's next email goes follows the cadence (``integration.outreach.cadence``): the first email on
the day its sequence starts, then the company's reminder days (business days after the start), and two business
days after the last one an unanswered request is marked non-responsive.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from integration.compliance.statuses import Status
from integration.compliance.wording import day
from integration.extensions import db
from integration.models import OutreachRequest, Vendor
from integration.outreach.branding import reminder_days
from integration.outreach.facts import reviewing
from integration.outreach.requests import LIVE

SILENT_AFTER_LAST = 2  # as integration.outreach.cadence: business days after the last email, non-responsive
MUTED = "Emails muted"
UNDER_REVIEW = "Documents being reviewed"
SEQUENCE_WORDS = {"gaps": "Gaps emails", "invitation": "Request emails", "renewal": "Renewal emails"}


def add_business_days(start: date, days: int) -> date:
    """The day ``days`` Monday-to-Friday days after ``start`` (``start`` itself for 0)."""
    day_, left = start, days
    while left > 0:
        day_ += timedelta(days=1)
        left -= day_.weekday() < 5
    return day_


def steps_of(company_id: int) -> tuple[int, ...]:
    """The business days after a sequence starts on which its emails go: the first (0), then each reminder."""
    return (0, *reminder_days(company_id))


def next_email_on(request: OutreachRequest, steps: tuple[int, ...]) -> date | None:
    """The day the request's next email goes (None: not running, or every email has gone)."""
    if request.sequence is None or request.sequence_started_on is None or request.sequence_emails >= len(steps):
        return None
    return add_business_days(request.sequence_started_on, steps[request.sequence_emails])


def silent_on(request: OutreachRequest, steps: tuple[int, ...]) -> date | None:
    """The day an unanswered running request is marked non-responsive."""
    if request.sequence is None or request.sequence_started_on is None:
        return None
    return add_business_days(request.sequence_started_on, steps[-1] + SILENT_AFTER_LAST)


def progress_words(request: OutreachRequest, steps: tuple[int, ...]) -> str:
    """A running request's emails as people say it: "Gaps emails: 1 of 4 sent, next on December 3, 2026"."""
    kind = SEQUENCE_WORDS.get(request.sequence or "", "Emails")
    words = f"{kind}: {request.sequence_emails} of {len(steps)} sent"
    upcoming = next_email_on(request, steps)
    if upcoming is not None:
        return f"{words}, next on {day(upcoming)}"
    silent = silent_on(request, steps)
    return f"{words}; no reply by {day(silent)} marks it non-responsive" if silent else words


def running_words(request: OutreachRequest, steps: tuple[int, ...]) -> str:
    """The next step of a running request, short, for a table cell: "Reminder due December 3, 2026"."""
    upcoming = next_email_on(request, steps)
    if upcoming is not None:
        what = "First email" if request.sequence_emails == 0 else (
            "Gaps reminder" if request.sequence == "gaps" else "Reminder")
        return f"{what} due {day(upcoming)}"
    silent = silent_on(request, steps)
    return f"Waiting for a reply until {day(silent)}" if silent else "Waiting for a reply"


def waiting_actions(company_id: int, project_id: int | None, rows: Iterable) -> dict[int, str]:
    """For the table rows with no button (``next_action`` None), what happens next in words, by vendor id.

    ``rows`` have ``vendor_id``, ``status`` and ``next_action``; ``project_id`` is the table's project (None:
    the company's table, whose rows follow company-wide requests). Three reads for the whole page.
    """
    quiet = {row.vendor_id: row.status for row in rows if not row.next_action}
    if not quiet:
        return {}
    words: dict[int, str] = {}
    muted = db.session.scalars(select(Vendor.id).where(
        Vendor.company_id == company_id, Vendor.id.in_(sorted(quiet)), Vendor.outreach_muted.is_(True))).all()
    for vendor_id in muted:
        words[vendor_id] = MUTED
    scope = OutreachRequest.project_id.is_(None) if project_id is None else OutreachRequest.project_id == project_id
    running = db.session.scalars(select(OutreachRequest).where(
        OutreachRequest.company_id == company_id, OutreachRequest.vendor_id.in_(sorted(set(quiet) - set(words))),
        OutreachRequest.kind == "invitation", OutreachRequest.state.in_(LIVE),
        OutreachRequest.sequence.is_not(None), scope).order_by(OutreachRequest.id)).all()
    steps = steps_of(company_id) if running else ()
    in_review = _reviewing(company_id, sorted(set(quiet) - set(words)))
    for request in running:
        if quiet[request.vendor_id] == Status.UNDER_REVIEW.value or request.vendor_id in in_review:
            continue  # the cadence waits for the review
        words.setdefault(request.vendor_id, running_words(request, steps))
    for vendor_id, status in quiet.items():
        if vendor_id not in words and (status == Status.UNDER_REVIEW.value or vendor_id in in_review):
            words[vendor_id] = UNDER_REVIEW
    return words


def _reviewing(company_id: int, vendor_ids: list[int]) -> set[int]:
    """Those of ``vendor_ids`` whose documents are being read or wait for a person (facts.reviewing)."""
    if not vendor_ids:
        return set()
    return set(db.session.scalars(reviewing(company_id, lambda column: column.in_(vendor_ids))))

"""The Record Hub: a subcontractor signs in with the email address that received requests (a 6-digit code
by email, no password) and sees every request to that address, on every project of every GC.

The hub reads across companies on purpose, and only by the signed-in address: each row is a request
sent to that address. Asking for a code answers the same way for every address, known or not: a code
is issued either way, and only a known address is sent one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from integration import outbox, tokens
from integration.extensions import db
from integration.models import OutreachRequest, utcnow
from integration.outreach import compose
from integration.outreach.facts import PeopleGap, Scope, open_gaps, scope_of, status_of, status_words
from integration.rate_limits import RateLimit
from integration.refusals import Refusal

PURPOSE = "record-hub"
CODE_TTL = timedelta(minutes=compose.HUB_CODE_MINUTES)
MAX_ATTEMPTS = 5
CODES_PER_ADDRESS = RateLimit("hub-code-address", 5, timedelta(hours=1))
CODES_PER_IP = RateLimit("hub-code-ip", 20, timedelta(hours=1))
TRIES_PER_IP = RateLimit("hub-try-ip", 30, timedelta(hours=1))
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REQUEST_STATES = {"open": "Open", "non_responsive": "Open: reminders have ended", "closed": "Closed"}


class AddressRefused(Refusal):
    """The email field does not hold an email address."""


def address_of(raw: str) -> str:
    """The address as the hub keys it (trimmed, lower case); AddressRefused names the field otherwise."""
    address = (raw or "").strip().lower()
    if len(address) > 320 or not ADDRESS.match(address):
        raise AddressRefused("Email address: enter the address that received the request, such as "
                             "office@yourcompany.com.")
    return address


def send_code(raw_address: str, ip: str, now: datetime | None = None) -> str:
    """Issue a sign-in code for the address and email it if the address ever received a request.

    Returns the normalised address. RateLimited past 5 codes an hour for the address or 20 for the IP.
    """
    address, now = address_of(raw_address), now or utcnow()
    try:
        CODES_PER_IP.hit(ip, now)
        CODES_PER_ADDRESS.hit(address, now)
        code = tokens.issue_code(PURPOSE, address, CODE_TTL, max_attempts=MAX_ATTEMPTS, now=now)
        email = compose.hub_code(address, code)  # composed either way: known and unknown addresses cost the same
        if known(address):
            outbox.add(email, f"hub_code:{address}:{now.isoformat()}", company_id=None)
    finally:
        outbox.commit()  # hits count even when a limit refuses
    return address


def sign_in(raw_address: str, code: str, ip: str, now: datetime | None = None) -> str:
    """The address, once its code checks out; TokenRefused (wrong, expired, used, attempts) or RateLimited."""
    address = address_of(raw_address)
    try:
        TRIES_PER_IP.hit(ip, now)
    finally:
        db.session.commit()
    tokens.redeem_code(PURPOSE, address, code, now=now)
    return address


def known(address: str) -> bool:
    """True when some GC sent a request to this address."""
    return db.session.scalar(select(OutreachRequest.id).where(OutreachRequest.recipient_email == address)
                             .limit(1)) is not None


@dataclass(frozen=True)
class HubRow:
    """One request as the hub lists it: whose, for what, where it stands and what is left to fix."""

    request_id: int
    gc: str
    project: str
    vendor: str
    requested_on: date
    state: str
    status: str
    gaps: list[PeopleGap]


def rows(address: str) -> list[HubRow]:
    """Every request sent to ``address``, newest first, across projects and GCs."""
    requests = db.session.scalars(select(OutreachRequest).where(OutreachRequest.recipient_email == address)
                                  .order_by(OutreachRequest.id.desc()))
    return [_row(scope_of(request)) for request in requests.all()]


def _row(scope: Scope) -> HubRow:
    request = scope.request
    gaps = [] if status_of(scope).satisfied else open_gaps(scope)
    project = scope.label if scope.project else "All your work with them"
    return HubRow(request.id, scope.brand.name, project, scope.vendor.name, request.created_at.date(),
                  REQUEST_STATES[request.state], status_words(scope), gaps)


def hub_scope(address: str, request_id: int) -> Scope | None:
    """A request of the signed-in address (None for anyone else's)."""
    request = db.session.scalar(select(OutreachRequest).where(OutreachRequest.id == request_id,
                                                              OutreachRequest.recipient_email == address))
    return scope_of(request) if request is not None else None

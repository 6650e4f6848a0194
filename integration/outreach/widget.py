"""The subcontractor widget inside Procore: a Procore user whose address has open requests sees their Record Hub.

Procore's sign-in proves the address (as the Record Hub's emailed code does); the popup hands the frame a
short-lived signed ticket naming it, and the frame starts a Record Hub session with it.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import OutreachRequest
from integration.outreach.requests import LIVE
from integration.refusals import Refusal

TICKET_SECONDS = 120


class WidgetRefused(Refusal):
    """The Procore user has no insurance requests to show; the message says which address was checked."""

    status = 403


def address_with_requests(me: dict) -> str:
    """The signed-in Procore user's address when requests for documents are open for it; WidgetRefused if none."""
    address = (me.get("login") or me.get("email_address") or "").strip().lower()
    if not address:
        raise WidgetRefused("Procore did not say which email address you sign in with, so no request can be found.")
    live = db.session.scalar(select(func.count()).select_from(OutreachRequest).where(
        func.lower(OutreachRequest.recipient_email) == address, OutreachRequest.state.in_(LIVE)))
    if not live:
        raise WidgetRefused(f"No general contractor has an open insurance request for {address}. Requests you "
                            "receive by email appear here; ask the contractor to send one to this address.")
    return address


def widget_ticket(address: str) -> str:
    """A signed ticket naming ``address``, valid for two minutes."""
    return _serializer().dumps({"address": address})


def redeem_widget_ticket(ticket: str) -> str | None:
    """The address a valid ticket names; None for a stale or forged one."""
    try:
        data = _serializer().loads(ticket or "", max_age=TICKET_SECONDS)
    except BadSignature:
        return None
    return data.get("address") if isinstance(data, dict) else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="gapline-widget-ticket")

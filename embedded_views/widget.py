"""The subcontractor widget inside Procore: sign in with Procore in the popup, then the Record Hub in the frame."""

from __future__ import annotations

import secrets
import time

from flask import Blueprint, redirect, render_template, request, session, url_for

from embedded_views import hub
from integration.connections import procore_identity
from integration.outreach import hub as hub_rows
from integration.outreach.widget import WidgetRefused, address_with_requests, redeem_widget_ticket, widget_ticket
from integration.procore_connection import procore_oauth
from procore_client import ProcoreError

bp = Blueprint("widget", __name__, url_prefix="/procore/widget")
STATE = "procore_widget_state"


@bp.get("")
def index():
    """The Record Hub's listing in the frame once signed in; otherwise the popup sign-in."""
    address = hub.hub_address()
    if address is None:
        return render_template("widget/sign_in.html"), 401
    return render_template("hub/requests.html", rows=hub_rows.rows(address), address=address, in_procore=True)


@bp.get("/connect")
def connect():
    """Send the popup to Procore's sign-in (never inside the frame)."""
    if request.headers.get("Sec-Fetch-Dest") == "iframe":
        return render_template("widget/sign_in.html"), 409
    state = secrets.token_urlsafe(32)
    session[STATE] = state
    return redirect(procore_oauth().authorization_url(state))


def finish(code: str, state: str):
    """The popup's end of the round trip (called by the shared OAuth callback): find the user's requests."""
    expected = session.pop(STATE, None)
    if not expected or not secrets.compare_digest(state, expected):
        return _failed("This sign-in link is stale or was not started here; please start again.")
    try:
        address = address_with_requests(procore_identity(code))
    except WidgetRefused as refused:
        return _failed(refused.message, status=refused.status)
    except ProcoreError:
        return _failed("Procore did not answer; please try again.", status=503)
    return render_template("procore/signed_in.html", ticket=widget_ticket(address),
                           action=url_for("widget.start_session"), next=url_for("widget.index"))


def expects(state: str) -> bool:
    """True when the OAuth ``state`` coming back is one the widget started."""
    return bool(state) and session.get(STATE) == state


def _failed(reason: str, status: int = 400):
    return render_template("procore/sign_in_failed.html", reason=reason, title="No insurance requests to show"
                           if status == 403 else "Sign-in did not complete"), status


@bp.post("/session")
def start_session():
    """Start the frame's Record Hub session from the popup's ticket."""
    address = redeem_widget_ticket(request.form.get("ticket", ""))
    if address is None:
        return _failed("This sign-in has expired; please sign in again.")
    session[hub.SESSION_KEY] = {"address": address, "at": time.time()}
    return redirect(url_for(".index"), 303)

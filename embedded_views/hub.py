"""The Record Hub outside Procore: sign in with a one-time code, see every request, send documents for any."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from flask import Blueprint, g, jsonify, redirect, render_template, request, session, url_for

from embedded_views.uploads import take_documents
from integration.outreach import hub, portal
from integration.outreach.facts import requirements_of
from integration.refusals import Refusal

bp = Blueprint("hub", __name__)
SESSION_KEY = "gapline_hub"
SESSION_SECONDS = 2 * 3600


def hub_address() -> str | None:
    """The address signed in to the hub in this browser, while its session lasts."""
    claim = session.get(SESSION_KEY)
    if not isinstance(claim, dict) or time.time() - claim.get("at", 0) > SESSION_SECONDS:
        return None
    return claim.get("address")


def requires_hub(view: Callable) -> Callable:
    """Guard a hub page: signed in with a code, else back to the sign-in page."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        g.hub_address = hub_address()
        if g.hub_address is None:
            return redirect(url_for(".sign_in_page"))
        return view(*args, **kwargs)

    return guarded


@bp.get("/record-hub")
def record_hub():
    """The Record Hub's other address."""
    return redirect(url_for(".sign_in_page"))


@bp.get("/hub")
def sign_in_page():
    """Ask for the email address that received the request (or go straight to the list when signed in)."""
    if hub_address():
        return redirect(url_for(".requests"))
    return render_template("hub/sign_in.html", message=None, address="")


@bp.post("/hub/code")
def send_code():
    """Send a sign-in code; the page is the same whether or not the address is known."""
    try:
        address = hub.send_code(request.form.get("email", ""), request.remote_addr or "")
    except Refusal as refused:
        return render_template("hub/sign_in.html", message=refused.message,
                               address=request.form.get("email", "")), refused.status
    return render_template("hub/code.html", address=address, message=None)


@bp.post("/hub/sign-in")
def sign_in():
    """Check the code and start a hub session."""
    address = request.form.get("email", "")
    try:
        signed = hub.sign_in(address, request.form.get("code", ""), request.remote_addr or "")
    except Refusal as refused:
        return render_template("hub/code.html", address=address, message=refused.message), refused.status
    session[SESSION_KEY] = {"address": signed, "at": time.time()}
    return redirect(url_for(".requests"), 303)


@bp.post("/hub/sign-out")
def sign_out():
    """End the hub session."""
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".sign_in_page"), 303)


@bp.get("/hub/requests")
@requires_hub
def requests():
    """Every request sent to the signed-in address, with status and gaps in plain words."""
    return render_template("hub/requests.html", rows=hub.rows(g.hub_address), address=g.hub_address)


@bp.get("/hub/requests/<int:request_id>")
@requires_hub
def submit_page(request_id: int):
    """The Submit Insurance Docs page of one request."""
    scope = _scope(request_id)
    lines, notes = requirements_of(scope)
    submission_id = request.args.get("submission", type=int)
    return render_template("hub/upload.html", scope=scope, lines=lines, notes=notes, address=g.hub_address,
                           action=url_for(".documents", request_id=request_id),
                           progress_url=url_for(".progress", request_id=request_id, submission_id=0),
                           progress=portal.progress(scope, submission_id) if submission_id else None)


@bp.post("/hub/requests/<int:request_id>/documents")
@requires_hub
def documents(request_id: int):
    """Receive 1 to 6 files for the request and start reading them."""
    return take_documents(_scope(request_id), "record_hub", g.hub_address,
                          lambda sid: url_for(".progress", request_id=request_id, submission_id=sid),
                          lambda sid: url_for(".submit_page", request_id=request_id, submission=sid))


@bp.get("/hub/requests/<int:request_id>/submissions/<int:submission_id>")
@requires_hub
def progress(request_id: int, submission_id: int):
    """Where the reading stands, then the automatic review's result."""
    found = portal.progress(_scope(request_id), submission_id)
    if found is None:
        return jsonify({"error": "No such submission for this request."}), 404
    return jsonify(found.to_dict())


def _scope(request_id: int):
    scope = hub.hub_scope(g.hub_address, request_id)
    if scope is None:
        raise Refusal("No such request for your email address.", status=404)
    return scope

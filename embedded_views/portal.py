"""The upload link's pages ("Submit Docs"): no login, the signed link is the key; and one-click unsubscribe."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Blueprint, jsonify, render_template, request, url_for

from embedded_views.uploads import take_documents, wants_json
from integration.extensions import csrf
from integration.outreach import portal
from integration.outreach.facts import Scope, requirements_of, status_words
from integration.outreach.links import hub_url, read_unsubscribe_token
from integration.refusals import Refusal
from integration.tokens import TokenRefused

bp = Blueprint("portal", __name__)


@bp.get("/upload")
@bp.get("/upload/")
def landing():
    """Someone came without their link: say where to find it, and offer the Record Hub."""
    return render_template("portal/landing.html", hub_url=hub_url())


def opens_link(view: Callable) -> Callable:
    """Guard a view taking ``token``: it gets the request's scope, or the link's refusal is the answer."""

    @functools.wraps(view)
    def guarded(token: str, **kwargs):
        try:
            scope = portal.open_link(token)
        except TokenRefused as refused:
            if wants_json():
                return jsonify({"error": refused.message}), refused.status
            return render_template("portal/refused.html", refusal=refused, token=token), refused.status
        return view(scope, token, **kwargs)

    return guarded


@bp.get("/upload/<token>")
@opens_link
def show(scope: Scope, token: str):
    """The upload page of a request: who asks, what they require, and the form."""
    lines, notes = requirements_of(scope)
    submission_id = request.args.get("submission", type=int)
    return render_template("portal/upload.html", scope=scope, lines=lines, notes=notes, hub_url=hub_url(),
                           action=url_for(".documents", token=token),
                           progress_url=url_for(".progress", token=token, submission_id=0),
                           progress=portal.progress(scope, submission_id) if submission_id else None,
                           sent=portal.sent_so_far(scope), status=status_words(scope))


@bp.post("/upload/<token>/documents")
@opens_link
def documents(scope: Scope, token: str):
    """Receive 1 to 6 files for the request and start reading them."""
    return take_documents(scope, "upload_link", None,
                          lambda sid: url_for(".progress", token=token, submission_id=sid),
                          lambda sid: url_for(".show", token=token, submission=sid))


@bp.get("/upload/<token>/submissions/<int:submission_id>")
@opens_link
def progress(scope: Scope, token: str, submission_id: int):
    """Where the reading stands, then the automatic review's result (polled by the page)."""
    found = portal.progress(scope, submission_id)
    if found is None:
        return jsonify({"error": "No such submission for this link."}), 404
    return jsonify(found.to_dict())


@bp.post("/upload/<token>/new-link")
def new_link(token: str):
    """Send a fresh link to the vendor's address on file; the answer is the same whatever happened."""
    try:
        portal.send_new_link(token, request.remote_addr or "")
    except Refusal as refused:
        return render_template("portal/new_link.html", refusal=refused), refused.status
    return render_template("portal/new_link.html", refusal=None)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Confirm before stopping reminders (a link scanner's GET must not unsubscribe anyone)."""
    try:
        address = read_unsubscribe_token(token)
    except TokenRefused as refused:
        return render_template("portal/unsubscribe.html", refusal=refused, address=None, done=False), refused.status
    return render_template("portal/unsubscribe.html", refusal=None, address=address, done=False, token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without our form; the signed token is the proof
def unsubscribe(token: str):
    """Stop reminders to the address the token names."""
    try:
        address = read_unsubscribe_token(token)
    except TokenRefused as refused:
        return render_template("portal/unsubscribe.html", refusal=refused, address=None, done=False), refused.status
    portal.opt_out(address)
    return render_template("portal/unsubscribe.html", refusal=None, address=address, done=True)

"""The dev mailbox: in the demo, every email Gapline sends can be read here and its links clicked."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from markupsafe import escape

from integration import outbox
from integration.extensions import db
from integration.models import SentEmail

bp = Blueprint("mailbox", __name__, url_prefix="/dev/mailbox")
BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)
BACK_BAR = ('<p class="dev-mailbox-bar" style="font-family: system-ui, sans-serif; margin: 0 0 1rem; padding: .5rem;'
            ' background: #f5f7fa; border-bottom: 1px solid #d9e2ec;"><a href="{back}">&larr; Back to the mailbox</a>'
            ' &middot; To {to} &middot; <a href="{text}">Plain text</a></p>')


@bp.before_request
def demo_only():
    """Production has no dev mailbox: people get real mail there."""
    if current_app.config["GAPLINE"].production:
        abort(404)


@bp.get("/")
def index():
    """Every email, newest first, with its state."""
    return render_template("mailbox/index.html", emails=outbox.mailbox(),
                           smtp=current_app.config["GAPLINE"].mail_server)


@bp.get("/<int:email_id>")
def message(email_id: int):
    """One email as its recipient sees it (the HTML part), under a bar leading back to the mailbox."""
    email = _email(email_id)
    bar = BACK_BAR.format(back=url_for("mailbox.index"), to=escape(email.to_address),
                          text=url_for("mailbox.text", email_id=email.id))
    html = email.body_html or f"<pre>{escape(email.body_text)}</pre>"
    found = BODY_TAG.search(html)
    html = html[:found.end()] + bar + html[found.end():] if found else bar + html
    return Response(html, mimetype="text/html")


@bp.get("/<int:email_id>.txt")
def text(email_id: int):
    """One email's plain-text part."""
    return Response(_email(email_id).body_text, mimetype="text/plain")


def _email(email_id: int) -> SentEmail:
    row = db.session.get(SentEmail, email_id)
    if row is None:
        abort(404, description="No such email in the dev mailbox.")
    return row

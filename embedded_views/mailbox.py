"""The dev mailbox: in the demo, every email Gapline sends can be read here and its links clicked."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from integration import outbox
from integration.extensions import db
from integration.models import SentEmail

bp = Blueprint("mailbox", __name__, url_prefix="/dev/mailbox")


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
    """One email as its recipient sees it (the HTML part)."""
    return Response(_email(email_id).body_html or "", mimetype="text/html")


@bp.get("/<int:email_id>.txt")
def text(email_id: int):
    """One email's plain-text part."""
    return Response(_email(email_id).body_text, mimetype="text/plain")


def _email(email_id: int) -> SentEmail:
    row = db.session.get(SentEmail, email_id)
    if row is None:
        abort(404, description="No such email in the dev mailbox.")
    return row

"""Pages inside Procore: sign-in and connect (OAuth popup), the full-screen app, disconnect."""

from __future__ import annotations

import logging
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from embedded_views import page_cache, widget
from embedded_views.auth import (
    DISCONNECTED_KEY,
    redeem_ticket,
    requires_user,
    sign_in,
    sign_in_ticket,
    sign_out,
    visible_project,
)
from embedded_views.project_table import app_home_url, remember_project, remembered_project, render_app_home
from integration.connections import complete_sign_in, disconnect, end_sessions
from integration.procore_connection import procore_oauth
from integration.procore_failures import in_words, is_slow
from integration.refusals import Refusal
from integration.roles import is_admin
from procore_client import ProcoreError
from sync_jobs.directory_import import queue_directory_import
from sync_jobs.webhooks import queue_webhook_setup

log = logging.getLogger(__name__)
bp = Blueprint("procore", __name__, url_prefix="/procore")
STATE = "procore_oauth_state"


@bp.get("/connect")
def connect():
    """Send the user to Procore's consent page (in the popup Procore requires)."""
    company_id = request.args.get("company_id", type=int)
    if not company_id:
        abort(400, description="company_id is required (a whole number: the Procore company to connect).")
    if request.headers.get("Sec-Fetch-Dest") == "iframe":  # Procore's login refuses frames: offer the popup
        return render_template("procore/sign_in.html", company_id=company_id, notice=None), 409
    state = secrets.token_urlsafe(32)
    session[STATE] = {"state": state, "company_id": company_id}
    return redirect(procore_oauth().authorization_url(state))


@bp.get("/oauth/callback")
def callback():
    """Finish the OAuth round trip: check state, identify the user, connect the company if it is new."""
    if widget.expects(request.args.get("state", "")):  # the subcontractor widget's sign-in shares the callback
        return widget.finish(request.args.get("code", ""), request.args["state"])
    expected = session.pop(STATE, None)
    if request.args.get("error"):
        return _failed(f"Procore sign-in was not completed ({request.args['error']}).")
    if not expected or not secrets.compare_digest(request.args.get("state", ""), expected["state"]):
        return _failed("This sign-in link is stale or was not started here; please start again.")
    try:
        signed = complete_sign_in(request.args.get("code", ""), expected["company_id"])
    except Refusal as exc:
        return _failed(exc.message)
    except ProcoreError as exc:
        log.warning("Procore failed during sign-in for company %s: %s", expected["company_id"], exc)
        if is_slow(exc):
            return _failed(in_words(exc), title="Procore is slow, try again", status=503)
        return _failed(in_words(exc))
    if signed.newly_connected:
        queue_directory_import(signed.installation.company_id)
        queue_webhook_setup(signed.installation.company_id)
    return render_template("procore/signed_in.html", company_id=signed.installation.company_id,
                           ticket=sign_in_ticket(signed.user))


def _failed(reason: str, *, title: str = "Sign-in did not complete", status: int = 400):
    return render_template("procore/sign_in_failed.html", reason=reason, title=title), status


@bp.post("/session")
def start_session():
    """Start this browser's (or Procore frame's) session from the one-use ticket the sign-in popup handed over."""
    user = redeem_ticket(request.form.get("ticket", ""))
    if user is None:
        return _failed("This sign-in has expired or was already used; please sign in again.")
    sign_in(user)
    return redirect(_same_site_path(request.form.get("next", "")) or f"{request.script_root}/procore/companies/"
                                                                       f"{user.company_id}", 303)


def _same_site_path(path: str) -> str | None:
    """``path`` when it is a path on this site (never another host: no open redirect), else None."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else None


@bp.post("/companies/<int:company_id>/sign-out")
@requires_user()
def sign_out_user(company_id: int):
    """End the user's sessions, in this browser and any other."""
    end_sessions(g.user)
    sign_out()
    g.pop("user", None)  # (the page says you are signed out: no one's navigation or Sign out button on it)
    return render_template("procore/signed_out.html", company_id=company_id)


def kept_project_page(company_id: int, project_id: str | None = None) -> bytes | None:
    """The project's table as kept by page_cache, when nothing it is made of changed since (None otherwise)."""
    project = int(project_id) if project_id and project_id.isdigit() else None
    if project is None:
        return None
    kept = page_cache.served(company_id, project, remembered_project(company_id))
    if kept is not None:
        remember_project(company_id, project)
    return kept


@bp.get("/companies/<int:company_id>/projects/<project_id>")
@bp.get("/companies/<int:company_id>")
@requires_user(kept=kept_project_page)
def app_home(company_id: int, project_id: str | None = None):
    """The full-screen app: the company's connection and its vendors' compliance."""
    project = int(project_id) if project_id and project_id.isdigit() else None  # uninterpolated ids are ignored
    if project is not None:
        g.project, refused = visible_project(company_id, project)  # the page's links keep it (navigation.py)
        if refused is not None:
            return refused
    return render_app_home(company_id, project)


@bp.post("/companies/<int:company_id>/disconnect")
@requires_user(is_admin)
def disconnect_company(company_id: int):
    """Revoke the company's Procore tokens (admins only), once confirmed on the page that names what stops."""
    if request.form.get("confirm") != "disconnect":
        flash("Nothing was disconnected: confirm on this page, which says what stops.", "error")
        return redirect(url_for("admin.confirm_disconnect", company_id=company_id), 303)
    disconnect(company_id, g.user)
    session[DISCONNECTED_KEY] = company_id  # the next page says what was disconnected, not only "session ended"
    return redirect(app_home_url(company_id), 303)


@bp.get("/assets/procore-iframe-helpers.js")
def iframe_helpers():
    """Procore's popup-auth helper, served from node_modules (installed by make, never committed)."""
    folder = current_app.root_path + "/node_modules/@procore/procore-iframe-helpers/dist"
    return send_from_directory(folder, "index.min.js", mimetype="text/javascript")

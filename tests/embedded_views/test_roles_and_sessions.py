"""Gapline admins follow Procore; reconnecting changes no role; sessions end on disconnect, sign-out and time."""

from __future__ import annotations

import time

import responses
from sqlalchemy import func, select

from embedded_views.auth import SESSION_KEY
from integration.extensions import db
from integration.models import AppUser, AuditEvent, Installation
from tests.procore_stub import COMPANY_ID, as_user, sign_in_through_procore, stub_directory, stub_identity, ticket_of

ADMIN, VIEWER, MANAGER = 7340021, 55, 56
HOME = f"/procore/companies/{COMPANY_ID}"


def roles() -> dict[int, str]:
    return dict(db.session.execute(select(AppUser.procore_user_id, AppUser.role)).all())


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def connected_by_admin(app):
    """The company connected by its Procore company admin, whose client is returned signed in."""
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    admin = app.test_client()
    assert sign_in_through_procore(admin).status_code == 200
    return admin


def signed_in_as(app, user_id: int, *, procore_admin: bool):
    client = app.test_client()
    as_user(responses.mock, user_id, procore_admin=procore_admin, access=f"access-{user_id}")
    page = sign_in_through_procore(client, code=f"code-{user_id}")
    return client, page


def installation() -> Installation:
    row = db.session.scalar(select(Installation))
    db.session.refresh(row)
    return row


# --- who is admin -----------------------------------------------------------------------------


@responses.activate
def test_a_user_who_is_no_procore_admin_cannot_connect_a_new_company_and_nothing_is_written(app):
    stub_identity(responses.mock, procore_admin=False)
    page = sign_in_through_procore(app.test_client())
    assert page.status_code == 400
    assert "A Procore company admin must sign in first to connect it" in page.get_data(as_text=True)
    assert count(Installation) == count(AppUser) == 0
    assert [c for c in responses.calls if c.request.url.endswith("/oauth/revoke")]  # their token was revoked


@responses.activate
def test_after_a_disconnect_the_next_viewer_to_sign_in_does_not_become_admin(app):
    admin = connected_by_admin(app)
    signed_in_as(app, VIEWER, procore_admin=False)
    assert admin.post(f"{HOME}/disconnect", data={"confirm": "disconnect"}).status_code == 303
    _, page = signed_in_as(app, VIEWER, procore_admin=False)  # the seeded superintendent's case
    assert page.status_code == 400 and "must sign in to reconnect it" in page.get_data(as_text=True)
    assert roles() == {ADMIN: "admin", VIEWER: "viewer"}
    assert installation().connection_state == "disconnected"


@responses.activate
def test_reconnecting_changes_no_ones_role(app):
    admin = connected_by_admin(app)
    signed_in_as(app, VIEWER, procore_admin=False)
    signed_in_as(app, MANAGER, procore_admin=False)
    db.session.execute(db.update(AppUser).where(AppUser.procore_user_id == MANAGER).values(role="compliance_manager"))
    db.session.commit()
    admin.post(f"{HOME}/disconnect", data={"confirm": "disconnect"})
    reconnecting, page = signed_in_as(app, ADMIN, procore_admin=True)
    assert page.status_code == 200 and installation().connection_state == "connected"
    assert roles() == {ADMIN: "admin", VIEWER: "viewer", MANAGER: "compliance_manager"}
    assert reconnecting.get(HOME).status_code == 200


@responses.activate
def test_the_user_who_installed_may_reconnect_and_stays_admin_without_procore_admin_rights(app):
    admin = connected_by_admin(app)
    admin.post(f"{HOME}/disconnect", data={"confirm": "disconnect"})
    _, page = signed_in_as(app, ADMIN, procore_admin=False)
    assert page.status_code == 200 and installation().connection_state == "connected"
    assert roles() == {ADMIN: "admin"}


@responses.activate
def test_a_procore_company_admin_is_a_gapline_admin_and_the_change_is_audited(app):
    connected_by_admin(app)
    signed_in_as(app, VIEWER, procore_admin=False)
    assert roles()[VIEWER] == "viewer"
    signed_in_as(app, VIEWER, procore_admin=True)  # Procore made them a company admin since
    assert roles()[VIEWER] == "admin"
    change = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")
                                .order_by(AuditEvent.id.desc())).first()
    assert (change.before, change.after, change.actor_label) == ({"role": "viewer"}, {"role": "admin"},
                                                                 "Procore company admin")


# --- sessions ---------------------------------------------------------------------------------


@responses.activate
def test_disconnecting_ends_every_session_of_the_company_at_once(app):
    admin = connected_by_admin(app)
    viewer, _ = signed_in_as(app, VIEWER, procore_admin=False)
    assert viewer.get(HOME).status_code == 200
    admin.post(f"{HOME}/disconnect", data={"confirm": "disconnect"})
    page = viewer.get(HOME)
    assert page.status_code == 401 and "Your Gapline session has ended" in page.get_data(as_text=True)
    page = admin.get(HOME)  # the admin who disconnected is told so, signed out like everyone
    text = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 401 and "is disconnected from Procore" in text and "signed out of Gapline" in text


@responses.activate
def test_signing_in_again_retires_the_older_session_cookie(app):
    admin = connected_by_admin(app)
    old_cookie = admin.get_cookie("session").value
    assert sign_in_through_procore(admin, code="again").status_code == 200
    assert admin.get(HOME).status_code == 200
    replayed = app.test_client()
    replayed.set_cookie("session", old_cookie)
    assert replayed.get(HOME).status_code == 401


@responses.activate
def test_signing_out_ends_the_users_sessions_here_and_elsewhere(app):
    admin = connected_by_admin(app)
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", admin.get_cookie("session").value)
    page = admin.post(f"{HOME}/sign-out")
    assert page.status_code == 200 and "You are signed out" in page.get_data(as_text=True)
    assert 'class="sign-out"' not in page.get_data(as_text=True)  # no one's navigation on it any more
    assert admin.get(HOME).status_code == 401 and elsewhere.get(HOME).status_code == 401


@responses.activate
def test_a_session_ends_after_its_idle_timeout_and_its_lifetime(app):
    admin = connected_by_admin(app)
    settings = app.config["GAPLINE"]
    with admin.session_transaction() as session:
        claim = session[SESSION_KEY]
    now = time.time()
    for started, seen, status in ((now - 600, now - 300, 200),
                                  (now - 600, now - settings.session_idle_minutes * 60 - 1, 401),
                                  (now - settings.session_lifetime_hours * 3600 - 1, now - 10, 401)):
        with admin.session_transaction() as session:
            session[SESSION_KEY] = {**claim, "started_at": started, "seen_at": seen}
        assert admin.get(HOME).status_code == status, (started, seen)


@responses.activate
def test_using_a_session_moves_its_idle_clock(app):
    admin = connected_by_admin(app)
    with admin.session_transaction() as session:
        session[SESSION_KEY] = {**session[SESSION_KEY], "seen_at": time.time() - 300}
    admin.get(HOME)
    with admin.session_transaction() as session:
        assert time.time() - session[SESSION_KEY]["seen_at"] < 60


@responses.activate
def test_the_session_cookie_is_sent_again_only_when_its_idle_clock_moves(app):
    admin = connected_by_admin(app)
    admin.get(HOME)  # (the first page may move the clock the sign-in set)
    assert "Set-Cookie" not in admin.get(HOME).headers  # used a moment ago: nothing to re-sign or re-send
    with admin.session_transaction() as session:
        session[SESSION_KEY] = {**session[SESSION_KEY], "seen_at": time.time() - 300}
    assert "Set-Cookie" in admin.get(HOME).headers  # the idle clock moved: the cookie is sent with its new expiry


@responses.activate
def test_a_sign_in_ticket_starts_one_session_only(app):
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    popup = app.test_client()
    state_page = popup.get(f"/procore/connect?company_id={COMPANY_ID}")
    state = state_page.headers["Location"].split("state=")[1].split("&")[0]
    ticket = ticket_of(popup.get(f"/procore/oauth/callback?code=abc&state={state}"))
    frame, thief = app.test_client(), app.test_client()
    assert frame.post("/procore/session", data={"ticket": ticket}).status_code == 303
    used = thief.post("/procore/session", data={"ticket": ticket})
    assert used.status_code == 400 and "already used" in used.get_data(as_text=True)
    assert thief.post("/procore/session", data={"ticket": ticket[:-2] + "xx"}).status_code == 400
    assert frame.get(HOME).status_code == 200 and thief.get(HOME).status_code == 401


@responses.activate
def test_a_session_start_never_redirects_off_the_site(app):
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    popup = app.test_client()
    state = popup.get(f"/procore/connect?company_id={COMPANY_ID}").headers["Location"].split("state=")[1].split("&")[0]
    ticket = ticket_of(popup.get(f"/procore/oauth/callback?code=abc&state={state}"))
    started = app.test_client().post("/procore/session", data={"ticket": ticket, "next": "//evil.example/x"})
    assert started.headers["Location"].endswith(HOME)

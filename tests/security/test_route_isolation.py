"""Every route × (own company, another company, no session, an expired session, wrong role, missing CSRF token).

The routes come from the app's URL map (tests/security/conftest.py), so a route added later is
probed too. A route must be public by name (PUBLIC below) or take the ``company_id`` it acts on
and be guarded by ``requires_user``. Company A's rows carry a marker that must never show up in
an answer to anyone but company A's users, and no refused request may change a row.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from flask import url_for
from sqlalchemy import func, select

from embedded_views.auth import SESSION_KEY
from integration.extensions import db
from integration.models import AppUser, Base, Installation, Override, StoredFile, SyncRun
from integration.storage import get_storage
from tests import bad_files, factories
from tests.conftest import signed_in

A, B = 5101, 5102
MARKER = "Quokka Roofing of company A"
# Routes anyone may call: the landing page, health and the favicon, the public guide, Procore's helper script, and
# the sign-in round trip (which checks Procore's answer, not a session). The side panel's shell
# takes its company from the query string and asks for sign-in itself (tested below).
PUBLIC = {"home.index", "home.healthz", "home.favicon", "guide.index", "guide.gap", "procore.iframe_helpers",
          "procore.connect", "procore.callback", "procore.start_session", "sidepanel.panel",
          # The Compliance Hub's way in: ask for a link, open it, use it, sign out (no Procore session involved).
          "compliance_hub.sign_in", "compliance_hub.open_link", "compliance_hub.redeem_link", "compliance_hub.sign_out",
          "webhooks.deliver",
          # The subcontractor's ways in: the signed upload link is its own key, the Record Hub its code.
          "portal.landing", "portal.show", "portal.documents", "portal.progress", "portal.new_link",
          "portal.unsubscribe_page", "portal.unsubscribe", "hub.record_hub", "hub.sign_in_page", "hub.send_code",
          "hub.sign_in", "hub.sign_out", "hub.requests", "hub.submit_page", "hub.documents", "hub.progress",
          # The subcontractor widget: Procore's sign-in in the popup proves the address, then it is the Record Hub.
          "widget.index", "widget.connect", "widget.start_session"}
# The Compliance Hub's pages for its members: guarded by a hub member's session, which names no Procore company;
# without one (a Procore session is not one) they send the browser to the hub's sign-in page.
HUB_MEMBERS = {"compliance_hub.index", "compliance_hub.switch", "compliance_hub.table", "compliance_hub.certificate",
               "compliance_hub.export_csv", "compliance_hub.export_zip", "compliance_hub.invite_teammate"}
# Called by Procore, not from a form: its own secret header authenticates it instead of a CSRF token
# (tests/sync_jobs/test_webhooks.py shows a delivery without the secret refused and nothing kept).
# An RFC 8058 one-click unsubscribe is posted by the mail client, not our form: the signed link is the proof.
MACHINE_POSTS = {"webhooks.deliver", "portal.unsubscribe"}
# Public in the demo only: production answers 404 (tested below).
DEMO_ONLY = {"mailbox.index", "mailbox.message", "mailbox.text"}
# What a signed-in user may do to their own session whatever their role.
SELF_SERVICE = {"procore.sign_out_user"}
# Routes that name no row and run a job of the caller's own company, which records its own run (of that company).
OWN_COMPANY_JOBS = {"sync.run_import": "sync_runs"}
PUBLIC_VALUES = {"code": "MISSING_LINE", "company_id": A, "email_id": 1, "token": "probe", "request_id": 1,
                 "submission_id": 1}
POST_FORMS = {"vendors.override": {"gap_key": "general_liability.missing", "kind": "waive", "reason": "probe"},
              "review.save": {"policies.0.policy_number": "PROBE-1"}, "team.set_role": {"role": "admin"},
              "procore.disconnect_company": {"confirm": "disconnect"},
              "outreach.settings": {"logo_url": "", "gap_email_mode": "automatic"},
              "review.reject_certificate": {"reason": "probe reason"}}


class Company:
    """A company's rows for the probes: vendor, project, a stored document, its certificate, an override."""

    def __init__(self, company_id: int, vendor_name: str) -> None:
        self.base = factories.company(company_id, vendor_name=vendor_name)
        self.project = factories.project(company_id, name=f"{vendor_name} project")
        self.certificate = factories.certificate(self.base.vendor, {"file": f"{vendor_name}.pdf", "ok": True})
        self.stored = db.session.get(StoredFile, self.certificate.stored_file_id)
        self.document = bad_files.pdf() + f"% {vendor_name}".encode()
        self.stored.storage_key = f"{company_id}/probe.pdf"
        get_storage().put(self.stored.storage_key, self.document)
        self.assignment = factories.assignment(self.project, self.base.vendor)
        self.account = factories.hub_account(company_id, [self.project])
        self.member = factories.hub_member(self.account, email=f"member@{company_id}.test")
        self.request = factories.outreach_request(self.base.vendor, recipient_email=f"office@{company_id}.test")
        self.override = Override(company_id=company_id, vendor_id=self.base.vendor.id, gap_key="probe",
                                 kind="waive", reason="probe", created_by_user_id=self.base["admin"].id)
        db.session.add(self.override)
        db.session.flush()

    def values(self) -> dict[str, object]:
        """URL values naming this company's rows."""
        return {"company_id": self.base.installation.company_id, "vendor_id": self.base.vendor.id,
                "file_id": self.stored.id, "page": 1, "certificate_id": self.certificate.id,
                "override_id": self.override.id, "procore_vendor_id": self.base.vendor.procore_vendor_id,
                "project_id": str(self.project.procore_project_id), "user_id": self.base["viewer"].id,
                "assignment_id": self.assignment.id, "account_id": self.account.id, "member_id": self.member.id,
                "request_id": self.request.id, "submission_id": self.stored.submission_id, "token": "probe",
                "tier": "high_risk"}


@pytest.fixture
def world(app):
    companies = {A: Company(A, MARKER), B: Company(B, "Wombat Paving of company B")}
    db.session.commit()
    return companies


def url(app, route, values: dict[str, object]) -> str:
    missing = route.arguments - values.keys()
    assert not missing, f"{route}: the probes need a value for {sorted(missing)}; add it to Company.values()"
    with app.test_request_context():
        return url_for(route.endpoint, **{name: values[name] for name in route.arguments})


def call(client, app, route, values, **kwargs):
    target = url(app, route, values)
    if route.method == "POST":
        return client.post(target, data=kwargs.pop("data", POST_FORMS.get(route.endpoint, {})), **kwargs)
    return client.get(target, **kwargs)


def table_counts() -> dict[str, int]:
    """Rows per table; not the pages' write counts (page_writes), which the tests' own sign-ins add to."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables if table.name != "page_writes"}


def company_a_state() -> tuple:
    """What a refused request could change in company A: roles, sessions, connection, overrides, sync runs."""
    db.session.expire_all()
    users = db.session.execute(select(AppUser.id, AppUser.role, AppUser.session_generation)
                               .where(AppUser.company_id == A).order_by(AppUser.id)).all()
    installation = db.session.execute(select(Installation.connection_state, Installation.session_generation)
                                      .where(Installation.company_id == A)).one()
    overrides = db.session.execute(select(Override.id, Override.revoked_at).where(Override.company_id == A)).all()
    runs = db.session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.company_id == A))
    return tuple(users), tuple(installation), tuple(overrides), runs


def leaks(response, world) -> bool:
    body = response.get_data()
    return MARKER.encode() in body or world[A].document in body


def test_every_route_is_public_by_name_or_guarded_for_the_company_it_names(app, route):
    if route.endpoint in PUBLIC | DEMO_ONLY | HUB_MEMBERS:
        return
    assert route.company_scoped, f"{route} is neither in PUBLIC nor takes <company_id>: say which it is"
    view = app.view_functions[route.endpoint]
    assert hasattr(view, "allowed"), f"{route} takes company_id but is not guarded by requires_user"


def test_without_a_session_a_company_route_asks_for_sign_in(app, world, company_route):
    rows, state = table_counts(), company_a_state()
    response = call(app.test_client(), app, company_route, world[A].values())
    assert response.status_code == 401 and "Sign in with Procore" in response.get_data(as_text=True)
    assert not leaks(response, world) and table_counts() == rows and company_a_state() == state


def expired(app, user, *, idle: bool):
    """A client whose session for ``user`` is past its idle timeout (``idle``) or past its lifetime."""
    settings, now = app.config["GAPLINE"], time.time()
    client = signed_in(app, user)
    with client.session_transaction() as session:
        claim = session[SESSION_KEY]
        if idle:
            claim.update(started_at=now - 60, seen_at=now - settings.session_idle_minutes * 60 - 1)
        else:
            claim.update(started_at=now - settings.session_lifetime_hours * 3600 - 1, seen_at=now - 10)
        session[SESSION_KEY] = claim
    return client


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "lifetime"])
def test_an_expired_session_is_refused_clearly_and_changes_nothing(app, world, company_route, idle):
    rows, state = table_counts(), company_a_state()
    response = call(expired(app, world[A].base["admin"], idle=idle), app, company_route, world[A].values())
    text = response.get_data(as_text=True)
    assert response.status_code == 401, (company_route, response.status_code)
    assert "Your Gapline session has ended" in text and "Sign in with Procore" in text
    assert not leaks(response, world) and table_counts() == rows and company_a_state() == state


def test_the_expired_session_probe_reaches_every_admin_screen():
    """The admin area (admin, requirements, settings, team, sync, Compliance Hub admin) is among the routes probed."""
    from tests.security.conftest import all_routes

    probed = {r.endpoint for r in all_routes() if r.company_scoped}
    admin_area = {"admin.index", "admin.connection", "admin.confirm_disconnect", "requirements.index",
                  "requirements.tier", "requirements.project", "outreach.settings", "team.index", "team.set_role",
                  "sync.index", "sync.run_import", "procore.disconnect_company", "compliance_hub_admin.index",
                  "compliance_hub_admin.invite", "compliance_hub_admin.work_windows", "review.index", "review.save"}
    assert admin_area <= probed, admin_area - probed


def test_another_companys_session_cannot_reach_a_company_route(app, world, company_route):
    rows, state = table_counts(), company_a_state()
    outsider = signed_in(app, world[B].base["admin"])
    response = call(outsider, app, company_route, world[A].values())
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and f"Procore company {A} is not one you can see" in text
    assert "Sign in as someone else" in text and not leaks(response, world)
    assert table_counts() == rows and company_a_state() == state


def test_another_companys_rows_are_not_reached_through_your_own_company(app, world, company_route):
    if company_route.endpoint in SELF_SERVICE:
        return
    rows, state = table_counts(), company_a_state()
    outsider = signed_in(app, world[B].base["admin"])
    values = {**world[A].values(), "company_id": B}  # B's own URL, naming A's rows
    response = call(outsider, app, company_route, values)
    assert response.status_code < 500 and not leaks(response, world)
    if response.status_code in (302, 303):
        assert not leaks(outsider.get(response.headers["Location"]), world)
    ignored = {"audit_events", OWN_COMPANY_JOBS.get(company_route.endpoint)}
    assert {name: count for name, count in table_counts().items() if name not in ignored} == \
        {name: count for name, count in rows.items() if name not in ignored}
    assert company_a_state() == state


def test_a_role_the_route_does_not_allow_is_refused_and_changes_nothing(app, world, company_route):
    if company_route.endpoint in SELF_SERVICE:
        return
    viewer = world[A].base["viewer"]
    allowed = app.view_functions[company_route.endpoint].allowed
    rows, state = table_counts(), company_a_state()
    response = call(signed_in(app, viewer), app, company_route, world[A].values())
    if allowed is not None and not allowed(viewer):
        assert response.status_code == 403 and "role; you are a viewer" in response.get_data(as_text=True)
    elif company_route.method == "GET":
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
    if company_route.method == "POST":  # refused by the guard or by the core: either way nothing is written
        assert response.status_code in (303, 403) and table_counts() == rows and company_a_state() == state


def test_your_own_company_reaches_every_company_route(app, world, company_route):
    admin = signed_in(app, world[A].base["admin"])
    response = call(admin, app, company_route, world[A].values())
    assert response.status_code in (200, 302, 303), (response.status_code, response.get_data(as_text=True)[:500])


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(app, world, post_route):
    if post_route.endpoint in MACHINE_POSTS:
        return
    app.config["WTF_CSRF_ENABLED"] = True
    rows, state = table_counts(), company_a_state()
    client = signed_in(app, world[A].base["admin"])
    response = call(client, app, post_route, world[A].values())
    assert response.status_code == 400 and "CSRF token is missing" in response.get_data(as_text=True)
    assert table_counts() == rows and company_a_state() == state


def test_a_public_route_answers_anyone_without_leaking_a_company(app, world, route):
    if route.endpoint not in PUBLIC:
        return
    rows = table_counts()
    for client in (app.test_client(), signed_in(app, world[B].base["admin"])):
        response = call(client, app, route, PUBLIC_VALUES)
        assert response.status_code < 500 and not leaks(response, world), route
        response.close()
    assert table_counts() == rows


def test_a_hub_members_page_sends_anyone_without_a_hub_session_to_sign_in(app, world, route):
    if route.endpoint not in HUB_MEMBERS:
        return
    rows = table_counts()
    values = {**world[A].values(), "project_id": world[A].project.id}
    for client in (app.test_client(), signed_in(app, world[A].base["admin"])):  # a Procore session is not a hub one
        response = call(client, app, route, values)
        assert response.status_code == 302 and response.headers["Location"].endswith("/compliance-hub/sign-in")
        assert not leaks(response, world)
    assert table_counts() == rows


def test_a_demo_only_route_does_not_exist_in_production(app, route):
    if route.endpoint not in DEMO_ONLY:
        return
    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], env="production")
    assert call(app.test_client(), app, route, PUBLIC_VALUES).status_code == 404


def test_the_side_panel_shell_asks_for_sign_in_unless_the_session_is_for_its_company(app, world):
    panel = f"/procore/sidepanel?company_id={A}&project_id=1"
    assert app.test_client().get(panel).status_code == 401
    assert signed_in(app, world[B].base["admin"]).get(panel).status_code == 403
    assert signed_in(app, world[A].base["viewer"]).get(panel).status_code == 200


def test_the_route_matrix_is_not_empty():
    from tests.security.conftest import all_routes

    routes = all_routes()
    assert len([r for r in routes if r.company_scoped]) >= 14 and len([r for r in routes if r.method == "POST"]) >= 7

"""End to end over HTTP: Gapline connects to the Procore sandbox emulator and imports its directory."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from fixtures.procore_sandbox import serve_in_thread
from integration.extensions import db
from integration.models import AppUser, Installation, Project, ProjectAssignment, SyncRun, Vendor, VendorContact
from tests import factories
from tests.fixtures.sandbox_helpers import ADMIN, COMPANY_A, SUPERINTENDENT
from tests.procore_stub import ticket_of


@pytest.fixture
def emulator():
    base_url, stop = serve_in_thread({"EXTRA_REDIRECT_URIS": ["http://gapline.test/procore/oauth/callback"]})
    yield base_url
    stop()


@pytest.fixture
def connected_app(app, emulator):
    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], procore_api_base=emulator,
                                                procore_login_base=emulator,
                                                public_base_url="http://gapline.test")
    app.extensions.pop("procore_tokens", None)
    return app


def consent(authorize_url: str, user_id: int) -> dict:
    """Play the Procore user on the emulator's consent screen; return the redirect's query."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    with requests.Session() as http:
        assert http.get(authorize_url, timeout=5).status_code == 200
        answer = http.post(authorize_url.split("?")[0], data={**query, "user_id": str(user_id), "decision": "allow"},
                           allow_redirects=False, timeout=5)
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def test_connect_sign_in_and_import_over_http(connected_app):
    client = connected_app.test_client()
    authorize = client.get(f"/procore/connect?company_id={COMPANY_A}").headers["Location"]
    answer = consent(authorize, ADMIN)
    page = client.get(f"/procore/oauth/callback?code={answer['code']}&state={answer['state']}")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert client.post("/procore/session", data={"ticket": ticket_of(page)}).status_code == 303
    installation = db.session.scalar(select(Installation))
    assert installation.connection_state == "connected" and installation.company_id == COMPANY_A
    assert db.session.scalar(select(AppUser.role)) == "admin"
    run = db.session.scalar(select(SyncRun))
    assert run.state == "succeeded", run.error
    vendors = db.session.scalar(select(func.count()).select_from(Vendor))
    assert vendors == run.counts["vendors"] == 100  # the emulator's seed: 100 vendors per company
    assert db.session.scalar(select(func.count()).select_from(Project)) == run.counts["projects"] > 0
    assert db.session.scalar(select(func.count()).select_from(ProjectAssignment)) > 0
    assert db.session.scalar(select(func.count()).select_from(VendorContact)) > 0
    home = client.get(f"/procore/companies/{COMPANY_A}").get_data(as_text=True)
    assert db.session.scalar(select(Vendor.name).order_by(Vendor.name)) in home


def sign_in_over_http(client, user_id: int):
    authorize = client.get(f"/procore/connect?company_id={COMPANY_A}").headers["Location"]
    answer = consent(authorize, user_id)
    page = client.get(f"/procore/oauth/callback?code={answer['code']}&state={answer['state']}")
    if page.status_code == 200:
        client.post("/procore/session", data={"ticket": ticket_of(page)})
    return page


def test_the_seeded_superintendent_never_becomes_admin_even_after_a_disconnect(connected_app):
    admin = connected_app.test_client()
    assert sign_in_over_http(admin, ADMIN).status_code == 200
    superintendent = connected_app.test_client()
    assert sign_in_over_http(superintendent, SUPERINTENDENT).status_code == 200
    confirmed = {"confirm": "disconnect"}
    assert superintendent.post(f"/procore/companies/{COMPANY_A}/disconnect", data=confirmed).status_code == 403
    assert admin.post(f"/procore/companies/{COMPANY_A}/disconnect", data={"confirm": "disconnect"}).status_code == 303
    refused = sign_in_over_http(connected_app.test_client(), SUPERINTENDENT)
    assert refused.status_code == 400 and "must sign in to reconnect it" in refused.get_data(as_text=True)
    roles = dict(db.session.execute(select(AppUser.procore_user_id, AppUser.role)).all())
    assert roles == {ADMIN: "admin", SUPERINTENDENT: "viewer"}
    assert superintendent.get(f"/procore/companies/{COMPANY_A}").status_code == 401  # that session ended too


def test_import_rides_out_procore_failures(sqlite_committed):
    """A quarter of calls fail with 500 and some with 503 + Retry-After: retries still bring in everything."""
    from fixtures.procore_sandbox import create_sandbox_app
    from integration.procore_connection import company_key, token_manager
    from procore_client import Token
    from sync_jobs.directory_import import import_directory
    from tests.fixtures.sandbox_helpers import sign_in

    sandbox = create_sandbox_app({"FAIL_RATE_500": 0.25, "FAIL_RATE_503": 0.1, "RETRY_AFTER_503": 1,
                                  "FAULT_SEED": 3})
    pair = sign_in(sandbox.test_client())
    base_url, stop = serve_in_thread(app=sandbox)
    try:
        app = sqlite_committed
        app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], procore_api_base=base_url,
                                                    procore_login_base=base_url, procore_job_auth="company_user")
        factories.installation(COMPANY_A)
        db.session.commit()
        token_manager().store.save(company_key(COMPANY_A), Token(pair["access_token"], 9e9, pair["refresh_token"]))
        run = db.session.get(SyncRun, import_directory(COMPANY_A))
        statuses = requests.get(f"{base_url}/_emulator/requests", timeout=5).json()["counts_by_status"]
    finally:
        stop()
    assert run.state == "succeeded" and run.counts["vendors"] == 100
    assert int(statuses.get("500", 0)) > 0 and int(statuses.get("503", 0)) > 0  # failures really happened

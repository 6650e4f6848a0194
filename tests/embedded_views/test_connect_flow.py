"""Connecting a company through Procore OAuth: state checks, membership, encrypted tokens, import, disconnect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import responses
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import AppUser, AuditEvent, Installation, SyncRun, Vendor
from tests.procore_stub import (
    BASE,
    COMPANY_ID,
    as_user,
    sign_in_through_procore,
    stub_directory,
    stub_identity,
)


def start(client, company_id=COMPANY_ID) -> str:
    response = client.get(f"/procore/connect?company_id={company_id}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{BASE}/oauth/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == ["gapline-demo"] and query["response_type"] == ["code"]
    return query["state"][0]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@responses.activate
def test_first_sign_in_connects_the_company_and_imports_the_directory(client):
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    page = sign_in_through_procore(client)
    assert page.status_code == 200, page.get_data(as_text=True)
    installation = db.session.scalar(select(Installation))
    assert installation.company_id == COMPANY_ID and installation.connection_state == "connected"
    assert installation.company_name == "Harbor Ridge Builders"
    assert b"access-1" not in installation.access_token_encrypted  # encrypted at rest
    assert b"refresh-1" not in installation.refresh_token_encrypted
    user = db.session.scalar(select(AppUser))
    assert (user.role, user.procore_user_id) == ("admin", 7340021)
    run = db.session.scalar(select(SyncRun))
    assert run.state == "succeeded" and run.counts["vendors"] == count(Vendor) > 0
    home = client.get(f"/procore/companies/{COMPANY_ID}").get_data(as_text=True)
    assert "Directory import succeeded" in home and f"{run.counts['vendors']} vendors" in home


@responses.activate
def test_a_wrong_state_is_refused_and_nothing_is_written(client):
    stub_identity(responses.mock)
    start(client)
    page = client.get("/procore/oauth/callback?code=abc&state=forged")
    assert page.status_code == 400 and "stale or was not started here" in page.get_data(as_text=True)
    assert count(Installation) == count(AppUser) == 0
    assert not [c for c in responses.calls if c.request.url.endswith("/oauth/token")]


@responses.activate
def test_a_user_of_another_company_is_refused_and_nothing_is_written(client):
    stub_identity(responses.mock, companies=[{"id": 999, "name": "Someone Else"}])
    state = start(client)
    page = client.get(f"/procore/oauth/callback?code=abc&state={state}")
    assert page.status_code == 400 and f"does not belong to Procore company {COMPANY_ID}" in page.get_data(as_text=True)
    assert count(Installation) == count(AppUser) == 0


@responses.activate
def test_denied_consent_is_a_clear_refusal(client):
    start(client)
    page = client.get("/procore/oauth/callback?error=access_denied&state=x")
    assert page.status_code == 400 and "access_denied" in page.get_data(as_text=True)
    assert count(Installation) == 0


@responses.activate
def test_a_later_user_is_a_viewer_and_their_token_is_revoked(client, app):
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    sign_in_through_procore(client)
    other = app.test_client()
    as_user(responses.mock, 55, procore_admin=False)
    assert sign_in_through_procore(other, code="xyz").status_code == 200
    roles = dict(db.session.execute(select(AppUser.procore_user_id, AppUser.role)).all())
    assert roles == {7340021: "admin", 55: "viewer"}
    revoked = [c for c in responses.calls if c.request.url.endswith("/oauth/revoke")]
    assert len(revoked) == 1 and "access-2" in revoked[0].request.body
    assert other.post(f"/procore/companies/{COMPANY_ID}/disconnect", data={"confirm": "disconnect"}).status_code == 403


@responses.activate
def test_admin_disconnect_revokes_and_forgets_the_tokens(sqlite_committed):
    client = sqlite_committed.test_client()  # the token store forgets on its own, committed connection
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    sign_in_through_procore(client)
    response = client.post(f"/procore/companies/{COMPANY_ID}/disconnect", data={"confirm": "disconnect"})
    assert response.status_code == 303
    installation = db.session.scalar(select(Installation))
    db.session.refresh(installation)
    assert installation.connection_state == "disconnected"
    assert installation.access_token_encrypted is None and installation.refresh_token_encrypted is None
    revoked = [c for c in responses.calls if c.request.url.endswith("/oauth/revoke")]
    assert "access-1" in revoked[-1].request.body
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "installation.disconnected"


def test_pages_of_another_company_ask_for_sign_in(client):
    page = client.get("/procore/companies/31337")
    assert page.status_code == 401 and "Sign in with Procore" in page.get_data(as_text=True)


def test_connect_without_company_is_a_clear_error(client):
    page = client.get("/procore/connect")
    assert page.status_code == 400 and "company_id is required" in page.get_data(as_text=True)


@responses.activate
def test_procore_failing_during_sign_in_is_a_clear_refusal_and_writes_nothing(client):
    responses.post(f"{BASE}/oauth/token", status=500, json={"error": "server_error"})
    page = client.get(f"/procore/oauth/callback?code=abc&state={start(client)}")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Procore had a problem on its side" in text
    assert BASE not in text and "500" not in text and "ServerError" not in text  # words, not the failed call
    assert count(Installation) == count(AppUser) == 0


@responses.activate
def test_procore_failing_after_the_code_exchange_writes_nothing(client):
    stub_identity(responses.mock)
    responses.replace(responses.GET, f"{BASE}/rest/v1.0/companies", status=503, json={"errors": "maintenance"})
    page = client.get(f"/procore/oauth/callback?code=abc&state={start(client)}")
    assert page.status_code == 400
    assert count(Installation) == count(AppUser) == 0

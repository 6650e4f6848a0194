"""Procore's HTTP API stood in by `responses` for unit tests, fed from the recorded payloads in fixtures/procore."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import responses

BASE = "http://127.0.0.1:5001"  # the demo settings' Procore host
PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "procore"
COMPANY_ID = 4812  # Harbor Ridge Builders in the recorded payloads


def payload(name: str):
    """A recorded Procore payload by file stem."""
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def token_body(access: str = "access-1", refresh: str | None = "refresh-1", expires_in: int = 5400) -> dict:
    """A /oauth/token response."""
    body = {"access_token": access, "token_type": "bearer", "expires_in": expires_in, "created_at": 1764000000}
    if refresh:
        body["refresh_token"] = refresh
    return body


def stub_identity(mock: responses.RequestsMock, *, user_id: int = 7340021, companies=None, token=None,
                  procore_admin: bool = True) -> None:
    """The calls of a sign-in: code exchange, /me, /companies, the projects the user can see, the user's company
    permissions, and a revoke."""
    mock.post(f"{BASE}/oauth/token", json=token or token_body())
    mock.get(f"{BASE}/rest/v1.0/me", json={"id": user_id, "login": f"user{user_id}@gc.test", "name": f"User {user_id}"})
    mock.get(f"{BASE}/rest/v1.0/companies", json=companies if companies is not None else payload("companies"))
    mock.get(f"{BASE}/rest/v1.0/projects", json=payload("projects_page1"))
    stub_permissions(mock, procore_admin=procore_admin)
    mock.post(f"{BASE}/oauth/revoke", json={})


def stub_permissions(mock: responses.RequestsMock, *, procore_admin: bool) -> None:
    """The user's company permission manifest: Admin on the company Directory, or Read Only."""
    name = "company_permissions_admin" if procore_admin else "company_permissions_read_only"
    mock.get(f"{BASE}/rest/v1.0/settings/permissions", json=payload(name))


def as_user(mock: responses.RequestsMock, user_id: int, *, procore_admin: bool, access: str = "access-2") -> None:
    """Make the next sign-in another Procore user: their own token, identity and permissions."""
    mock.replace(responses.POST, f"{BASE}/oauth/token", json=token_body(access, f"refresh-of-{access}"))
    mock.replace(responses.GET, f"{BASE}/rest/v1.0/me", json={"id": user_id, "login": f"user{user_id}@gc.test",
                                                              "name": f"User {user_id}"})
    name = "company_permissions_admin" if procore_admin else "company_permissions_read_only"
    mock.replace(responses.GET, f"{BASE}/rest/v1.0/settings/permissions", json=payload(name))


def ticket_of(page) -> str:
    """The one-use sign-in ticket on the "You are signed in" page."""
    match = re.search(r'name="ticket" value="([^"]+)"', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)
    return match.group(1)


def sign_in_through_procore(client, company_id: int = COMPANY_ID, code: str = "abc"):
    """Connect/sign-in popup, then the frame's session from the ticket; returns the callback's page."""
    response = client.get(f"/procore/connect?company_id={company_id}")
    state = parse_qs(urlsplit(response.headers["Location"]).query)["state"][0]
    page = client.get(f"/procore/oauth/callback?code={code}&state={state}")
    if page.status_code == 200:
        started = client.post("/procore/session", data={"ticket": ticket_of(page)})
        assert started.status_code == 303, started.get_data(as_text=True)
    return page


def stub_directory(mock: responses.RequestsMock) -> None:
    """One page each of projects, vendors, vendor users and project vendors."""
    mock.get(f"{BASE}/rest/v1.0/projects", json=payload("projects_page1"))
    mock.get(f"{BASE}/rest/v1.0/vendors", json=payload("vendors_page1"))
    mock.get(f"{BASE}/rest/v1.3/companies/{COMPANY_ID}/users", json=payload("company_users_vendor"))
    for project in payload("projects_page1"):
        mock.get(f"{BASE}/rest/v1.0/projects/{project['id']}/vendors", json=payload("project_vendors"))

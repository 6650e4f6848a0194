"""Procore's HTTP API stood in by `responses` for unit tests, fed from the recorded payloads in fixtures/procore."""

from __future__ import annotations

import json
from pathlib import Path

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


def stub_identity(mock: responses.RequestsMock, *, user_id: int = 7340021, companies=None, token=None) -> None:
    """The calls of a sign-in: code exchange, /me, /companies, and a revoke."""
    mock.post(f"{BASE}/oauth/token", json=token or token_body())
    mock.get(f"{BASE}/rest/v1.0/me", json={"id": user_id, "login": f"user{user_id}@gc.test", "name": f"User {user_id}"})
    mock.get(f"{BASE}/rest/v1.0/companies", json=companies if companies is not None else payload("companies"))
    mock.post(f"{BASE}/oauth/revoke", json={})


def stub_directory(mock: responses.RequestsMock) -> None:
    """One page each of projects, vendors, vendor users and project vendors."""
    mock.get(f"{BASE}/rest/v1.0/projects", json=payload("projects_page1"))
    mock.get(f"{BASE}/rest/v1.0/vendors", json=payload("vendors_page1"))
    mock.get(f"{BASE}/rest/v1.3/companies/{COMPANY_ID}/users", json=payload("company_users_vendor"))
    for project in payload("projects_page1"):
        mock.get(f"{BASE}/rest/v1.0/projects/{project['id']}/vendors", json=payload("project_vendors"))

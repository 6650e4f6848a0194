"""The subcontractor widget: Procore's sign-in in the popup proves the address; its Record Hub shows in the frame
with a COI upload per request; an address without open requests, a forged ticket or a framed sign-in get nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import OutreachRequest, Submission
from tests import factories
from tests.procore_stub import BASE, stub_identity, ticket_of

ADDRESS = "user7340021@gc.test"  # the address stub_identity's /me signs in with


@pytest.fixture
def world(app):
    company = factories.company(6501, "Summit Builders", "Acme Drywall")
    project = factories.project(6501, name="Riverside Clinic")
    factories.outreach_request(company.vendor, project_id=project.id, recipient_email=ADDRESS)
    other = factories.company(6502, "Elsewhere GC", "Other Sub")
    factories.outreach_request(other.vendor, recipient_email="someone@else.test")
    db.session.commit()
    return company


def sign_in(client):
    state = parse_qs(urlsplit(client.get("/procore/widget/connect").headers["Location"]).query)["state"][0]
    return client.get(f"/procore/oauth/callback?code=abc&state={state}")


@responses.activate
def test_a_subcontractor_signs_in_with_procore_and_sees_their_requests_with_a_coi_upload(app, world):
    stub_identity(responses.mock)
    client = app.test_client()
    assert client.get("/procore/widget").status_code == 401
    page = sign_in(client)
    assert page.status_code == 200 and "notifySuccess" not in page.get_data(as_text=True)  # the script is a file
    started = client.post("/procore/widget/session", data={"ticket": ticket_of(page)})
    assert started.status_code == 303
    listing = client.get("/procore/widget").get_data(as_text=True)
    assert "Summit Builders" in listing and "Riverside Clinic" in listing and "Insurance Documents" in listing
    assert "Elsewhere GC" not in listing and "Other Sub" not in listing
    request_id = db.session.scalar(select(OutreachRequest.id).where(OutreachRequest.recipient_email == ADDRESS))
    assert f"/hub/requests/{request_id}" in listing and "COI" in listing
    assert client.get(f"/hub/requests/{request_id}").status_code == 200  # the Record Hub's own upload page
    revoked = [c for c in responses.calls if c.request.url == f"{BASE}/oauth/revoke"]
    assert revoked  # Procore's token is never kept


@responses.activate
def test_an_address_without_open_requests_is_told_so_and_gets_no_session(app, world):
    stub_identity(responses.mock, user_id=55)
    client = app.test_client()
    page = sign_in(client)
    assert page.status_code == 403 and "No general contractor has an open insurance request for user55@gc.test" \
        in page.get_data(as_text=True)
    assert client.get("/procore/widget").status_code == 401


def test_a_forged_or_stale_ticket_starts_nothing(app, world):
    client = app.test_client()
    assert client.post("/procore/widget/session", data={"ticket": "forged"}).status_code == 400
    assert client.get("/procore/widget").status_code == 401
    assert client.get("/hub/requests").status_code == 302


def test_the_widget_never_loads_procores_sign_in_inside_the_frame(app, world):
    framed = app.test_client().get("/procore/widget/connect", headers={"Sec-Fetch-Dest": "iframe"})
    assert framed.status_code == 409 and "Location" not in framed.headers
    assert "data-procore-popup" in framed.get_data(as_text=True)


def test_an_oauth_answer_with_a_state_nobody_started_is_refused(app, world):
    before = db.session.scalar(select(func.count()).select_from(Submission))
    page = app.test_client().get("/procore/oauth/callback?code=abc&state=made-up")
    assert page.status_code == 400 and before == db.session.scalar(select(func.count()).select_from(Submission))

"""The project in the URL must be one the signed-in user can see in Procore, as Procore listed it for them at
sign-in (read with their own token, kept on their row for a few hours); otherwise a clear refusal, nothing shown."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import responses
from sqlalchemy import select

from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
from fixtures.procore_sandbox.runtime import current_sandbox
from integration import procore_visibility
from integration.extensions import db
from integration.models import AppUser, OutreachRequest, Project, Vendor, utcnow
from tests import factories
from tests.conftest import signed_in
from tests.embedded_views.test_connect_with_emulator import sign_in_over_http
from tests.fixtures.sandbox_helpers import ADMIN, COMPANY_A, SUPERINTENDENT
from tests.procore_stub import BASE, COMPANY_ID, sign_in_through_procore, stub_identity

HIDDEN_WORDS = "is not one of the projects you can see in Procore"
UNKNOWN_WORDS = "Sign in again to open it"


@pytest.fixture
def sandbox():
    """The emulator, with the seeded superintendent added to one of company A's projects only."""
    app = create_sandbox_app({"EXTRA_REDIRECT_URIS": ["http://gapline.test/procore/oauth/callback"]})
    with app.app_context():
        store = current_sandbox().store
        projects = [p["id"] for p in store.company_projects(COMPANY_A)]
        store.users[SUPERINTENDENT]["project_ids"] = projects[:1]
    base_url, stop = serve_in_thread(app=app)
    yield base_url, projects
    stop()


@pytest.fixture
def connected(app, sandbox):
    base_url, projects = sandbox
    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], procore_api_base=base_url,
                                                procore_login_base=base_url, public_base_url="http://gapline.test")
    app.extensions.pop("procore_tokens", None)
    admin = app.test_client()
    assert sign_in_over_http(admin, ADMIN).status_code == 200  # connects company A and imports its directory
    assert len(projects) > 1 and db.session.scalar(select(db.func.count()).select_from(Project)) == len(projects)
    return admin, projects


def user_row(procore_user_id: int) -> AppUser:
    db.session.expire_all()
    return db.session.scalar(select(AppUser).where(AppUser.procore_user_id == procore_user_id))


def test_a_user_sees_only_the_projects_procore_lists_for_them(app, connected):
    admin, projects = connected
    superintendent = app.test_client()
    assert sign_in_over_http(superintendent, SUPERINTENDENT).status_code == 200
    row = user_row(SUPERINTENDENT)
    assert row.procore_project_ids == projects[:1] and row.procore_company_ids == [8_000_001, 8_000_002]
    assert user_row(ADMIN).procore_project_ids == sorted(projects)
    home = f"/procore/companies/{COMPANY_A}/projects"
    assert superintendent.get(f"{home}/{projects[0]}").status_code == 200
    refused = superintendent.get(f"{home}/{projects[1]}")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403 and HIDDEN_WORDS in text and "Sign in again with Procore" in text
    hidden = db.session.scalar(select(Project).where(Project.procore_project_id == projects[1]))
    assert hidden.name not in text
    vendor = db.session.scalar(select(Vendor.id).limit(1))
    panel = superintendent.get(f"/procore/companies/{COMPANY_A}/vendors/{vendor}?project={projects[1]}")
    assert panel.status_code == 403 and HIDDEN_WORDS in panel.get_data(as_text=True)
    assert superintendent.get(f"/procore/companies/{COMPANY_A}/vendors/{vendor}?project={projects[0]}") \
        .status_code == 200
    assert admin.get(f"{home}/{projects[1]}").status_code == 200  # the admin is on every project
    chooser = superintendent.get(f"/procore/companies/{COMPANY_A}?scope=company").get_data(as_text=True)
    assert f"{home}/{projects[0]}" in chooser and not any(f"{home}/{p}" in chooser for p in projects[1:])


@responses.activate
def test_when_procore_does_not_list_the_projects_at_sign_in_no_project_is_shown_until_signing_in_again(app):
    stub_identity(responses.mock)  # and no directory: the import after connecting fails too, which is logged
    responses.mock.replace(responses.GET, f"{BASE}/rest/v1.0/projects", status=500, json={"errors": "down"})
    client = app.test_client()
    assert sign_in_through_procore(client).status_code == 200  # signing in still works
    project = factories.project(COMPANY_ID, name="Harbor Tower")
    db.session.commit()
    assert user_row(7340021).procore_project_ids is None
    refused = client.get(f"/procore/companies/{COMPANY_ID}/projects/{project.procore_project_id}")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403 and UNKNOWN_WORDS in text and "Harbor Tower" not in text
    assert client.get(f"/procore/companies/{COMPANY_ID}").status_code == 200  # the company itself is fine


def test_a_list_older_than_its_expiry_is_not_trusted_and_a_fresh_one_is(app):
    world = factories.company(4900, "Summit Builders")
    project = factories.project(4900, name="Riverside Clinic")
    db.session.commit()
    client = signed_in(app, world["viewer"])
    page = f"/procore/companies/4900/projects/{project.procore_project_id}"
    assert client.get(page).status_code == 200
    world["viewer"].visibility_read_at = utcnow() - procore_visibility.MAX_AGE - timedelta(minutes=1)
    db.session.commit()
    stale = client.get(page)
    assert stale.status_code == 403 and UNKNOWN_WORDS in stale.get_data(as_text=True)
    assert "more than 4 hours ago" in stale.get_data(as_text=True)
    procore_visibility.record(world["viewer"], [4900], [project.procore_project_id])
    db.session.commit()
    assert client.get(page).status_code == 200


def test_a_project_hidden_from_the_user_takes_no_action_and_shows_no_admin_screen(app):
    world = factories.company(4901, "Summit Builders")
    project = factories.project(4901, name="Riverside Clinic")
    factories.assignment(project, world.vendor)
    db.session.commit()
    manager = signed_in(app, world["admin"], sees=[])
    pid = project.procore_project_id
    posted = manager.post(f"/procore/companies/4901/projects/{pid}/vendors/request",
                          data={"vendor_id": str(world.vendor.id)})
    assert posted.status_code == 403 and HIDDEN_WORDS in posted.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(OutreachRequest)) == 0
    for screen in (f"/procore/companies/4901/requirements/projects/{pid}",
                   f"/procore/companies/4901/work-windows/{pid}",
                   f"/procore/companies/4901/review/?project={pid}"):
        refused = manager.get(screen)
        assert refused.status_code == 403 and HIDDEN_WORDS in refused.get_data(as_text=True), screen
        assert "Riverside Clinic" not in refused.get_data(as_text=True)


def test_another_company_procore_lists_for_the_user_is_named_as_theirs_to_sign_in_for(app):
    own = factories.company(4902, "Summit Builders")
    factories.company(4903, "Bayline Construction")
    db.session.commit()
    client = signed_in(app, own["viewer"])
    procore_visibility.record(own["viewer"], [4902, 4903], [])
    db.session.commit()
    member = client.get("/procore/companies/4903")
    text = " ".join(member.get_data(as_text=True).split())
    assert member.status_code == 403 and "is not one you can see" not in text
    assert ("You are signed in to Gapline for Summit Builders. To work on Bayline Construction, open Gapline from one "
            "of the projects of Bayline Construction in Procore, or sign in again.") in text
    assert "Sign in as someone else" not in text and "Sign in again" in text
    stranger = client.get("/procore/companies/4904")
    assert stranger.status_code == 403
    assert "If another Procore account of yours belongs to that company" in stranger.get_data(as_text=True)
    assert "Bayline" not in stranger.get_data(as_text=True)  # no other company's name for a user not of it

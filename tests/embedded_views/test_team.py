"""An admin gives the company's users their roles; what was granted survives reconnecting."""

from __future__ import annotations

import pytest
import responses
from sqlalchemy import select

from integration.extensions import db
from integration.models import AppUser, AuditEvent
from integration.team import RoleRefused, grant_role
from tests import factories
from tests.conftest import signed_in
from tests.procore_stub import COMPANY_ID, as_user, sign_in_through_procore, stub_directory, stub_identity

COMPANY = 6201


@pytest.fixture
def world(app):
    company = factories.company(COMPANY)
    factories.company(COMPANY + 1)
    db.session.commit()
    return company


def test_an_admin_makes_a_viewer_a_compliance_manager_and_it_is_audited(app, world):
    admin, viewer = world["admin"], world["viewer"]
    client = signed_in(app, admin)
    assert "Team and roles" in client.get(f"/procore/companies/{COMPANY}/admin/").get_data(as_text=True)
    response = client.post(f"/procore/companies/{COMPANY}/team/{viewer.id}", data={"role": "compliance_manager"})
    assert response.status_code == 303
    assert "is now compliance manager" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(viewer)
    assert viewer.role == "compliance_manager"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")).one()
    assert (event.before, event.after, event.actor_user_id) == ({"role": "viewer"}, {"role": "compliance_manager"},
                                                                admin.id)
    page = signed_in(app, viewer).get(f"/procore/companies/{COMPANY}/review/")
    assert page.status_code == 200  # the granted role works at once


@pytest.mark.parametrize(("who", "target", "role", "says"), [
    ("compliance_manager", "viewer", "admin", "This needs the admin role"),
    ("admin", "admin", "viewer", "cannot change your own role"),
    ("admin", "viewer", "owner", "role must be one of admin, compliance_manager, viewer"),
])
def test_a_role_change_that_is_not_allowed_changes_nothing(app, world, who, target, role, says):
    before = {user.id: user.role for user in db.session.scalars(select(AppUser))}
    with pytest.raises(RoleRefused, match=says):
        grant_role(COMPANY, world[who], world[target].id, role)
    db.session.rollback()
    assert {user.id: user.role for user in db.session.scalars(select(AppUser))} == before


def test_a_user_of_another_company_cannot_be_given_a_role(app, world):
    outsider = db.session.scalar(select(AppUser).where(AppUser.company_id == COMPANY + 1, AppUser.role == "viewer"))
    client = signed_in(app, world["admin"])
    page = client.get(client.post(f"/procore/companies/{COMPANY}/team/{outsider.id}",
                                  data={"role": "admin"}).headers["Location"]).get_data(as_text=True)
    assert "is not one of this company&#39;s Gapline users" in page
    db.session.refresh(outsider)
    assert outsider.role == "viewer"


def test_only_admins_see_the_team(app, world):
    assert signed_in(app, world["compliance_manager"]).get(f"/procore/companies/{COMPANY}/team/").status_code == 403
    page = signed_in(app, world["admin"]).get(f"/procore/companies/{COMPANY}/team/").get_data(as_text=True)
    assert all(world[role].email in page for role in ("admin", "compliance_manager", "viewer"))


@responses.activate
def test_a_granted_role_survives_a_disconnect_and_reconnect(app):
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    admin = app.test_client()
    sign_in_through_procore(admin)
    as_user(responses.mock, 55, procore_admin=False)
    sign_in_through_procore(app.test_client(), code="viewer")
    member = db.session.scalar(select(AppUser).where(AppUser.procore_user_id == 55))
    admin.post(f"/procore/companies/{COMPANY_ID}/team/{member.id}", data={"role": "compliance_manager"})
    admin.post(f"/procore/companies/{COMPANY_ID}/disconnect", data={"confirm": "disconnect"})
    as_user(responses.mock, 7340021, procore_admin=True, access="access-again")
    sign_in_through_procore(app.test_client(), code="reconnect")
    as_user(responses.mock, 55, procore_admin=False, access="access-member")
    sign_in_through_procore(app.test_client(), code="member-again")
    db.session.refresh(member)
    assert member.role == "compliance_manager"

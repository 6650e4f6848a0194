"""The admin area: a home for admins only, the connection page with the popup, a disconnect confirmed apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from integration.extensions import db
from integration.models import Installation
from tests import factories
from tests.conftest import signed_in

COMPANY = 6301
ADMIN = f"/procore/companies/{COMPANY}/admin/"


@pytest.fixture
def world(app):
    company = factories.company(COMPANY, "Summit Builders")
    db.session.commit()
    return company


def state() -> tuple:
    db.session.expire_all()
    row = db.session.scalar(select(Installation).where(Installation.company_id == COMPANY))
    return row.connection_state, row.session_generation


def test_the_admin_home_links_every_admin_screen_and_only_admins_see_it(app, world):
    page = signed_in(app, world["admin"]).get(ADMIN).get_data(as_text=True)
    for screen in ("Procore connection", "Requirements", "Account settings", "Team and roles", "Sync with Procore",
                   "Review queue", "Compliance Hub access", "Work windows"):
        assert screen in page
    assert f'href="/procore/companies/{COMPANY}/admin/"' in signed_in(app, world["admin"]).get(
        f"/procore/companies/{COMPANY}").get_data(as_text=True)
    for role in ("compliance_manager", "viewer"):
        assert signed_in(app, world[role]).get(ADMIN).status_code == 403
        assert "/admin/" not in signed_in(app, world[role]).get(f"/procore/companies/{COMPANY}").get_data(as_text=True)


def test_reconnect_opens_procores_consent_in_the_popup_never_in_the_frame(app, world):
    page = signed_in(app, world["admin"]).get(f"{ADMIN}connection").get_data(as_text=True)
    assert 'data-procore-popup' in page and 'target="_blank"' in page and "procore-iframe-helpers.js" in page
    framed = app.test_client().get(f"/procore/connect?company_id={COMPANY}", headers={"Sec-Fetch-Dest": "iframe"})
    assert framed.status_code == 409 and "Location" not in framed.headers  # no redirect to Procore's login
    assert "data-procore-popup" in framed.get_data(as_text=True)
    popup = app.test_client().get(f"/procore/connect?company_id={COMPANY}", headers={"Sec-Fetch-Dest": "document"})
    assert popup.status_code == 302 and "/oauth/authorize" in popup.headers["Location"]


def test_disconnect_is_confirmed_on_its_own_page_naming_what_stops(app, world):
    admin = signed_in(app, world["admin"])
    assert "Disconnect" not in admin.get(f"/procore/companies/{COMPANY}").get_data(as_text=True)
    page = admin.get(f"{ADMIN}connection/disconnect").get_data(as_text=True)
    for stops in ("Pushes stop", "Reminders stop", "Sessions end"):
        assert stops in page
    assert state() == ("connected", 1)


def test_a_disconnect_post_without_the_confirmation_changes_nothing(app, world):
    admin = signed_in(app, world["admin"])
    response = admin.post(f"/procore/companies/{COMPANY}/disconnect")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/connection/disconnect")
    assert "Nothing was disconnected" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert state() == ("connected", 1)


def test_a_confirmed_disconnect_ends_every_session(app, world):
    admin, viewer = signed_in(app, world["admin"]), signed_in(app, world["viewer"])
    assert admin.post(f"/procore/companies/{COMPANY}/disconnect", data={"confirm": "disconnect"}).status_code == 303
    assert state() == ("disconnected", 2)
    assert viewer.get(f"/procore/companies/{COMPANY}").status_code == 401


def test_after_a_confirmed_disconnect_the_admin_is_told_what_stopped_and_how_to_reconnect(app, world):
    admin, viewer = signed_in(app, world["admin"]), signed_in(app, world["viewer"])
    done = admin.post(f"/procore/companies/{COMPANY}/disconnect", data={"confirm": "disconnect"})
    landed = admin.get(done.headers["Location"])
    text = " ".join(landed.get_data(as_text=True).split())
    assert landed.status_code == 401 and "Summit Builders is disconnected from Procore" in text
    assert "session has ended" not in text
    for stopped in ("Pushes:", "Emails:", "To reconnect,", "Reconnect with Procore"):
        assert stopped in text
    other = viewer.get(f"/procore/companies/{COMPANY}").get_data(as_text=True)  # another browser: session ended
    assert "session has ended" in other and "is disconnected from Procore" not in other


def test_a_project_of_another_company_in_the_url_gets_a_clear_refusal_and_none_of_its_vendors(app, world):
    other = factories.company(COMPANY + 1, "Rival GC", "Rival Vendor")
    foreign = factories.project(COMPANY + 1, name="Rival Tower")
    factories.assignment(foreign, other.vendor)
    own = factories.project(COMPANY, name="Riverside Clinic")
    factories.imported(COMPANY)
    db.session.commit()
    admin = signed_in(app, world["admin"])
    refused = admin.get(f"/procore/companies/{COMPANY}/projects/{foreign.procore_project_id}")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 404 and "is not a project of the company you are signed in to" in text
    assert "Rival" not in text and "is not one of the projects of Summit Builders" in text and "'s projects" not in text
    assert admin.get(f"/procore/companies/{COMPANY}/projects/{own.procore_project_id}").status_code == 200
    assert admin.get(f"/procore/companies/{COMPANY + 1}/projects/{foreign.procore_project_id}").status_code == 403


def test_a_live_session_of_another_company_is_refused_as_a_company_it_cannot_see(app, world):
    other = factories.company(COMPANY + 2, "Rival GC")
    db.session.commit()
    page = signed_in(app, other["viewer"]).get(f"/procore/companies/{COMPANY}")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and f"Procore company {COMPANY} is not one you can see" in text
    assert "for Rival GC, and Procore company" in text and "Sign in as someone else" in text
    assert f'href="/procore/connect?company_id={COMPANY}"' in text  # the popup signs in for the company asked
    assert "session has ended" not in text and "Summit Builders" not in text

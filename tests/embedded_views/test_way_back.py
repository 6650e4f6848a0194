"""The brand link goes to the app home of the company and project in context (or where an Insurance Guide page was
opened from), and a refusal page offers the way back, not only the demo's status page."""

from __future__ import annotations

import re

from integration.extensions import db
from tests import factories
from tests.conftest import signed_in

C = 62


def brand(body: str) -> str:
    return re.search(r'<a class="brand" href="([^"]*)"', body).group(1)


def test_the_guide_brand_goes_back_where_the_guide_was_opened_from(app):
    back = f"/procore/companies/{C}/projects/300001"
    page = app.test_client().get(f"/guide/?back={back}").get_data(as_text=True)
    assert brand(page) == back
    assert brand(app.test_client().get("/guide/").get_data(as_text=True)) == "/"  # opened from nowhere: the start
    assert brand(app.test_client().get("/guide/?back=//evil.test/").get_data(as_text=True)) == "/"


def test_a_refusal_page_has_the_users_navigation_and_a_way_back_to_their_project(app):
    world = factories.company(C, "Redwood General Contractors")
    project = factories.project(C, "Columbus Elementary School")
    db.session.commit()
    viewer = signed_in(app, world["viewer"])
    home = f"/procore/companies/{C}/projects/{project.procore_project_id}"
    assert viewer.get(home).status_code == 200  # the project is now the one in context
    refused = viewer.get(f"/procore/companies/{C}/admin/")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert brand(body) == home and f'class="back-link" href="{home}"' in body
    assert 'aria-label="Gapline"' in body and "Sign out" in body  # the navigation, not a page with one link


def test_a_refused_projects_page_links_back_to_the_project_in_context_not_to_itself(app):
    world = factories.company(C, "Redwood General Contractors")
    seen, hidden = factories.project(C, "Columbus Elementary School"), factories.project(C, "Hidden Annex")
    db.session.commit()
    viewer = signed_in(app, world["viewer"], sees=[seen.procore_project_id])
    home = f"/procore/companies/{C}/projects/{seen.procore_project_id}"
    assert viewer.get(home).status_code == 200
    refused = viewer.get(f"/procore/companies/{C}/projects/{hidden.procore_project_id}")
    assert refused.status_code == 403 and brand(refused.get_data(as_text=True)) == home

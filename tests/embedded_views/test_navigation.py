"""One navigation on every page inside Procore, by role; a page opened for a project keeps it in every link, form
and redirect. The pages and the POSTs come from the app's URL map, so a route added later is walked too."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import url_for

from integration.roles import titled
from tests.conftest import signed_in
from tests.security.conftest import all_routes
from tests.security.test_route_isolation import POST_FORMS, A, Company, url

# GET routes that answer something other than a page: files, page images, the progress poll, a CSV.
NOT_PAGES = {"vendors.download", "vendors.page_preview", "review.page_image", "vendors.reading",
             "compliance_hub_admin.download_work_windows", "table_export.project_csv",
             "table_export.company_csv"}
PAGES = [r for r in all_routes() if r.company_scoped and r.method == "GET" and r.endpoint not in NOT_PAGES]
POSTS = [r for r in all_routes() if r.company_scoped and r.method == "POST"]
ADMIN_SCREENS = ["Procore connection", "Requirements", "Account settings", "Team", "Sync", "Compliance Hub access",
                 "Work windows"]
MAIN_BY_ROLE = {"admin": ["All vendors", "Review queue", "Admin"],
                "compliance_manager": ["All vendors", "Review queue"], "viewer": ["All vendors"]}


@pytest.fixture
def world(app):
    from integration.extensions import db

    company = Company(A, "Quokka Roofing")
    db.session.commit()
    return company


def nav(text: str, label: str) -> list[tuple[str, str]]:
    """(href, words) of each link in the page's navigation named ``label``; [] when there is none."""
    found = re.search(rf'<nav class="app-nav[^"]*" aria-label="{label}">(.*?)</nav>', text, re.S)
    return [(unescape(href), words) for href, words in
            re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', found.group(1))] if found else []


def lit(text: str, label: str) -> list[str]:
    """The words of the links the navigation named ``label`` marks as where the page is (aria-current)."""
    found = re.search(rf'<nav class="app-nav[^"]*" aria-label="{label}">(.*?)</nav>', text, re.S)
    return re.findall(r'<a href="[^"]+" aria-current="(?:page|true)">([^<]+)</a>', found.group(1)) if found else []


def page_url(app, route, world, **args) -> str:
    target = url(app, route, world.values())
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"{target}{'&' if '?' in target else '?'}{query}" if query else target


@pytest.mark.parametrize("route", PAGES, ids=str)
@pytest.mark.parametrize("role", ["admin", "compliance_manager", "viewer"])
def test_every_page_inside_procore_has_the_one_navigation_with_the_links_the_role_allows(app, world, route, role):
    user = world.base[role]
    allowed = app.view_functions[route.endpoint].allowed
    if allowed is not None and not allowed(user):
        return  # the refusal page (tested in tests/security) has no navigation to show
    response = signed_in(app, user).get(page_url(app, route, world))
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:300]
    assert [words for _, words in nav(text, "Gapline")] == MAIN_BY_ROLE[role], route
    admin_area = route.endpoint.split(".")[0] in {"admin", "requirements", "team", "sync", "compliance_hub_admin"} \
        or route.endpoint == "outreach.settings"
    assert [words for _, words in nav(text, "Admin")] == (ADMIN_SCREENS if admin_area else [])
    if admin_area:  # the main navigation shows where the page is: in the admin area
        assert lit(text, "Gapline") == ["Admin"], route
    assert f" · {titled(user.role)}</span>" in text  # who is signed in, with the role in words


def test_the_vendor_page_has_the_admin_link_the_others_have(app, world):
    text = signed_in(app, world.base["admin"]).get(f"/procore/companies/{A}/vendors/{world.base.vendor.id}") \
        .get_data(as_text=True)
    assert (f"/procore/companies/{A}/admin/", "Admin") in nav(text, "Gapline")


def keeps(target: str, project: int) -> bool:
    """True when a URL of the company keeps the project: ``?project=``, or the project named in its path."""
    return f"project={project}" in target or f"/projects/{project}" in target


def company_urls(text: str) -> list[str]:
    """Every link and POST form action of the page that leads to one of company A's pages."""
    posts = re.findall(r'<form method="post"[^>]*action="([^"]+)"', text)
    links = re.findall(r'<a [^>]*href="([^"]+)"', text)
    return [unescape(u) for u in posts + links if u.startswith(f"/procore/companies/{A}")
            and not re.search(r"/files/|/pages/|\.csv|/sign-out|scope=company|/projects/\d+", u)]


@pytest.mark.parametrize("route", PAGES, ids=str)
def test_a_page_opened_for_a_project_keeps_it_in_every_link_and_form(app, world, route):
    project = world.project.procore_project_id
    response = signed_in(app, world.base["admin"]).get(page_url(app, route, world, project=project),
                                                      follow_redirects=True)  # the home goes to the project's
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:300]
    urls = company_urls(text)
    assert urls, f"{route}: no link or form of the company on the page"
    assert [u for u in urls if not keeps(u, project)] == [], route


@pytest.mark.parametrize("route", POSTS, ids=str)
def test_every_action_posted_for_a_project_comes_back_to_that_project(app, world, route):
    if route.endpoint == "procore.sign_out_user" or (route.endpoint == "vendor_table.request_coi"
                                                      and "project_id" not in route.arguments):
        return  # signing out ends the session; the company-wide Request COI returns to the company-wide table
    project = world.project.procore_project_id
    response = signed_in(app, world.base["admin"]).post(page_url(app, route, world, project=project),
                                                       data=POST_FORMS.get(route.endpoint, {}))
    assert response.status_code in (200, 303, 400), (route, response.status_code)
    if response.status_code == 303:
        assert keeps(response.headers["Location"], project), (route, response.headers["Location"])


def test_the_review_actions_keep_the_project_from_the_queue_to_the_vendor(app, world):
    project = world.project.procore_project_id
    client = signed_in(app, world.base["admin"])
    queue = client.get(f"/procore/companies/{A}/review/?project={project}").get_data(as_text=True)
    edit = f"/procore/companies/{A}/review/{world.certificate.id}?project={project}"
    assert edit in unescape(queue) or "Nothing waits for review" in queue
    page = client.get(edit).get_data(as_text=True)
    actions = [unescape(a) for a in re.findall(r'<form method="post"[^>]*action="([^"]+)"', page)]
    assert {f"/procore/companies/{A}/review/{world.certificate.id}?project={project}",
            f"/procore/companies/{A}/review/{world.certificate.id}/reject?project={project}"} <= set(actions)
    rejected = client.post(actions[-1] if "reject" in actions[-1] else edit.replace("?", "/reject?"),
                           data={"reason": ""})  # refused (no reason): back to the form, still for the project
    assert rejected.status_code == 303 and keeps(rejected.headers["Location"], project)
    with app.test_request_context():
        vendor = url_for("vendors.show", company_id=A, vendor_id=world.base.vendor.id, project=project)
    approved = client.post(edit, data={"policies.0.policy_number": "PROBE-1"})
    assert approved.status_code == 303 and approved.headers["Location"].endswith(vendor)

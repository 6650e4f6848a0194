"""List endpoints follow Link rel="next" across pages and expose Total and Per-Page."""

from __future__ import annotations

import pytest
import responses
from responses import matchers

from fixtures.procore import load
from procore_client import ProcoreClient, ProcoreError
from procore_client.pagination import Page

from .conftest import API, COMPANY_ID, page_headers

PROJECTS = f"{API}/rest/v1.0/projects"


def _three_pages(mocked: responses.RequestsMock) -> None:
    page2 = f"{PROJECTS}?company_id={COMPANY_ID}&page=2&per_page=2"
    page3 = f"{PROJECTS}?company_id={COMPANY_ID}&page=3&per_page=2"
    first = matchers.query_param_matcher({"company_id": str(COMPANY_ID), "per_page": "2"})
    mocked.get(PROJECTS, json=load("projects_page1"), headers=page_headers(page2, total=5, per_page=2),
               match=[first])
    mocked.get(PROJECTS, json=load("projects_page2"), headers=page_headers(page3, total=5, per_page=2),
               match=[matchers.query_param_matcher({"company_id": str(COMPANY_ID), "page": "2", "per_page": "2"})])
    mocked.get(PROJECTS, json=load("projects_page3"), headers=page_headers(None, total=5, per_page=2),
               match=[matchers.query_param_matcher({"company_id": str(COMPANY_ID), "page": "3", "per_page": "2"})])


def test_iterates_every_item_across_three_pages(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    _three_pages(mocked)
    projects = client.list_projects(COMPANY_ID, per_page=2)
    ids = [project["id"] for project in projects]
    assert ids == [2290001, 2290002, 2290003, 2290004, 2290005]
    assert (projects.total, projects.per_page) == (5, 2)
    assert len(mocked.calls) == 3
    assert all(call.request.headers["Procore-Company-Id"] == str(COMPANY_ID) for call in mocked.calls)


def test_pages_are_fetched_lazily(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    _three_pages(mocked)
    pages = client.list_projects(COMPANY_ID, per_page=2).pages()
    first = next(pages)
    assert [project["id"] for project in first.items] == [2290001, 2290002]
    assert first.next_url is not None and "page=2" in first.next_url
    assert len(mocked.calls) == 1


def test_a_page_that_is_not_a_list_is_refused(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(PROJECTS, json={"unexpected": True})
    with pytest.raises(ProcoreError, match="expected a JSON list"):
        client.list_projects(COMPANY_ID).all()


def test_v2_data_envelope_is_unwrapped(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(PROJECTS, json={"data": load("projects_page3")}, headers={"Total": "1", "Per-Page": "10"})
    page = Page.from_response(client.http.request("GET", "/rest/v1.0/projects"))
    assert [item["id"] for item in page.items] == [2290005] and page.next_url is None and page.total == 1

"""The project compliance table: priority order, search, filter, sort, paging, next action, bulk Request COI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import CoverageGap, Evaluation, OutreachRequest, SentEmail
from integration.outreach.history import next_action
from integration.vendor_table import PAGE_SIZE, TableFilter, TableRefused, vendor_table
from tests import factories
from tests.conftest import signed_in

TODAY = date.today()
C = 40


@pytest.fixture
def world(database):
    base = factories.company(C, "Summit Builders", "Zeta Glazing", email="zeta@sub.test")
    project = factories.project(C, "Tower", project_number="T-1")
    elsewhere = factories.project(C, "Annex")
    base.project, base.elsewhere = project, elsewhere
    factories.assignment(project, base.vendor, status="compliant")
    base.vendor.status = "compliant"
    db.session.commit()
    return base


def on_project(world, name: str, status: str, *, gaps: int = 0, expires_in: int | None = None, **fields):
    """A vendor on the Tower project with ``status``, ``gaps`` open gaps and cover ending in ``expires_in`` days."""
    vendor = factories.vendor(C, name, status=status, email=f"{name.split()[0].lower()}@sub.test", **fields)
    assignment = factories.assignment(world.project, vendor, status=status)
    evaluation = Evaluation(company_id=C, vendor_id=vendor.id, assignment_id=assignment.id, version=1,
                            is_current=True, evaluated_for=TODAY, status=status)
    db.session.add(evaluation)
    db.session.flush()
    db.session.add_all(CoverageGap(company_id=C, evaluation_id=evaluation.id, gap_key=f"gap.{n}", code="limit_low",
                                   state="open") for n in range(gaps))
    if expires_in is not None:
        ends = (TODAY + timedelta(days=expires_in)).isoformat()
        factories.certificate(vendor, {"file": f"{name}.pdf", "ok": True, "policies": [
            {"line": "general_liability", "expiration_date": ends},
            {"line": "workers_compensation", "expiration_date": (TODAY + timedelta(days=400)).isoformat()}]})
    db.session.commit()
    return vendor


def names(page) -> list[str]:
    return [row.name for row in page.rows]


def test_not_compliant_and_expiring_vendors_come_first(database, world):
    on_project(world, "Able Electric", "compliant", expires_in=200)
    on_project(world, "Brick Masonry", "not_compliant", gaps=2, expires_in=100)
    on_project(world, "Crane Rigging", "compliant", expires_in=12)
    on_project(world, "Delta Drywall", "expired", gaps=1, expires_in=-3)
    on_project(world, "Echo Paving", "nothing_received", gaps=1)
    page = vendor_table(C, world.project.id, TableFilter(), TODAY)
    assert names(page) == ["Delta Drywall", "Brick Masonry", "Crane Rigging", "Echo Paving", "Able Electric",
                           "Zeta Glazing"]
    rows = {row.name: row for row in page.rows}
    assert rows["Brick Masonry"].open_gaps == 2 and rows["Able Electric"].open_gaps == 0
    assert rows["Crane Rigging"].expiry_state(TODAY) == "expiring"
    assert rows["Delta Drywall"].expiry_state(TODAY) == "expired"
    assert rows["Able Electric"].expiry_state(TODAY) == "" and rows["Echo Paving"].expires_on is None
    assert page.status_counts == {"compliant": 3, "not_compliant": 1, "expired": 1, "nothing_received": 1}


def test_search_filter_and_sort_by_any_column(database, world):
    on_project(world, "Able Electric", "compliant", expires_in=200, trade="Electrical")
    on_project(world, "Brick Masonry", "not_compliant", gaps=2, expires_in=100)
    on_project(world, "Crane Rigging", "not_compliant", gaps=5, expires_in=12)
    assert names(vendor_table(C, world.project.id, TableFilter(q="ELECTR"), TODAY)) == ["Able Electric"]
    assert names(vendor_table(C, world.project.id, TableFilter(q="100%"), TODAY)) == []
    filtered = vendor_table(C, world.project.id, TableFilter(status="not_compliant", sort="gaps", descending=True),
                            TODAY)
    assert names(filtered) == ["Crane Rigging", "Brick Masonry"] and filtered.total == 2
    assert names(vendor_table(C, world.project.id, TableFilter(status="expiring"), TODAY)) == ["Crane Rigging"]
    by_name = vendor_table(C, world.project.id, TableFilter(sort="vendor", descending=True), TODAY)
    assert names(by_name) == ["Zeta Glazing", "Crane Rigging", "Brick Masonry", "Able Electric"]
    by_expiry = vendor_table(C, world.project.id, TableFilter(sort="expiry"), TODAY)
    assert names(by_expiry) == ["Crane Rigging", "Brick Masonry", "Able Electric", "Zeta Glazing"]  # none last


def test_pages_hold_fifty_rows_and_the_last_the_rest(database, world):
    for n in range(PAGE_SIZE + 4):
        factories.assignment(world.project, factories.vendor(C, f"Sub {n:03d}"))
    db.session.commit()
    first = vendor_table(C, world.project.id, TableFilter(sort="vendor"), TODAY)
    last = vendor_table(C, world.project.id, TableFilter(sort="vendor", page=2), TODAY)
    assert len(first.rows) == PAGE_SIZE and first.pages == 2 and first.total == PAGE_SIZE + 5
    assert names(last) == ["Sub 050", "Sub 051", "Sub 052", "Sub 053", "Zeta Glazing"]


def test_the_table_lists_only_the_projects_vendors_and_only_this_companys(database, world):
    other = factories.company(C + 1, "Other GC", "Zeta Glazing of another GC")
    factories.assignment(world.elsewhere, factories.vendor(C, "Annex Only"))
    db.session.commit()
    assert names(vendor_table(C, world.project.id, TableFilter(), TODAY)) == ["Zeta Glazing"]
    company_wide = vendor_table(C, None, TableFilter(sort="vendor"), TODAY)
    assert names(company_wide) == ["Annex Only", "Zeta Glazing"]
    assert [row.projects for row in company_wide.rows] == [1, 1]
    assert other.vendor.name not in names(vendor_table(C, None, TableFilter(), TODAY))


def test_a_vendor_inactive_in_procore_is_listed_neither_on_its_project_nor_company_wide(database, world):
    on_project(world, "Cedar Masonry", "nothing_received", active=False)
    assert names(vendor_table(C, world.project.id, TableFilter(), TODAY)) == ["Zeta Glazing"]
    assert names(vendor_table(C, None, TableFilter(), TODAY)) == ["Zeta Glazing"]


@pytest.mark.parametrize("case", ["muted", "non_responsive", "running", "nothing", "gaps", "review", "compliant"])
def test_the_next_action_column_follows_the_vendor_pages_rule(database, world, case):
    status = {"nothing": "nothing_received", "gaps": "not_compliant", "review": "under_review",
              "compliant": "compliant"}.get(case, "not_compliant")
    vendor = on_project(world, "Able Electric", status, gaps=1, outreach_muted=case == "muted")
    if case in ("non_responsive", "running"):
        factories.outreach_request(vendor, project_id=world.project.id, state="open" if case == "running" else case,
                                   sequence="invitation" if case == "running" else None)
        db.session.commit()
    row = next(r for r in vendor_table(C, world.project.id, TableFilter(), TODAY).rows if r.name == "Able Electric")
    assert row.next_action == next_action(vendor, world.project.id)
    assert row.next_action == {"muted": None, "non_responsive": "Resend Invitation", "running": None,
                               "nothing": "Request New COI", "gaps": "Send Gaps", "review": None,
                               "compliant": None}[case]
    if case in ("non_responsive", "running"):
        assert row.last_requested_at is not None


@pytest.mark.parametrize("args, field", [({"sort": "price"}, "sort"), ({"dir": "up"}, "dir"), ({"page": "0"}, "page"),
                                         ({"page": "x"}, "page"), ({"status": "fine"}, "status"),
                                         ({"q": "x" * 101}, "q")])
def test_arguments_the_table_cannot_apply_are_refused_by_name(args, field):
    with pytest.raises(TableRefused, match=f"^{field} "):
        TableFilter.from_args(args)


def test_filter_round_trips_through_its_arguments():
    wanted = TableFilter(q="crane", status="expired", sort="gaps", descending=True, page=3)
    assert TableFilter.from_args(wanted.to_args()) == wanted
    assert TableFilter().to_args() == {}
    assert TableFilter(sort="gaps").sorted_by("gaps") == {"sort": "gaps", "dir": "desc"}


# --- the page ------------------------------------------------------------------------------------------------

def home(world) -> str:
    return f"/procore/companies/{C}/projects/{world.project.procore_project_id}"


def test_the_page_searches_sorts_and_keeps_the_project(database, world):
    on_project(world, "Brick Masonry", "not_compliant", gaps=2, expires_in=20)
    client = signed_in(database, world["viewer"])
    page = client.get(home(world) + "?q=brick&sort=gaps&dir=desc").get_data(as_text=True)
    assert "Brick Masonry" in page and "Zeta Glazing" not in page and 'aria-sort="descending"' in page
    assert "expiry-expiring" in page and "Request COI" not in page  # a viewer sees no bulk request
    assert f"?project={world.project.procore_project_id}" in page  # the vendor link carries the project
    remembered = client.get(f"/procore/companies/{C}")
    assert remembered.status_code == 302 and remembered.headers["Location"].endswith(home(world))
    assert client.get(f"/procore/companies/{C}?scope=company").status_code == 200


def test_a_search_that_finds_nothing_says_so_and_offers_no_empty_download(database, world):
    page = signed_in(database, world["viewer"]).get(home(world) + "?q=nobody&status=expired").get_data(as_text=True)
    assert "No vendors matching “nobody” with that status." in page
    assert "Download CSV" not in page and "0 vendors" not in page


def test_a_bad_argument_gets_a_page_naming_it(database, world):
    response = signed_in(database, world["viewer"]).get(home(world) + "?sort=price")
    assert response.status_code == 400 and "sort must be one of" in response.get_data(as_text=True)


def test_the_company_wide_table_is_for_admins(database, world):
    factories.assignment(world.elsewhere, factories.vendor(C, "Annex Only"))
    db.session.commit()
    admin = signed_in(database, world["admin"]).get(f"/procore/companies/{C}?scope=company").get_data(as_text=True)
    assert "Vendors across all projects" in admin and "Annex Only" in admin
    manager = signed_in(database, world["compliance_manager"]).get(f"/procore/companies/{C}?scope=company")
    body = manager.get_data(as_text=True)
    assert manager.status_code == 200 and "Choose a project" in body and "Annex Only" not in body


def test_another_companys_project_is_refused(database, world):
    other = factories.company(C + 1, "Other GC", "Hidden Vendor")
    hidden = factories.project(C + 1, "Hidden Project")
    factories.assignment(hidden, other.vendor)
    factories.imported(C)
    db.session.commit()
    client = signed_in(database, world["admin"])
    response = client.get(f"/procore/companies/{C}/projects/{hidden.procore_project_id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "is not a project of the company" in body and "Hidden" not in body
    foreign = client.get(f"/procore/companies/{C + 1}/projects/{hidden.procore_project_id}")
    assert foreign.status_code == 403 and "Hidden Vendor" not in foreign.get_data(as_text=True)


def requests_and_emails() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(OutreachRequest)),
            db.session.scalar(select(func.count()).select_from(SentEmail)))


def bulk(world) -> str:
    return home(world) + "/vendors/request"


def test_bulk_request_asks_each_ticked_vendor_and_names_those_it_could_not(database, world):
    able = on_project(world, "Able Electric", "nothing_received", gaps=1)
    muted = on_project(world, "Brick Masonry", "expired", gaps=1, outreach_muted=True)
    client = signed_in(database, world["compliance_manager"])
    response = client.post(bulk(world), data={"vendor_id": [able.id, muted.id, world.vendor.id]})
    assert response.status_code == 303 and response.headers["Location"].endswith(home(world))
    page = client.get(home(world)).get_data(as_text=True)
    assert "Requested documents from 2 vendors: Able Electric, Zeta Glazing." in page
    assert "Not sent to Brick Masonry: Outreach to Brick Masonry is muted" in page
    sent = db.session.scalars(select(OutreachRequest).order_by(OutreachRequest.id)).all()
    assert [(r.vendor_id, r.project_id, r.recipient_email) for r in sent] == [
        (able.id, world.project.id, "able@sub.test"), (world.vendor.id, world.project.id, "zeta@sub.test")]
    assert requests_and_emails() == (2, 2)
    again = client.post(bulk(world), data={"vendor_id": [able.id]})
    assert again.status_code == 303 and requests_and_emails() == (2, 2)  # a running request is not sent twice


@pytest.mark.parametrize("who, form, status, words", [
    ("viewer", {"vendor_id": "1"}, 403, "role; you are a viewer"),
    ("compliance_manager", {}, 303, None),
])
def test_bulk_request_refusals_write_nothing(database, world, who, form, status, words):
    form = {"vendor_id": str(world.vendor.id)} if form else {}
    response = signed_in(database, world[who]).post(bulk(world), data=form)
    assert response.status_code == status
    if words:
        assert words in response.get_data(as_text=True)
    assert requests_and_emails() == (0, 0)


def test_bulk_request_without_a_csrf_token_or_session_writes_nothing(database, world):
    database.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = signed_in(database, world["admin"]).post(bulk(world), data={"vendor_id": str(world.vendor.id)})
    finally:
        database.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and "CSRF token is missing" in refused.get_data(as_text=True)
    anonymous = database.test_client().post(bulk(world), data={"vendor_id": str(world.vendor.id)})
    assert anonymous.status_code == 401 and requests_and_emails() == (0, 0)


def test_bulk_request_names_a_vendor_of_another_company_without_asking_it(database, world):
    other = factories.company(C + 1, "Other GC", "Hidden Vendor", email="hidden@sub.test")
    db.session.commit()
    client = signed_in(database, world["admin"])
    client.post(bulk(world), data={"vendor_id": [str(other.vendor.id)]})
    assert "not one of this company&#39;s vendors" in client.get(home(world)).get_data(as_text=True)
    assert requests_and_emails() == (0, 0)


def test_the_brand_link_goes_to_the_project_in_context(database, world):
    client = signed_in(database, world["admin"])
    client.get(home(world))  # remembered from here on
    vendor_page = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}").get_data(as_text=True)
    assert f'class="brand" href="{home(world)}"' in vendor_page and f'href="{home(world)}">All vendors' in vendor_page
    other = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}?project={world.elsewhere.procore_project_id}")
    assert f'/projects/{world.elsewhere.procore_project_id}"' in other.get_data(as_text=True)
    editor = client.get(f"/procore/companies/{C}/requirements/projects/{world.project.id}")  # Gapline's own id
    assert f'class="brand" href="{home(world)}"' in editor.get_data(as_text=True)


def test_the_pager_links_say_page_so_they_are_not_taken_for_the_next_action_column(database, world):
    for n in range(PAGE_SIZE + 4):
        factories.assignment(world.project, factories.vendor(C, f"Sub {n:03d}"))
    db.session.commit()
    client = signed_in(database, world["viewer"])
    second = client.get(home(world) + "?page=2").get_data(as_text=True)
    assert 'rel="prev">Previous page</a>' in second and client.get(home(world)).get_data(as_text=True).count(
        'rel="next">Next page</a>') == 1


def test_a_page_past_the_last_says_so_and_links_to_the_last(database, world):
    page = signed_in(database, world["viewer"]).get(home(world) + "?page=99").get_data(as_text=True)
    assert "Page 99 is past the last page." in page and "Go to page 1" in page and "No vendors yet" not in page

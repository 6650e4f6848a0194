"""The hub table: one row per assignment and certificate period, clipped to the work window, filtered at the edges."""

from __future__ import annotations

from datetime import date

import pytest

from integration.compliance_hub.table import PAGE_SIZE, FilterRefused, HubFilter, listed_row, matching_rows, table_page
from tests import factories


def policy_data(start: date, end: date, line: str = "general_liability") -> dict:
    return {"line": line, "effective_date": start.isoformat(), "expiration_date": end.isoformat(), "limits": {}}


def certificate(vendor, start: date, end: date, needs_review: bool = False):
    """A certificate read for ``vendor`` whose one policy runs from ``start`` to ``end``."""
    data = {"file": f"{vendor.name}-{start.year}.pdf", "ok": True, "needs_review": needs_review,
            "policies": [policy_data(start, end)]}
    return factories.certificate(vendor, data)


@pytest.fixture
def site(database):
    """A project with a vendor holding three successive yearly certificates, and a second vendor."""
    factories.installation(41)
    project = factories.project(41, "Riverside Clinic")
    roofer, painter = factories.vendor(41, "Roofer"), factories.vendor(41, "Painter")
    factories.assignment(project, roofer)
    factories.assignment(project, painter)
    years = [certificate(roofer, date(y, 1, 1), date(y + 1, 1, 1)) for y in (2024, 2025, 2026)]
    painted = certificate(painter, date(2025, 6, 1), date(2026, 6, 1))
    return project, roofer, painter, years, painted


def rows(project, **args):
    return table_page(41, project.id, HubFilter.from_args(args)).rows


def test_three_successive_certificates_are_three_rows(site):
    project, _, _, years, painted = site
    found = rows(project)
    assert [r.contractor for r in found] == ["Painter", "Roofer", "Roofer", "Roofer"]
    assert [r.certificate_id for r in found] == [painted.id, *(c.id for c in years)]
    assert (found[1].effective_on, found[1].ends_on) == (date(2024, 1, 1), date(2025, 1, 1))


def test_the_work_window_clips_the_rows_and_drops_certificates_outside_it(database):
    factories.installation(41)
    project, vendor = factories.project(41), factories.vendor(41, "Roofer")
    factories.assignment(project, vendor, work_starts_on=date(2025, 3, 1), work_ends_on=date(2025, 9, 30))
    before = certificate(vendor, date(2024, 1, 1), date(2025, 1, 1))  # ended before work started
    spanning = certificate(vendor, date(2025, 1, 1), date(2026, 1, 1))
    found = table_page(41, project.id, HubFilter()).rows
    assert [(r.certificate_id, r.effective_on, r.ends_on) for r in found] == [
        (spanning.id, date(2025, 3, 1), date(2025, 9, 30))]
    assert listed_row(41, project.id, before.id) is None


@pytest.mark.parametrize(("args", "expected"), [
    ({"effective_from": "2025-01-01"}, ["Painter", "Roofer 2025", "Roofer 2026"]),  # 2025-01-01 itself is in
    ({"effective_from": "2025-01-02"}, ["Painter", "Roofer 2026"]),
    ({"effective_to": "2025-06-01"}, ["Painter", "Roofer 2024", "Roofer 2025"]),  # the painter starts that day
    ({"effective_to": "2025-05-31"}, ["Roofer 2024", "Roofer 2025"]),
    ({"end_from": "2026-06-01"}, ["Painter", "Roofer 2026"]),
    ({"end_to": "2026-01-01"}, ["Roofer 2024", "Roofer 2025"]),
    ({"end_to": "2025-12-31"}, ["Roofer 2024"]),
    ({"effective_from": "2025-01-01", "end_to": "2026-01-01"}, ["Roofer 2025"]),
])
def test_date_filters_include_their_boundaries_and_exclude_past_them(site, args, expected):
    project, *_ = site
    found = rows(project, **args)
    assert [r.contractor if r.contractor == "Painter" else f"Roofer {r.effective_on.year}" for r in found] == expected


def test_sorts_by_each_column_both_ways(site):
    project, *_ = site
    assert [r.ends_on.year for r in rows(project, sort="end", dir="desc")] == [2027, 2026, 2026, 2025]
    assert [r.effective_on for r in rows(project, sort="effective")][0] == date(2024, 1, 1)
    assert [r.contractor for r in rows(project, dir="desc")] == ["Roofer", "Roofer", "Roofer", "Painter"]


def test_the_latest_certificate_stands_for_a_period_sent_twice(site):
    project, roofer, _, years, _ = site
    again = certificate(roofer, date(2026, 1, 1), date(2027, 1, 1))  # the same period, sent again
    ids = [r.certificate_id for r in rows(project)]
    assert again.id in ids and years[2].id not in ids and len(ids) == 4


def test_unreviewed_unreadable_and_foreign_certificates_are_not_listed(site):
    project, roofer, *_ = site
    flagged = certificate(roofer, date(2027, 1, 1), date(2028, 1, 1), needs_review=True)
    factories.installation(42)
    other = factories.vendor(42, "Elsewhere")
    foreign = certificate(other, date(2025, 1, 1), date(2026, 1, 1))
    ids = {r.certificate_id for r in rows(project)}
    assert flagged.id not in ids and foreign.id not in ids
    assert table_page(42, project.id, HubFilter()).rows == []  # another company never reads this project


def test_pages_hold_page_size_rows_and_count_them_all(database):
    factories.installation(41)
    project = factories.project(41)
    for n in range(PAGE_SIZE + 3):
        vendor = factories.vendor(41, f"Sub {n:03d}")
        factories.assignment(project, vendor)
        certificate(vendor, date(2025, 1, 1), date(2026, 1, 1))
    first = table_page(41, project.id, HubFilter())
    second = table_page(41, project.id, HubFilter(page=2))
    assert (len(first.rows), first.total, first.pages) == (PAGE_SIZE, PAGE_SIZE + 3, 2)
    assert [r.contractor for r in second.rows] == ["Sub 050", "Sub 051", "Sub 052"]
    assert table_page(41, project.id, HubFilter(page=9)).total == PAGE_SIZE + 3
    assert len(list(matching_rows(41, project.id, HubFilter()))) == PAGE_SIZE + 3


@pytest.mark.parametrize(("args", "field"), [({"effective_from": "2025-13-01"}, "effective_from"),
                                             ({"end_to": "soon"}, "end_to"), ({"sort": "price"}, "sort"),
                                             ({"dir": "up"}, "dir"), ({"page": "0"}, "page")])
def test_a_filter_it_cannot_read_is_refused_naming_the_field(args, field):
    with pytest.raises(FilterRefused) as refused:
        HubFilter.from_args(args)
    assert field in refused.value.message


def test_filter_round_trips_through_query_arguments():
    wanted = HubFilter.from_args({"effective_from": "2025-01-01", "end_to": "2025-12-31", "sort": "end",
                                  "dir": "desc", "page": "3"})
    assert HubFilter.from_args(wanted.to_args()) == wanted
    assert wanted.to_args(page=1) == {"effective_from": "2025-01-01", "end_to": "2025-12-31", "sort": "end",
                                      "dir": "desc"}

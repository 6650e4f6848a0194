"""Work windows set by admins, one at a time or by CSV; a bad CSV is refused whole, naming each bad row."""

from __future__ import annotations

import io
from datetime import date

import pytest

from integration.extensions import db
from integration.models import AuditEvent, Evaluation, ProjectAssignment
from integration.work_windows import WorkWindowRefused, import_work_windows
from tests import factories
from tests.conftest import signed_in

COMPANY = 71


@pytest.fixture
def site(app):
    """A project with three vendors on it (Procore ids 501, 502, 503) and one vendor elsewhere (504)."""
    company = factories.company(COMPANY)
    project, elsewhere = factories.project(COMPANY, "Riverside Clinic"), factories.project(COMPANY, "Oak School")
    vendors = [factories.vendor(COMPANY, f"Sub {n}", procore_vendor_id=n) for n in (501, 502, 503, 504)]
    assignments = [factories.assignment(project, v) for v in vendors[:3]]
    factories.assignment(elsewhere, vendors[3])
    db.session.commit()
    return company, project, vendors, assignments


def windows(assignments) -> list[tuple]:
    for a in assignments:
        db.session.refresh(a)
    return [(a.work_starts_on, a.work_ends_on) for a in assignments]


def upload(app, company, project, text: str):
    admin = signed_in(app, company["admin"])
    return admin.post(f"/procore/companies/{COMPANY}/work-windows/{project.procore_project_id}/csv",
                      data={"file": (io.BytesIO(text.encode()), "windows.csv")}, follow_redirects=True)


def test_a_csv_sets_the_windows_and_reevaluates_only_those_vendors(app, site):
    company, project, vendors, assignments = site
    text = ("procore_vendor_id,vendor,work_start,work_end\n"
            "501,Sub 501,2026-03-01,2026-09-30\n"
            "502,Sub 502,04/01/2026,\n")
    page = upload(app, company, project, text).get_data(as_text=True)
    assert "Saved 2 work windows" in page
    assert windows(assignments) == [(date(2026, 3, 1), date(2026, 9, 30)), (date(2026, 4, 1), None), (None, None)]
    evaluated = set(db.session.scalars(db.select(Evaluation.vendor_id).where(Evaluation.trigger == "work_window")))
    assert evaluated == {vendors[0].id, vendors[1].id}
    audited = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "work_window.set")).all()
    assert [e.after for e in audited] == [{"work_start": "2026-03-01", "work_end": "2026-09-30"},
                                          {"work_start": "2026-04-01", "work_end": None}]


BAD_ROWS = [
    ("501,Sub,2026-03-01,2026-02-01\n", "Row 2: work_end 2026-02-01 is before work_start 2026-03-01"),
    ("abc,Sub,2026-03-01,\n", "Row 2: procore_vendor_id 'abc' is not a Procore vendor id"),
    ("504,Sub,2026-03-01,\n", "Row 2: vendor 504 does not work on this project"),
    ("501,Sub,2026-13-01,\n", "Row 2: work_start '2026-13-01' is not a date"),
    ("501,Sub,,soon\n", "Row 2: work_end 'soon' is not a date"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file_naming_the_row_and_nothing_is_saved(app, site, bad, message):
    company, project, vendors, assignments = site
    text = "procore_vendor_id,vendor,work_start,work_end\n" + bad + "502,Sub 502,2026-01-01,2026-12-31\n"
    page = upload(app, company, project, text).get_data(as_text=True).replace("&#39;", "'")
    assert "Not saved: Nothing was saved." in page and message in page
    assert windows(assignments) == [(None, None)] * 3  # the good row was not saved either
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "work_window.set")) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Evaluation)) == 0


def test_every_bad_row_is_named_at_once(app, site):
    company, project, *_ = site
    text = ("procore_vendor_id,vendor,work_start,work_end\n501,,2026-01-01,\n\n"
            "501,again,2026-02-01,\n999,,2026-01-01,\n")
    with pytest.raises(WorkWindowRefused) as refused:
        import_work_windows(COMPANY, company["admin"], project.id, text.encode())
    assert refused.value.problems == ["Row 4: vendor 501 is already on row 2.",
                                      "Row 5: vendor 999 does not work on this project."]


@pytest.mark.parametrize(("data", "message"), [
    (b"vendor,work_start\n501,2026-01-01\n", "Row 1 (the header) lacks the column(s) procore_vendor_id, work_end"),
    (b"procore_vendor_id,vendor,work_start,work_end\n", "no rows below its header"),
    ("procore_vendor_id,vendor,work_start,work_end\n501,Caf\u00e9,,\n".encode("latin-1"), "not UTF-8"),
])
def test_a_file_it_cannot_read_is_refused_saying_why(app, site, data, message):
    company, project, _, assignments = site
    with pytest.raises(WorkWindowRefused) as refused:
        import_work_windows(COMPANY, company["admin"], project.id, data)
    assert message in refused.value.message
    assert windows(assignments) == [(None, None)] * 3


def test_one_window_is_set_from_the_page_and_a_backwards_one_is_refused(app, site):
    company, project, vendors, assignments = site
    admin = signed_in(app, company["admin"])
    url = f"/procore/companies/{COMPANY}/work-windows/assignments/{assignments[2].id}"
    back = project.procore_project_id
    admin.post(url, data={"work_start": "2026-05-01", "work_end": "2026-06-30", "project_id": back})
    assert windows(assignments)[2] == (date(2026, 5, 1), date(2026, 6, 30))
    assert db.session.scalar(db.select(Evaluation.vendor_id).where(Evaluation.trigger == "work_window")) == \
        vendors[2].id
    page = admin.post(url, data={"work_start": "2026-07-01", "work_end": "2026-06-30", "project_id": back},
                      follow_redirects=True).get_data(as_text=True)
    assert "work_end 2026-06-30 is before work_start 2026-07-01" in page
    assert windows(assignments)[2] == (date(2026, 5, 1), date(2026, 6, 30))


def test_the_page_lists_the_projects_vendors_and_the_csv_round_trips(app, site):
    company, project, _, assignments = site
    admin = signed_in(app, company["admin"])
    base = f"/procore/companies/{COMPANY}/work-windows/{project.procore_project_id}"
    page = admin.get(base).get_data(as_text=True)
    assert all(f"Sub {n}" in page for n in (501, 502, 503)) and "Sub 504" not in page
    template = admin.get(f"{base}.csv").get_data(as_text=True)
    assert template.splitlines()[0] == "procore_vendor_id,vendor,work_start,work_end"
    filled = template.replace("501,Sub 501,,", "501,Sub 501,2026-01-05,2026-02-05")
    upload(app, company, project, filled)
    assert windows(assignments)[0] == (date(2026, 1, 5), date(2026, 2, 5))


def test_only_admins_set_work_windows(app, site):
    company, project, _, assignments = site
    manager = signed_in(app, company["compliance_manager"])
    response = manager.post(f"/procore/companies/{COMPANY}/work-windows/assignments/{assignments[0].id}",
                            data={"work_start": "2026-05-01"})
    assert response.status_code == 403
    assert db.session.get(ProjectAssignment, assignments[0].id).work_starts_on is None


def test_a_refused_compliance_manager_reads_their_role_in_words(app, site):
    company, project, _, assignments = site
    manager = db.session.get(type(company["compliance_manager"]), company["compliance_manager"].id)
    with pytest.raises(WorkWindowRefused) as refused:
        import_work_windows(COMPANY, manager, project.procore_project_id, b"vendor_id,work_start\n501,2026-05-01\n")
    assert "your role is compliance manager." in str(refused.value)
    assert "compliance_manager" not in str(refused.value)
    assert windows(assignments) == [(None, None)] * 3

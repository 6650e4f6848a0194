"""The compliance table and the vendor page say what happens next when there is no button: emails muted, the next
reminder's day, documents being reviewed; and a running request's emails are told in words with a guarded Stop."""

from __future__ import annotations

import re
from datetime import date

import pytest

from integration.extensions import db
from integration.outreach.next_steps import add_business_days
from tests import factories
from tests.conftest import signed_in
from tests.embedded_views.test_vendor_table import C, home, on_project, world  # noqa: F401

MONDAY = date(2026, 11, 30)


def next_action_cell(page: str, name: str) -> str:
    row = next(r for r in re.findall(r"<tr data-vendor-id.*?</tr>", page, re.S) if name in r)
    return re.sub(r"<[^>]+>", "", re.search(r'data-label="Next action">(.*?)</td>', row, re.S).group(1)).strip()


def test_business_days_skip_the_weekend():
    assert add_business_days(MONDAY, 0) == MONDAY
    assert add_business_days(MONDAY, 2) == date(2026, 12, 2)
    assert add_business_days(MONDAY, 5) == date(2026, 12, 7)  # Friday 4th, then Monday 7th
    assert add_business_days(date(2026, 12, 4), 1) == date(2026, 12, 7)


@pytest.mark.parametrize("case, words", [
    ("muted", "Emails muted"),
    ("running", "Reminder due December 2, 2026"),  # sent on Monday 30 Nov, the first reminder two business days on
    ("first", "First email due November 30, 2026"),
    ("all_sent", "Waiting for a reply until December 14, 2026"),  # 8 + 2 business days after the start
    ("review", "Documents being reviewed"),
    ("nothing", "Request New COI"),
    ("compliant", ""),
])
def test_the_next_action_says_what_happens_next_in_words(database, world, case, words):  # noqa: F811
    status = {"review": "under_review", "nothing": "nothing_received", "compliant": "compliant"}.get(case,
                                                                                                   "not_compliant")
    vendor = on_project(world, "Able Electric", status, gaps=1, outreach_muted=case == "muted")
    if case in ("running", "first", "all_sent", "review"):
        factories.outreach_request(vendor, project_id=world.project.id, state="open", sequence="invitation",
                                   sequence_started_on=MONDAY,
                                   sequence_emails={"first": 0, "all_sent": 4}.get(case, 1))
        db.session.commit()
    page = signed_in(database, world["viewer"]).get(home(world)).get_data(as_text=True)
    assert next_action_cell(page, "Able Electric") == words


def test_the_company_wide_table_follows_company_wide_requests(database, world):  # noqa: F811
    vendor = on_project(world, "Able Electric", "not_compliant", gaps=1)
    factories.outreach_request(vendor, project_id=None, state="open", sequence="gaps", sequence_started_on=MONDAY,
                               sequence_emails=2)
    db.session.commit()
    page = signed_in(database, world["admin"]).get(f"/procore/companies/{C}?scope=company").get_data(as_text=True)
    assert next_action_cell(page, "Able Electric") == "Gaps reminder due December 7, 2026"
    project_page = signed_in(database, world["admin"]).get(home(world)).get_data(as_text=True)
    assert next_action_cell(project_page, "Able Electric") == "Send Gaps"  # nothing runs for the project itself


def test_a_running_request_is_told_in_words_and_stopping_it_asks_first(database, world):  # noqa: F811
    vendor = on_project(world, "Able Electric", "not_compliant")
    factories.outreach_request(vendor, project_id=world.project.id, state="open", sequence="gaps",
                               sequence_started_on=MONDAY, sequence_emails=1)
    db.session.commit()
    page = signed_in(database, world["compliance_manager"]).get(
        f"/procore/companies/{C}/vendors/{vendor.id}").get_data(as_text=True)
    assert "Gaps emails: 1 of 4 sent, next on December 2, 2026" in page
    assert "gaps emails:" not in page
    stop = re.search(r"<details class=\"confirm-stop\">(.*?)</details>", page, re.S).group(1)
    assert "<summary" in stop and "Stop these emails" in stop  # the button to send is inside, behind the summary
    assert "Yes, stop these emails" in stop and "upload link stops working" in stop
    assert ">Stop</button>" not in page


@pytest.mark.parametrize("waiting", ["a document waits for a person", "a document is being read"])
def test_documents_waiting_for_review_pause_the_button_everywhere_and_send_gaps_refuses(database, world,  # noqa: F811
                                                                                          waiting):
    from integration.models import OutreachRequest, SentEmail
    from integration.outreach.history import next_action
    from integration.outreach.requests import OutreachRefused, send_gaps

    vendor = on_project(world, "Able Electric", "not_compliant", gaps=2)  # other lines still fall short
    page = signed_in(database, world["viewer"]).get(home(world)).get_data(as_text=True)
    assert next_action_cell(page, "Able Electric") == "Send Gaps"
    if waiting == "a document waits for a person":
        factories.certificate(vendor, {"file": "scan.pdf", "ok": True, "needs_review": True, "policies": []})
    else:
        factories.certificate(vendor, {"file": "scan.pdf", "ok": True, "policies": []},
                              submission={"state": "reading"})
    db.session.commit()
    page = signed_in(database, world["viewer"]).get(home(world)).get_data(as_text=True)
    assert next_action_cell(page, "Able Electric") == "Documents being reviewed"  # the table's rule (SQL)
    assert next_action(vendor, world.project.id) is None and next_action(vendor) is None  # the panel's and page's
    before = (db.session.query(OutreachRequest).count(), db.session.query(SentEmail).count())
    with pytest.raises(OutreachRefused, match="nothing was sent. They go once the review is done"):
        send_gaps(C, vendor.id, world.project.id, world["admin"])
    db.session.rollback()
    assert (db.session.query(OutreachRequest).count(), db.session.query(SentEmail).count()) == before

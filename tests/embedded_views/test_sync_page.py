"""Admins see the recent sync runs and the records Procore refused."""

from __future__ import annotations

from datetime import timedelta

from embedded_views.templating import when
from integration.extensions import db
from integration.models import PushedRecord, SyncRun, utcnow
from tests import factories
from tests.conftest import signed_in


def test_admins_see_each_run_and_each_refused_record(database):
    world = factories.company(31, "Summit Builders", vendor_name="Acme Drywall")
    started = utcnow() - timedelta(minutes=5)
    db.session.add(SyncRun(company_id=31, kind="push", state="partial", started_at=started,
                           finished_at=started + timedelta(seconds=4), counts={
                               "examined": 400, "pushed": 398, "failed": 2, "read_calls": 0, "write_calls": 1,
                               "failures": [{"origin_id": "gapline:7:general_liability", "message": "base: locked"}]}))
    db.session.add(PushedRecord(company_id=31, vendor_id=world.vendor.id, origin_id="gapline:7:general_liability",
                                line="general_liability", attempts=3, last_error="base: record is locked by the ERP"))
    db.session.commit()
    page = signed_in(database, world["admin"]).get("/procore/companies/31/sync/").get_data(as_text=True)
    assert "push" in page and "partial" in page and when(started, seconds=True) in page  # in words, in UTC
    assert started.strftime("%Y-%m-%d") not in page and f"{started:%B} {started.day}, {started.year}" in page
    assert "398" in page and "0 read, 1 write" in page and "base: locked" in page
    assert "Acme Drywall" in page and "general liability" in page and "record is locked by the ERP" in page


def test_the_sync_page_is_for_admins(database):
    world = factories.company(32)
    db.session.commit()
    answer = signed_in(database, world["compliance_manager"]).get("/procore/companies/32/sync/")
    assert answer.status_code == 403

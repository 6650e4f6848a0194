"""The vendor page's history says in words what Gapline sent to Procore for each coverage line, never Procore's raw
status values ("compliant_in_progress")."""

from __future__ import annotations

from integration.extensions import db
from integration.models import PushedRecord, utcnow
from integration.vendor_history import vendor_history
from tests import factories
from tests.conftest import signed_in

C = 64


def test_the_history_says_what_procore_was_sent_in_words(app):
    world = factories.company(C, "Redwood General Contractors", "Acme Roofing")
    vendor = world.vendor
    for line, status in (("general_liability", "compliant_in_progress"),
                         ("workers_compensation", "non_compliant_in_progress"), ("automobile_liability", "expired")):
        db.session.add(PushedRecord(company_id=C, vendor_id=vendor.id, origin_id=f"gapline:{vendor.id}:{line}",
                                    line=line, status=status, pushed_at=utcnow()))
    db.session.commit()
    pushes = sorted(e.words for e in vendor_history(C, vendor.id) if e.kind == "push")
    assert all("_" not in words and "compliant in progress" not in words for words in pushes), pushes
    assert any("eneral liability shown as compliant, still being checked" in w for w in pushes), pushes
    assert any("shown as not compliant yet, still being checked" in w for w in pushes), pushes
    assert any("shown as expired" in w for w in pushes), pushes
    page = signed_in(app, world["admin"]).get(f"/procore/companies/{C}/vendors/{vendor.id}").get_data(as_text=True)
    assert "shown as compliant, still being checked" in page and "compliant in progress" not in page


def test_the_history_says_why_each_status_was_worked_out_in_words(app):
    from integration.evaluations import evaluate_vendor
    from integration.vendor_history import BECAUSE, because

    world = factories.company(C, "Redwood General Contractors", "Acme Roofing")
    evaluate_vendor(C, world.vendor.id, utcnow().date(), trigger="first_push")
    db.session.commit()
    statuses = [e.words for e in vendor_history(C, world.vendor.id) if e.kind == "status"]
    assert statuses == ["Status: Nothing received (when Gapline first checked this vendor)"], statuses
    for trigger in [*BECAUSE, "some_new_job"]:
        assert "_" not in because(trigger) and because(trigger).split()[0] in ("after", "when", "in", "as")

"""The clock reads one list of periodic jobs and only enqueues them."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from integration.models import Installation, OutreachRequest, Vendor, utcnow
from sync_jobs.clock import build_scheduler, fire
from sync_jobs.maintenance import prune_spent_links
from sync_jobs.schedule import periodic_jobs


def add_vendor(db) -> Vendor:
    db.session.add(Installation(company_id=7))
    db.session.flush()
    vendor = Vendor(company_id=7, procore_vendor_id=1, name="Ace Electric")
    db.session.add(vendor)
    db.session.flush()
    return vendor


def test_every_periodic_job_is_scheduled_once_under_its_stable_name(app):
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(p.name for p in periodic_jobs())
    assert all(j.id.startswith("periodic-") for j in scheduler.get_jobs())


def test_firing_enqueues_the_job(app):
    from integration.extensions import db

    vendor = add_vendor(db)
    db.session.add(OutreachRequest(company_id=7, vendor_id=vendor.id, kind="invitation", recipient_email="a@b.c",
                                   token_hash="h" * 64, used_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    fire(app, next(p for p in periodic_jobs() if p.func is prune_spent_links))
    assert db.session.scalars(db.select(OutreachRequest.token_hash)).all() == [None]


def test_prune_keeps_recent_and_live_links(app):
    from integration.extensions import db

    vendor_id = add_vendor(db).id
    now = utcnow()
    rows = [
        OutreachRequest(company_id=7, vendor_id=vendor_id, kind="invitation", recipient_email="a@b.c",
                        token_hash="a" * 64,
                        used_at=now - timedelta(days=2)),
        OutreachRequest(company_id=7, vendor_id=vendor_id, kind="invitation", recipient_email="a@b.c",
                        token_hash="b" * 64,
                        expires_at=now + timedelta(days=5)),
        OutreachRequest(company_id=7, vendor_id=vendor_id, kind="invitation", recipient_email="a@b.c",
                        token_hash="c" * 64,
                        expires_at=now - timedelta(days=40)),
    ]
    db.session.add_all(rows)
    db.session.commit()
    assert prune_spent_links() == 1
    assert [r.token_hash for r in rows] == ["a" * 64, "b" * 64, None]

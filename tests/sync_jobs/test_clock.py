"""The clock reads one list of periodic jobs and only enqueues them."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from integration.models import OutreachRequest, Vendor, utcnow
from sync_jobs.clock import build_scheduler, fire
from sync_jobs.maintenance import prune_spent_links
from sync_jobs.schedule import periodic_jobs
from tests import factories


def add_vendor() -> Vendor:
    factories.installation(7)
    return factories.vendor(7, "Ace Electric")


def test_every_periodic_job_is_scheduled_once_under_its_stable_name(app):
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(p.name for p in periodic_jobs())
    assert all(j.id.startswith("periodic-") for j in scheduler.get_jobs())


def test_firing_enqueues_the_job(app):
    from integration.extensions import db

    factories.outreach_request(add_vendor(), token_hash="h" * 64, used_at=utcnow() - timedelta(days=31))
    db.session.commit()
    fire(app, next(p for p in periodic_jobs() if p.func is prune_spent_links))
    assert db.session.scalars(db.select(OutreachRequest.token_hash)).all() == [None]


def test_prune_keeps_recent_and_live_links(app):
    from integration.extensions import db

    vendor = add_vendor()
    now = utcnow()
    rows = [
        factories.outreach_request(vendor, token_hash="a" * 64, used_at=now - timedelta(days=2)),
        factories.outreach_request(vendor, token_hash="b" * 64, expires_at=now + timedelta(days=5)),
        factories.outreach_request(vendor, token_hash="c" * 64, expires_at=now - timedelta(days=40)),
    ]
    db.session.commit()
    assert prune_spent_links() == 1
    assert [r.token_hash for r in rows] == ["a" * 64, "b" * 64, None]

"""The clock reads one list of periodic jobs and only enqueues them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from integration import tokens
from integration.models import OneTimeToken, utcnow
from integration.settings import ConfigError, Settings
from sync_jobs.clock import build_scheduler, fire, start_in_process
from sync_jobs.maintenance import prune_spent_secrets
from sync_jobs.schedule import periodic_jobs


def test_every_periodic_job_is_scheduled_once_under_its_stable_name(app):
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(p.name for p in periodic_jobs())
    assert all(j.id.startswith("periodic-") for j in scheduler.get_jobs())


def test_firing_enqueues_the_job(app):
    from integration.extensions import db

    tokens.issue_code("hub", "a@sub.test", timedelta(minutes=10), now=utcnow() - timedelta(days=31))
    db.session.commit()
    fire(app, next(p for p in periodic_jobs() if p.func is prune_spent_secrets))
    assert db.session.scalars(select(OneTimeToken)).all() == []


def test_prune_keeps_recent_and_live_secrets(app):
    from integration.extensions import db

    now = utcnow()
    used = tokens.issue_token("magic", "a@sub.test", timedelta(days=1), now=now - timedelta(days=2))
    tokens.redeem_token("magic", used, now=now - timedelta(days=2))
    tokens.issue_code("hub", "b@sub.test", timedelta(minutes=10), now=now)
    tokens.issue_code("hub", "c@sub.test", timedelta(minutes=10), now=now - timedelta(days=40))
    db.session.commit()
    assert prune_spent_secrets() == 1
    assert sorted(db.session.scalars(select(OneTimeToken.subject))) == ["a@sub.test", "b@sub.test"]


def test_the_reconcile_runs_at_two_in_new_york_unless_configured(app):
    from tests.conftest import make_settings

    def reconcile_trigger(settings):
        app.config["GAPLINE"] = settings
        scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
        job = next(j for j in scheduler.get_jobs() if j.id.endswith("reconcile_all_companies"))
        fields = {f.name: str(f) for f in job.trigger.fields}
        return fields["hour"], fields["minute"], str(job.trigger.timezone)

    assert reconcile_trigger(app.config["GAPLINE"]) == ("2", "0", "America/New_York")
    later = make_settings(reconcile_at="03:30", reconcile_timezone="Europe/London")
    assert reconcile_trigger(later) == ("3", "30", "Europe/London")


@pytest.mark.parametrize(("env", "word"), [({"RECONCILE_AT": "25:00"}, "RECONCILE_AT"),
                                           ({"RECONCILE_AT": "2am"}, "HH:MM"),
                                           ({"RECONCILE_TIMEZONE": "Mars/Olympus"}, "RECONCILE_TIMEZONE")])
def test_a_bad_reconcile_time_is_refused_naming_the_setting(env, word):
    with pytest.raises(ConfigError, match=word):
        Settings.from_env(env)


def test_embedded_mode_runs_the_same_schedule_in_process(app):
    scheduler = start_in_process(app)
    try:
        assert start_in_process(app) is scheduler and scheduler.running
        assert sorted(j.id for j in scheduler.get_jobs()) == sorted(p.name for p in periodic_jobs())
    finally:
        scheduler.shutdown(wait=False)

"""A failed directory import is retried with backoff, and admins can run it again from the page that shows it."""

from __future__ import annotations

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import SyncRun, Vendor
from integration.queue import get_queue, job_id_for
from sync_jobs.directory_import import IMPORT_RETRY, import_directory, queue_directory_import
from tests import factories
from tests.conftest import signed_in
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.emulator import point_at

HOME = f"/procore/companies/{COMPANY_A}"


@pytest.fixture
def failed_import(app, emulator):
    """Company A, whose first directory import failed: Procore answered 500 to every call."""
    point_at(app, emulator)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    users = {role: factories.user(COMPANY_A, role) for role in ("admin", "viewer")}
    db.session.commit()
    emulator.configure(FAIL_RATE_500=1.0)
    with pytest.raises(Exception):  # noqa: B017 - whatever Procore's failure is called, the run records it
        import_directory(COMPANY_A)
    emulator.configure(FAIL_RATE_500=0.0)
    return users


def runs() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(run.state, run.error or "") for run in db.session.scalars(select(SyncRun).order_by(SyncRun.id))]


def vendors() -> int:
    return db.session.scalar(select(func.count()).select_from(Vendor).where(Vendor.company_id == COMPANY_A))


def test_an_admin_sees_the_failure_and_runs_the_import_again(app, failed_import):
    admin = signed_in(app, failed_import["admin"])
    home = admin.get(HOME).get_data(as_text=True)
    assert "Directory import failed" in home and "Run import again" in home
    assert "Internal Server Error" not in home and "http://" not in home.split("Directory import failed")[1][:300]
    answer = admin.post(f"{HOME}/sync/import", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "The directory import is running again" in page
    assert [state for state, _ in runs()] == ["failed", "succeeded"] and vendors() == 100
    assert "Directory import succeeded" in page and "Run import again" not in page


def test_a_viewer_may_not_run_the_import_and_nothing_runs(app, failed_import):
    viewer = signed_in(app, failed_import["viewer"])
    assert "Run import again" not in viewer.get(HOME).get_data(as_text=True)
    answer = viewer.post(f"{HOME}/sync/import")
    assert answer.status_code == 403 and "role; you are a viewer" in answer.get_data(as_text=True)
    assert [state for state, _ in runs()] == ["failed"] and vendors() == 0


def test_running_again_needs_the_pages_csrf_token(app, failed_import):
    app.config["WTF_CSRF_ENABLED"] = True
    answer = signed_in(app, failed_import["admin"]).post(f"{HOME}/sync/import")
    assert answer.status_code == 400 and "CSRF token is missing" in answer.get_data(as_text=True)
    assert [state for state, _ in runs()] == ["failed"] and vendors() == 0


@pytest.mark.integration
def test_an_import_that_fails_on_the_worker_is_retried_with_backoff(pg_committed, emulator, rq_worker):
    from flask import current_app

    point_at(current_app, emulator)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    db.session.commit()
    emulator.configure(FAIL_RATE_500=1.0)
    assert queue_directory_import(COMPANY_A).ran_inline is False
    worker = rq_worker("high", env={"PROCORE_API_BASE": emulator.url, "PROCORE_LOGIN_BASE": emulator.url})
    assert worker.returncode == 0, worker.stderr[-2000:]
    job = get_queue("high").fetch_job(job_id_for("import_directory", COMPANY_A))
    assert job.retries_left == IMPORT_RETRY.max - 1 and job.retry_intervals == [60, 300, 900]
    assert job.id in ScheduledJobRegistry(queue=get_queue("high"))  # waiting for its minute
    assert [state for state, _ in runs()] == ["failed"]

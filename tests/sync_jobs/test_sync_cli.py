"""The sync command group runs the same jobs from a terminal, and refuses clearly when it cannot."""

from __future__ import annotations

from sqlalchemy import func, select

from integration.extensions import db
from integration.models import SyncRun
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.test_push import RECORDS


def test_sync_push_sends_every_record_and_reports_the_run(connected, emulator):
    result = connected.test_cli_runner().invoke(args=["sync", "push", "--company", str(COMPANY_A)])
    assert result.exit_code == 0, result.output
    assert "Pushing" in result.output and f"pushed {RECORDS}" in result.output and "write calls 1" in result.output
    assert len(emulator.records()) == RECORDS


def test_sync_push_refuses_an_unconnected_company_and_runs_nothing(app):
    factories.installation(55, connection_state="disconnected")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sync", "push", "--company", "55"])
    assert result.exit_code != 0 and "company 55 is not connected" in result.output
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_sync_reconcile_and_sync_import_run_the_jobs(connected, emulator):
    runner = connected.test_cli_runner()
    imported = runner.invoke(args=["sync", "import", "--company", str(COMPANY_A)])
    assert imported.exit_code == 0, imported.output
    assert "Importing" in imported.output and "directory_import run" in imported.output
    reconciled = runner.invoke(args=["sync", "reconcile", "--company", str(COMPANY_A)])
    assert reconciled.exit_code == 0, reconciled.output
    assert "reconcile run" in reconciled.output and f"pushed {RECORDS}" in reconciled.output
    assert len(emulator.records()) == RECORDS


def test_a_sync_command_refuses_while_another_sync_job_of_the_company_runs(connected):
    from integration.sync_lock import company_sync_lock

    with company_sync_lock(COMPANY_A):
        result = connected.test_cli_runner().invoke(args=["sync", "reconcile", "--company", str(COMPANY_A)])
    assert result.exit_code != 0 and "another sync job" in result.output
    assert db.session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.kind == "reconcile")) == 0

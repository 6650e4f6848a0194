"""The sync command group runs the same jobs from a terminal, and refuses clearly when it cannot."""

from __future__ import annotations

from sqlalchemy import func, select

from integration.extensions import db
from integration.models import SyncRun
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A


def test_sync_push_sends_every_record_and_reports_the_run(connected, emulator):
    result = connected.test_cli_runner().invoke(args=["sync", "push", "--company", str(COMPANY_A)])
    assert result.exit_code == 0, result.output
    assert "Pushing" in result.output and "pushed 400" in result.output and "write calls 1" in result.output
    assert len(emulator.records()) == 400


def test_sync_push_refuses_an_unconnected_company_and_runs_nothing(app):
    factories.installation(55, connection_state="disconnected")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sync", "push", "--company", "55"])
    assert result.exit_code != 0 and "company 55 is not connected" in result.output
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0

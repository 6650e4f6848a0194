"""Fixtures for the sync tests: an emulator over HTTP, and a connected company whose directory came from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from integration.extensions import db
from integration.requirement_sets import replace_carriers, save_set
from sync_jobs.directory_import import import_directory
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.emulator import point_at, start_emulator

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"


@pytest.fixture
def emulator():
    """An emulator on a free port, stopped after the test."""
    running, stop = start_emulator()
    yield running
    stop()


@pytest.fixture
def connected(app, emulator):
    """Company A connected, its requirements and carriers saved, its 100 vendors imported from the emulator."""
    point_at(app, emulator)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    save_set(COMPANY_A, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(COMPANY_A, (SAMPLES / "carriers.csv").read_text(), None)
    db.session.commit()
    import_directory(COMPANY_A)
    emulator.reset_log()
    return app

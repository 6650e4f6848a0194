"""The coi command group: requirement sets and carriers in and out, refusals that save nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from integration.extensions import db
from integration.models import CarrierRating, RequirementSet
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"


def company():
    factories.installation(3)
    db.session.commit()


def test_requirements_import_then_export(app, tmp_path):
    company()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coi", "requirements", "import", str(SAMPLES / "requirements_standard.json"),
                                 "--company", "3"])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    exported = json.loads(runner.invoke(args=["coi", "requirements", "export", "--company", "3"]).output)
    stored = json.loads((SAMPLES / "requirements_standard.json").read_text())
    assert exported["default"]["lines"] == stored["lines"]


def test_an_invalid_set_names_the_field_and_saves_nothing(app, tmp_path):
    company()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "name": "x", "lines": {"general_liability": {
        "limits": {"each_occurrence": "a lot"}}}}))
    result = app.test_cli_runner().invoke(args=["coi", "requirements", "import", str(bad), "--company", "3"])
    assert result.exit_code != 0 and "each_occurrence" in result.output and "nothing was saved" in result.output
    assert db.session.scalar(select(func.count()).select_from(RequirementSet)) == 0


def test_carriers_import_and_a_bad_row_refused(app, tmp_path):
    company()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["coi", "carriers", "import", str(SAMPLES / "carriers.csv"), "--company", "3"])
    assert ok.exit_code == 0, ok.output
    saved = db.session.scalar(select(func.count()).select_from(CarrierRating))
    assert saved > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("naic,am_best_rating\n12345,Z+\n")
    refused = runner.invoke(args=["coi", "carriers", "import", str(bad), "--company", "3"])
    assert refused.exit_code != 0 and "row 2" in refused.output
    assert db.session.scalar(select(func.count()).select_from(CarrierRating)) == saved


def test_evaluate_and_extract_are_attached(app):
    result = app.test_cli_runner().invoke(args=["coi", "--help"])
    assert "evaluate" in result.output and "extract" in result.output

"""`coi extract`: JSON Lines in input order; exit 0 even when a file fails, 2 on a usage error."""

from __future__ import annotations

import json

from click.testing import CliRunner

from fixtures.certgen import write
from integration.extraction.cli import extract_command


def test_prints_one_json_line_per_file_in_order(tmp_path):
    fillable = write(tmp_path, 1, "fillable")
    flattened = write(tmp_path, 2, "flattened")
    missing = tmp_path / "missing.pdf"
    result = CliRunner().invoke(extract_command, [str(flattened), str(missing), str(fillable)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["file"] for d in lines] == [str(flattened), str(missing), str(fillable)]
    assert [d["ok"] for d in lines] == [True, False, True]
    assert [d["method"] for d in lines] == ["text", None, "acroform"]


def test_no_files_is_a_usage_error():
    result = CliRunner().invoke(extract_command, [])
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_a_bad_budget_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(extract_command, ["--seconds", "0", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2

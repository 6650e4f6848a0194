"""``coi evaluate``: certificates (object, list or JSON Lines) + requirements -> gaps and status as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from integration.certificate import ExtractedCertificate
from integration.compliance.cli import evaluate_command, load_certificates
from tests.integration.compliance.compliance_factories import (
    CARRIERS_FILE,
    CERTIFICATE_FILE,
    REQUIREMENTS_FILE,
    certificate,
    policy,
)

BASE = [
    "--requirements",
    str(REQUIREMENTS_FILE),
    "--today",
    "2026-03-15",
    "--vendor-name",
    "Acme Drywall LLC",
    "--carriers",
    str(CARRIERS_FILE),
    "--work-start",
    "2026-03-01",
    "--work-end",
    "2026-11-30",
]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(evaluate_command, list(args))
    return result.exit_code, result.output


def test_compliant_fixture() -> None:
    code, output = _invoke(str(CERTIFICATE_FILE), *BASE)
    assert code == 0, output
    report = json.loads(output)
    assert report["status"] == "compliant" and report["gaps"] == []
    assert report["line_statuses"]["general_liability"] == "compliant"


def test_expired_by_moving_today(tmp_path: Path) -> None:
    code, output = _invoke(str(CERTIFICATE_FILE), *BASE, "--today", "2027-01-01")
    assert code == 0
    report = json.loads(output)
    assert report["status"] == "expired"
    assert "policy_expired" in {gap["code"] for gap in report["gaps"]}


@pytest.mark.parametrize("shape", ["list", "jsonl"])
def test_several_documents(tmp_path: Path, shape: str) -> None:
    short = certificate()
    policy(short, "general_liability")["limits"]["each_occurrence"] = 1
    short["policies"] = short["policies"][:1]
    docs = [short, {"file": "x.jpg", "ok": False, "error": "not a certificate"}]
    path = tmp_path / "certs.json"
    path.write_text(json.dumps(docs) if shape == "list" else "\n".join(json.dumps(d) for d in docs) + "\n")
    code, output = _invoke(str(path), *BASE)
    assert code == 0, output
    report = json.loads(output)
    assert report["status"] == "not_compliant"
    gap = next(g for g in report["gaps"] if g["code"] == "gl_each_occurrence_below")
    assert gap["location"]["file"] == "acme-drywall-coi.pdf" and gap["expected"] == "at least $1,000,000"
    assert gap["where"] == "acme-drywall-coi.pdf, page 1, EACH OCCURRENCE box on the general liability row"


def test_overrides_file(tmp_path: Path) -> None:
    cert, overrides = tmp_path / "c.json", tmp_path / "o.json"
    short = certificate()
    policy(short, "general_liability")["limits"]["each_occurrence"] = 1
    cert.write_text(json.dumps(short))
    overrides.write_text(
        json.dumps(
            [
                {
                    "gap_key": "general_liability.each_occurrence",
                    "kind": "waive",
                    "reason": "owner accepted",
                    "vendor_id": "v1",
                }
            ]
        )
    )
    code, output = _invoke(str(cert), *BASE, "--vendor-id", "v1", "--overrides", str(overrides))
    assert code == 0, output
    assert json.loads(output)["status"] == "waived"


def test_default_tier_without_requirements() -> None:
    code, output = _invoke(
        str(CERTIFICATE_FILE),
        "--today",
        "2026-03-15",
        "--vendor-name",
        "Acme Drywall LLC",
        "--carriers",
        str(CARRIERS_FILE),
    )
    assert code == 0, output
    assert json.loads(output)["requirement_set"] == "Standard trades"


def test_invalid_requirements_is_a_usage_error_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "req.json"
    bad.write_text(
        json.dumps(
            {"schema_version": 1, "name": "x", "lines": {"general_liability": {"limits": {"each_occurrence": "1M"}}}}
        )
    )
    code, output = _invoke(str(CERTIFICATE_FILE), "--requirements", str(bad))
    assert code == 2
    assert "lines.general_liability.limits.each_occurrence" in output


def test_invalid_carriers_is_a_usage_error_naming_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "carriers.csv"
    bad.write_text("naic,am_best_rating\n12345,ZZ\n")
    code, output = _invoke(str(CERTIFICATE_FILE), *BASE[:4], "--carriers", str(bad))
    assert code == 2
    assert "row 2, column am_best_rating" in output


def test_bad_certificate_json_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "certs.jsonl"
    bad.write_text('{"ok": true}\n{broken\n')
    code, output = _invoke(str(bad), *BASE)
    assert code == 2
    assert "line 2" in output


def test_load_certificates_shapes() -> None:
    one, two = ExtractedCertificate("a.pdf"), ExtractedCertificate("b.pdf", ok=False, error="blank")
    assert load_certificates(json.dumps(one.to_dict())) == [one]
    assert load_certificates(json.dumps([one.to_dict(), two.to_dict()])) == [one, two]
    assert load_certificates(f"{json.dumps(one.to_dict())}\n\n{json.dumps(two.to_dict())}\n") == [one, two]
    with pytest.raises(ValueError, match="certificate 1: .certificate.: must be a JSON object"):
        load_certificates("[1]")
    with pytest.raises(ValueError, match="certificate 2: policies.0.limits.each_occurrence: must be a whole number"):
        load_certificates(json.dumps([one.to_dict(), {"ok": True, "policies": [
            {"line": "general_liability", "limits": {"each_occurrence": "1,000,000"}}]}]))

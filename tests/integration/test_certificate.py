"""The extracted certificate: its JSON form exactly, refusals naming the field, edits, and storage."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fixtures.certgen import write
from integration.certificate import CertificateFormatError, ExtractedCertificate, FieldSource
from integration.extensions import db
from integration.extraction.cli import extract_command

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "compliance" / "certificate_acme_drywall.json"

TOP_KEYS = ["file", "ok", "error", "method", "edition", "confidence", "needs_review", "issued_on", "producer",
            "named_insured", "insurers", "certificate_holder", "description_of_operations", "policies",
            "endorsements", "fields"]
POLICY_KEYS = ["line", "description", "insurer_letter", "policy_number", "effective_date", "expiration_date",
               "additional_insured", "subrogation_waived", "occurrence", "aggregate_applies_per", "any_auto",
               "statutory", "limits"]


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text())


def test_the_json_form_round_trips_exactly_with_the_documented_keys() -> None:
    data = sample()
    certificate = ExtractedCertificate.from_dict(data)
    assert certificate.to_dict() == data
    assert list(certificate.to_dict()) == TOP_KEYS
    assert all(list(policy) == POLICY_KEYS for policy in certificate.to_dict()["policies"])
    assert ExtractedCertificate.from_dict(json.loads(json.dumps(certificate.to_dict()))) == certificate


def test_values_are_typed() -> None:
    certificate = ExtractedCertificate.from_dict(sample())
    gl = certificate.policies[0]
    assert gl.expiration_date == date(2027, 1, 1) and gl.limits["each_occurrence"] == 1_000_000
    assert certificate.issued_on == date(2026, 2, 20) and certificate.insurers[0].naic == "12345"
    assert certificate.source("policies.0.limits.each_occurrence") == FieldSource(0.96, 1)
    assert certificate.source("policies.0.any_auto") == FieldSource()  # nothing recorded: nothing measured


def test_an_unreadable_document_has_every_key_and_no_values() -> None:
    data = ExtractedCertificate.unreadable("photo.jpg", "not a certificate").to_dict()
    assert list(data) == TOP_KEYS
    assert data["ok"] is False and data["error"] == "not a certificate" and data["policies"] == []


def _set(path: str, value: Any):
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node.append(value)
        else:
            node[last] = value
    return change


def _source(path: str, entry: Any):
    return lambda data: data["fields"].__setitem__(path, entry)


def _drop(key: str):
    return lambda data: data.pop(key)


# How the input is spoiled -> the message that names the field.
REFUSALS = [
    (_drop("ok"), "ok: is required"),
    (_set("ok", "yes"), "ok: must be true or false"),
    (_set("policies.0.expiration_date", "01/01/2027"), "policies.0.expiration_date: must be a YYYY-MM-DD date"),
    (_set("policies.0.limits.each_occurrence", "1,000,000"),
     "policies.0.limits.each_occurrence: must be a whole number of US dollars"),
    (_set("policies.0.limits.each_occurrence", -5), "policies.0.limits.each_occurrence: must be a whole number"),
    (_set("policies.0.limits.per_claim", 5), "policies.0.limits.per_claim: unknown field"),
    (_set("policies.0.line", "marine"), "policies.0.line: must be one of general_liability"),
    (_set("policies.0.aggregate_applies_per", "job"), "policies.0.aggregate_applies_per: must be one of policy"),
    (_set("policies.0.occurrence", "sure"), "policies.0.occurrence: must be true or false"),
    (_set("policies.4", "not a policy"), "policies.4: must be an object"),
    (_set("endorsements.8", "CG 20 10"), "endorsements.8: must be an object"),
    (_source("policies.0.limits.each_occurrence", {"confidence": "high", "page": 1}),
     "fields.policies.0.limits.each_occurrence.confidence: must be a number from 0 to 1"),
    (_source("insurers.0.naic", {"confidence": 0.9, "page": 0}), "fields.insurers.0.naic.page: must be a page"),
    (_source("named_insured.name", "sure"), "fields.named_insured.name: must be an object"),
    (_set("method", "guess"), "method: must be one of acroform, text, ocr"),
    (_set("producer", "Keystone"), "producer: must be an object"),
    (_set("policy_count", 4), "policy_count: unknown field"),
]


@pytest.mark.parametrize(("spoil", "message"), REFUSALS)
def test_malformed_input_is_refused_naming_the_field(spoil, message: str) -> None:
    data = sample()
    spoil(data)
    with pytest.raises(CertificateFormatError) as refused:
        ExtractedCertificate.from_dict(data)
    assert any(error.startswith(message) for error in refused.value.errors), refused.value.errors


def test_every_problem_is_reported_at_once() -> None:
    data = sample()
    data["policies"][0]["effective_date"] = "soon"
    data["insurers"][0]["naic"] = 12345
    errors = pytest.raises(CertificateFormatError, ExtractedCertificate.from_dict, data).value.errors
    assert [e.split(":")[0] for e in errors] == ["insurers.0.naic", "policies.0.effective_date"]


def test_bracketed_provenance_paths_are_read_as_dotted() -> None:
    data = sample()
    data["fields"]["policies[0].occurrence"] = {"confidence": 0.5, "page": 1}
    certificate = ExtractedCertificate.from_dict(data)
    assert certificate.source("policies.0.occurrence") == FieldSource(0.5, 1)


def test_value_at_and_with_values_edit_by_path() -> None:
    certificate = ExtractedCertificate.from_dict(sample())
    assert certificate.value_at("policies.3.limits.el_each_accident") == 1_000_000
    assert certificate.value_at("policies.9.limits.el_each_accident") is None
    assert certificate.value_at("to_dict") is None
    edited = certificate.with_values({"policies.0.expiration_date": date(2027, 6, 1),
                                      "policies.0.limits.each_occurrence": 2_000_000})
    assert edited.policies[0].expiration_date == date(2027, 6, 1)
    assert edited.policies[0].limits["each_occurrence"] == 2_000_000
    assert certificate.policies[0].limits["each_occurrence"] == 1_000_000  # the original is unchanged
    with pytest.raises(CertificateFormatError, match="policies.0.occurrence: must be true or false"):
        certificate.with_values({"policies.0.occurrence": "yes"})


def test_a_confirmed_certificate_is_fully_trusted_including_values_it_names() -> None:
    confirmed = ExtractedCertificate.from_dict(sample()).confirmed(("policies.0.any_auto",))
    assert confirmed.needs_review is False and confirmed.confidence == 1.0
    assert {source.confidence for source in confirmed.fields.values()} == {1.0}
    assert confirmed.source("policies.0.any_auto") == FieldSource(1.0, 1)


def test_coi_extract_prints_what_from_dict_reads_back(tmp_path) -> None:
    path = write(tmp_path, 3, "fillable")
    result = CliRunner().invoke(extract_command, [str(path)])
    printed = json.loads(result.output)
    assert list(printed) == TOP_KEYS
    assert ExtractedCertificate.from_dict(printed).to_dict() == printed


def test_storage_keeps_the_typed_certificate(database) -> None:
    from integration.models import Certificate
    from tests import factories

    factories.installation(5)
    factories.certificate(factories.vendor(5), sample())
    content = ExtractedCertificate.from_dict(sample())
    db.session.commit()
    db.session.expire_all()
    row = db.session.scalar(select(Certificate))
    assert row.content == content and row.extracted == content  # as first read, until someone corrects it
    row.content = content.with_values({"policies.0.limits.each_occurrence": 3_000_000})
    db.session.commit()
    db.session.expire_all()
    row = db.session.scalar(select(Certificate))
    assert row.content.policies[0].limits["each_occurrence"] == 3_000_000
    assert row.extracted.policies[0].limits["each_occurrence"] == 1_000_000


def test_storage_refuses_anything_but_the_typed_certificate(database) -> None:
    from sqlalchemy.exc import StatementError

    from integration.models import Certificate
    from tests import factories

    factories.installation(6)
    db.session.add(Certificate(company_id=6, stored_file_id=1, vendor_id=1, content=copy.deepcopy(sample())))
    with pytest.raises(StatementError, match="store an ExtractedCertificate, not dict"):
        db.session.flush()
    db.session.rollback()

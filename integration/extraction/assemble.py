"""Assemble the extracted certificate from field readings: normalise, validate, score, flag for review."""

from __future__ import annotations

import re

from integration.certificate import ExtractedCertificate
from integration.extraction.fields import EDITION_FIELD, INSURER_LETTERS, REMARKS, Readings
from integration.extraction.normalize import clean_text, parse_date
from integration.extraction.rows import read_rows

REVIEW_BELOW = 0.85  # a value that drives a compliance decision below this confidence sends the file to review
_EDITION_PRINTED = re.compile(r"\b25\s*\((\d{4})/(\d{2})\)")
# Per-policy values the compliance engine decides on; a row lacking one of the REQUIRED ones needs review.
DECIDING = ("line", "insurer_letter", "effective_date", "expiration_date", "additional_insured", "subrogation_waived",
            "occurrence", "aggregate_applies_per", "any_auto", "statutory")
REQUIRED = ("line", "insurer_letter", "policy_number", "effective_date", "expiration_date")


def _blank(file: str) -> dict:
    """The JSON form with every value null, filled in by `assemble`."""
    return ExtractedCertificate(file).to_dict()


def edition_from_text(text: str) -> str | None:
    """The edition from a printed footer such as `25 (2016/03)`."""
    m = _EDITION_PRINTED.search(text)
    return f"ACORD 0025 {m[1]}-{m[2]}" if m else None


def _edition(value: str | None) -> str | None:
    """A form's edition field in the contract's words: `ACORD 0025 2016-03 Acroform` -> `ACORD 0025 2016-03`."""
    m = re.search(r"(\d{4})[-/](\d{2})", value or "")
    return f"ACORD 0025 {m[1]}-{m[2]}" if m else value


def assemble(file: str, readings: Readings, method: str, page: int, page_text: str = "") -> ExtractedCertificate:
    """Build the extracted certificate from the readings of the certificate page `page`."""
    doc = _blank(file)
    fields: dict[str, dict] = {}

    def take(path: str, name: str) -> str | None:
        """The cleaned text of field `name`, its provenance recorded under `path`."""
        reading = readings.get(name)
        value = clean_text(reading.value) if reading and isinstance(reading.value, str) else None
        if value is not None:
            fields[path] = {"confidence": round(reading.confidence, 3), "page": page}
        return value

    def record(path: str, confidence: float) -> None:
        """Record the confidence of a derived value."""
        fields[path] = {"confidence": round(confidence, 3), "page": page}

    doc["method"] = method
    doc["edition"] = _edition(take("edition", EDITION_FIELD)) or edition_from_text(page_text)
    issued = parse_date(take("issued_on", "Form_CompletionDate_A"))
    doc["issued_on"] = issued.isoformat() if issued else None
    if "issued_on" in fields and issued is None:
        record("issued_on", 0.0)
    doc["producer"] = {"name": take("producer.name", "Producer_FullName_A"),
                       "contact": take("producer.contact", "Producer_ContactPerson_FullName_A"),
                       "phone": take("producer.phone", "Producer_ContactPerson_PhoneNumber_A"),
                       "email": _no_spaces(take("producer.email", "Producer_ContactPerson_EmailAddress_A"))}
    doc["named_insured"] = {"name": take("named_insured.name", "NamedInsured_FullName_A"),
                            "address": _address(readings, "NamedInsured", fields, "named_insured.address", page)}
    doc["certificate_holder"] = {
        "name": take("certificate_holder.name", "CertificateHolder_FullName_A"),
        "address": _address(readings, "CertificateHolder", fields, "certificate_holder.address", page)}
    doc["description_of_operations"] = take("description_of_operations", REMARKS)
    for letter in INSURER_LETTERS:
        i = len(doc["insurers"])
        name = take(f"insurers.{i}.name", f"Insurer_FullName_{letter}")
        if name:
            doc["insurers"].append({"letter": letter, "name": name, "naic": take(f"insurers.{i}.naic",
                                                                                  f"Insurer_NAICCode_{letter}")})
    letters = {i["letter"] for i in doc["insurers"]}
    doc["policies"] = read_rows(readings, method, letters, record)
    doc["fields"] = fields
    _score(doc)
    return ExtractedCertificate.from_dict(doc)


def _no_spaces(value: str | None) -> str | None:
    return value.replace(" ", "") if value else value


def _address(readings: Readings, prefix: str, fields: dict, path: str, page: int) -> str | None:
    keys = ("LineOne_A", "LineTwo_A", "CityName_A", "StateOrProvinceCode_A", "PostalCode_A")
    found = [readings.get(f"{prefix}_MailingAddress_{k}") for k in keys]
    parts = [clean_text(r.value) if r and isinstance(r.value, str) else None for r in found]
    if not any(parts):
        return None
    fields[path] = {"confidence": round(min(r.confidence for r in found if r), 3), "page": page}
    state_zip = " ".join(p for p in parts[3:] if p)
    return ", ".join(p for p in (*parts[:3], state_zip) if p)


def _score(doc: dict) -> None:
    """Set `confidence` (lowest deciding value) and `needs_review` (anything required missing or doubtful)."""
    fields = doc["fields"]
    deciding = ["named_insured.name", "certificate_holder.name"]
    missing = [p for p in ("issued_on", "named_insured.name", "certificate_holder.name") if p not in fields]
    for i, policy in enumerate(doc["policies"]):
        deciding += [f"policies.{i}.{k}" for k in DECIDING if f"policies.{i}.{k}" in fields]
        deciding += [f"policies.{i}.limits.{k}" for k in policy["limits"]]
        missing += [f"policies.{i}.{k}" for k in REQUIRED if policy[k] is None]
        missing += [f"policies.{i}.limits.{k}" for k, v in policy["limits"].items() if v is None]
        letters = [n for n, ins in enumerate(doc["insurers"]) if ins["letter"] == policy["insurer_letter"]]
        deciding += [f"insurers.{n}.{k}" for n in letters for k in ("name", "naic")]  # carrier rating by NAIC
    scores = [fields[p]["confidence"] for p in deciding if p in fields]
    doc["confidence"] = round(min(scores), 3) if scores and doc["policies"] and not missing else 0.0
    doc["needs_review"] = bool(missing) or not doc["policies"] or any(s < REVIEW_BELOW for s in scores)

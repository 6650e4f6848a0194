"""Builders shared by the compliance tests: the fixture certificate and requirement set, tweaked."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from integration.certificate import ExtractedCertificate
from integration.compliance import (
    CarrierTable,
    Evaluation,
    RequirementSet,
    evaluate,
    merge,
    parse_carriers_csv,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "compliance"
CERTIFICATE_FILE = FIXTURES / "certificate_acme_drywall.json"
REQUIREMENTS_FILE = FIXTURES / "requirements_standard.json"
CARRIERS_FILE = FIXTURES / "carriers.csv"

TODAY = date(2026, 3, 15)
VENDOR = "Acme Drywall LLC"
ASSIGNMENT = {"vendor_id": "v-acme", "assignment_id": "a-1", "work_start": "2026-03-01", "work_end": "2026-11-30"}


@cache
def _certificate_text() -> str:
    return CERTIFICATE_FILE.read_text(encoding="utf-8")


def certificate() -> dict[str, Any]:
    """A fresh copy of the fully compliant fixture certificate."""
    return json.loads(_certificate_text())


def requirements(**patch: Any) -> RequirementSet:
    """The fixture requirement set, with an optional JSON merge patch applied."""
    base = RequirementSet.from_json(REQUIREMENTS_FILE.read_text(encoding="utf-8"))
    return merge(base, patch) if patch else base


def carriers() -> CarrierTable:
    """The fixture carrier table."""
    return parse_carriers_csv(CARRIERS_FILE.read_text(encoding="utf-8"))


def index_of(cert: dict[str, Any], line: str) -> int:
    """The index of the first policy row for ``line``."""
    return next(i for i, policy in enumerate(cert["policies"]) if policy["line"] == line)


def policy(cert: dict[str, Any], line: str) -> dict[str, Any]:
    """The first policy row for ``line`` (mutable)."""
    return cert["policies"][index_of(cert, line)]


def remove_line(cert: dict[str, Any], line: str) -> dict[str, Any]:
    """``cert`` without any row for ``line``."""
    return keep_lines(cert, *(p["line"] for p in cert["policies"] if p["line"] != line))


def keep_lines(cert: dict[str, Any], *lines: str) -> dict[str, Any]:
    """``cert`` with only the rows for ``lines``; their provenance follows them to their new indexes."""
    kept = [(old, p) for old, p in enumerate(cert["policies"]) if p["line"] in lines]
    cert["policies"] = [p for _, p in kept]
    return _renumbered(cert, "policies", [old for old, _ in kept])


def drop_forms(cert: dict[str, Any], *forms: str) -> dict[str, Any]:
    """``cert`` without the endorsement pages for ``forms``; the others keep their provenance."""
    kept = [(old, e) for old, e in enumerate(cert["endorsements"]) if e["form"] not in forms]
    cert["endorsements"] = [e for _, e in kept]
    return _renumbered(cert, "endorsements", [old for old, _ in kept])


def _renumbered(cert: dict[str, Any], section: str, kept: list[int]) -> dict[str, Any]:
    """``cert`` with the provenance of ``section`` entries following the kept ones to their new indexes."""
    moved = {f"{section}.{old}.": f"{section}.{new}." for new, old in enumerate(kept)}
    fields = {}
    for path, source in cert["fields"].items():
        prefix = next((p for p in moved if path.startswith(p)), None)
        if prefix is not None:
            fields[moved[prefix] + path[len(prefix):]] = source
        elif not path.startswith(f"{section}."):
            fields[path] = source
    cert["fields"] = fields
    return cert


def add_page(cert: dict[str, Any], form: str, edition: str, page: int, confidence: float = 0.95) -> dict[str, Any]:
    """``cert`` with one more endorsement page, read with ``confidence``."""
    cert["fields"][f"endorsements.{len(cert['endorsements'])}.form"] = {"confidence": confidence, "page": page}
    cert["endorsements"].append({"form": form, "edition": edition, "page": page})
    return cert


def set_confidence(cert: dict[str, Any], path: str, confidence: float) -> dict[str, Any]:
    """``cert`` with the provenance confidence of ``path`` set."""
    cert["fields"][path] = {"confidence": confidence, "page": 1}
    return cert


def run(
    certs: dict[str, Any] | list[dict[str, Any]],
    requirement_set: RequirementSet | None = None,
    today: date = TODAY,
    **options: Any,
) -> Evaluation:
    """Evaluate ``certs`` with the fixture defaults (vendor, assignment, carriers) unless overridden."""
    options.setdefault("vendor", VENDOR)
    options.setdefault("carriers", carriers())
    documents = [ExtractedCertificate.from_dict(doc) for doc in ([certs] if isinstance(certs, dict) else certs)]
    assignment = options.pop("assignment", ASSIGNMENT)
    return evaluate(documents, requirement_set or requirements(), assignment, today, **options)


def codes(evaluation: Evaluation) -> set[str]:
    """The open gap codes of an evaluation."""
    return {gap.code for gap in evaluation.open_gaps()}

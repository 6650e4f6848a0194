"""Named insured and certificate holder matching: tolerant of spelling, not of another entity."""

from __future__ import annotations

import pytest

from integration.compliance import Outcome
from integration.compliance.names import NameMatch, compare_names, entity_parts
from tests.integration.compliance.compliance_factories import certificate, requirements, run, set_confidence


@pytest.mark.parametrize(
    ("found", "expected", "match"),
    [
        ("Acme Drywall Inc", "Acme Drywall Inc.", NameMatch.SAME),
        ("ACME DRYWALL, INC.", "Acme Drywall Incorporated", NameMatch.SAME),
        ("Acme Drywall, L.L.C.", "Acme Drywall LLC", NameMatch.SAME),
        ("acme drywall llc", "Acme Drywall LLC", NameMatch.SAME),
        ("Acme-Drywall LLC", "Acme Drywall LLC", NameMatch.SAME),
        ("Smith & Sons Co.", "Smith and Sons Company", NameMatch.SAME),
        ("Summit Builders Corp", "Summit Builders Corporation", NameMatch.SAME),
        ("The Acme Drywall LLC", "Acme Drywall LLC", NameMatch.SAME),
        ("Acme Drywall", "Acme Drywall LLC", NameMatch.SAME),
        ("Acme Drywall Inc", "Acme Drywall LLC", NameMatch.SUFFIX_DIFFERS),
        ("ABC Construction LLC", "ABC Construction Services Inc", NameMatch.DIFFERENT),
        ("Acme Painting LLC", "Acme Drywall LLC", NameMatch.DIFFERENT),
        ("Acme Drywall Holdings LLC", "Acme Drywall LLC", NameMatch.DIFFERENT),
        ("", "Acme Drywall LLC", NameMatch.DIFFERENT),
    ],
)
def test_compare_names(found: str, expected: str, match: NameMatch) -> None:
    assert compare_names(found, expected) is match


def test_entity_parts() -> None:
    assert entity_parts("Acme Builders, Inc.") == ("acme builders", "inc")
    assert entity_parts("Co") == ("co", None)  # a lone word is a name, not a suffix


def _named(name: str) -> dict:
    cert = certificate()
    cert["named_insured"]["name"] = name
    return cert


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("Acme Drywall, LLC", Outcome.PASS),
        ("ACME DRYWALL L.L.C.", Outcome.PASS),
        ("Acme Drywall", Outcome.PASS),
        ("Acme Drywall Inc.", Outcome.NEEDS_REVIEW),
        ("Acme Drywall Holdings LLC", Outcome.FAIL),
    ],
)
def test_named_insured_outcomes(name: str, outcome: Outcome) -> None:
    assert run(_named(name)).result("certificate.named_insured").outcome is outcome


def test_named_insured_matches_a_dba() -> None:
    vendor = {"legal_name": "Acme Holdings LLC", "dbas": ["Acme Drywall"]}
    assert run(_named("Acme Drywall LLC"), vendor=vendor).result("certificate.named_insured").outcome is Outcome.PASS


def test_named_insured_without_vendor_needs_review() -> None:
    result = run(certificate(), vendor=None).result("certificate.named_insured")
    assert result.outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize("vendor", [{"legal_name": "  "}, "   "])
def test_blank_vendor_name_needs_review(vendor: object) -> None:
    result = run(certificate(), vendor=vendor).result("certificate.named_insured")
    assert result.outcome is Outcome.NEEDS_REVIEW


def test_vendor_without_legal_name_is_refused() -> None:
    with pytest.raises(ValueError, match="vendor.legal_name"):
        run(certificate(), vendor={"dbas": ["Acme"]})


def test_low_confidence_named_insured_needs_review() -> None:
    cert = set_confidence(certificate(), "named_insured.name", 0.3)
    assert run(cert).result("certificate.named_insured").outcome is Outcome.NEEDS_REVIEW


def test_separate_certificate_for_another_entity_fails() -> None:
    umbrella_cert = certificate()
    umbrella_cert["named_insured"]["name"] = "Acme Painting LLC"
    umbrella_cert["policies"] = [p for p in umbrella_cert["policies"] if p["line"] == "umbrella_liability"]
    main = certificate()
    main["policies"] = [p for p in main["policies"] if p["line"] != "umbrella_liability"]
    evaluation = run([main, umbrella_cert])
    assert evaluation.result("certificate.named_insured").outcome is Outcome.FAIL


def test_a_certificate_kept_only_for_a_line_nobody_requires_is_not_checked() -> None:
    """Holder and insured are checked on the documents the required lines come from, not on every one kept."""
    older = certificate()
    older["named_insured"]["name"], older["certificate_holder"]["name"] = "Acme Painting LLC", "Peak Builders, Inc."
    for row in older["policies"]:
        row["expiration_date"] = "2026-12-31"  # in force, but the newer certificate's policies run longer
    main = certificate()
    main["policies"] = [p for p in main["policies"] if p["line"] != "umbrella_liability"]
    parties = ("certificate.named_insured", "certificate.holder")
    unrequired = run([older, main], requirements(lines={"umbrella_liability": None}))
    assert [unrequired.result(key).outcome for key in parties] == [Outcome.PASS, Outcome.PASS]
    required = run([older, main])  # its umbrella is the one the vendor is judged on: its names count
    assert [required.result(key).shortfall.found for key in parties] == ["Acme Painting LLC", "Peak Builders, Inc."]


@pytest.mark.parametrize(
    ("holder", "outcome"),
    [
        ("SUMMIT BUILDERS INC", Outcome.PASS),
        ("Summit Builders LLC", Outcome.NEEDS_REVIEW),
        ("Peak Builders, Inc.", Outcome.FAIL),
        (None, Outcome.NEEDS_REVIEW),
    ],
)
def test_certificate_holder(holder: str | None, outcome: Outcome) -> None:
    cert = certificate()
    cert["certificate_holder"]["name"] = holder
    assert run(cert).result("certificate.holder").outcome is outcome


@pytest.mark.parametrize(
    ("holder", "gc_legal_name", "outcome"),
    [
        ("Summit Builders, Inc.", "Summit Builders, Inc.", Outcome.PASS),
        ("SUMMIT BUILDERS INCORPORATED", "Summit Builders, Inc.", Outcome.PASS),
        ("summit builders inc", "Summit Builders, Inc.", Outcome.PASS),
        ("Summit Builders", "Summit Builders, Inc.", Outcome.PASS),
        ("The Summit Builders, Inc", "Summit Builders Inc.", Outcome.PASS),
        ("Summit Builders LLC", "Summit Builders, Inc.", Outcome.NEEDS_REVIEW),
        ("Peak Builders, Inc.", "Summit Builders, Inc.", Outcome.FAIL),
        ("Summit Builders, Inc.", None, Outcome.NEEDS_REVIEW),
    ],
)
def test_by_default_the_holder_is_the_gcs_legal_name(holder: str, gc_legal_name: str | None,
                                                      outcome: Outcome) -> None:
    cert = certificate()
    cert["certificate_holder"]["name"] = holder
    evaluation = run(cert, requirements(certificate_holder=None), gc_legal_name=gc_legal_name)
    assert evaluation.result("certificate.holder").outcome is outcome


def test_the_sets_holder_wording_wins_over_the_legal_name() -> None:
    cert = certificate()
    cert["certificate_holder"]["name"] = "Riverside Health Partners"
    wording = requirements(certificate_holder="Riverside Health Partners")
    assert run(cert, wording, gc_legal_name="Summit Builders, Inc.").result("certificate.holder").satisfied

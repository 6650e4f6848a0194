"""Every gap, rendered through the words pages, e-mails and notes use, reads as plain English for people."""

from __future__ import annotations

import re
from datetime import date

import pytest

from integration.compliance import CATALOGUE
from integration.compliance.results import Gap
from integration.compliance.wording import POLICY_END_RULE, day, dollars, doubled_words, limit_name, where
from tests.integration.compliance.compliance_factories import certificate, policy, requirements, run
from tests.integration.compliance.test_compliance_gap_codes import SCENARIOS

PATH = re.compile(r"\b(policies|insurers|endorsements|fields|limits|named_insured|certificate_holder)[.\[]\w")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
BARE_DOLLARS = re.compile(r"\$\d{4,}")


def words_of(gap: Gap) -> dict[str, str]:
    """Everything about a gap a person can read, by where it appears."""
    return {"title": gap.title, "explanation": gap.explanation, "ask": gap.ask, "where": gap.where,
            "expected": str(gap.expected or ""), "found": str(gap.found or ""), "plain text": gap.plain_text()}


def internal_names(gap: Gap) -> set[str]:
    keys = {gap.key, gap.code, *gap.requirement_keys, *requirements().keys()}
    return {key for key in keys if key} | set(CATALOGUE)


def problems(gap: Gap) -> list[str]:
    found = []
    for place, text in words_of(gap).items():
        if "_" in text:
            found.append(f"{place} has an underscore: {text!r}")
        if PATH.search(text):
            found.append(f"{place} names a certificate path: {text!r}")
        found += [f"{place} names {name!r}: {text!r}" for name in internal_names(gap) if name in text]
        found += [f"{place} doubles {word!r}: {text!r}" for word in doubled_words(text)]
        if ISO_DATE.search(text):
            found.append(f"{place} writes a date as YYYY-MM-DD: {text!r}")
        if BARE_DOLLARS.search(text):
            found.append(f"{place} writes dollars without separators: {text!r}")
    for place in ("explanation", "ask"):
        text = words_of(gap)[place]
        if not (text[:1].isupper() and text.endswith(".")):
            found.append(f"{place} is not a sentence: {text!r}")
    return found


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_every_gap_code_reads_as_plain_english(code: str) -> None:
    build, _, _, today = SCENARIOS[code]
    evaluation = run(build(), today=today)
    assert code in {gap.code for gap in evaluation.gaps}
    for gap in evaluation.gaps:
        assert problems(gap) == [], gap.key


def test_the_check_finds_what_it_looks_for() -> None:
    leaky = Gap("general_liability.each_occurrence", "gl_each_occurrence_below", "fail", "general_liability", None,
                None, None, "The el disease policy limit limit is 1000000 (policies.0.limits.el_each_accident).",
                "send it", ("general_liability.each_occurrence",))
    found = " ".join(problems(leaky))
    for expected in ("underscore", "certificate path", "doubles 'limit'", "not a sentence"):
        assert expected in found


def test_coverages_amounts_and_dates_are_written_in_words() -> None:
    assert limit_name("workers_compensation", "el_each_accident") == "employers liability, each accident"
    assert limit_name("general_liability", "each_occurrence") == "general liability, each occurrence"
    assert dollars(1_000_000) == "$1,000,000"
    assert day(date(2026, 3, 1)) == "March 1, 2026"
    assert where("certificate.pdf", 1, "EACH OCCURRENCE box") == "certificate.pdf, page 1, EACH OCCURRENCE box"


def test_the_policy_end_rule_is_stated_plainly_where_a_policy_ended() -> None:
    cert = certificate()
    policy(cert, "general_liability")["expiration_date"] = "2026-03-01"
    gap = run(cert).gap("general_liability.not_expired")
    assert gap.explanation == f"Your general liability policy ended on March 1, 2026. {POLICY_END_RULE}"
    assert gap.title == "General liability: policy has expired"


def test_where_names_document_page_and_the_forms_own_box() -> None:
    cert = certificate()
    policy(cert, "workers_compensation")["limits"]["el_each_accident"] = 500_000
    gap = run(cert).gap("workers_compensation.el_each_accident")
    assert gap.where == "acme-drywall-coi.pdf, page 1, E.L. EACH ACCIDENT box on the workers' compensation row"
    assert gap.explanation == ("Your employers liability, each accident limit is $500,000; the requirement is at "
                               "least $1,000,000.")
    assert gap.plain_text() == (
        "Employers liability each-accident limit is too low. " + gap.explanation + " Where: " + gap.where + ". "
        + gap.ask)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_the_guide_entry_reads_as_plain_english(code: str) -> None:
    info = CATALOGUE[code]
    for text in (info.title, info.explanation, info.why, info.fix):
        assert "_" not in text and not doubled_words(text) and not PATH.search(text), text
    for text in (info.explanation, info.why, info.fix):
        assert text[:1].isupper() and text.endswith("."), text

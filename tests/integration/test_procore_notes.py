"""Procore's notes are read by the general contractor's people: every gap is told about the vendor."""

from __future__ import annotations

import re

import pytest

from integration.compliance.results import Gap
from integration.insurance_standing import about_vendor, third_person
from tests.integration.compliance.compliance_factories import run
from tests.integration.compliance.test_compliance_gap_codes import SCENARIOS

SECOND_PERSON = re.compile(r"\byou(r|rs|rself)?\b", re.IGNORECASE)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_every_gap_code_is_told_about_the_vendor(code: str) -> None:
    build, _, _, today = SCENARIOS[code]
    gaps = run(build(), today=today).gaps
    assert code in {gap.code for gap in gaps}
    for gap in gaps:
        for text in (about_vendor(gap), third_person(gap.title)):
            assert not SECOND_PERSON.search(text), (gap.code, text)
            assert text[:1].isupper() and "_" not in text, (gap.code, text)


def limit_gap(found: str) -> Gap:
    return Gap("general_liability.each_occurrence", "gl_each_occurrence_below", "fail", "general_liability",
               "at least $1,000,000", found, None, "Your general liability, each occurrence limit is $500,000; the "
               "requirement is at least $1,000,000.", "Ask your broker.", ("general_liability.each_occurrence",))


def test_a_limit_says_what_the_vendor_has_and_what_is_required() -> None:
    assert about_vendor(limit_gap("$500,000")) == (
        "General liability each occurrence is $500,000; $1,000,000 is required.")
    assert about_vendor(limit_gap("$1,500,000 with the umbrella")) == (
        "General liability each occurrence is $1,500,000 with the umbrella; $1,000,000 is required.")


def test_other_gaps_name_the_vendor_where_the_vendor_page_says_you() -> None:
    assert third_person("No general liability policy was found in the documents you sent.") == (
        "No general liability policy was found in the vendor's documents.")
    assert third_person("Your auto liability policy ended on March 15, 2026.") == (
        "The vendor's auto liability policy ended on March 15, 2026.")
    assert third_person("The certificate names as the insured Acme Painting LLC; your company is Acme Drywall LLC.") \
        == "The certificate names as the insured Acme Painting LLC; the vendor's legal name is Acme Drywall LLC."
    assert third_person("General liability: policy does not cover your work dates") == (
        "General liability: policy does not cover the vendor's work dates")

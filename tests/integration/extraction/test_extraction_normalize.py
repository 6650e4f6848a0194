"""Normalisation tables, validation rules, and endorsement recognition on plain text."""

from __future__ import annotations

from datetime import date

import pytest

from integration.extraction.assemble import REVIEW_BELOW, assemble
from integration.extraction.endorsements import find_endorsements
from integration.extraction.fields import Reading, leaf_name
from integration.extraction.normalize import (
    is_non_amount,
    parse_amount,
    parse_date,
    parse_flag,
    parse_letter,
    repair_ocr_name,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("03/01/2026", date(2026, 3, 1)), ("3/1/2026", date(2026, 3, 1)), ("3/1/26", date(2026, 3, 1)),
    ("03-01-2026", date(2026, 3, 1)), ("2026-03-01", date(2026, 3, 1)), ("Mar 1, 2026", date(2026, 3, 1)),
    ("1 March 2026", date(2026, 3, 1)), ("03.01.2026", date(2026, 3, 1)),
    ("02/30/2026", None), ("13/01/2026", None), ("01/01/2O26", None), ("", None), (None, None), ("soon", None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("$1,000,000", 1_000_000), ("1,000,000", 1_000_000), ("1000000", 1_000_000), ("1M", 1_000_000),
    ("$2MM", 2_000_000), ("$1.5M", 1_500_000), ("500K", 500_000), ("$ 5,000", 5_000), ("10,000.00", 10_000),
    ("1.000.000", 1_000_000), ("$10.000", 10_000), ("1.0000", None),
    ("STATUTORY", None), ("INCLUDED", None), ("N/A", None), ("1,00,000", None), ("1,000,0OO", None),
    ("$1.2345678M", None), ("", None), (None, None),
])
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "known"), [("STATUTORY", True), ("Included", True), ("N/A", True), ("1,0x0", False)])
def test_words_in_limit_boxes_are_known_not_misreads(text, known):
    assert is_non_amount(text) is known


@pytest.mark.parametrize(("text", "expected"), [
    ("Y", True), ("X", True), ("y", True), ("YES", True), ("✓", True), ("N", False), ("no", False), ("", False),
    (None, False), ("?", None), ("8", None),
])
def test_flags(text, expected):
    assert parse_flag(text) is expected


@pytest.mark.parametrize(("text", "expected"), [("A", "A"), (" f ", "F"), ("G", None), ("AB", None), ("", None)])
def test_insurer_letters(text, expected):
    assert parse_letter(text) == expected


@pytest.mark.parametrize(("name", "leaf"), [
    ("F[0].P1[0].Producer_FullName_A[0]", "Producer_FullName_A"), ("Producer_FullName_A", "Producer_FullName_A"),
])
def test_leaf_names(name, leaf):
    assert leaf_name(name) == leaf


@pytest.mark.parametrize(("text", "form", "edition"), [
    ("ADDITIONAL INSURED ... CG 20 10 04 13 Page 1 of 1", "CG 20 10", "04 13"),
    ("policy CG20371219 attached", "CG 20 37", "12 19"),
    ("CG 20 38 (no edition printed)", "CG 20 38", None),
    ("PRIMARY AND NONCONTRIBUTORY CG 20 01 04 13", "CG 20 01", "04 13"),
    ("WAIVER CG 24 04 05 09", "CG 24 04", "05 09"),
    ("PER PROJECT CG 25 03 05 09", "CG 25 03", "05 09"),
    ("WC 00 03 13 (Ed. 4-84)", "WC 00 03 13", "04 84"),
    ("WC 00 03 13 (04/84)", "WC 00 03 13", "04 84"),
])
def test_endorsement_form_numbers(text, form, edition):
    assert find_endorsements([(3, text)]) == [{"form": form, "edition": edition, "page": 3}]


def test_text_without_form_numbers_is_no_endorsement():
    assert find_endorsements([(2, "CG 99 99 and a CG 20 100 lookalike; WC 00 03 14")]) == []


def _readings(**overrides: str | bool) -> dict[str, Reading]:
    values = {"Form_CompletionDate_A": "03/01/2026", "NamedInsured_FullName_A": "Bob Electric LLC",
              "CertificateHolder_FullName_A": "Acme Builders Inc.", "Insurer_FullName_A": "Summit Casualty Company",
              "Insurer_NAICCode_A": "12345", "GeneralLiability_InsurerLetterCode_A": "A",
              "Policy_GeneralLiability_PolicyNumberIdentifier_A": "GL-1",
              "Policy_GeneralLiability_EffectiveDate_A": "01/01/2026",
              "Policy_GeneralLiability_ExpirationDate_A": "01/01/2027",
              "GeneralLiability_EachOccurrence_LimitAmount_A": "$1,000,000",
              "GeneralLiability_OccurrenceIndicator_A": True, **overrides}
    return {k: Reading(v, 1.0) for k, v in values.items()}


def test_a_clean_certificate_needs_no_review():
    doc = assemble("c.pdf", _readings(), "acroform", 1).to_dict()
    assert doc["needs_review"] is False and doc["confidence"] == 1.0
    assert doc["policies"][0]["limits"] == {"each_occurrence": 1_000_000}
    assert doc["policies"][0]["occurrence"] is True


def test_effective_after_expiry_goes_to_review():
    doc = assemble("c.pdf", _readings(Policy_GeneralLiability_EffectiveDate_A="02/01/2027"), "acroform", 1).to_dict()
    assert doc["needs_review"] is True
    assert doc["fields"]["policies.0.effective_date"]["confidence"] < REVIEW_BELOW


def test_letter_without_an_insurer_row_is_null_and_reviewed():
    doc = assemble("c.pdf", _readings(GeneralLiability_InsurerLetterCode_A="C"), "acroform", 1).to_dict()
    assert doc["policies"][0]["insurer_letter"] is None and doc["needs_review"] is True


def test_unreadable_limit_is_null_never_guessed():
    doc = assemble("c.pdf", _readings(GeneralLiability_EachOccurrence_LimitAmount_A="1,0O0,000"), "text", 1).to_dict()
    assert doc["policies"][0]["limits"] == {"each_occurrence": None}
    assert doc["needs_review"] is True and doc["confidence"] == 0.0


def test_both_occurrence_boxes_ticked_is_unknown():
    doc = assemble("c.pdf", _readings(GeneralLiability_ClaimsMadeIndicator_A=True), "acroform", 1).to_dict()
    assert doc["policies"][0]["occurrence"] is None and doc["needs_review"] is True


def test_missing_named_insured_goes_to_review():
    readings = _readings()
    del readings["NamedInsured_FullName_A"]
    assert assemble("c.pdf", readings, "acroform", 1).to_dict()["needs_review"] is True


def test_scanned_dates_far_from_a_one_year_term_are_doubted():
    doc = assemble("c.jpg", _readings(Policy_GeneralLiability_ExpirationDate_A="01/01/2029"), "ocr", 1).to_dict()
    assert doc["fields"]["policies.0.expiration_date"]["confidence"] < REVIEW_BELOW and doc["needs_review"] is True


@pytest.mark.parametrize("printed", ["1,000,006", "35,000", "31,000,000", "52,000,000"])
def test_odd_scanned_amounts_are_doubted(printed):
    doc = assemble("c.jpg", _readings(GeneralLiability_EachOccurrence_LimitAmount_A=printed), "ocr", 1).to_dict()
    assert doc["needs_review"] is True


@pytest.mark.parametrize("printed", ["300,000", "30,000", "5,000", "$35,000"])
def test_plausible_scanned_amounts_are_trusted(printed):
    assert assemble("c.jpg", _readings(GeneralLiability_EachOccurrence_LimitAmount_A=printed), "ocr", 1).to_dict()[
        "needs_review"] is False


def test_umbrella_and_excess_are_told_apart_by_their_boxes():
    row = {"ExcessUmbrella_InsurerLetterCode_A": "A", "Policy_ExcessLiability_PolicyNumberIdentifier_A": "XS-1",
           "Policy_ExcessLiability_EffectiveDate_A": "01/01/2026",
           "Policy_ExcessLiability_ExpirationDate_A": "1/1/2027",
           "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A": "5M"}
    excess = assemble("c.pdf", _readings(**row, Policy_PolicyType_ExcessIndicator_A=True), "acroform", 1).to_dict()
    unknown = assemble("c.pdf", _readings(**row), "acroform", 1).to_dict()
    assert excess["policies"][1]["line"] == "excess_liability"
    assert excess["policies"][1]["limits"] == {"each_occurrence": 5_000_000}
    assert unknown["needs_review"] is True


@pytest.mark.parametrize(("text", "repaired"), [
    ("lronwood Masonry inc.", "Ironwood Masonry Inc."), ("Keystone lnsurance llc", "Keystone Insurance LLC"),
    ("Lloyd Builders Co.", "Lloyd Builders Co."), ("INC. Stays", "INC. Stays"), ("lake Road", "lake Road"),
])
def test_ocr_name_repairs(text, repaired):
    assert repair_ocr_name(text) == repaired

"""The carrier table: A.M. Best ordering, CSV parsing with errors naming row and column, rating checks."""

from __future__ import annotations

import pytest

from integration.compliance import CarrierCsvError, Outcome, parse_carriers_csv
from integration.compliance.carriers import RATING_ORDER, rating_at_least
from tests.integration.compliance.compliance_factories import carriers, certificate, requirements, run

HEADER = "naic,name,am_best_rating,financial_size_class\n"


@pytest.mark.parametrize(
    ("rating", "minimum", "ok"),
    [
        ("A-", "A-", True),
        ("A", "A-", True),
        ("A++", "A-", True),
        ("B++", "A-", False),
        ("a+", "A", True),
        ("A", "A+", False),
        ("S", "F", False),
    ],
)
def test_rating_order(rating: str, minimum: str, ok: bool) -> None:
    assert rating_at_least(rating, minimum) is ok


def test_rating_order_is_total() -> None:
    assert len(set(RATING_ORDER)) == len(RATING_ORDER)
    assert RATING_ORDER.index("A+") < RATING_ORDER.index("A") < RATING_ORDER.index("A-")


def test_fixture_table() -> None:
    table = carriers()
    assert len(table) == 5
    assert table["12345"].rating == "A+" and table["12345"].size_class == 15
    assert table["56789"].rating is None  # NR: not rated
    assert table.find("999") is None and table.find(None) is None


def test_naic_lookup_tolerates_leading_zeros() -> None:
    table = parse_carriers_csv(HEADER + "1234,Small Mutual,A,VII\n")
    assert table.find("01234") is table.find("1234") is not None


def test_bom_and_header_case_are_tolerated() -> None:
    table = parse_carriers_csv("\ufeffNAIC,AM_Best_Rating\n12345,a-\n")
    assert table["12345"].rating == "A-"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("naic,name\n12345,x\n", "row 1: missing column(s) am_best_rating"),
        ("", "row 1: missing column(s) naic, am_best_rating"),
        (HEADER + "12345,Good,A,XV\n12345,Again,A,XV\n", "row 3, column naic: duplicate NAIC code 12345"),
        (HEADER + "12345,Good,A,XV\nabc,Bad,A,XV\n", "row 3, column naic: NAIC code must be 1 to 5 digits"),
        (HEADER + "12345,Bad,AAA,XV\n", "row 2, column am_best_rating: unknown A.M. Best rating 'AAA'"),
        (HEADER + "12345,Bad,A,XX\n", "row 2, column financial_size_class: unknown financial size class 'XX'"),
        (HEADER + "12345,Bad,A,XV,extra\n", "row 2: more values than columns"),
        (HEADER + ",Blank,A,XV\n", "row 2, column naic"),
    ],
)
def test_csv_errors_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(CarrierCsvError) as caught:
        parse_carriers_csv(text)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_csv_reports_every_bad_row() -> None:
    with pytest.raises(CarrierCsvError) as caught:
        parse_carriers_csv(HEADER + "1,a,Q,I\n2,b,A,I\n3,c,Z,I\n")
    assert [error.split(",")[0] for error in caught.value.errors] == ["row 2", "row 4"]


def _auto_insurer(naic: str | None) -> dict:
    cert = certificate()
    cert["insurers"][1]["naic"] = naic
    return cert


@pytest.mark.parametrize(
    ("naic", "outcome", "code"),
    [
        ("23456", Outcome.PASS, None),  # A, class X
        ("34567", Outcome.PASS, None),  # A-, class VIII: exactly the minimum rating
        ("45678", Outcome.FAIL, "insurer_rating_below"),  # B+
        ("56789", Outcome.NEEDS_REVIEW, "insurer_not_rated"),  # NR
        ("99999", Outcome.NEEDS_REVIEW, "insurer_not_rated"),  # unknown
        (None, Outcome.NEEDS_REVIEW, "insurer_not_rated"),  # blank on the certificate
    ],
)
def test_insurer_rating_check(naic: str | None, outcome: Outcome, code: str | None) -> None:
    result = run(_auto_insurer(naic)).result("automobile_liability.insurer_rating")
    assert result.outcome is outcome
    assert (result.shortfall.code if result.shortfall else None) == code


def test_size_class_below_minimum_fails() -> None:
    rs = requirements(settings={"min_financial_size_class": "IX"})
    result = run(_auto_insurer("34567"), rs).result("automobile_liability.insurer_rating")  # class VIII
    assert result.outcome is Outcome.FAIL
    assert result.shortfall is not None and result.shortfall.code == "insurer_rating_below"


def test_no_carrier_table_needs_review() -> None:
    assert run(certificate(), carriers=None).result("general_liability.insurer_rating").outcome is Outcome.NEEDS_REVIEW


def test_insurer_letter_that_resolves_nowhere_needs_review() -> None:
    cert = certificate()
    cert["policies"][1]["insurer_letter"] = "F"
    result = run(cert).result("automobile_liability.insurer_rating")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.shortfall is not None and result.shortfall.code == "insurer_not_rated"


def test_no_minimum_rating_means_no_rating_requirement() -> None:
    rs = requirements(settings={"min_insurer_rating": None})
    assert "general_liability.insurer_rating" not in rs.keys()

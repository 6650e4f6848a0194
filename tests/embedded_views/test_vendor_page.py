"""The vendor page lists one row per thing to fix, with the words people use."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from integration.certificate import ExtractedCertificate
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.requirement_sets import replace_carriers, save_set
from tests import factories
from tests.conftest import signed_in

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)


@pytest.fixture
def company(database) -> factories.Company:
    world = factories.company(10, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC")
    save_set(10, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(10, (SAMPLES / "carriers.csv").read_text(), None)
    db.session.commit()
    return world


def _without_umbrella() -> dict:
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    cert["policies"] = [p for p in cert["policies"] if p["line"] != "umbrella_liability"]
    cert["fields"] = {k: v for k, v in cert["fields"].items() if not k.startswith("policies.")}
    return cert


UNREADABLE = ExtractedCertificate.unreadable("page-2-scan.jpg", "page-2-scan.jpg: too blurred to read").to_dict()


def _page(database, company: factories.Company) -> str:
    viewer = signed_in(database, company["viewer"])
    return viewer.get(f"/procore/companies/10/vendors/{company.vendor.id}").get_data(as_text=True)


@pytest.mark.parametrize("documents", [
    pytest.param(lambda: [_without_umbrella(), UNREADABLE], id="beside an unreadable document"),
    pytest.param(lambda: [{**_without_umbrella(), "needs_review": True}], id="flagged for a hard-to-read page"),
])
def test_no_umbrella_and_one_unreadable_page_shows_two_gaps(database, company, documents) -> None:
    for document in documents():
        factories.certificate(company.vendor, document)
    db.session.commit()
    evaluate_vendor(10, company.vendor.id, MARCH)
    page = _page(database, company)
    assert page.count('<tr class="gap">') == 2
    assert page.count("Umbrella or excess liability is missing") == 1

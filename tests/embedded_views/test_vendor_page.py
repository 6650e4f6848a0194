"""The vendor page lists one row per thing to fix, with the words people use."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest

from integration.certificate import ExtractedCertificate
from integration.compliance.wording import doubled_words
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.overrides import create_override
from integration.requirement_sets import replace_carriers, save_set
from tests import factories
from tests.conftest import signed_in
from tests.integration.compliance.compliance_factories import certificate, remove_line

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
    return remove_line(certificate(), "umbrella_liability")


UNREADABLE = ExtractedCertificate.unreadable("page-2-scan.jpg", "page-2-scan.jpg: too blurred to read").to_dict()


def _page(database, company: factories.Company) -> str:
    viewer = signed_in(database, company["viewer"])
    return viewer.get(f"/procore/companies/10/vendors/{company.vendor.id}").get_data(as_text=True)


@pytest.mark.parametrize("projects", [0, 2], ids=["company only", "on two projects"])
@pytest.mark.parametrize("documents", [
    pytest.param(lambda: [_without_umbrella(), UNREADABLE], id="beside an unreadable document"),
    pytest.param(lambda: [{**_without_umbrella(), "needs_review": True}], id="flagged for a hard-to-read page"),
])
def test_no_umbrella_and_one_unreadable_page_shows_two_gaps(database, company, documents, projects) -> None:
    for name in ("Riverside Clinic", "Harbor Lofts")[:projects]:
        factories.assignment(factories.project(10, name), company.vendor)
    for document in documents():
        factories.certificate(company.vendor, document)
    db.session.commit()
    evaluate_vendor(10, company.vendor.id, MARCH)
    page = _page(database, company)
    assert page.count('<li class="gap gap-') == 2  # one per thing to fix, however many projects it concerns
    assert page.count("Umbrella or excess liability is missing") == 1


def _troubled() -> dict:
    """A certificate with one of nearly every kind of problem."""
    cert = remove_line(certificate(), "umbrella_liability")
    lines = {p["line"]: p for p in cert["policies"]}
    lines["general_liability"]["limits"]["each_occurrence"] = 500_000
    lines["general_liability"]["additional_insured"] = False  # CG 20 10 and CG 20 37 stay attached
    lines["workers_compensation"].update(effective_date="2025-02-01", expiration_date="2026-02-01")
    lines["automobile_liability"]["limits"]["combined_single_limit"] = None
    cert["insurers"][1]["naic"] = "56789"  # not in the carrier table
    cert["certificate_holder"]["name"] = "Another Builder LLC"
    return cert


def visible_text(page: str) -> str:
    """What a person reads in the page's main part, without tags (hidden form values and class names)."""
    main = page[page.index("<main"):page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_the_vendor_page_shows_no_internal_key_path_or_doubled_word(database, company) -> None:
    factories.assignment(factories.project(10, "Riverside Clinic"), company.vendor)
    factories.certificate(company.vendor, _troubled())
    factories.certificate(company.vendor, UNREADABLE)
    db.session.commit()
    evaluate_vendor(10, company.vendor.id, MARCH)
    create_override(10, company["admin"], company.vendor.id, "umbrella_liability.coverage", "waive",
                    "Owner accepts it on this job", MARCH)
    page = _page(database, company)
    text = visible_text(page)
    assert page.count('<li class="gap gap-') >= 7
    assert "_" not in text, re.findall(r"\S*_\S*", text)
    assert not re.search(r"\b(policies|insurers|endorsements|limits)\.\w", text)
    assert not doubled_words(text), doubled_words(text)
    assert "E.L. EACH ACCIDENT" not in text or "employers liability" in text
    assert "acme-drywall-coi.pdf, page 1, EACH OCCURRENCE box on the general liability row" in text
    assert "Umbrella or excess liability is missing" in text and "Waived" in text
    assert "Company requirements; Riverside Clinic" in text


def test_the_gcs_vendor_page_tells_about_the_vendor_not_to_it(database, company) -> None:
    factories.certificate(company.vendor, _troubled())
    db.session.commit()
    evaluate_vendor(10, company.vendor.id, MARCH)
    gaps = " ".join(re.findall(r'<li class="gap gap-.*?</li>', _page(database, company), re.DOTALL))
    words = visible_text(f"<main>{gaps}</main>")
    assert "the vendor's" in words.lower()  # "The vendor's general liability each occurrence limit is ..."
    assert not re.search(r"\byou(r)?\b", words, re.IGNORECASE), re.findall(r"[^.]*\byour?\b[^.]*", words, re.I)


def test_the_status_line_names_the_trade_and_the_project_once_each(database, company) -> None:
    company.vendor.trade = "Drywall"
    project = factories.project(10, "Riverside Clinic")
    factories.assignment(project, company.vendor)
    db.session.commit()
    viewer = signed_in(database, company["viewer"])
    page = viewer.get(f"/procore/companies/10/vendors/{company.vendor.id}?project={project.procore_project_id}")
    status = page.get_data(as_text=True).split('class="insurance-status">', 1)[1].split("</p>", 1)[0]
    assert '<span class="muted">Drywall · Riverside Clinic</span>' in status

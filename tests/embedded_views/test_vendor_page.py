"""The vendor page lists one row per thing to fix, with the words people use."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from integration.certificate import ExtractedCertificate
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import AppUser, Certificate, Installation, StoredFile, Submission, Vendor
from integration.requirement_sets import replace_carriers, save_set
from tests.conftest import signed_in

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)


@pytest.fixture
def vendor(database):
    db.session.add(Installation(company_id=10, company_name="Summit Builders, Inc.", connection_state="connected"))
    db.session.flush()
    save_set(10, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(10, (SAMPLES / "carriers.csv").read_text(), None)
    row = Vendor(company_id=10, procore_vendor_id=1, name="Acme Drywall", legal_name="Acme Drywall, LLC")
    db.session.add_all([row, AppUser(company_id=10, procore_user_id=1, email="cm@gc.test", role="compliance_manager")])
    db.session.commit()
    return row


def _submit(vendor: Vendor, *documents: dict) -> None:
    submission = Submission(company_id=10, vendor_id=vendor.id, channel="staff_upload")
    db.session.add(submission)
    db.session.flush()
    for position, doc in enumerate(documents):
        stored = StoredFile(company_id=10, submission_id=submission.id, position=position, filename=doc["file"],
                            content_type="application/pdf", size_bytes=1, sha256=f"{position:064d}", storage_key="k")
        db.session.add(stored)
        db.session.flush()
        content = ExtractedCertificate.from_dict(doc)
        db.session.add(Certificate(company_id=10, stored_file_id=stored.id, vendor_id=vendor.id, ok=content.ok,
                                   needs_review=content.needs_review, content=content))
    db.session.commit()


def _without_umbrella() -> dict:
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    cert["policies"] = [p for p in cert["policies"] if p["line"] != "umbrella_liability"]
    cert["fields"] = {k: v for k, v in cert["fields"].items() if not k.startswith("policies.")}
    return cert


UNREADABLE = ExtractedCertificate.unreadable("page-2-scan.jpg", "page-2-scan.jpg: too blurred to read").to_dict()


def _page(database, vendor: Vendor) -> str:
    user = db.session.query(AppUser).filter_by(company_id=10).one()
    return signed_in(database, user).get(f"/procore/companies/10/vendors/{vendor.id}").get_data(as_text=True)


@pytest.mark.parametrize("documents", [
    pytest.param(lambda: [_without_umbrella(), UNREADABLE], id="beside an unreadable document"),
    pytest.param(lambda: [{**_without_umbrella(), "needs_review": True}], id="flagged for a hard-to-read page"),
])
def test_no_umbrella_and_one_unreadable_page_shows_two_gaps(database, vendor, documents) -> None:
    _submit(vendor, *documents())
    evaluate_vendor(10, vendor.id, MARCH)
    page = _page(database, vendor)
    assert page.count('<tr class="gap">') == 2
    assert page.count("Umbrella or excess liability is missing") == 1

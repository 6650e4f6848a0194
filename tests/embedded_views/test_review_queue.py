"""The review queue: only what the requirements look at is marked, a rejection asks the vendor again with the
reason (or changes nothing), and the page image comes as a small placeholder first."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import (
    AuditEvent,
    Certificate,
    CertificatePolicy,
    OutreachRequest,
    SentEmail,
    StoredFile,
    Vendor,
)
from integration.storage import get_storage
from tests import bad_files, factories
from tests.conftest import signed_in
from tests.integration.outreach.conftest import make_world, sample_certificate

COMPANY = 10


def doubtful_certificate(world) -> Certificate:
    """The sample certificate waiting for review: a required limit and an unrequired one both hard to read."""
    cert = sample_certificate()
    cert["needs_review"] = True
    cert["fields"]["policies.0.limits.each_occurrence"] = {"confidence": 0.4, "page": 1}  # required
    cert["fields"]["policies.0.limits.medical_expense"] = {"confidence": 0.3, "page": 1}  # no requirement names it
    row = factories.certificate(world.vendor, cert)
    stored = db.session.get(StoredFile, row.stored_file_id)
    stored.storage_key = f"{COMPANY}/review.pdf"
    get_storage().put(stored.storage_key, bad_files.pdf())
    db.session.commit()
    return row


@pytest.fixture
def world(database):
    world = make_world(COMPANY)
    world.certificate = doubtful_certificate(world)
    return world


def url(world, tail: str = "") -> str:
    return f"/procore/companies/{COMPANY}/review/{world.certificate.id}{tail}"


def test_only_doubtful_values_the_requirements_look_at_are_marked(world):
    page = signed_in(current_app, world["compliance_manager"]).get(url(world)).get_data(as_text=True)
    marked = [chunk.split("<", 1)[0].strip() for chunk in page.split("data-check>")[1:]]
    assert "General liability: EACH OCCURRENCE" in marked
    assert "General liability: MED EXP" not in marked and "General liability: MED EXP" in page  # shown, unmarked


def test_the_page_image_is_a_small_placeholder_first_then_the_full_page(world):
    client = signed_in(current_app, world["compliance_manager"])
    page = client.get(url(world)).get_data(as_text=True)
    assert 'class="sharpen"' in page and "size=small" in page and "js/review.js" in page
    small, full = client.get(url(world, "/pages/1.png?size=small")), client.get(url(world, "/pages/1.png"))
    assert small.mimetype == full.mimetype == "image/png"
    assert len(small.data) * 4 < len(full.data)
    assert signed_in(current_app, world["viewer"]).get(url(world, "/pages/1.png")).status_code == 403


def test_rejecting_asks_the_vendor_for_a_new_certificate_with_the_reason(world):
    client = signed_in(current_app, world["compliance_manager"])
    response = client.post(url(world, "/reject"), data={"reason": "The certificate holder is another company"})
    assert response.status_code == 303
    db.session.expire_all()
    certificate = db.session.get(Certificate, world.certificate.id)
    assert (certificate.ok, certificate.needs_review, certificate.content.ok) == (False, False, False)
    assert db.session.scalar(select(func.count()).select_from(CertificatePolicy)
                             .where(CertificatePolicy.certificate_id == certificate.id)) == 0
    assert db.session.get(Vendor, world.vendor.id).status == "nothing_received"  # not "under review": reminders go
    request = db.session.scalar(select(OutreachRequest).where(OutreachRequest.vendor_id == world.vendor.id))
    assert request.state == "open" and request.recipient_email == "office@acme.test"
    email = db.session.scalar(select(SentEmail).where(SentEmail.to_address == "office@acme.test"))
    assert "not accepted: The certificate holder is another company." in email.body_text
    assert "Submit Docs" in email.body_text
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"certificate.rejected", "outreach.requested_after_rejection"} <= actions


def counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (OutreachRequest, SentEmail, AuditEvent, CertificatePolicy))


@pytest.mark.parametrize(("reason", "muted", "says"), [
    ("", False, "Reason for rejecting: say in 3 to 500 characters"),
    ("The holder is wrong", True, "Outreach to Acme Drywall is muted"),
])
def test_a_rejection_that_cannot_go_through_changes_nothing(world, reason, muted, says):
    world.vendor.outreach_muted = muted
    db.session.commit()
    before = counts()
    client = signed_in(current_app, world["compliance_manager"])
    response = client.post(url(world, "/reject"), data={"reason": reason})
    assert response.status_code == 303 and says in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    certificate = db.session.get(Certificate, world.certificate.id)
    assert certificate.needs_review is True and certificate.ok is True and counts() == before


def test_viewers_and_other_companies_cannot_reject(world):
    before = counts()
    assert signed_in(current_app, world["viewer"]).post(url(world, "/reject"), data={"reason": "no"}).status_code == 403
    other = factories.company(COMPANY + 1)
    db.session.commit()
    foreign = signed_in(current_app, other["admin"]).post(
        f"/procore/companies/{COMPANY + 1}/review/{world.certificate.id}/reject", data={"reason": "probe reason"})
    assert foreign.status_code == 303 and counts() == before
    assert db.session.get(Certificate, world.certificate.id).needs_review is True


def test_a_scan_marks_only_the_values_a_check_turns_on_and_says_occurrence_in_words(world):
    cert = sample_certificate()
    cert["needs_review"], cert["fields"] = True, {}  # a scan: the reader is sure of nothing
    cert["file"] = "scan.pdf"
    world.certificate = factories.certificate(world.vendor, cert)
    db.session.commit()
    page = signed_in(current_app, world["compliance_manager"]).get(url(world)).get_data(as_text=True)
    marked = [chunk.split("<", 1)[0].strip() for chunk in page.split("data-check>")[1:]]
    assert "General liability: EACH OCCURRENCE" in marked and "General liability: POLICY EFF" in marked
    assert not [label for label in marked if "POLICY NUMBER" in label]  # evidence only: no check turns on it
    assert "General liability: POLICY NUMBER" in page  # still there to correct
    assert "General liability: MED EXP" not in marked
    occurrence = page.split("Occurrence or claims-made (OCCUR / CLAIMS-MADE)", 1)[1].split("</select>", 1)[0]
    assert ">Occurrence</option>" in occurrence and ">Claims-made</option>" in occurrence
    assert ">yes</option>" not in occurrence

"""Rows for the admin browser test and the screenshots: the GC's sample requirements after the import, a compliant
vendor, and one whose certificate waits for a person and whose insurance contact has a Procore login."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, timedelta
from pathlib import Path

from fixtures.certgen import generate
from fixtures.procore_sandbox.seedgen import generate_seed
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import StoredFile, Vendor, VendorContact
from integration.requirement_sets import replace_carriers, save_set
from integration.storage import get_storage
from tests import factories

COMPANY, PROJECT = 8_000_001, 300_001  # the emulator seed's first company, and a project of it
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"


def current_certificate(holder: str) -> dict:
    """The sample certificate, its policies running from a month ago to ten months ahead, held by ``holder``."""
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    cert["certificate_holder"]["name"] = holder
    for policy in cert["policies"]:
        policy["effective_date"] = (date.today() - timedelta(days=30)).isoformat()
        policy["expiration_date"] = (date.today() + timedelta(days=300)).isoformat()
    return cert


@dataclasses.dataclass(frozen=True)
class Seen:
    """A vendor as the test refers to it in the pages."""

    name: str
    procore_vendor_id: int


def prepare(app) -> tuple[Seen, Seen, dict]:
    """After the import: the GC's sample requirements, a compliant vendor, and one whose certificate waits for a
    person and whose insurance contact has a Procore login (returned: the emulator's user)."""
    with app.app_context():
        body = json.loads((SAMPLES / "requirements_standard.json").read_text())
        save_set(COMPANY, {**body, "certificate_holder": "Redwood General Contractors"}, None)
        replace_carriers(COMPANY, (SAMPLES / "carriers.csv").read_text(), None)
        logins = {u["login"]: u for u in generate_seed()["users"] if u.get("vendor_id")}
        contacts = db.session.scalars(db.select(VendorContact).where(VendorContact.company_id == COMPANY)
                                      .order_by(VendorContact.id)).all()
        reviewed_contact = next(c for c in contacts if c.email in logins)
        reviewed_contact.is_insurance_contact = True
        reviewed = db.session.get(Vendor, reviewed_contact.vendor_id)
        compliant = db.session.scalar(db.select(Vendor).where(Vendor.company_id == COMPANY, Vendor.active.is_(True),
                                                              Vendor.id != reviewed.id).order_by(Vendor.name))
        for vendor in (compliant, reviewed):
            vendor.legal_name, vendor.trade_tier = "Acme Drywall, LLC", None
        factories.certificate(compliant, current_certificate("Redwood General Contractors"))
        waiting = {**current_certificate("Redwood General Contractors"), "needs_review": True, "file": "scan.pdf"}
        stored = db.session.get(StoredFile, factories.certificate(reviewed, waiting).stored_file_id)
        stored.storage_key = f"{COMPANY}/scan.pdf"
        get_storage().put(stored.storage_key, generate(2, "fillable").data)
        db.session.commit()
        for vendor in (compliant, reviewed):
            evaluate_vendor(COMPANY, vendor.id, date.today())
        db.session.commit()
        return (Seen(compliant.name, compliant.procore_vendor_id), Seen(reviewed.name, reviewed.procore_vendor_id),
                logins[reviewed_contact.email])


def sign_in_as(page, sandbox_url: str, user: str, *, widget: bool = False):
    """Open Gapline (or its widget) in the shell and sign in as ``user`` through Procore's popup; returns the frame."""
    page.goto(f"{sandbox_url}/{PROJECT}/project/" + ("widgets/gapline" if widget else "apps/gapline"))
    frame = page.frame_locator("#widget-app" if widget else "#fullscreen-app")
    with page.expect_popup() as popup_info:
        frame.get_by_role("link", name="Sign in with Procore").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    if widget:
        popup.locator("details summary").click()
    popup.get_by_label(re.compile(re.escape(user))).check()
    with popup.expect_event("close", timeout=15_000):  # notifySuccess: the frame closes the popup
        popup.get_by_role("button", name="Allow").click()
    return frame

"""Real Chromium in the emulator's Procore shell: an admin makes a viewer a compliance manager, raises a limit and
sees the vendors re-evaluated, rejects a certificate in review; the subcontractor uploads through the widget; the
new status reaches the vendor's Insurance tab in the emulator's Directory."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from fixtures.certgen import generate
from fixtures.procore_sandbox import serve_in_thread
from fixtures.procore_sandbox.__main__ import app_urls
from fixtures.procore_sandbox.seedgen import generate_seed
from integration.deferred import deferred_jobs
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import StoredFile, Vendor, VendorContact
from integration.requirement_sets import replace_carriers, save_set
from integration.storage import get_storage
from tests import factories
from tests.conftest import build_app, make_settings

PROJECT, COMPANY = 300_001, 8_000_001  # a project of the emulator seed's first company, and that company
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"


@pytest.fixture
def servers(tmp_path):
    """Gapline (CSRF on) and the Procore emulator on free ports, each pointing at the other."""
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_path=str(tmp_path / "files"))
    app = build_app(settings, TESTING=False, WTF_CSRF_ENABLED=True, IN_PROCESS_CLOCK=False)
    app_url, stop_app = serve_in_thread(app=app)
    sandbox_url, stop_sandbox = serve_in_thread(app_urls(app_url))
    app.config["GAPLINE"] = dataclasses.replace(settings, public_base_url=app_url, procore_api_base=sandbox_url,
                                                procore_login_base=sandbox_url)
    yield app, app_url, sandbox_url
    stop_sandbox()
    stop_app()


def sign_in(page, sandbox_url: str, user: str, *, widget: bool = False):
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


def reload_until(page, locator, text: str, tries: int = 40) -> bool:
    """Reload ``page`` until ``locator`` shows ``text`` (background work has ended), at most ``tries`` times."""
    for _ in range(tries):
        if text in locator.inner_text():
            return True
        page.wait_for_timeout(500)
        page.reload()
    return text in locator.inner_text()


def test_admin_screens_review_and_the_subcontractor_widget(servers, tmp_path):
    app, app_url, sandbox_url = servers
    document = tmp_path / "new-coi.pdf"
    document.write_bytes(generate(1, "fillable").data)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        admin_page = browser.new_context().new_page()
        admin = sign_in(admin_page, sandbox_url, "Alex Admin")
        admin.locator("tbody tr").first.wait_for(timeout=30_000)  # connected, directory imported
        viewer_page = browser.new_context().new_page()
        viewer = sign_in(viewer_page, sandbox_url, "Priya Manager")
        viewer.locator("tbody tr").first.wait_for(timeout=15_000)
        viewer_had_review = viewer.get_by_role("link", name="Review queue").count()
        compliant, reviewed, vendor_user = prepare(app)

        # Make the viewer a compliance manager from the admin screens.
        admin.get_by_role("link", name="Admin").click()
        admin.get_by_role("link", name="Team and roles").click()
        admin.get_by_label("Role of Priya Manager").select_option("compliance_manager")
        admin.locator("tr", has_text="Priya Manager").get_by_role("button", name="Save").click()
        expect(admin.get_by_text("Priya Manager is now compliance manager.")).to_be_visible()
        viewer_page.reload()
        expect(viewer.get_by_role("link", name="Review queue")).to_be_visible()

        # Raise a limit: the preview names the vendor that would flip, saving re-evaluates it.
        admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Requirements").click()
        held = admin.locator("#held-to + table tr", has_text=compliant.name).first
        before = held.inner_text()
        admin.get_by_label("Each occurrence (minimum, $)").first.fill("3,000,000")
        admin.get_by_role("button", name="Preview the change").click()
        preview = admin.locator("#preview").inner_text()
        admin.get_by_role("button", name="Save and re-evaluate").click()
        expect(admin.get_by_text(re.compile(r"Company default saved \(version 2\); re-evaluating"))).to_be_visible()
        flipped = reload_until(admin_page, held, "Not compliant")

        # Reject the waiting certificate: the vendor is asked for a new one.
        admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Admin").click()
        admin.get_by_role("link", name="Review queue").click()
        admin.get_by_role("link", name="scan.pdf").click()
        placeholder = admin.locator("img.sharpen").first.get_attribute("src")
        admin.get_by_label(re.compile("what is wrong with this certificate")).fill("The policy number is cut off")
        admin.get_by_role("button", name="Reject and request a new certificate").click()
        expect(admin.get_by_text("Rejected; the vendor was asked for a new certificate.")).to_be_visible()

        # The subcontractor's Procore user uploads a new certificate through the widget.
        sub_page = browser.new_context().new_page()
        widget = sign_in(sub_page, sandbox_url, vendor_user["login"], widget=True)
        expect(widget.get_by_role("heading", name="Record Hub")).to_be_visible(timeout=15_000)
        listed = widget.locator("table.hub-requests").inner_text()
        widget.get_by_role("link", name=re.compile("Upload a certificate of insurance")).first.click()
        widget.locator("input[type=file]").set_input_files(str(document))
        widget.get_by_role("button", name="Submit Docs").click()
        result = widget.locator("#progress [data-role=result] .result")
        expect(result).to_be_visible(timeout=90_000)

        # The flipped vendor's status reaches its Insurance tab in the emulator's Directory.
        with app.app_context():
            pushes = deferred_jobs().run_due(everything=True)  # the debounced push, run now rather than on a timer
        directory = browser.new_page()
        directory.goto(f"{sandbox_url}/{COMPANY}/company/directory/vendors/{compliant.procore_vendor_id}?tab=insurance")
        general = directory.locator("#insurance tr", has_text="General Liability").first.inner_text()
        browser.close()
    assert viewer_had_review == 0
    assert "Compliant" in before and flipped
    assert "Saving would change the status of" in preview and compliant.name in preview
    assert "size=small" in placeholder
    assert reviewed.name in listed and "Insurance Documents" in listed
    assert pushes >= 1 and "non compliant" in general.lower()


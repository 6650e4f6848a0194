"""Real Chromium in the emulator's Procore shell: an admin makes a viewer a compliance manager, raises a limit and
sees the vendors re-evaluated, rejects a certificate in review; the subcontractor uploads through the widget; the
new status reaches the vendor's Insurance tab in the emulator's Directory."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect, sync_playwright

from fixtures.certgen import generate
from fixtures.procore_sandbox import serve_in_thread
from fixtures.procore_sandbox.__main__ import app_urls
from integration.deferred import deferred_jobs
from tests.browser.admin_records import COMPANY, prepare, sign_in_as
from tests.browser.procore_shell import ARGS, CHROMIUM
from tests.conftest import build_app, make_settings


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
        admin = sign_in_as(admin_page, sandbox_url, "Alex Admin")
        admin.locator("tbody tr").first.wait_for(timeout=30_000)  # connected, directory imported
        viewer_page = browser.new_context().new_page()
        viewer = sign_in_as(viewer_page, sandbox_url, "Priya Manager")
        viewer.locator("tbody tr").first.wait_for(timeout=15_000)
        viewer_had_review = viewer.get_by_role("link", name="Review queue").count()
        compliant, reviewed, vendor_user = prepare(app)

        # Make the viewer a compliance manager from the admin screens.
        admin.get_by_role("link", name="Admin").click()
        admin.get_by_role("link", name="Team and roles").click()
        admin.get_by_label("Role of Priya Manager").select_option("compliance_manager")
        admin.locator("tr", has_text="Priya Manager").get_by_role("button", name="Save").click()
        expect(admin.get_by_text("Priya Manager is now compliance manager.")).to_be_visible(timeout=30_000)
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
        expect(admin.get_by_text(re.compile(r"Company default saved \(version 2\); re-evaluating"))).to_be_visible(
            timeout=60_000)
        flipped = reload_until(admin_page, held, "Not compliant")

        # Reject the waiting certificate: the vendor is asked for a new one.
        admin.get_by_role("navigation", name="Gapline").get_by_role("link", name="Review queue").click()
        admin.get_by_role("link", name="scan.pdf").click()
        placeholder = admin.locator("img.sharpen").first.get_attribute("src")
        admin.get_by_label(re.compile("what is wrong with this certificate")).fill("The policy number is cut off")
        admin.get_by_role("button", name="Reject and request a new certificate").click()
        expect(admin.get_by_text("Rejected; the vendor was asked for a new certificate.")).to_be_visible(
            timeout=60_000)  # the vendor is re-evaluated and emailed first: slow on a loaded machine

        # The subcontractor's Procore user uploads a new certificate through the widget.
        sub_page = browser.new_context().new_page()
        widget = sign_in_as(sub_page, sandbox_url, vendor_user["login"], widget=True)
        expect(widget.get_by_role("heading", name="Record Hub")).to_be_visible(timeout=15_000)
        listed = widget.locator("table.hub-requests").inner_text()
        widget.get_by_role("link", name=re.compile("Upload a certificate of insurance")).first.click()
        widget.locator("input[type=file]").set_input_files(str(document))
        widget.get_by_role("button", name="Submit Insurance Docs").click()
        result = widget.locator("#progress [data-role=result] .result")
        expect(result).to_be_visible(timeout=90_000)

        # The flipped vendor's status reaches its Insurance tab in the emulator's Directory.
        with app.app_context():
            pushes = deferred_jobs().run_due(everything=True)  # the debounced push, run now rather than on a timer
        directory = browser.new_page()
        directory.goto(f"{sandbox_url}/{COMPANY}/company/directory/vendors/{compliant.procore_vendor_id}?tab=insurance")
        general = directory.locator("#insurance tr", has_text="General Liability").first.inner_text()

        # At Procore's 400 px the admin screens' tables scroll within themselves, never the page.
        narrow = browser.new_page(viewport={"width": 400, "height": 900})
        narrow.context.add_cookies(admin_page.context.cookies())
        sideways = {}
        for screen in ("team", "sync", "review"):
            narrow.goto(f"{app_url}/procore/companies/{COMPANY}/{screen}/")
            narrow.locator("main table").first.wait_for()
            sideways[screen] = narrow.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        browser.close()
    assert viewer_had_review == 0
    assert "Compliant" in before and flipped
    assert "Saving would change the status of" in preview and compliant.name in preview
    assert "size=small" in placeholder
    assert reviewed.name in listed and "Insurance Documents" in listed
    assert pushes >= 1 and "non compliant" in general.lower()
    assert sideways == {"team": 0, "sync": 0, "review": 0}


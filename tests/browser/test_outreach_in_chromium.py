"""Real Chromium, as a subcontractor: from the invitation in the dev mailbox, Submit Docs, upload and watch the
automatic review's result appear; then the same through the Record Hub and its emailed code."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from fixtures.certgen import generate
from fixtures.procore_sandbox import serve_in_thread
from integration.extensions import db
from integration.models import Submission
from integration.outreach.facts import STATUS_WORDS
from integration.outreach.requests import request_documents
from tests.conftest import build_app, make_settings
from tests.integration.outreach.conftest import make_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
SUBJECT = "Your Insurance Docs are needed for Riverside Clinic (RC-1042)"


@pytest.fixture
def site(tmp_path):
    """The demo app (CSRF on, mail to the dev mailbox) on a free port, with an invitation sent to Acme Drywall."""
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_path=str(tmp_path / "files"))
    # No in-process clock: its thread would outlive the test and run jobs on the next tests' sessions.
    app = build_app(settings, TESTING=False, WTF_CSRF_ENABLED=True, IN_PROCESS_CLOCK=False)
    url, stop = serve_in_thread(app=app)
    app.config["GAPLINE"] = dataclasses.replace(settings, public_base_url=url)
    with app.app_context():
        world = make_world()
        request_documents(10, world.vendor.id, world.project.id, world["admin"])
    document = tmp_path / "acme-coi.pdf"
    document.write_bytes(generate(1, "fillable").data)
    yield app, url, document
    stop()


def _submit_and_watch(page, document, button: str) -> str:
    """Upload on the current page and wait for the automatic review's result; returns its words."""
    page.set_input_files("input[type=file]", str(document))
    page.get_by_role("button", name=button).click()
    result = page.locator("#progress [data-role=result] .result")
    expect(result).to_be_visible(timeout=60_000)
    return result.inner_text()



def sign_in_to_record_hub(browser, page, url: str, email: str = "office@acme.test") -> None:
    """Sign ``page`` in to the Record Hub with the one-time code the dev mailbox shows."""
    page.goto(f"{url}/record-hub")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    mailbox = browser.new_page()
    mailbox.goto(f"{url}/dev/mailbox/")
    mailbox.get_by_role("link", name="Your Record Hub sign-in code").first.click()
    code = re.search(r"\d{6}", mailbox.locator(".code").inner_text()).group(0)
    mailbox.close()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Record Hub")).to_be_visible()

def test_submit_docs_from_the_email_then_again_through_the_record_hub(site):
    app, url, document = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{url}/dev/mailbox/")
        page.get_by_role("link", name=SUBJECT).click()
        expect(page.get_by_text("Summit Builders, Inc.").first).to_be_visible()
        page.get_by_role("link", name="Submit Docs").click()
        expect(page.get_by_role("heading", name="Submit Docs")).to_be_visible()
        first = _submit_and_watch(page, document, "Submit Docs")
        stage = page.locator("#progress [data-role=stage]").inner_text()

        sign_in_to_record_hub(browser, page, url)
        hub_status = page.locator("table.hub-requests tbody tr").first.locator("td").nth(4).inner_text()
        page.locator("details.action-menu summary").first.click()
        page.get_by_role("link", name="Submit Insurance Docs").first.click()
        expect(page.get_by_role("heading", name="Submit Insurance Docs")).to_be_visible()
        second = _submit_and_watch(page, document, "Submit Insurance Docs")
        browser.close()
    with app.app_context():
        channels = [s.channel for s in db.session.scalars(db.select(Submission).order_by(Submission.id))]
    assert channels == ["upload_link", "record_hub"]
    assert first == second and first in STATUS_WORDS.values()
    assert stage == "Read and checked." or stage.startswith("Read.")
    assert first.split(":")[0] in hub_status  # the hub row shows the status the upload page showed

"""Real Chromium: Gapline framed in the Procore sandbox shell, signed in through Procore's popup, vendors imported."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from fixtures.procore_sandbox import serve_in_thread
from tests.browser.procore_shell import ARGS, CHROMIUM, PROJECT, running_demo, sign_in


@pytest.fixture
def servers(tmp_path):
    """Gapline and the Procore emulator on free ports, each pointing at the other."""
    with running_demo(tmp_path) as (_, app_url, sandbox_url):
        yield app_url, sandbox_url


def _procore_vendor_id(name: str) -> int:
    """The emulator's id for a vendor (its committed seed is generate_seed()'s default output)."""
    from fixtures.procore_sandbox.seedgen import generate_seed

    seed = generate_seed()
    return next(v["id"] for v in seed["vendors"] if v["name"] == name)


def _active_on_project() -> int:
    """How many of the project's vendors the seed has active in Procore's Directory (the table lists those)."""
    from fixtures.procore_sandbox.seedgen import generate_seed

    return sum(1 for v in generate_seed()["vendors"] if PROJECT in (v["project_ids"] or []) and v["is_active"])


def test_sign_in_popup_connects_and_the_frame_shows_vendors(servers, tmp_path):
    app_url, sandbox_url = servers
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        refused = []  # scripts the Content-Security-Policy blocked, in any frame or the popup
        browser.contexts[0].on("console", lambda message: "Content Security Policy" in message.text
                               and refused.append(message.text))
        frame = sign_in(page, sandbox_url)  # the popup closes (notifySuccess) and the frame starts its session
        heading = frame.get_by_role("heading", level=1).inner_text()
        rows = frame.locator("tbody tr").count()
        vendor_name = frame.locator("tbody tr td a").first.inner_text()
        vendor_id = _procore_vendor_id(vendor_name)
        page.goto(f"{sandbox_url}/{PROJECT}/project/directory/vendors/{vendor_id}/edit")
        panel = page.frame_locator("#sidepanel-app")
        panel.get_by_role("heading", level=1).wait_for(timeout=15_000)  # after Procore's setup message
        panel_heading = panel.get_by_role("heading", level=1).inner_text()
        page.screenshot(path=str(tmp_path / "demo.png"))
        browser.close()
    assert heading == "Redwood General Contractors · Columbus Elementary School"
    assert rows == _active_on_project()  # the project's vendors, imported right after connecting
    assert panel_heading == vendor_name  # the side panel shows the vendor Procore is showing
    assert refused == []


def test_a_site_that_is_not_procore_cannot_frame_gapline(servers):
    from flask import Flask

    app_url, _ = servers
    intruder = Flask("intruder")
    intruder.add_url_rule("/", "index", lambda: f'<iframe id="victim" src="{app_url}/"></iframe>')
    intruder_url, stop = serve_in_thread(app=intruder)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(intruder_url)
            page.wait_for_timeout(500)
            framed = page.frame_locator("#victim").locator("body").inner_text(timeout=5_000)
            browser.close()
    finally:
        stop()
    assert "Gapline is running" not in framed  # Chromium refused to render it (CSP frame-ancestors)

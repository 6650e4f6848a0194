"""Real Chromium at 400 px, as a subcontractor signed in to the Record Hub by a one-time code: the requests table
stacks into labelled rows (no sideways scrolling) and the COI icon is drawn, not a glyph the font may lack."""

from __future__ import annotations

import re

from playwright.sync_api import expect, sync_playwright

from tests.browser.test_outreach_in_chromium import ARGS, CHROMIUM, site  # noqa: F401  (the fixture)


def test_the_record_hub_fits_a_400px_screen(site):  # noqa: F811
    _, url, _ = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 400, "height": 800})
        page.goto(f"{url}/record-hub")
        page.get_by_label("Email address").fill("office@acme.test")
        page.get_by_role("button", name="Send me a code").click()
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        mailbox = browser.new_page()
        mailbox.goto(f"{url}/dev/mailbox/")
        mailbox.get_by_role("link", name="Your Record Hub sign-in code").first.click()
        code = re.search(r"\d{6}", mailbox.locator(".code").inner_text()).group(0)
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Record Hub")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        table = page.evaluate("document.querySelector('table.hub-requests').getBoundingClientRect().width")
        icon = page.locator("a.coi-icon").first
        drawn = icon.locator("svg").count()
        words = icon.inner_text()
        browser.close()
    assert overflow == 0 and table <= 400, (overflow, table)
    assert drawn == 1 and words.strip() == "COI"

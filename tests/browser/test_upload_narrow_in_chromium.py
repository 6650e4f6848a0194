"""Real Chromium at 390 px, as a subcontractor: a result with several gaps starts folded under "What remains to fix:
N gaps", so the page stays short and readable; opening it shows each gap. On a desktop the list starts open."""

from __future__ import annotations

from playwright.sync_api import expect, sync_playwright

from tests.browser.test_outreach_in_chromium import ARGS, CHROMIUM, SUBJECT, _submit_and_watch, site  # noqa: F401


def upload_on(browser, url: str, document, viewport: dict):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{url}/dev/mailbox/")
    page.get_by_role("link", name=SUBJECT).click()
    page.get_by_role("link", name="Submit Docs").click()
    _submit_and_watch(page, document, "Submit Docs")
    return page


def test_a_long_result_folds_its_gaps_on_a_phone(site):  # noqa: F811
    _, url, document = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = upload_on(browser, url, document, {"width": 390, "height": 844})
        fold = phone.locator("#progress details.gap-fold")
        expect(fold).to_be_attached()
        count = int(fold.get_attribute("data-gaps"))
        summary = fold.locator("summary").inner_text()
        folded = fold.evaluate("d => d.open")
        hidden_items = phone.locator("#progress .gap-list li").first.is_visible()
        fold.locator("summary").click()
        opened = fold.evaluate("d => d.open") and phone.locator("#progress .gap-list li").first.is_visible()
        desktop = upload_on(browser, url, document, {"width": 1200, "height": 900})
        open_on_desktop = desktop.locator("#progress details.gap-fold").evaluate("d => d.open")
        browser.close()
    assert count > 1 and summary == f"What remains to fix: {count} gaps"
    assert folded is False and hidden_items is False and opened
    assert open_on_desktop is True

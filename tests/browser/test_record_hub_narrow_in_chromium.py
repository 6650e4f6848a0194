"""Real Chromium at 400 px, as a subcontractor signed in to the Record Hub by a one-time code: the requests table
stacks into labelled rows (no sideways scrolling), the COI upload comes before the status and its gaps, and the COI
icon is drawn, not a glyph the font may lack."""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from tests.browser.test_outreach_in_chromium import ARGS, CHROMIUM, sign_in_to_record_hub, site  # noqa: F401


def test_the_record_hub_fits_a_400px_screen(site):  # noqa: F811
    _, url, _ = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 400, "height": 800})
        sign_in_to_record_hub(browser, page, url)
        page.wait_for_load_state("load")  # (the heading shows before the stylesheet applies: measure once it has)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        table = page.evaluate("document.querySelector('table.hub-requests').getBoundingClientRect().width")
        row = page.locator("table.hub-requests tbody tr").first
        upload_top = row.locator("a.coi-icon").bounding_box()["y"]
        status_top = row.locator("td[data-label=Status]").bounding_box()["y"]
        icon = page.locator("a.coi-icon").first
        drawn = icon.locator("svg").count()
        words = icon.inner_text()
        browser.close()
    assert overflow == 0 and table <= 400, (overflow, table)
    assert drawn == 1 and words.strip() == "COI"
    assert upload_top < status_top  # the upload is not pushed down by a long list of gaps

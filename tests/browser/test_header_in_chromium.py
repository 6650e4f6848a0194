"""Real Chromium at 1360 px: on the admin screens the admin area's links are a row of their own under the main
navigation, and no link of the top bar (nor "Sign out") breaks over two lines."""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from tests.browser.procore_shell import ARGS, CHROMIUM, running_demo, sign_in


def test_the_admin_links_are_a_second_row_and_nothing_in_the_top_bar_wraps(tmp_path):
    with running_demo(tmp_path) as (_, _, sandbox_url), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 800})
        frame = sign_in(page, sandbox_url)
        frame.get_by_role("navigation", name="Gapline").get_by_role("link", name="Admin").click()
        admin_nav = frame.get_by_role("navigation", name="Admin")
        admin_nav.get_by_role("link", name="Procore connection").click()
        admin_nav.locator("a[aria-current=page]", has_text="Procore connection").wait_for()
        page.screenshot(path=str(tmp_path / "admin-header-1360.png"))
        main_box = frame.get_by_role("navigation", name="Gapline").bounding_box()
        admin_box = admin_nav.bounding_box()
        assert admin_box["y"] >= main_box["y"] + main_box["height"]  # a row under the main links
        sign_out = frame.get_by_role("button", name="Sign out").bounding_box()
        assert sign_out["y"] + sign_out["height"] <= admin_box["y"]  # on the first row, with the main links
        line = frame.locator(".topbar .brand").bounding_box()["height"]
        items = frame.locator(".topbar a, .topbar button, .topbar .who")
        for n in range(items.count()):
            box = items.nth(n).bounding_box()
            assert box["height"] < 1.6 * line, items.nth(n).inner_text()  # one line each
        browser.close()

"""The admin, review and subcontractor-widget screenshots, taken by scripts/screenshots.py after its own."""

from __future__ import annotations

from pathlib import Path

from tests.browser.admin_records import COMPANY, prepare, sign_in_as


def shoot(page, path: Path, saved: list[Path]) -> None:
    """Save the page as ``path`` and remember it."""
    page.screenshot(path=str(path))
    saved.append(path)


def take_admin(browser, app, app_url: str, sandbox_url: str, outdir: Path) -> list[Path]:
    """Admin home, requirements preview, account settings, disconnect step, review, widget, admin at 400 px."""
    saved: list[Path] = []
    page = browser.new_context(viewport={"width": 1360, "height": 1000}).new_page()
    frame = sign_in_as(page, sandbox_url, "Alex Admin")
    frame.locator("tbody tr").first.wait_for(timeout=30_000)
    _, _, vendor_user = prepare(app)
    frame.get_by_role("link", name="Admin", exact=True).click()
    frame.get_by_role("heading", name="Admin", exact=False).first.wait_for()
    shoot(page, outdir / "admin-home.png", saved)
    admin_nav = frame.get_by_role("navigation", name="Admin")
    admin_nav.get_by_role("link", name="Requirements").click()
    frame.get_by_label("Each occurrence (minimum, $)").first.fill("3,000,000")
    frame.get_by_role("button", name="Preview the change").click()
    frame.locator("#preview").wait_for(timeout=120_000)  # the preview evaluates every vendor twice
    shoot(page, outdir / "requirements-preview.png", saved)
    admin_nav.get_by_role("link", name="Account settings").click()
    frame.get_by_role("heading", name="Account settings").wait_for()
    shoot(page, outdir / "account-settings.png", saved)
    admin_nav.get_by_role("link", name="Procore connection").click()
    frame.get_by_role("link", name="Disconnect Procore…").click()
    frame.locator("#what-stops").wait_for()
    shoot(page, outdir / "disconnect-confirm.png", saved)
    frame.get_by_role("navigation", name="Gapline").get_by_role("link", name="Admin", exact=True).click()
    frame.get_by_role("link", name="Review queue").first.click()
    frame.get_by_role("link", name="scan.pdf").click()
    frame.locator("img.sharpen.sharp").first.wait_for(timeout=30_000)
    shoot(page, outdir / "review.png", saved)
    frame.get_by_label("Reject").fill("The policy number is cut off")  # the vendor is asked again: the widget has it
    frame.get_by_role("button", name="Reject and request a new certificate").click()
    frame.get_by_text("Rejected; the vendor was asked for a new certificate.").wait_for()
    narrow = browser.new_page(viewport={"width": 400, "height": 900})
    narrow.context.add_cookies(page.context.cookies())
    narrow.goto(f"{app_url}/procore/companies/{COMPANY}/requirements/")
    shoot(narrow, outdir / "requirements-400px.png", saved)
    sub = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    widget = sign_in_as(sub, sandbox_url, vendor_user["login"], widget=True)
    widget.get_by_role("heading", name="Record Hub").wait_for(timeout=15_000)
    shoot(sub, outdir / "widget.png", saved)
    return saved

"""Screenshots of Gapline's main pages inside the Procore emulator, taken with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [OUTDIR]      (default docs/screenshots)

It starts the demo (SQLite in a temporary folder) and the emulator, signs in through the popup, gives a
few of the imported vendors certificates (tests/browser/demo_records.py) and saves: the project table,
the vendor page, the side panel at Procore's 400 px, and the table at 400 px; then the admin screens, the review
page, the subcontractor widget and the requirement editor at 400 px (scripts/screenshots_admin.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from scripts.screenshots_admin import take_admin  # noqa: E402
from tests.browser.demo_records import give_certificates  # noqa: E402
from tests.browser.procore_shell import ARGS, CHROMIUM, COMPANY, PROJECT, running_demo, sign_in  # noqa: E402


def procore_vendor_id(app, name: str) -> int:
    """The Procore id of the imported vendor called ``name``."""
    from integration.extensions import db
    from integration.models import Vendor

    with app.app_context():
        return db.session.scalar(db.select(Vendor.procore_vendor_id).where(Vendor.name == name))


def take(outdir: Path) -> list[Path]:
    """Save the screenshots into ``outdir``; return their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as folder, running_demo(Path(folder)) as (app, app_url, sandbox_url):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            sign_in(page, sandbox_url)
            with app.app_context():
                names = give_certificates(COMPANY, PROJECT)
            page.goto(f"{sandbox_url}/{PROJECT}/project/apps/gapline")
            frame = page.frame_locator("#fullscreen-app")
            frame.locator("table.compliance-table tbody tr").first.wait_for()
            saved.append(outdir / "project-table.png")
            page.screenshot(path=str(saved[-1]))
            frame.get_by_role("link", name=names[2], exact=True).click()
            frame.get_by_role("heading", level=1, name=names[2]).wait_for()
            saved.append(outdir / "vendor-page.png")
            page.screenshot(path=str(saved[-1]))
            page.goto(f"{sandbox_url}/{PROJECT}/project/directory/vendors/{procore_vendor_id(app, names[2])}/edit")
            panel = page.frame_locator("#sidepanel-app")
            panel.get_by_role("heading", level=1, name=names[2]).wait_for(timeout=15_000)
            saved.append(outdir / "side-panel.png")
            page.screenshot(path=str(saved[-1]))
            narrow = browser.new_page(viewport={"width": 400, "height": 900})
            narrow.context.add_cookies(page.context.cookies())
            narrow.goto(f"{app_url}/procore/companies/{COMPANY}/projects/{PROJECT}")
            saved.append(outdir / "table-400px.png")
            narrow.screenshot(path=str(saved[-1]))
            saved += take_admin(browser, app, app_url, sandbox_url, outdir)
            browser.close()
    return saved


if __name__ == "__main__":
    for path in take(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"):
        print(path)

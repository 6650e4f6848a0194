"""Gapline and the Procore emulator served on free ports, and the popup sign-in, for Chromium sessions
(browser tests and scripts/screenshots.py)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fixtures.procore_sandbox import serve_in_thread
from fixtures.procore_sandbox.__main__ import app_urls
from tests.conftest import build_app, make_settings

PROJECT = 300_001  # a project of COMPANY_A in the emulator's seed
COMPANY = 8_000_001
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@contextmanager
def running_demo(folder: Path) -> Iterator[tuple]:
    """(app, app_url, sandbox_url): the demo app on SQLite in ``folder`` and the emulator, pointing at each other."""
    settings = make_settings(database_url=f"sqlite:///{folder / 'demo.db'}", storage_path=str(folder / "files"))
    app = build_app(settings, TESTING=False, IN_PROCESS_CLOCK=False)  # no clock thread outliving the session
    app_url, stop_app = serve_in_thread(app=app)
    sandbox_url, stop_sandbox = serve_in_thread(app_urls(app_url))
    app.config["GAPLINE"] = dataclasses.replace(settings, public_base_url=app_url, procore_api_base=sandbox_url,
                                                procore_login_base=sandbox_url)
    try:
        yield app, app_url, sandbox_url
    finally:
        stop_sandbox()
        stop_app()


def sign_in(page, sandbox_url: str, project: int = PROJECT, user: str = "Alex Admin"):
    """Open the app in the emulator's project, sign in through Procore's popup as ``user``; return the app's frame."""
    page.goto(f"{sandbox_url}/{project}/project/apps/gapline")
    frame = page.frame_locator("#fullscreen-app")
    with page.expect_popup() as popup_info:
        frame.get_by_role("link", name="Sign in with Procore").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.get_by_label(user).check()
    # Listen before the click: on a fast path the frame closes the popup before a later wait could begin.
    with popup.expect_event("close", timeout=60_000):
        popup.get_by_role("button", name="Allow").click()
    frame.locator("table.compliance-table tbody tr").first.wait_for(timeout=15_000)
    return frame

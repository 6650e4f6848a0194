"""Real Chromium: an owner signs in to the Compliance Hub by the link in the dev mailbox, switches project,
filters by date and downloads certificates (one, then the filtered set as a ZIP), on a desktop and on a phone."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date

import pytest
from playwright.sync_api import sync_playwright

from fixtures.procore_sandbox import serve_in_thread
from tests.browser.test_demo_in_chromium import ARGS, CHROMIUM
from tests.conftest import build_app, make_settings

COMPANY = 81


def _seed(app) -> dict:
    """A GC with two projects, certificates on each (files really stored), and its owner invited to both."""
    from integration.compliance_hub import access
    from integration.extensions import db
    from integration.models import StoredFile
    from integration.storage import get_storage
    from tests import factories

    def certificate(vendor, year: int) -> int:
        data = {"file": "coi.pdf", "ok": True, "needs_review": False,
                "policies": [{"line": "general_liability", "effective_date": f"{year}-01-01",
                              "expiration_date": f"{year + 1}-01-01", "limits": {}}]}
        row = factories.certificate(vendor, data)
        stored = db.session.get(StoredFile, row.stored_file_id)
        stored.storage_key = f"{COMPANY}/{row.id}.pdf"
        get_storage().put(stored.storage_key, f"%PDF-1.4 certificate {row.id}".encode())
        return row.id

    with app.app_context():
        company = factories.company(COMPANY, "Summit Builders")
        clinic, school = factories.project(COMPANY, "Riverside Clinic"), factories.project(COMPANY, "Oak School")
        roofer, painter, mason = (factories.vendor(COMPANY, n) for n in ("Roofer", "Painter", "Mason"))
        factories.assignment(clinic, roofer)
        factories.assignment(school, painter)
        factories.assignment(school, mason, work_starts_on=date(2025, 6, 1))
        ids = {"roofer": [certificate(roofer, 2025)], "painter": [certificate(painter, y) for y in (2024, 2025, 2026)],
               "mason": [certificate(mason, 2025)]}
        db.session.commit()
        member = access.invite_to_new_account(COMPANY, company["admin"], access.Invitee("owner@health.test", "Olive"),
                                              "Riverside Health", [clinic.id, school.id])
        access.set_bulk_download(COMPANY, company["admin"], member.account_id, True)
        return {"clinic": clinic.id, "school": school.id, **ids}


@pytest.fixture
def hub(tmp_path):
    """Gapline on a free port (demo mode: SQLite, jobs in-process, mail to the dev mailbox), seeded."""
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", storage_path=str(tmp_path / "files"))
    # No in-process clock: its thread would outlive the test and run jobs on the next tests' sessions.
    app = build_app(settings, TESTING=False, IN_PROCESS_CLOCK=False)
    app_url, stop = serve_in_thread(app=app)
    app.config["GAPLINE"] = dataclasses.replace(settings, public_base_url=app_url)
    yield app_url, _seed(app)
    stop()


def test_an_owner_signs_in_from_the_mailbox_switches_project_filters_and_downloads(hub, tmp_path):
    app_url, seeded = hub
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        refused = []
        context.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
        page = context.new_page()
        page.goto(f"{app_url}/dev/mailbox/")
        page.get_by_role("link", name="Summit Builders invites you to its Compliance Hub").click()
        page.get_by_role("link", name="Sign in to the Compliance Hub").click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", level=1).wait_for()
        first_project = page.get_by_role("heading", level=1).inner_text()
        options = page.locator("#facility option").all_inner_texts()

        page.select_option("#facility", label="Riverside Clinic")  # the switcher reloads on its own (static JS)
        page.wait_for_url(f"**/projects/{seeded['clinic']}")
        clinic_rows = page.locator("tbody tr").all_inner_texts()

        page.select_option("#facility", label="Oak School")
        page.wait_for_url(f"**/projects/{seeded['school']}")
        all_rows = page.locator("tbody tr").count()
        page.fill("input[name=effective_from]", "2025-01-01")
        page.fill("input[name=end_to]", "2026-01-01")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url("**effective_from=2025-01-01**")
        filtered = [row.split("\t")[:3] for row in page.locator("tbody tr").all_inner_texts()]

        with page.expect_download() as single:
            page.locator("tbody tr").first.get_by_role("link", name="Download").click()
        one = single.value.path().read_bytes()
        with page.expect_download() as bulk:
            page.get_by_role("link", name="(ZIP)").click()
        archive = zipfile.ZipFile(io.BytesIO(bulk.value.path().read_bytes()))
        page.screenshot(path=str(tmp_path / "hub-desktop.png"), full_page=True)

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    storage_state=context.storage_state())
        small = phone.new_page()
        small.goto(f"{app_url}/compliance-hub/projects/{seeded['school']}")
        label_shown = small.locator("tbody tr td").first.evaluate("td => getComputedStyle(td, '::before').content")
        # Each date filter's words sit on the line of its box (no "To" wrapped away from its date).
        beside = small.evaluate("""[...document.querySelectorAll('.hub-filters label')].map(label => {
            const input = label.querySelector('input'), range = document.createRange();
            range.selectNodeContents(label.firstChild);
            const words = range.getBoundingClientRect(), box = input.getBoundingClientRect();
            const middle = (words.top + words.bottom) - (box.top + box.bottom);
            return [label.firstChild.textContent.trim(), Math.abs(middle) < 12 && box.right <= window.innerWidth];
        })""")
        fits = small.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        small.screenshot(path=str(tmp_path / "hub-phone.png"), full_page=True)
        browser.close()

    assert first_project == "Oak School"  # projects by name: Oak School comes first
    assert options == ["Oak School", "Riverside Clinic"]
    assert len(clinic_rows) == 1 and clinic_rows[0].startswith("Roofer")
    assert all_rows == 4  # the painter's three yearly certificates, the mason's one
    assert filtered == [["Mason", "June 1, 2025", "January 1, 2026 Expired"],
                        ["Painter", "January 1, 2025", "January 1, 2026 Expired"]]
    assert one == f"%PDF-1.4 certificate {seeded['mason'][0]}".encode()
    assert sorted(archive.read(n) for n in archive.namelist()) == sorted(
        f"%PDF-1.4 certificate {i}".encode() for i in (seeded["mason"][0], seeded["painter"][1]))
    assert "Contractor" in label_shown and fits  # on a phone each row reads as labelled lines, no sideways scroll
    assert beside == [["From", True], ["To", True], ["From", True], ["To", True]], beside
    assert refused == []

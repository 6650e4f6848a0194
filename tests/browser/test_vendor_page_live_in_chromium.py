"""Real Chromium in the emulator's Procore shell: the vendor page open while a file is read; when the reading ends,
the Projects box (and the requests beside it) show the new status in place, as the Insurance view does, no reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from integration.extensions import db
from integration.models import Project, ProjectAssignment, StoredFile, Submission, Vendor
from tests.browser.procore_shell import ARGS, CHROMIUM, PROJECT, running_demo, sign_in


@pytest.fixture
def demo(tmp_path):
    with running_demo(tmp_path) as servers:
        yield servers


def test_the_projects_box_follows_the_reading_without_a_reload(demo):
    app, app_url, sandbox_url = demo
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        frame = sign_in(page, sandbox_url)
        name = frame.locator("table.compliance-table tbody tr td[data-label=Vendor] a").first.inner_text()
        with app.app_context():
            vendor = db.session.scalar(db.select(Vendor).where(Vendor.name == name))
            assignment = db.session.scalar(db.select(ProjectAssignment).join(Project).where(
                ProjectAssignment.vendor_id == vendor.id, Project.procore_project_id == PROJECT))
            assignment.status = "nothing_received"
            submission = Submission(company_id=vendor.company_id, vendor_id=vendor.id, channel="staff_upload",
                                    state="reading")
            db.session.add(submission)
            db.session.flush()
            db.session.add(StoredFile(company_id=vendor.company_id, submission_id=submission.id, filename="coi.pdf",
                                      content_type="application/pdf", size_bytes=1, sha256="0" * 64,
                                      storage_key="k"))
            db.session.commit()
            submission_id, assignment_id = submission.id, assignment.id
        frame.locator("table.compliance-table tbody tr td[data-label=Vendor] a").first.click()
        projects = frame.locator("#vendor-projects")
        expect(projects).to_contain_text("Nothing received", timeout=15_000)
        expect(frame.locator("#insurance .document [data-role=state]").first).to_contain_text("Reading")
        app_frame = next(f for f in page.frames if f.url.startswith(app_url) and "/vendors/" in f.url)
        app_frame.evaluate("window.stillTheSamePage = true")
        with app.app_context():  # the reading ends: the project's status changes
            db.session.get(Submission, submission_id).state = "failed"
            db.session.get(ProjectAssignment, assignment_id).status = "not_compliant"
            db.session.commit()
        expect(frame.locator("#insurance")).to_contain_text("Reading finished", timeout=20_000)
        expect(projects).to_contain_text("Not compliant", timeout=5_000)
        kept = app_frame.evaluate("window.stillTheSamePage === true")
        browser.close()
    assert kept  # shown in place, not by reloading the page

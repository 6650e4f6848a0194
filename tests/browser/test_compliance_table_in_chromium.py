"""Real Chromium inside the emulator's Procore shell: the project table searched, filtered and sorted; the side
panel's Request New COI; a compliance manager's override; a viewer refused; nothing wider than 400 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from integration.extensions import db
from integration.models import AppUser, OutreachRequest, Override, Project, ProjectAssignment, Vendor
from tests.browser.demo_records import SHAPES, give_certificates
from tests.browser.procore_shell import ARGS, CHROMIUM, COMPANY, PROJECT, running_demo, sign_in

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def demo(tmp_path):
    with running_demo(tmp_path) as servers, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield (*servers, browser)
        browser.close()


def project_vendors(app) -> list[Vendor]:
    with app.app_context():
        return db.session.scalars(
            db.select(Vendor).join(ProjectAssignment, ProjectAssignment.vendor_id == Vendor.id)
            .join(Project, Project.id == ProjectAssignment.project_id)
            .where(Project.procore_project_id == PROJECT, Vendor.active.is_(True)).order_by(Vendor.name)).all()


def statuses(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.select(ProjectAssignment.status).join(Project).join(Vendor)
                                  .where(Project.procore_project_id == PROJECT, Vendor.active.is_(True))).all()


def give_role(app, name: str, role: str) -> None:
    with app.app_context():
        db.session.scalars(db.select(AppUser).where(AppUser.name == name)).one().role = role
        db.session.commit()


def panel_of(page, sandbox_url: str, vendor: Vendor):
    page.goto(f"{sandbox_url}/{PROJECT}/project/directory/vendors/{vendor.procore_vendor_id}/edit")
    panel = page.frame_locator("#sidepanel-app")
    expect(panel.get_by_role("heading", level=1, name=vendor.name)).to_be_visible(timeout=15_000)
    return panel


def test_the_table_the_panel_and_overrides_in_procore(demo):
    app, app_url, sandbox_url, browser = demo
    admin = browser.new_page(viewport={"width": 1360, "height": 900})
    frame = sign_in(admin, sandbox_url)
    with app.app_context():
        seeded = give_certificates(COMPANY, PROJECT)
    vendors = project_vendors(app)
    admin.goto(f"{sandbox_url}/{PROJECT}/project/apps/gapline")
    rows = frame.locator("table.compliance-table tbody tr")
    expect(rows).to_have_count(len(vendors))  # the project's vendors active in Procore's Directory
    first_statuses = rows.locator("td[data-label=Status]").all_inner_texts()[:2]
    assert first_statuses == ["Expired", "Not compliant"]  # the worst come first

    frame.get_by_label("Search").fill(seeded[3][:8])
    frame.get_by_label("Search").press("Enter")
    expect(rows.first.locator("td[data-label=Vendor] a")).to_have_text(seeded[3])
    frame.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(len(vendors))
    frame.get_by_label("Status", exact=True).select_option("not_compliant")
    frame.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(statuses(app).count("not_compliant"))
    assert set(rows.locator("td[data-label=Status]").all_inner_texts()) == {"Not compliant"}
    frame.get_by_role("link", name="Open gaps").click()
    expect(frame.locator("th[aria-sort=ascending]")).to_have_text("Open gaps ▲")
    frame.get_by_role("link", name="Open gaps").click()
    expect(frame.locator("th[aria-sort=descending]")).to_be_visible()
    gaps = [int(n) for n in rows.locator("td[data-label='Open gaps']").all_inner_texts()]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > 0

    nothing = vendors[len(SHAPES)]  # the first vendor without a certificate
    panel = panel_of(admin, sandbox_url, nothing)
    assert panel.locator("body").evaluate(f"() => {OVERFLOW}") <= 0  # nothing wider than the 400 px panel
    panel.get_by_role("button", name="Request New COI").click()
    expect(panel.get_by_text(re.compile(r"Request New COI: sent to \S+@"))).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(OutreachRequest.vendor_id)) == nothing.id

    manager_context = browser.new_context(viewport={"width": 1360, "height": 900})
    manager = manager_context.new_page()
    sign_in(manager, sandbox_url, user="Priya Manager")
    give_role(app, "Priya Manager", "compliance_manager")
    no_umbrella = next(v for v in vendors if v.name == seeded[SHAPES.index("no_umbrella")])
    panel = panel_of(manager, sandbox_url, no_umbrella)
    gap = panel.locator("li.gap", has_text="Umbrella or excess liability is missing")
    expect(gap.get_by_text("Override this gap…")).to_be_hidden()  # many gaps: each shows as its title until opened
    gap.locator("details.gap-fold > summary").click()
    gap.get_by_text("Override this gap…").click()
    gap.get_by_label("Reason (required)").fill("Owner accepts the excess cover of the GC's own policy")
    gap.get_by_role("button", name="Save override").click()
    expect(panel.get_by_text("Override saved; the vendor was re-evaluated.")).to_be_visible()
    expect(panel.locator("li.gap-waived", has_text="Umbrella or excess liability is missing")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Override)) == 1

    viewer_context = browser.new_context(viewport={"width": 1360, "height": 900})
    viewer = viewer_context.new_page()
    sign_in(viewer, sandbox_url, user="Sam Superintendent")
    low_limit = next(v for v in vendors if v.name == seeded[SHAPES.index("low_limit")])
    panel = panel_of(viewer, sandbox_url, low_limit)
    expect(panel.get_by_text("Override this gap…")).to_have_count(0)
    expect(panel.get_by_role("button", name=re.compile("Request New COI|Send Gaps|Resend Invitation"))).to_have_count(0)
    refused = panel.locator("body").evaluate("""async () => {
        const form = new FormData();
        form.append("csrf_token", document.querySelector("input[name=csrf_token]").value);
        form.append("gap_key", "general_liability.each_occurrence");
        form.append("kind", "waive");
        form.append("reason", "I should not be able to");
        const url = document.getElementById("insurance").dataset.readingUrl.replace(/reading$/, "overrides");
        const answer = await fetch(url, {method: "POST", body: form, credentials: "same-origin"});
        return answer.text();
    }""")
    assert "role; you are a viewer" in refused
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Override)) == 1  # nothing more

    narrow = viewer_context.new_page()
    narrow.set_viewport_size({"width": 400, "height": 800})
    narrow.goto(f"{app_url}/procore/companies/{COMPANY}/projects/{PROJECT}")
    expect(narrow.locator("table.compliance-table tbody tr").first).to_be_visible()
    assert narrow.evaluate(f"() => {OVERFLOW}") <= 0

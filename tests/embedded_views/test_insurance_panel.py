"""The vendor's Insurance view (side panel and full screen): coverage lines, reading progress, the next step,
overrides for those who manage, and every refusal leaving nothing written."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import (
    AuditEvent,
    CoverageGap,
    Evaluation,
    OutreachRequest,
    Override,
    SentEmail,
    StoredFile,
    Submission,
)
from integration.requirement_sets import replace_carriers, save_set
from tests import factories
from tests.conftest import signed_in
from tests.integration.compliance.compliance_factories import certificate, remove_line

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
C, PROCORE_VENDOR = 60, 6060


@pytest.fixture
def world(database):
    base = factories.company(C, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC",
                             procore_vendor_id=PROCORE_VENDOR, email="office@acme.test")
    base.project = factories.project(C, "Tower")
    factories.assignment(base.project, base.vendor)
    save_set(C, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(C, (SAMPLES / "carriers.csv").read_text(), None)
    factories.certificate(base.vendor, remove_line(certificate(), "umbrella_liability"))
    db.session.commit()
    evaluate_vendor(C, base.vendor.id, date.today())
    db.session.commit()
    return base


def panel(world) -> str:
    return f"/procore/companies/{C}/sidepanel/vendors/{PROCORE_VENDOR}?project={world.project.procore_project_id}"


def umbrella_key() -> str:
    return db.session.scalar(select(CoverageGap.gap_key).where(CoverageGap.company_id == C,
                                                               CoverageGap.line == "umbrella_liability"))


def written() -> tuple:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                 (Override, OutreachRequest, SentEmail, Evaluation, AuditEvent))


def test_the_panel_shows_each_line_required_shown_and_missing(database, world):
    page = signed_in(database, world["viewer"]).get(panel(world)).get_data(as_text=True)
    assert "<h1>Acme Drywall</h1>" in page and "Not compliant" in page and "Tower" in page
    assert "General liability" in page and "Certificate shows" in page and "Required" in page
    assert "Umbrella or excess liability is missing" in page and "Nothing on file" in page
    guide_links = re.findall(r'href="(/guide/[^"]*)"', page)
    assert guide_links and all("back=/procore/companies/" in link for link in guide_links)  # and the way back
    assert "Override this gap" not in page and "Request New COI" not in page  # a viewer gets no controls
    assert "Documents" in page and "Download" in page and "History" in page and "Status: Not compliant" in page


def test_the_panel_folds_the_lines_with_nothing_to_fix_and_the_full_page_does_not(database, world):
    client = signed_in(database, world["viewer"])
    page = client.get(panel(world)).get_data(as_text=True)
    folds = re.findall(r'<details class="line-fold"( open)?><summary>\s*<h3 id="line-([a-z_]+)"', page)
    assert dict((line, bool(opened)) for opened, line in folds) == {
        "general_liability": False, "automobile_liability": False, "umbrella_liability": True,
        "workers_compensation": False}  # (only the missing umbrella line has a gap)
    full = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}").get_data(as_text=True)
    assert "line-fold" not in full and 'id="line-general_liability"' in full


def another_vendor(world, name: str, procore_vendor_id: int, document: dict):
    """A second vendor on the world's project with ``document`` on file, evaluated."""
    vendor = factories.vendor(C, name, procore_vendor_id=procore_vendor_id)
    factories.assignment(world.project, vendor)
    factories.certificate(vendor, document)
    db.session.commit()
    evaluate_vendor(C, vendor.id, date.today())
    db.session.commit()
    return vendor


def test_the_panel_shows_many_gaps_as_titles_that_open_and_the_full_page_in_full(database, world):
    client = signed_in(database, world["viewer"])
    assert "gap-fold" not in client.get(panel(world)).get_data(as_text=True)  # one gap: shown in full
    bare = certificate()
    for line in ("umbrella_liability", "automobile_liability", "workers_compensation"):
        bare = remove_line(bare, line)
    sparse = another_vendor(world, "Bare Roofing", PROCORE_VENDOR + 1, bare)
    page = client.get(panel(world).replace(str(PROCORE_VENDOR), str(PROCORE_VENDOR + 1))).get_data(as_text=True)
    gaps = page.count('<li class="gap gap-')
    titles = re.findall(r'<details class="gap-fold"><summary>\s*<span class="gap-title"><strong>([^<]+)</strong>', page)
    assert gaps > 3 and len(titles) == gaps and "Umbrella or excess liability is missing" in titles
    assert page.count("Insurance Guide: what this means") == gaps  # (the rest is there, behind each title)
    full = client.get(f"/procore/companies/{C}/vendors/{sparse.id}").get_data(as_text=True)
    assert "gap-fold" not in full and full.count('<li class="gap gap-') == gaps


def test_a_line_let_down_by_the_documents_as_a_whole_stays_open_and_says_so(database, world):
    wrong_holder = certificate()
    wrong_holder["certificate_holder"]["name"] = "Someone Else Builders"
    another_vendor(world, "Holder Roofing", PROCORE_VENDOR + 2, wrong_holder)
    client = signed_in(database, world["viewer"])
    page = client.get(panel(world).replace(str(PROCORE_VENDOR), str(PROCORE_VENDOR + 2))).get_data(as_text=True)
    general = page.split('id="line-general_liability"', 1)[1].split("</article>", 1)[0]
    assert "Not compliant" in general and '<li class="gap' not in general  # none of its own
    assert "because of the gaps with the documents as a whole" in general
    opened = re.search(r'<details class="line-fold"( open)?><summary>\s*<h3 id="line-general_liability"', page)
    assert opened and opened.group(1)  # not folded away: it is not compliant
    assert 'id="line-documents"' in page


def test_the_guide_opened_from_the_panel_has_a_way_back(database, world):
    client = signed_in(database, world["viewer"])
    back = panel(world)
    page_url = "/guide/umbrella-or-excess-liability-is-missing"
    guide = client.get(page_url, query_string={"back": back}).get_data(as_text=True)
    assert 'class="back-link"' in guide and 'href="/procore/companies/' in guide
    elsewhere = client.get(page_url, query_string={"back": "//evil.test/x"}).get_data(as_text=True)
    assert "back-link" not in elsewhere  # never a way "back" to another site


def test_a_compliance_manager_requests_a_new_coi_from_the_panel(database, world):
    client = signed_in(database, world["compliance_manager"])
    page = client.get(panel(world)).get_data(as_text=True)
    assert "Send Gaps" in page and "Override this gap" in page
    response = client.post(f"/procore/companies/{C}/vendors/{world.vendor.id}/next-step",
                           data={"action": "Send Gaps", "project_id": world.project.id, "next": panel(world)})
    assert response.status_code == 303 and response.headers["Location"].endswith(panel(world))
    sent = db.session.scalars(select(OutreachRequest)).all()
    assert [(r.vendor_id, r.project_id, r.recipient_email) for r in sent] == [
        (world.vendor.id, world.project.id, "office@acme.test")]
    after = client.get(panel(world)).get_data(as_text=True)
    assert "Send Gaps: sent to office@acme.test." in after
    shown = re.search(r'<p class="next-step muted">Next: ([^<]+)</p>', after)  # no button now: what comes next
    assert shown and "<button type=\"submit\">Send Gaps</button>" not in after, shown
    assert shown.group(1).startswith(("Gaps reminder due", "Waiting for a reply")), shown.group(1)


def test_a_step_the_page_no_longer_offers_is_refused_and_nothing_sent(database, world):
    client = signed_in(database, world["compliance_manager"])
    before = written()
    response = client.post(f"/procore/companies/{C}/vendors/{world.vendor.id}/next-step",
                           data={"action": "Request New COI", "next": panel(world)})
    assert response.status_code == 303 and written() == before
    assert "The page was out of date: the next step is now Send Gaps" in client.get(panel(world)).get_data(
        as_text=True)


def test_a_compliance_manager_waives_a_gap_and_revoking_asks_first(database, world):
    client = signed_in(database, world["compliance_manager"])
    key = umbrella_key()
    client.post(f"/procore/companies/{C}/vendors/{world.vendor.id}/overrides",
                data={"gap_key": key, "kind": "waive", "reason": "Owner accepts", "next": panel(world)})
    override = db.session.scalars(select(Override)).one()
    page = client.get(panel(world)).get_data(as_text=True)
    assert "Waived" in page and "Revoke this override" in page and "Reason: Owner accepts" in page
    assert "Waived by compliance_manager@gc.test on " in page and ": Owner accepts (no end date)." in page
    before = written()
    unconfirmed = client.post(f"/procore/companies/{C}/overrides/{override.id}/revoke", data={"next": panel(world)})
    assert unconfirmed.status_code == 303 and written() == before
    assert db.session.get(Override, override.id).revoked_at is None
    assert "Not revoked: tick the box" in client.get(panel(world)).get_data(as_text=True)
    client.post(f"/procore/companies/{C}/overrides/{override.id}/revoke", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Override, override.id).revoked_at is not None


@pytest.mark.parametrize("path, form", [
    ("vendors/{vendor}/overrides", {"gap_key": "KEY", "kind": "waive", "reason": "no"}),
    ("vendors/{vendor}/next-step", {"action": "Send Gaps"}),
    ("vendors/{vendor}/documents", {}),
])
def test_a_viewer_is_refused_every_control_and_nothing_is_written(database, world, path, form):
    form = {name: umbrella_key() if value == "KEY" else value for name, value in form.items()}
    before = written()
    response = signed_in(database, world["viewer"]).post(
        f"/procore/companies/{C}/" + path.format(vendor=world.vendor.id), data=form)
    assert response.status_code == 403 and written() == before
    assert "role; you are a viewer" in response.get_data(as_text=True)


def test_another_companys_vendor_or_project_is_not_shown(database, world):
    other = factories.company(C + 1, "Other GC", "Hidden Vendor", procore_vendor_id=7070)
    hidden = factories.project(C + 1, "Hidden Project")
    factories.imported(C)  # the company's directory is imported: a project not in it is not the company's
    db.session.commit()
    client = signed_in(database, world["admin"])
    foreign = client.get(f"/procore/companies/{C}/sidepanel/vendors/7070").get_data(as_text=True)
    assert "Hidden Vendor" not in foreign and "not been imported" in foreign
    wrong_project = client.get(f"/procore/companies/{C}/sidepanel/vendors/{PROCORE_VENDOR}?project="
                               f"{hidden.procore_project_id}")
    assert wrong_project.status_code == 404 and "Hidden" not in wrong_project.get_data(as_text=True)
    reading = client.get(f"/procore/companies/{C}/vendors/{other.vendor.id}/reading")
    assert reading.status_code == 404
    assert client.get(f"/procore/companies/{C + 1}/vendors/{other.vendor.id}/reading").status_code == 403


def test_reading_progress_says_which_files_are_still_being_read(database, world):
    submission = Submission(company_id=C, vendor_id=world.vendor.id, channel="staff_upload", state="reading")
    db.session.add(submission)
    db.session.flush()
    db.session.add(StoredFile(company_id=C, submission_id=submission.id, filename="scan.jpg", content_type="image/jpeg",
                              size_bytes=1, sha256="1" * 64, storage_key="scan"))
    db.session.commit()
    client = signed_in(database, world["viewer"])
    progress = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}/reading").get_json()
    assert progress["reading"] is True and progress["status"] == "not_compliant"
    assert [(f["name"], f["state"]) for f in progress["files"]][0] == ("scan.jpg", "reading")
    assert 'data-reading="yes"' in client.get(panel(world)).get_data(as_text=True)
    submission.state = "evaluated"
    db.session.commit()
    assert client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}/reading").get_json()["reading"] is False


def test_an_expired_session_is_asked_to_sign_in_and_nothing_is_written(database, world):
    client = signed_in(database, world["admin"])
    world["admin"].session_generation += 1  # signed in elsewhere since: this session has ended
    db.session.commit()
    before = written()
    response = client.post(f"/procore/companies/{C}/vendors/{world.vendor.id}/next-step", data={"action": "Send Gaps"})
    assert response.status_code == 401 and "session has ended" in response.get_data(as_text=True)
    assert client.get(panel(world)).status_code == 401 and written() == before


def test_the_full_page_requests_for_the_project_in_context(database, world):
    client = signed_in(database, world["compliance_manager"])
    page = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}?project={world.project.procore_project_id}")
    assert f'<option value="{world.project.id}" selected>Tower</option>' in page.get_data(as_text=True)
    plain = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}").get_data(as_text=True)
    assert f'<option value="{world.project.id}">Tower</option>' in plain  # no project in context: company-wide first


def test_the_full_page_offers_the_step_the_panel_offers_for_the_project(database, world):
    factories.outreach_request(world.vendor, project_id=world.project.id, kind="invitation", state="open",
                               sequence="invitation", recipient_email="office@acme.test")
    db.session.commit()
    client = signed_in(database, world["compliance_manager"])
    full = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}?project={world.project.procore_project_id}")
    side = client.get(panel(world)).get_data(as_text=True)
    assert not re.search(r">(Send Gaps|Request New COI|Resend Invitation)</button>", side)
    page = full.get_data(as_text=True)
    assert 'class="inline-form"' not in page  # its emails are running for this project: nothing to press
    company_wide = client.get(f"/procore/companies/{C}/vendors/{world.vendor.id}").get_data(as_text=True)
    assert 'class="inline-form"' in company_wide and ">Send Gaps</button>" in company_wide  # none runs company-wide

"""The GC's outreach buttons on the vendor page, its email history, and the outreach settings."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select

from integration.extensions import db
from integration.models import Installation, OutreachRequest, SentEmail, VendorContact, utcnow
from integration.outreach import branding
from tests.conftest import signed_in
from tests.integration.outreach.conftest import answer, make_world, sample_certificate


@pytest.fixture
def world(database):
    return make_world()


def page_of(client, world) -> str:
    return client.get(f"/procore/companies/10/vendors/{world.vendor.id}").get_data(as_text=True)


def press(client, world, action: str, **form):
    company_id = world.company.installation.company_id
    return client.post(f"/procore/companies/{company_id}/vendors/{world.vendor.id}/outreach/{action}", data=form)


def test_request_new_coi_sends_the_invitation_and_the_page_shows_it(world):
    manager = signed_in(current_app, world["compliance_manager"])
    assert "Request New COI" in page_of(manager, world)
    assert "Request New COI" not in page_of(signed_in(current_app, world["viewer"]), world)
    done = press(manager, world, "request", project_id=str(world.project.id))
    assert done.status_code == 303
    page = page_of(manager, world)
    assert "Request sent to office@acme.test" in page
    assert "Your Insurance Docs are needed for Riverside Clinic (RC-1042)" in page and ">Sent<" in page
    assert "Request emails: 1 of 4 sent, next on " in page
    press(manager, world, "request", project_id=str(world.project.id))  # its emails are running: not twice
    assert "Not sent: A request to Acme Drywall is already open" in page_of(manager, world)
    assert db.session.query(SentEmail).count() == 1


def test_a_viewer_cannot_send_anything(world):
    viewer = signed_in(current_app, world["viewer"])
    assert press(viewer, world, "request").status_code == 403
    assert press(viewer, world, "gaps").status_code == 403
    assert db.session.scalar(select(OutreachRequest.id)) is None


def test_a_non_responsive_vendor_gets_resend_invitation(world):
    manager = signed_in(current_app, world["admin"])
    press(manager, world, "request")
    request = db.session.scalar(select(OutreachRequest))
    request.state, request.sequence = "non_responsive", None
    db.session.commit()
    page = page_of(manager, world)
    assert page.count("Resend Invitation") == 2 and "Non-responsive" in page  # the button and the row's button
    again = manager.post(f"/procore/companies/10/outreach/{request.id}/resend")
    assert again.status_code == 303 and request.state == "open" and request.sequence_number == 2


def test_send_gaps_when_the_company_sends_gaps_by_hand(world):
    world.company.installation.gap_email_mode = "manual"
    db.session.commit()
    answer(world.vendor, sample_certificate(each_occurrence=500_000), date(2026, 3, 2))
    manager = signed_in(current_app, world["admin"])
    assert "Send Gaps" in page_of(manager, world)
    assert press(manager, world, "gaps").status_code == 303
    email = db.session.scalar(select(SentEmail).where(SentEmail.kind == "gaps"))
    assert email.subject == "Gaps to fix in your insurance documents for Summit Builders, Inc."


def test_a_failed_email_and_a_refused_address_are_shown_with_their_reasons(world):
    manager = signed_in(current_app, world["admin"])
    press(manager, world, "request")
    email = db.session.scalar(select(SentEmail))
    email.state, email.last_error = "failed", "the mail server refused office@acme.test: 550 5.1.1 No such user"
    db.session.add(VendorContact(company_id=10, vendor_id=world.vendor.id, email="office@acme.test",
                                 mail_refused_at=utcnow(), mail_refusal=email.last_error))
    db.session.commit()
    page = page_of(manager, world)
    assert "Failed: the mail server refused office@acme.test: 550 5.1.1 No such user" in page
    assert "The mail server refused office@acme.test on" in page
    assert "No email address on file that accepts mail." in page


def test_another_companys_request_cannot_be_resent_or_stopped(world):
    other = make_world(11, "Other GC", "x@other.test")
    press(signed_in(current_app, other["admin"]), other, "request")
    request = db.session.scalar(select(OutreachRequest).where(OutreachRequest.company_id == 11))
    manager = signed_in(current_app, world["admin"])
    refused = manager.post(f"/procore/companies/10/outreach/{request.id}/cancel", follow_redirects=True)
    assert "Not done: That request is not open." in refused.get_data(as_text=True)
    resent = manager.post(f"/procore/companies/10/outreach/{request.id}/resend", follow_redirects=True)
    assert "Not done: Only a non-responsive request can be sent again." in resent.get_data(as_text=True)
    assert request.state == "open"


def test_admins_set_the_logo_and_the_gaps_mode(world):
    admin = signed_in(current_app, world["admin"])
    saved = admin.post("/procore/companies/10/settings/outreach",
                       data={"logo_url": "https://cdn.summit.test/new.png", "gap_email_mode": "manual"})
    assert saved.status_code == 303
    installation = db.session.scalar(select(Installation).where(Installation.company_id == 10))
    assert (installation.logo_url, installation.gap_email_mode) == ("https://cdn.summit.test/new.png", "manual")
    refused = admin.post("/procore/companies/10/settings/outreach",
                         data={"logo_url": "javascript:alert(1)", "gap_email_mode": "automatic"})
    assert "Logo URL: give an https:// address" in refused.get_data(as_text=True)
    assert (installation.logo_url, installation.gap_email_mode) == ("https://cdn.summit.test/new.png", "manual")
    both = admin.post("/procore/companies/10/settings/outreach",  # every wrong field is named at once
                      data={"logo_url": "javascript:alert(1)", "gap_email_mode": "sometimes", "reminder_days": "9, 2"})
    said = both.get_data(as_text=True)
    assert both.status_code == 400 and all(field in said for field in ("Logo URL:", "Gaps emails:",
                                                                         "Reminder cadence:"))
    assert (installation.logo_url, installation.gap_email_mode) == ("https://cdn.summit.test/new.png", "manual")
    manager = signed_in(current_app, world["compliance_manager"])
    assert manager.get("/procore/companies/10/settings/outreach").status_code == 403


def test_account_settings_set_the_holder_and_the_cadence_and_re_evaluate(world):
    admin = signed_in(current_app, world["admin"])
    page = admin.get("/procore/companies/10/settings/outreach").get_data(as_text=True)
    assert 'value="Summit Builders, Inc."' in page and 'value="2, 5, 8"' in page
    saved = admin.post("/procore/companies/10/settings/outreach", data={
        "logo_url": "", "gap_email_mode": "automatic", "certificate_holder": "Summit Builders  LLC",
        "reminder_days": "1, 3"})
    assert saved.status_code == 303
    assert "re-evaluated against the new certificate holder" in admin.get(saved.headers["Location"]).get_data(
        as_text=True)
    assert branding.certificate_holder(10) == "Summit Builders LLC" and branding.reminder_days(10) == (1, 3)


@pytest.mark.parametrize(("days", "says"), [("8, 5", "Reminder cadence: give one to three business days"),
                                            ("2, 5, 8, 11", "Reminder cadence"), ("0", "Reminder cadence"),
                                            ("two", "Reminder cadence")])
def test_a_bad_cadence_is_refused_naming_the_field_and_nothing_is_saved(world, days, says):
    admin = signed_in(current_app, world["admin"])
    refused = admin.post("/procore/companies/10/settings/outreach", data={
        "logo_url": "https://cdn.summit.test/other.png", "gap_email_mode": "manual", "certificate_holder": "Other",
        "reminder_days": days})
    assert refused.status_code == 400 and says in refused.get_data(as_text=True)
    assert f'value="{days}"' in refused.get_data(as_text=True)
    db.session.expire_all()
    installation = db.session.scalar(select(Installation).where(Installation.company_id == 10))
    assert (installation.logo_url, installation.gap_email_mode) == ("https://cdn.summit.test/logo.png", "automatic")
    assert branding.certificate_holder(10) == "Summit Builders, Inc." and branding.reminder_days(10) == (2, 5, 8)


def test_request_new_coi_on_a_projects_vendor_page_asks_for_that_project_and_comes_back_to_it(world):
    manager = signed_in(current_app, world["admin"])
    procore_id = world.project.procore_project_id
    page = manager.get(f"/procore/companies/10/vendors/{world.vendor.id}?project={procore_id}").get_data(as_text=True)
    assert f'<option value="{world.project.id}" selected>Riverside Clinic (RC-1042)</option>' in page
    done = manager.post(f"/procore/companies/10/vendors/{world.vendor.id}/outreach/request?project={procore_id}",
                        data={"project_id": str(world.project.id)})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"?project={procore_id}")
    email = db.session.scalar(select(SentEmail))
    assert email.subject == "Your Insurance Docs are needed for Riverside Clinic (RC-1042)"

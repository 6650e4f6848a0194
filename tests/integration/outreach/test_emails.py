"""Each email as the SMTP server receives it: exact subject, recipient, the GC's name and logo, and links that open."""

from __future__ import annotations

import re
from datetime import date

from flask import current_app
from sqlalchemy import select

from integration.extensions import db
from integration.models import SentEmail
from integration.outreach.cadence import run_cadence
from integration.outreach.requests import request_documents, send_gaps
from tests import factories
from tests.conftest import signed_in
from tests.integration.outreach.conftest import MONDAY, answer, make_world, sample_certificate

BASE = "http://127.0.0.1:5000"
SUMMIT = '"Summit Builders, Inc. via Gapline" <no-reply@gapline.local>'
LOGO = 'src="https://cdn.summit.test/logo.png"'


def parts(message) -> tuple[str, str]:
    """The text and HTML bodies (lines end in CRLF on the wire; read here as a mail client shows them)."""
    return tuple(message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))


def links(message) -> set[str]:
    """Every link in the HTML part."""
    return set(re.findall(r'href="([^"]+)"', parts(message)[1]))


def opens(web, link: str) -> bool:
    return web.get(link.removeprefix(BASE)).status_code == 200


def assert_summit(message) -> None:
    """Sent in the GC's name, with its logo and its name on top."""
    text, html = parts(message)
    assert message["From"] == SUMMIT and LOGO in html and text.startswith("Summit Builders, Inc.\n")


def upload_link_of(message) -> str:
    [link] = [link for link in links(message) if link.startswith(f"{BASE}/upload/")]
    assert f"Submit Docs: {link}" in parts(message)[0]  # the text part carries the same link
    return link


def test_send_gaps_lists_each_gap_with_its_guide_and_the_upload_link(world, mail_to, web):
    server = mail_to()
    world.company.installation.gap_email_mode = "manual"
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, sample_certificate(each_occurrence=500_000), request=request)
    send_gaps(10, world.vendor.id, world.project.id, world["compliance_manager"], MONDAY)
    message = server.messages[-1]
    assert message["Subject"] == "Gaps to fix in your insurance documents for Riverside Clinic (RC-1042)"
    assert (message["To"], message["Reply-To"]) == ("office@acme.test", world["compliance_manager"].email)
    assert message["List-Unsubscribe"] is None  # a person sent it: not an automated reminder
    assert_summit(message)
    guide = f"{BASE}/guide/general-liability-each-occurrence-limit-is-too-low"
    assert guide in links(message) and guide in parts(message)[0] and opens(web, guide)
    assert opens(web, upload_link_of(message)) and f"{BASE}/hub" in links(message)


def test_the_compliant_result_is_branded_and_points_to_the_hub(world, mail_to):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, sample_certificate(), request=request)
    message = server.messages[-1]
    assert message["Subject"] == "Your insurance documents for Riverside Clinic (RC-1042) are compliant"
    assert message["To"] == "office@acme.test" and message["List-Unsubscribe"] is None
    assert_summit(message)
    assert f"{BASE}/hub" in links(message) and not any("/upload/" in link for link in links(message))


def test_a_reminder_carries_the_brand_a_working_link_and_one_click_unsubscribe(world, mail_to, web):
    server = mail_to()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    run_cadence(date(2026, 3, 4))
    message = server.messages[-1]
    assert message["Subject"] == "Reminder: Your Insurance Docs are needed for Riverside Clinic (RC-1042)"
    assert message["To"] == "office@acme.test" and message["Reply-To"] is None
    assert_summit(message)
    assert opens(web, upload_link_of(message))
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in links(message) and unsubscribe in parts(message)[0] and opens(web, unsubscribe)


def test_a_renewal_reminder_names_the_expiry_and_carries_a_working_link(world, mail_to, web):
    server = mail_to()
    answer(world.vendor, sample_certificate(), date(2026, 12, 2))
    run_cadence(date(2026, 12, 2))
    message = server.messages[-1]
    assert message["Subject"] == "Renewal needed: your insurance on file with Summit Builders, Inc. expires Jan 1"
    assert message["To"] == "office@acme.test" and message["List-Unsubscribe"]
    assert_summit(message)
    assert "expires on January 1, 2027, in 30 days" in parts(message)[0]
    assert opens(web, upload_link_of(message))


def test_a_digest_of_one_gcs_projects_is_in_that_gcs_name(world, mail_to, web):
    server = mail_to()
    second = factories.project(10, "Harbor Tower", project_number="HT-7")
    factories.assignment(second, world.vendor)
    db.session.commit()
    for project in (world.project, second):
        request_documents(10, world.vendor.id, project.id, world["admin"], MONDAY)
    run_cadence(date(2026, 3, 4))
    message = server.messages[-1]
    assert message["Subject"] == "Reminder: insurance documents are needed for 2 projects"
    assert message["To"] == "office@acme.test" and message["List-Unsubscribe"]
    assert_summit(message)
    uploads = [link for link in links(message) if "/upload/" in link]
    assert len(uploads) == 2 and all(opens(web, link) for link in uploads)


def test_a_digest_across_gcs_shows_each_gc_with_its_logo(world, mail_to):
    server = mail_to()
    other = make_world(11, "Harbor Construction", "office@acme.test", logo_url="https://cdn.harbor.test/h.png")
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    request_documents(11, other.vendor.id, other.project.id, other["admin"], MONDAY)
    run_cadence(date(2026, 3, 4))
    message = server.messages[-1]
    text, html = parts(message)
    assert message["From"] == "Gapline <no-reply@gapline.local>"  # no one GC's name on mail about two
    assert LOGO in html and 'src="https://cdn.harbor.test/h.png"' in html
    assert "Summit Builders, Inc.\n" in text and "Harbor Construction\n" in text


def test_the_gc_is_told_of_a_silent_vendor_with_a_link_to_its_page(world, mail_to):
    server = mail_to()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    for day in (date(2026, 3, 4), date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16)):
        run_cadence(day)
    message = server.messages[-1]
    assert message["Subject"] == "Acme Drywall did not answer the insurance request for Riverside Clinic (RC-1042)"
    assert message["To"] == "admin@gc.test" and message["List-Unsubscribe"] is None
    assert_summit(message)
    page = f"{BASE}/procore/companies/10/vendors/{world.vendor.id}"
    assert page in links(message) and page in parts(message)[0]
    assert "sent to office@acme.test" in parts(message)[0]


def test_an_address_the_mail_server_refuses_is_recorded_and_shown_to_the_gc(world, mail_to):
    server = mail_to()
    server.recorder.refuse["office@acme.test"] = "550 5.1.1 <office@acme.test>: Recipient address rejected"
    manager = signed_in(current_app, world["compliance_manager"])
    vendor_page = f"/procore/companies/10/vendors/{world.vendor.id}"
    manager.post(f"{vendor_page}/outreach/request", data={"project_id": str(world.project.id)})
    assert server.messages == []
    page = manager.get(vendor_page).get_data(as_text=True)
    reason = "the mail server refused office@acme.test: 550 5.1.1 &lt;office@acme.test&gt;: Recipient address rejected"
    assert f"Failed: {reason}" in page and "The mail server refused office@acme.test on" in page
    refused = manager.post(f"{vendor_page}/outreach/request", data={"project_id": str(world.project.id)},
                           follow_redirects=True).get_data(as_text=True)
    assert "no email address on file that accepts mail" in refused  # nothing more goes to a refused address
    assert len(db.session.scalars(select(SentEmail)).all()) == 1


def test_a_gcs_name_ending_in_s_takes_an_apostrophe_alone():
    from integration.outreach.compose import possessive

    assert possessive("Redwood General Contractors") == "Redwood General Contractors'"
    assert possessive("Summit Builders, Inc.") == "Summit Builders, Inc.'s"

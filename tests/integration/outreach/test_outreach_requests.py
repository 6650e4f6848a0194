"""Requests as the GC makes them and as documents answer them, each email checked at a real SMTP server."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import AuditEvent, OutreachRequest, SentEmail
from integration.outreach.requests import OutreachRefused, request_documents, resend_invitation, send_gaps
from tests.integration.outreach.conftest import MONDAY, answer, sample_certificate

SUBJECT = "Your Insurance Docs are needed for Riverside Clinic (RC-1042)"


def links_in(message) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', message.get_body(("html",)).get_content())


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_invitation_names_the_project_carries_the_brand_the_requirements_and_both_links(world, mail_to, web):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    [message] = server.messages
    assert message["Subject"] == SUBJECT
    assert message["To"] == "office@acme.test" and message["Reply-To"] == "admin@gc.test"
    assert message["From"] == '"Summit Builders, Inc. via Gapline" <no-reply@gapline.local>'
    assert message["List-Unsubscribe"] is None  # a request, not a reminder
    html, text = html_of(message), text_of(message)
    assert 'src="https://cdn.summit.test/logo.png"' in html and "Summit Builders, Inc." in html
    assert "General liability</strong>: $1,000,000 each occurrence, $2,000,000 general aggregate" in html
    assert "Certificate holder: Summit Builders, Inc." in text and "Submit Docs: http://" in text
    listed = text.replace("\r\n", "\n").split("What your certificate must show:\n", 1)[1].split("\n\n", 1)[0]
    items = [row for row in listed.split("\n") if row.startswith("- ")]
    assert len(items) >= 4 and all(row.count("- ") == 1 or ")" not in row for row in items)
    assert all(") - " not in row and ")- " not in row for row in listed.split("\n"))  # each line on its own line
    upload, hub = links_in(message)[0], [link for link in links_in(message) if link.endswith("/hub")]
    assert upload.startswith("http://127.0.0.1:5000/upload/") and hub
    page = web.get(upload.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200 and "Riverside Clinic (RC-1042)" in page.get_data(as_text=True)
    assert (request.state, request.sequence, request.sequence_emails) == ("open", "invitation", 1)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "OutreachRequest")) == \
        "outreach.requested"


def test_without_a_logo_the_email_shows_the_gc_name(world, mail_to):
    server = mail_to()
    world.company.installation.logo_url = None
    db.session.commit()
    request_documents(10, world.vendor.id, None, world["admin"], MONDAY)
    [message] = server.messages
    assert message["Subject"] == "Your Insurance Docs are needed for Summit Builders, Inc."
    assert "<img" not in html_of(message) and "Summit Builders, Inc.</div>" in html_of(message)


@pytest.mark.parametrize("case", ["muted", "viewer", "no_address", "already_open"])
def test_a_refused_request_writes_nothing_and_says_why(world, mail_to, case):
    server = mail_to()
    user = world["admin"]
    if case == "muted":
        world.vendor.outreach_muted = True
    elif case == "viewer":
        user = world["viewer"]
    elif case == "no_address":
        world.vendor.email = None
    else:
        request_documents(10, world.vendor.id, world.project.id, user, MONDAY)
    db.session.commit()
    before = (db.session.scalar(select(func.count(OutreachRequest.id))), len(server.messages))
    with pytest.raises(OutreachRefused) as refused:
        request_documents(10, world.vendor.id, world.project.id, user, MONDAY)
    expected = {"muted": "Outreach to Acme Drywall is muted: unmute it to send emails.",
                "viewer": "This needs the admin or compliance manager role; you are a viewer.",
                "no_address": "Acme Drywall has no email address on file that accepts mail",
                "already_open": "A request to Acme Drywall is already open"}[case]
    assert expected in refused.value.message
    db.session.rollback()
    assert (db.session.scalar(select(func.count(OutreachRequest.id))), len(server.messages)) == before


def test_a_compliant_answer_closes_the_request_sends_the_result_and_closes_the_link(world, mail_to, web):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    upload = links_in(server.messages[0])[0].removeprefix("http://127.0.0.1:5000")
    answer(world.vendor, sample_certificate(), request=request)
    result = server.messages[-1]
    assert result["Subject"] == "Your insurance documents for Riverside Clinic (RC-1042) are compliant"
    assert "January 1, 2027" in text_of(result)  # the earliest expiry on file
    assert (request.state, request.closed_reason) == ("closed", "compliant")
    closed = web.get(upload)
    assert closed.status_code == 403 and "This request is closed" in closed.get_data(as_text=True)
    assert "Send me a new link" in closed.get_data(as_text=True)


def test_an_answer_with_gaps_gets_them_at_once_each_with_its_guide_link(world, mail_to):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, sample_certificate(each_occurrence=500_000), request=request)
    gaps = server.messages[-1]
    assert gaps["Subject"] == "Still not compliant: what remains for Riverside Clinic (RC-1042)"
    assert "General liability each-occurrence limit is too low" in text_of(gaps)
    assert "http://127.0.0.1:5000/guide/general-liability-each-occurrence-limit-is-too-low" in links_in(gaps)
    assert any("/upload/" in link for link in links_in(gaps))
    assert (request.state, request.sequence, request.sequence_emails) == ("open", "gaps", 1)


def test_with_manual_gaps_nothing_goes_until_someone_presses_send_gaps(world, mail_to):
    server = mail_to()
    world.company.installation.gap_email_mode = "manual"
    db.session.commit()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, sample_certificate(each_occurrence=500_000), request=request)
    assert len(server.messages) == 1 and request.sequence is None
    send_gaps(10, world.vendor.id, world.project.id, world["compliance_manager"], MONDAY)
    assert server.messages[-1]["Subject"] == "Gaps to fix in your insurance documents for Riverside Clinic (RC-1042)"
    assert (request.sequence, request.sequence_emails) == ("gaps", 1)


def test_send_gaps_pressed_twice_the_same_day_sends_once(world, mail_to):
    server = mail_to()
    world.company.installation.gap_email_mode = "manual"
    db.session.commit()
    answer(world.vendor, sample_certificate(each_occurrence=500_000))
    request = send_gaps(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    with pytest.raises(OutreachRefused, match="The gaps went to office@acme.test today"):
        send_gaps(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    db.session.rollback()
    assert len(server.messages) == 1 and (request.sequence_number, request.sequence_emails) == (1, 1)
    send_gaps(10, world.vendor.id, world.project.id, world["admin"], date(2026, 3, 3))  # another day: a new sequence
    assert len(server.messages) == 2 and request.sequence_number == 2


def test_send_gaps_is_refused_when_there_are_none(world, mail_to):
    server = mail_to()
    answer(world.vendor, sample_certificate())
    with pytest.raises(OutreachRefused, match="has no open gaps to send"):
        send_gaps(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    db.session.rollback()
    assert server.messages == [] and db.session.scalar(select(func.count(SentEmail.id))) == 0


def test_documents_that_need_a_person_pause_everything_until_the_review(world, mail_to):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, {**sample_certificate(each_occurrence=500_000), "needs_review": True}, request=request)
    assert len(server.messages) == 1 and (request.state, request.sequence) == ("open", None)


def test_a_muted_vendor_hears_nothing_about_its_answer(world, mail_to):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    world.vendor.outreach_muted = True
    db.session.commit()
    answer(world.vendor, sample_certificate(), request=request)
    assert len(server.messages) == 1 and request.state == "closed"


def test_resend_invitation_starts_a_non_responsive_request_again(world, mail_to):
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    request.state, request.sequence, request.sequence_emails = "non_responsive", None, 4
    db.session.commit()
    again = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)  # same as Resend
    assert again.id == request.id
    assert (request.state, request.sequence, request.sequence_number, request.sequence_emails) == \
        ("open", "invitation", 2, 1)
    assert [m["Subject"] for m in server.messages] == [SUBJECT, SUBJECT]
    with pytest.raises(OutreachRefused, match="Only a non-responsive request"):
        resend_invitation(10, request.id, world["admin"], MONDAY)


def test_every_role_has_its_words():
    from integration.models.installation import ROLES
    from integration.roles import ROLE_WORDS

    assert set(ROLE_WORDS) == set(ROLES) and all("_" not in words for words in ROLE_WORDS.values())


@pytest.mark.parametrize("refused", ["request by a viewer", "settings by a compliance manager", "mute by a viewer"])
def test_outreach_refusals_name_roles_in_words_never_by_their_keys(world, refused):
    from integration.outreach.branding import SettingsRefused, save_outreach_settings
    from integration.overrides import OverrideRefused, set_outreach_muted

    with pytest.raises((OutreachRefused, SettingsRefused, OverrideRefused)) as raised:
        if refused == "request by a viewer":
            request_documents(10, world.vendor.id, world.project.id, world["viewer"], MONDAY)
        elif refused == "settings by a compliance manager":
            save_outreach_settings(10, world["compliance_manager"], "", "automatic")
        else:
            set_outreach_muted(10, world["viewer"], world.vendor.id, True)
    message = str(raised.value)
    assert "compliance_manager" not in message
    assert {"request by a viewer": "This needs the admin or compliance manager role; you are a viewer.",
            "settings by a compliance manager": "This needs the admin role; you are a compliance manager.",
            "mute by a viewer": "Only admins and compliance managers may mute or unmute outreach to vendors; your role "
            "is viewer.",
            }[refused] == message
    db.session.rollback()

"""The cadence over moving time: day 0, +2, +5, +8 business days, then non-responsive and the GC told; nothing
outside the rules, nothing after compliance, nothing to a muted vendor; renewals 30/14/7 days out; digests."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from integration.extensions import db
from integration.models import EmailOptOut, OutreachRequest, SentEmail, VendorContact, utcnow
from integration.outreach.cadence import business_days_between, run_cadence
from integration.outreach.requests import request_documents
from integration.review import approve
from sync_jobs.emails import queue_deliveries
from tests import factories
from tests.integration.outreach.conftest import MONDAY, answer, make_world, sample_certificate

INVITATION = "Your Insurance Docs are needed for Riverside Clinic (RC-1042)"


def test_business_days_skip_weekends():
    friday = date(2026, 3, 6)
    assert business_days_between(friday, friday) == 0
    assert business_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert business_days_between(MONDAY, date(2026, 3, 12)) == 8


def run_days(start: date, end: date) -> dict[date, list[tuple[str, str]]]:
    """Run the cadence on every day from start to end; the (recipient, subject) of each email written, by day."""
    written: dict[date, list[tuple[str, str]]] = {}
    last = db.session.scalar(select(SentEmail.id).order_by(SentEmail.id.desc()).limit(1)) or 0
    day = start
    while day <= end:
        run_cadence(day)
        rows = db.session.scalars(select(SentEmail).where(SentEmail.id > last).order_by(SentEmail.id)).all()
        if rows:
            written[day] = [(row.to_address, row.subject) for row in rows]
            last = rows[-1].id
        day += timedelta(days=1)
    return written


def invite(world) -> OutreachRequest:
    return request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)


def test_a_silent_vendor_gets_four_emails_then_is_non_responsive_and_the_gc_is_told(world):
    request = invite(world)
    written = run_days(MONDAY, date(2026, 3, 27))
    assert written == {
        date(2026, 3, 4): [("office@acme.test", f"Reminder: {INVITATION}")],
        date(2026, 3, 9): [("office@acme.test", f"Reminder: {INVITATION}")],
        date(2026, 3, 12): [("office@acme.test", f"Final reminder: {INVITATION}")],
        date(2026, 3, 16): [("admin@gc.test", "Acme Drywall did not answer the insurance request for "
                                              "Riverside Clinic (RC-1042)")],
    }
    assert (request.state, request.sequence, request.sequence_emails) == ("non_responsive", None, 4)
    reminder = db.session.scalars(select(SentEmail).where(SentEmail.kind == "reminder")).first()
    assert reminder.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")


def test_nothing_goes_after_compliance(world, mail_to):
    server = mail_to()
    request = invite(world)
    assert run_days(MONDAY, date(2026, 3, 4)) == {date(2026, 3, 4): [("office@acme.test", f"Reminder: {INVITATION}")]}
    answer(world.vendor, sample_certificate(), date(2026, 3, 5), request)
    assert run_days(date(2026, 3, 5), date(2026, 3, 31)) == {}
    assert [m["Subject"] for m in server.messages] == [
        INVITATION, f"Reminder: {INVITATION}", "Your insurance documents for Riverside Clinic (RC-1042) are compliant"]


def test_a_muted_vendor_gets_nothing(world):
    request = invite(world)
    world.vendor.outreach_muted = True
    db.session.commit()
    assert run_days(MONDAY, date(2026, 3, 31)) == {}
    assert request.state == "open"  # muted: not even marked non-responsive


def test_reminders_pause_while_a_person_reviews_and_the_review_decides_what_follows(world):
    request = invite(world)
    cert = answer(world.vendor, {**sample_certificate(each_occurrence=500_000), "needs_review": True},
                  date(2026, 3, 3), request)
    assert run_days(date(2026, 3, 3), date(2026, 3, 20)) == {}
    certificate = db.session.scalar(select(factories.Certificate).where(factories.Certificate.needs_review.is_(True)))
    approve(10, world["compliance_manager"], certificate.id, {}, date(2026, 3, 23))
    gaps = db.session.scalars(select(SentEmail).order_by(SentEmail.id.desc())).first()
    assert gaps.subject == "Still not compliant: what remains for Riverside Clinic (RC-1042)"
    assert (request.sequence, request.sequence_started_on) == ("gaps", date(2026, 3, 23)) and cert


def test_a_gaps_sequence_has_its_own_four_emails(world):
    request = invite(world)
    answer(world.vendor, sample_certificate(each_occurrence=500_000), date(2026, 3, 3), request)
    written = run_days(date(2026, 3, 3), date(2026, 3, 31))
    subject = "gaps to fix in your insurance for Riverside Clinic (RC-1042)"
    assert written == {
        date(2026, 3, 5): [("office@acme.test", f"Reminder: {subject}")],
        date(2026, 3, 10): [("office@acme.test", f"Reminder: {subject}")],
        date(2026, 3, 13): [("office@acme.test", f"Final reminder: {subject}")],
        date(2026, 3, 17): [("admin@gc.test", "Acme Drywall did not answer the insurance request for "
                                              "Riverside Clinic (RC-1042)")],
    }
    assert (request.sequence_number, request.state) == (2, "non_responsive")


def test_an_address_that_opted_out_or_was_refused_gets_no_reminders(world):
    invite(world)
    db.session.add(EmailOptOut(address="office@acme.test"))
    db.session.commit()
    assert [subject for day in run_days(MONDAY, date(2026, 3, 20)).values() for _, subject in day] == \
        ["Acme Drywall did not answer the insurance request for Riverside Clinic (RC-1042)"]


def test_a_refused_address_gets_no_reminders(world):
    invite(world)
    db.session.add(VendorContact(company_id=10, vendor_id=world.vendor.id, email="office@acme.test",
                                 mail_refused_at=utcnow(), mail_refusal="550 No such user"))
    db.session.commit()
    assert all(to == "admin@gc.test" for day in run_days(MONDAY, date(2026, 3, 20)).values() for to, _ in day)


def test_running_twice_a_day_sends_nothing_twice(world):
    invite(world)
    run_days(MONDAY, date(2026, 3, 4))
    assert run_days(date(2026, 3, 4), date(2026, 3, 4)) == {}


def test_several_open_requests_to_one_address_make_one_digest(world, mail_to, web):
    server = mail_to()
    second = factories.project(10, "Harbor Tower", project_number="HT-7")
    factories.assignment(second, world.vendor)
    db.session.commit()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    request_documents(10, world.vendor.id, second.id, world["admin"], MONDAY)
    other = make_world(11, "Harbor Construction", "office@acme.test", logo_url=None)
    request_documents(11, other.vendor.id, other.project.id, other["admin"], MONDAY)
    written = run_days(MONDAY, date(2026, 3, 12))
    subject = "Reminder: insurance documents are needed for 3 projects"
    assert written == {day: [("office@acme.test", subject)]
                       for day in (date(2026, 3, 4), date(2026, 3, 9), date(2026, 3, 12))}
    digest = server.messages[-1]
    text = digest.get_body(("plain",)).get_content()
    assert "Summit Builders, Inc." in text and "Harbor Construction" in text
    assert "Riverside Clinic (RC-1042)" in text and "Harbor Tower (HT-7)" in text
    links = [line.split("Submit Docs: ")[1] for line in text.splitlines() if "Submit Docs: " in line]
    assert len(links) == 3 and all(web.get(link.removeprefix("http://127.0.0.1:5000")).status_code == 200
                                   for link in links)
    assert digest["List-Unsubscribe"]
    assert {r.sequence_emails for r in db.session.scalars(select(OutreachRequest))} == {4}


def test_renewal_reminders_go_30_14_and_7_days_before_the_earliest_expiry(world, mail_to):
    mail_to()
    answer(world.vendor, sample_certificate(), date(2026, 11, 1))
    assert world.vendor.status == "compliant"
    written = run_days(date(2026, 11, 1), date(2026, 12, 31))
    subject = "Renewal needed: your insurance on file with Summit Builders, Inc. expires Jan 1"
    assert written == {day: [("office@acme.test", subject)]
                       for day in (date(2026, 12, 2), date(2026, 12, 18), date(2026, 12, 25))}
    renewal = db.session.scalar(select(OutreachRequest).where(OutreachRequest.kind == "renewal"))
    assert (renewal.renewal_of, renewal.sequence_emails, renewal.state) == (date(2027, 1, 1), 3, "open")


def test_a_renewal_sent_in_closes_the_renewal_request(world, mail_to):
    server = mail_to()
    answer(world.vendor, sample_certificate(), date(2026, 12, 2))
    run_days(date(2026, 12, 2), date(2026, 12, 2))
    assert server.messages[-1]["Subject"].startswith("Renewal needed")
    renewed = sample_certificate()
    for policy in renewed["policies"]:
        policy["effective_date"], policy["expiration_date"] = "2027-01-01", "2028-01-01"
    answer(world.vendor, renewed, date(2026, 12, 10))
    renewal = db.session.scalar(select(OutreachRequest).where(OutreachRequest.kind == "renewal"))
    assert (renewal.state, renewal.closed_reason) == ("closed", "compliant")
    assert run_days(date(2026, 12, 11), date(2026, 12, 31)) == {}


def test_no_renewal_reminder_while_another_request_runs(world):
    answer(world.vendor, sample_certificate(each_occurrence=500_000), date(2026, 12, 1))
    request_documents(10, world.vendor.id, world.project.id, world["admin"], date(2026, 12, 1))
    assert all("Renewal" not in subject for day in run_days(date(2026, 12, 1), date(2026, 12, 31)).values()
               for _, subject in day)


@pytest.mark.integration
def test_the_cadence_delivers_through_a_real_worker_exactly_what_it_wrote(pg_committed, rq_worker, smtp_server,
                                                                           mail_to):
    mail_to()
    world = make_world()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    written = run_days(MONDAY, date(2026, 3, 20))
    worker = rq_worker("emails", env=smtp_server.env())
    assert worker.returncode == 0, worker.stderr[-2000:]
    expected = [("office@acme.test", INVITATION)] + [item for day in sorted(written) for item in written[day]]
    assert [(m["To"], m["Subject"]) for m in smtp_server.messages] == expected
    assert len(expected) == 5
    queue_deliveries(list(db.session.scalars(select(SentEmail.id))))  # every job again: nothing is sent twice
    assert rq_worker("emails", env=smtp_server.env()).returncode == 0
    assert len(smtp_server.messages) == 5


def test_the_reminders_command_runs_the_cadence_for_a_day(world):
    invite(world)
    result = current_app.test_cli_runner().invoke(args=["coi", "reminders", "--date", "2026-03-04"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"closed": 0, "digests": 0, "emails": 1, "non_responsive": 0, "reminded": 1}


def test_a_companys_own_reminder_days_set_the_cadence_and_when_it_goes_silent(world):
    installation = world.company.installation
    installation.settings = {"reminder_days": [1, 3]}
    db.session.commit()
    request = invite(world)
    written = run_days(MONDAY, date(2026, 3, 20))
    assert written == {
        date(2026, 3, 3): [("office@acme.test", f"Reminder: {INVITATION}")],
        date(2026, 3, 5): [("office@acme.test", f"Final reminder: {INVITATION}")],
        date(2026, 3, 9): [("admin@gc.test", "Acme Drywall did not answer the insurance request for "
                                             "Riverside Clinic (RC-1042)")],
    }
    assert (request.state, request.sequence_emails) == ("non_responsive", 3)


def test_reminders_wait_while_documents_are_being_read(world):
    request = invite(world)
    reading = factories.Submission(company_id=10, vendor_id=world.vendor.id, channel="upload_link", state="reading",
                                   outreach_request_id=request.id)
    db.session.add(reading)
    db.session.commit()
    assert run_days(MONDAY, date(2026, 3, 20)) == {}
    assert (request.state, request.sequence_emails) == ("open", 1)  # not marked non-responsive while reading


def test_a_muted_vendor_gets_no_renewal_reminder(world):
    answer(world.vendor, sample_certificate(), date(2026, 11, 1))
    world.vendor.outreach_muted = True
    db.session.commit()
    assert run_days(date(2026, 11, 1), date(2027, 1, 5)) == {}
    assert db.session.scalar(select(OutreachRequest.id)) is None

"""The Record Hub: a 6-digit code by email (10 minutes, once, 5 tries), rate limits per address and IP, the same
answer for unknown addresses, and every request to the address across projects and GCs."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fixtures.certgen import generate
from integration import tokens
from integration.extensions import db
from integration.models import OneTimeToken, Submission, utcnow
from integration.outreach.requests import request_documents
from tests.integration.outreach.conftest import MONDAY, answer, make_world, sample_certificate

ADDRESS = "office@acme.test"


@pytest.fixture
def requested(world, mail_to):
    """Requests to the same address from two GCs (one of them with gaps on file); the SMTP server."""
    server = mail_to()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    other = make_world(11, "Harbor Construction", ADDRESS, logo_url=None)
    request_documents(11, other.vendor.id, other.project.id, other["admin"], MONDAY)
    answer(other.vendor, sample_certificate(each_occurrence=500_000))
    return server


def code_sent(server, address: str = ADDRESS) -> str:
    message = [m for m in server.to(address) if m["Subject"] == "Your Record Hub sign-in code"][-1]
    return re.search(r"\b(\d{6})\b", message.get_body(("plain",)).get_content()).group(1)


def ask(web, address: str = ADDRESS, ip: str = "198.51.100.7"):
    return web.post("/hub/code", data={"email": address}, environ_base={"REMOTE_ADDR": ip})


def try_code(web, code: str, address: str = ADDRESS, ip: str = "198.51.100.7"):
    return web.post("/hub/sign-in", data={"email": address, "code": code}, environ_base={"REMOTE_ADDR": ip})


def test_a_code_signs_in_and_the_hub_lists_every_request_with_status_and_gaps(world, requested, web):
    assert web.get("/record-hub").headers["Location"].endswith("/hub")
    asked = ask(web)
    assert asked.status_code == 200 and "Enter your code" in asked.get_data(as_text=True)
    signed = try_code(web, code_sent(requested))
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/hub/requests")
    page = web.get("/hub/requests").get_data(as_text=True)
    assert "Summit Builders, Inc." in page and "Harbor Construction" in page
    assert page.count("<td data-label=\"Project\">Riverside Clinic (RC-1042)</td>") == 2
    assert "Waiting for your insurance documents" in page and "Not compliant yet: see what to fix" in page
    assert "General liability each-occurrence limit is too low" in page
    assert "/guide/general-liability-each-occurrence-limit-is-too-low" in page
    assert page.count("Submit Insurance Docs") == 2


def test_a_request_with_many_gaps_lists_them_folded(world, mail_to, web):
    server = mail_to()
    request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    cert = sample_certificate(each_occurrence=500_000, general_aggregate=500_000)
    for row in cert["policies"]:  # and every other line's limits too low
        row["limits"] = {name: 1000 for name in row["limits"]} if row["line"] != "general_liability" else row["limits"]
    answer(world.vendor, cert)
    ask(web)
    try_code(web, code_sent(server))
    page = web.get("/hub/requests").get_data(as_text=True)
    folded = re.search(r'<details class="gap-fold" data-gaps="(\d+)"><summary>(\d+) gaps to fix</summary>', page)
    assert folded and int(folded.group(1)) == int(folded.group(2)) >= 4, page
    assert "Employers liability each-accident limit is too low" in page  # (still in the page, to open)


def test_an_unknown_address_is_answered_exactly_like_a_known_one(world, requested, web):
    known, unknown = ask(web), ask(web, "nobody@nowhere.test")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(ADDRESS, "X") == \
        unknown.get_data(as_text=True).replace("nobody@nowhere.test", "X")
    assert requested.to("nobody@nowhere.test") == []  # no email to an address nobody asked anything of
    assert db.session.scalar(select(func.count(OneTimeToken.id)).where(OneTimeToken.subject == "nobody@nowhere.test"))
    wrong_known, wrong_unknown = try_code(web, "000000"), try_code(web, "000000", "nobody@nowhere.test")
    assert wrong_known.status_code == wrong_unknown.status_code == 403
    assert all("4 tries left" in page.get_data(as_text=True) for page in (wrong_known, wrong_unknown))


def test_a_wrong_code_is_refused_and_counts(world, requested, web):
    ask(web)
    refused = try_code(web, "12345x")
    assert refused.status_code == 403 and "That code is not right. 4 tries left." in refused.get_data(as_text=True)
    assert web.get("/hub/requests").status_code == 302  # not signed in
    assert try_code(web, code_sent(requested)).status_code == 303  # and the right code still works


def test_an_expired_code_is_refused(world, requested, web, monkeypatch):
    ask(web)
    code = code_sent(requested)
    later = utcnow() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(tokens, "utcnow", lambda: later)
    refused = try_code(web, code)
    assert refused.status_code == 403 and "expired" in refused.get_data(as_text=True)
    assert web.get("/hub/requests").status_code == 302
    assert db.session.scalar(select(OneTimeToken.used_at).where(OneTimeToken.subject == ADDRESS)) is None
    monkeypatch.undo()
    ask(web)  # a new code is one click away
    assert try_code(web, code_sent(requested)).status_code == 303


def test_a_used_code_is_refused(world, requested, web):
    ask(web)
    code = code_sent(requested)
    assert try_code(web, code).status_code == 303
    web.post("/hub/sign-out")
    refused = try_code(web, code)
    assert refused.status_code == 403 and "already used" in refused.get_data(as_text=True)
    assert web.get("/hub/requests").status_code == 302


def test_the_sixth_try_is_refused_even_with_the_right_code(world, requested, web):
    ask(web)
    code = code_sent(requested)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [try_code(web, wrong).get_data(as_text=True) for _ in range(5)]
    assert "1 try left" in answers[3] and "it was the last try" in answers[4]
    refused = try_code(web, code)
    assert refused.status_code == 403 and "Too many wrong tries" in refused.get_data(as_text=True)
    assert web.get("/hub/requests").status_code == 302
    ask(web)  # a new code starts its own five tries
    assert try_code(web, code_sent(requested)).status_code == 303


def test_codes_are_rate_limited_per_address_and_per_ip(world, requested, web):
    for n in range(5):
        assert ask(web, ip=f"203.0.113.{n}").status_code == 200
    codes, emails = db.session.scalar(select(func.count(OneTimeToken.id))), len(requested.messages)
    limited = ask(web, ip="203.0.113.99")
    assert limited.status_code == 429 and "Too many tries" in limited.get_data(as_text=True)
    assert (db.session.scalar(select(func.count(OneTimeToken.id))), len(requested.messages)) == (codes, emails)
    for n in range(20):  # one IP, many addresses: 20 an hour in all
        assert ask(web, f"user{n}@sub.test", ip="192.0.2.1").status_code == 200
    assert ask(web, "user20@sub.test", ip="192.0.2.1").status_code == 429


def test_tries_are_rate_limited_per_ip(world, requested, web):
    for n in range(30):
        try_code(web, "000000", f"user{n}@sub.test")
    limited = try_code(web, "000000")
    assert limited.status_code == 429 and "Too many tries" in limited.get_data(as_text=True)


def test_an_address_that_is_not_one_is_refused_by_name(world, web):
    refused = ask(web, "not an address")
    assert refused.status_code == 400 and "Email address: enter the address" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OneTimeToken.id))) == 0


def _signed_in(web, server) -> None:
    ask(web)
    assert try_code(web, code_sent(server)).status_code == 303


def test_submit_insurance_docs_from_the_hub_reads_and_shows_the_result(world, requested, web):
    _signed_in(web, requested)
    request_id = int(re.search(r"/hub/requests/(\d+)\"", web.get("/hub/requests").get_data(as_text=True)).group(1))
    page = web.get(f"/hub/requests/{request_id}")
    assert page.status_code == 200
    assert '<button type="submit">Submit Insurance Docs</button>' in page.get_data(as_text=True)  # one wording
    sent = web.post(f"/hub/requests/{request_id}/documents", headers={"Accept": "application/json"},
                    data={"files": [(io.BytesIO(generate(1, "fillable").data), "coi.pdf")]},
                    content_type="multipart/form-data")
    assert sent.status_code == 202, sent.get_json()
    progress = web.get(sent.get_json()["progress_url"]).get_json()
    assert progress["done"] is True and progress["status"]
    submission = db.session.get(Submission, sent.get_json()["submission"])
    assert (submission.channel, submission.submitted_by_email, submission.outreach_request_id) == \
        ("record_hub", ADDRESS, request_id)


def test_another_addresss_request_is_not_in_reach(world, requested, web, mail_to):
    other = make_world(12, "Third GC", "someone@else.test")
    request = request_documents(12, other.vendor.id, other.project.id, other["admin"], MONDAY)
    _signed_in(web, requested)
    assert web.get(f"/hub/requests/{request.id}").status_code == 404
    assert web.post(f"/hub/requests/{request.id}/documents", headers={"Accept": "application/json"},
                    data={"files": [(io.BytesIO(b"%PDF-1.7"), "coi.pdf")]}).status_code == 404
    assert db.session.scalar(select(func.count(Submission.id)).where(Submission.channel == "record_hub")) == 0

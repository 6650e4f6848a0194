"""The upload link: no login, bound to its vendor and request, reusable until the request closes; each refusal
is a clear page that writes nothing, and its button sends a fresh link to the address on file only."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fixtures.certgen import generate
from integration import tokens
from integration.extensions import db
from integration.models import EmailOptOut, StoredFile, Submission
from integration.outreach import links
from integration.outreach.requests import cancel_request, request_documents
from tests import factories
from tests.integration.outreach.conftest import MONDAY, make_world

PDF = generate(1, "fillable")
BASE = "http://127.0.0.1:5000"


@pytest.fixture
def invited(world, mail_to):
    """The world with an invitation sent; its upload path and the SMTP server."""
    server = mail_to()
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    path = re.search(r"Submit Docs: (\S+)", server.messages[0].get_body(("plain",)).get_content()).group(1)
    return request, path.removeprefix(BASE), server


def upload(web, path: str, *names: str, data: bytes = PDF.data):
    """Post files as the page's script does (the bytes of a real certificate unless ``data`` says otherwise)."""
    return web.post(f"{path}/documents", data={"files": [(io.BytesIO(data), name) for name in names]},
                    headers={"Accept": "application/json"}, content_type="multipart/form-data")


def counts() -> tuple[int, int]:
    return db.session.scalar(select(func.count(Submission.id))), db.session.scalar(select(func.count(StoredFile.id)))


def test_the_link_takes_documents_again_and_again_and_shows_each_result(world, invited, web):
    request, path, _ = invited
    for attempt in (1, 2):  # a later document through the same link, as a broker would
        sent = upload(web, path, f"coi-{attempt}.pdf")
        assert sent.status_code == 202, sent.get_json()
        progress = web.get(sent.get_json()["progress_url"]).get_json()
        assert progress["done"] is True and progress["files"] == [f"coi-{attempt}.pdf"]
        assert progress["status"] and progress["stage"]
    submissions = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [(s.channel, s.outreach_request_id, s.project_id) for s in submissions] == \
        [("upload_link", request.id, world.project.id)] * 2
    page = web.get(path).get_data(as_text=True)  # coming back, the visitor sees what already arrived
    assert "Sent so far" in page and page.index("coi-2.pdf") < page.index("coi-1.pdf")
    assert page.count("· Read and checked") + page.count("· A person is checking them") == 2


def test_the_first_visit_lists_nothing_sent(world, invited, web):
    _, path, _ = invited
    assert "Sent so far" not in web.get(path).get_data(as_text=True)


def test_a_refused_upload_names_the_limit_and_stores_nothing(world, invited, web):
    _, path, _ = invited
    sent = upload(web, path, *[f"{n}.pdf" for n in range(7)], data=b"%PDF-1.7")
    assert sent.status_code == 400 and "at most 6 files" in sent.get_json()["error"]
    assert sent.get_json()["error"].endswith("None of the files was kept: choose them again.")
    sent = upload(web, path, "notes.txt", data=b"not a certificate")
    assert sent.status_code == 400 and "not a PDF, JPEG or PNG" in sent.get_json()["error"]
    assert counts() == (0, 0)


def _refused(web, path: str) -> str:
    page = web.get(path)
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "Send me a new link" in text
    assert upload(web, path, "coi.pdf").status_code == 403  # and it takes no documents
    return text


def test_a_tampered_link_is_refused(world, invited, web):
    _, path, _ = invited
    token = path.rsplit("/", 1)[1]
    assert "This link is not valid" in _refused(web, f"/upload/{token[:-4]}AAAA")
    assert counts() == (0, 0)


def test_an_expired_link_is_refused(world, invited, web, monkeypatch):
    _, path, _ = invited
    monkeypatch.setattr(links, "UPLOAD_LINK_AGE", timedelta(seconds=-1))
    assert "This link has expired" in _refused(web, path)
    assert counts() == (0, 0)


def test_a_closed_request_closes_its_link(world, invited, web):
    request, path, _ = invited
    cancel_request(10, request.id, world["admin"])
    assert "This request is closed" in _refused(web, path)
    assert counts() == (0, 0)


def test_another_vendors_or_companys_link_opens_nothing(world, invited, web):
    request, _, _ = invited
    other = factories.vendor(10, "Bolt Electric", email="office@bolt.test")
    elsewhere = make_world(11, "Other GC", "office@elsewhere.test")
    db.session.commit()
    for data in ({"c": 10, "v": other.id, "r": request.id}, {"c": 11, "v": elsewhere.vendor.id, "r": request.id},
                 {"c": 10, "v": request.vendor_id, "r": "1"}):
        assert "This link is not valid" in _refused(web, f"/upload/{tokens.sign(links.UPLOAD, data)}")
    assert counts() == (0, 0)


def test_progress_is_only_for_this_links_submissions(world, invited, web):
    _, path, _ = invited
    sent = upload(web, path, "coi.pdf").get_json()
    other = factories.certificate(world.vendor, {"ok": False, "file": "staff.pdf"}, channel="staff_upload")
    db.session.commit()
    staff_submission = db.session.get(StoredFile, other.stored_file_id).submission_id
    assert web.get(f"{path}/submissions/{sent['submission']}").status_code == 200
    assert web.get(f"{path}/submissions/{staff_submission}").status_code == 404


def test_a_new_link_goes_to_the_address_on_file_never_to_the_asker(world, invited, web, monkeypatch):
    request, path, server = invited
    monkeypatch.setattr(links, "UPLOAD_LINK_AGE", timedelta(seconds=-1))
    answer = web.post(f"{path}/new-link", data={"email": "attacker@evil.test"})
    assert answer.status_code == 200 and "address your general contractor has on file" in answer.get_data(as_text=True)
    fresh = server.messages[-1]
    assert fresh["To"] == "office@acme.test" and "new link" in fresh["Subject"]
    assert all(m["To"] != "attacker@evil.test" for m in server.messages)
    monkeypatch.setattr(links, "UPLOAD_LINK_AGE", timedelta(days=60))
    new_path = re.search(r"Submit Docs: (\S+)", fresh.get_body(("plain",)).get_content()).group(1)
    assert web.get(new_path.removeprefix(BASE)).status_code == 200


def test_a_closed_requests_new_link_opens_a_request_that_sends_no_reminders(world, invited, web):
    request, path, server = invited
    cancel_request(10, request.id, world["admin"])
    web.post(f"{path}/new-link")
    fresh = db.session.scalars(select(factories.OutreachRequest).order_by(factories.OutreachRequest.id)).all()[-1]
    assert fresh.id != request.id and (fresh.state, fresh.sequence) == ("open", None)
    assert server.messages[-1]["To"] == "office@acme.test"


def test_new_links_are_rate_limited(world, invited, web):
    request, path, server = invited
    before = len(server.messages)
    for _ in range(3):
        assert web.post(f"{path}/new-link").status_code == 200
    refused = web.post(f"{path}/new-link")
    assert refused.status_code == 429 and "Too many tries" in refused.get_data(as_text=True)
    assert len(server.messages) == before + 1  # one email an hour for the request, whatever the clicks


def test_a_muted_vendor_gets_no_new_link_and_the_answer_is_the_same(world, invited, web):
    request, path, server = invited
    world.vendor.outreach_muted = True
    db.session.commit()
    answer = web.post(f"{path}/new-link")
    assert answer.status_code == 200 and "address your general contractor has on file" in answer.get_data(as_text=True)
    assert len(server.messages) == 1


def test_the_landing_page_points_to_the_email_and_the_hub(app, client):
    page = client.get("/upload")
    assert page.status_code == 200 and "/hub" in page.get_data(as_text=True)


def test_unsubscribe_asks_first_then_stops_reminders_with_one_click(world, web):
    link = links.unsubscribe_url("office@acme.test").removeprefix(BASE)
    assert "Stop reminders?" in web.get(link).get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 0
    done = web.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Reminders stopped" in done.get_data(as_text=True)
    assert db.session.scalars(select(EmailOptOut.address)).all() == ["office@acme.test"]
    assert web.post(link[:-3] + "xyz").status_code == 403

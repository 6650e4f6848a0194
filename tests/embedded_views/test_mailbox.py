"""The dev mailbox: the demo's emails can be read and their links clicked; production has none."""

from __future__ import annotations

import dataclasses

from integration import outbox


def write(subject: str = "Your Insurance Docs are needed for Riverside Clinic (RC-1)"):
    row = outbox.add(outbox.Email("invitation", "office@sub.test", subject, "Open https://gapline.test/upload/x",
                                  '<p><a href="https://gapline.test/upload/x">Submit Docs</a></p>'),
                     "invitation:mailbox", company_id=None)
    outbox.commit()
    return row


def test_the_mailbox_lists_every_email_and_shows_it_as_sent(app, client):
    row = write()
    page = client.get("/dev/mailbox/").get_data(as_text=True)
    assert "Your Insurance Docs are needed for Riverside Clinic (RC-1)" in page
    assert "office@sub.test" in page
    assert row.state == "sent"


def test_an_email_opens_as_its_recipient_sees_it(app, client):
    row = write()
    html = client.get(f"/dev/mailbox/{row.id}")
    assert html.mimetype == "text/html" and b'<a href="https://gapline.test/upload/x">Submit Docs</a>' in html.data
    assert client.get(f"/dev/mailbox/{row.id}.txt").get_data(as_text=True) == "Open https://gapline.test/upload/x"
    assert client.get("/dev/mailbox/999999").status_code == 404


def test_an_opened_email_leads_back_to_the_mailbox(app, client):
    row = write()
    page = client.get(f"/dev/mailbox/{row.id}").get_data(as_text=True)
    assert '<a href="/dev/mailbox/">&larr; Back to the mailbox</a>' in page
    assert page.index("Back to the mailbox") < page.index("Submit Docs")  # above the email, the first thing seen
    wrapped = outbox.add(outbox.Email("invitation", "a@sub.test", "S", "text", "<html><body class=x><p>Hi</p></body>"
                                      "</html>"), "invitation:wrapped", company_id=None)
    outbox.commit()
    shown = client.get(f"/dev/mailbox/{wrapped.id}").get_data(as_text=True)
    assert shown.startswith("<html><body class=x><p class=\"dev-mailbox-bar\"")  # inside the body, not before it


def test_production_has_no_dev_mailbox(app, client):
    write()
    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], env="production")
    assert client.get("/dev/mailbox/").status_code == 404

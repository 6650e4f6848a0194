"""The outbox against a real SMTP server (aiosmtpd) and real RQ workers: every email once, failures explained."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import timedelta
from email.utils import formataddr

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from integration import outbox
from integration.extensions import db
from integration.models import SentEmail, VendorContact, utcnow
from integration.queue import enqueue
from sync_jobs.emails import deliver_emails, queue_deliveries, sweep_outbox
from tests import factories
from tests.conftest import ROOT, worker_command


def email(to: str = "office@sub.test", subject: str = "Your Insurance Docs are needed", **headers) -> outbox.Email:
    return outbox.Email("invitation", to, subject, "Plain words.", "<p>Plain words.</p>", headers)


def add(key: str, **fields) -> SentEmail:
    return outbox.add(email(**fields), key, company_id=None)


def test_the_same_key_writes_one_email(app):
    first, second = add("invitation:1"), add("invitation:1", subject="Another")
    assert first.id == second.id
    assert db.session.scalar(select(func.count(SentEmail.id))) == 1


@pytest.mark.parametrize("broken", ["kind", "company"])
def test_a_row_broken_for_another_reason_than_its_key_is_refused_loudly(database, broken):
    db.session.add(SentEmail(idempotency_key="kept", kind="invitation", to_address="a@sub.test", subject="Kept",
                             body_text="Kept."))
    db.session.commit()
    bad = outbox.Email("no-such-kind" if broken == "kind" else "invitation", "b@sub.test", "Bad", "Bad.", "")
    with pytest.raises(IntegrityError):
        outbox.add(bad, "broken:1", company_id=999_999 if broken == "company" else None)
    assert outbox.PENDING not in db.session.info or db.session.info[outbox.PENDING] == []
    db.session.rollback()
    assert db.session.scalars(select(SentEmail.idempotency_key)).all() == ["kept"]  # nothing half-written


@pytest.mark.integration
def test_the_same_key_written_by_two_transactions_at_once_is_one_email(pg_committed):
    other = db.engine.connect()  # a second transaction writes the key first and has not committed yet
    other.execute(insert(SentEmail).values(idempotency_key="invitation:race", kind="invitation", attempts=0,
                                           to_address="office@sub.test", subject="First", body_text="First.",
                                           state="queued", headers={}, recipient_refused=False))
    ours = db.session.connection().connection.dbapi_connection.info.backend_pid
    seen: list[bool] = []
    committer = threading.Thread(target=_commit_once_blocked, args=(db.engine, other, ours, seen))
    committer.start()
    try:
        row = add("invitation:race", subject="Second")  # waits on the other's key, then finds it
    finally:
        committer.join(60)
    assert seen == [True]  # our insert really waited on the other transaction's key
    assert row.subject == "First"
    db.session.commit()
    assert db.session.scalar(select(func.count(SentEmail.id))) == 1
    assert db.session.info.get(outbox.COMMITTED, []) == []  # the other writer's row is the other writer's to send


def _commit_once_blocked(engine, connection, backend_pid: int, seen: list[bool]) -> None:
    """Commit ``connection`` once the backend ``backend_pid`` waits on a lock (or after many looks, to never hang)."""
    waiting = False
    with engine.connect() as watcher:
        for _ in range(20_000):
            waiting = bool(watcher.execute(text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity "
                                                "WHERE pid = :pid"), {"pid": backend_pid}).scalar())
            watcher.rollback()
            if waiting:
                break
    seen.append(waiting)
    connection.commit()
    connection.close()


def test_an_email_of_a_rolled_back_change_is_never_sent(app, mail_to):
    server = mail_to()
    add("invitation:1")
    db.session.rollback()
    assert outbox.commit() == []
    assert db.session.scalar(select(func.count(SentEmail.id))) == 0 and server.messages == []


def test_committing_sends_a_multipart_message_with_its_headers(app, mail_to):
    server = mail_to()
    unsubscribe = "<https://gapline.test/unsubscribe/x>"
    one_click = {"List-Unsubscribe": unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    row = add("reminder:1:1:1", **one_click)
    assert outbox.commit() == [row.id]
    [message] = server.messages
    assert (message["To"], message["Subject"]) == ("office@sub.test", "Your Insurance Docs are needed")
    assert message["From"] == "Gapline <no-reply@gapline.local>" and message["Message-ID"].startswith("<")
    assert message["List-Unsubscribe"] == unsubscribe
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content().strip() == "Plain words."
    assert (row.state, row.attempts) == ("sent", 1) and row.sent_at is not None


def test_words_outside_ascii_and_a_long_subject_arrive_exactly_as_written(app, mail_to):
    server = mail_to()
    subject = "Your Insurance Docs are needed for Bâtiment Québec — Phase 2, the long wing on the east side (BQ-7)"
    sender = formataddr(("Bâtiment Québec via Gapline", "no-reply@gapline.local"))
    outbox.add(outbox.Email("invitation", "office@sub.test", subject, "Reçu: 1 file.\n", "<p>Reçu</p>",
                            {"From": sender, "Reply-To": "Zoë <zoe@gc.test>"}), "invitation:q", company_id=None)
    outbox.commit()
    [message] = server.messages
    assert message["Subject"] == subject
    [sent_by], [reply_to] = message["From"].addresses, message["Reply-To"].addresses
    assert (sent_by.display_name, sent_by.addr_spec) == ("Bâtiment Québec via Gapline", "no-reply@gapline.local")
    assert (reply_to.display_name, reply_to.addr_spec) == ("Zoë", "zoe@gc.test")
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Reçu: 1 file.\n"  # mail lines end CRLF
    assert message.get_body(("html",)).get_content().strip() == "<p>Reçu</p>"


def test_without_a_mail_server_mail_goes_to_the_dev_mailbox(app):
    row = add("invitation:1")
    outbox.commit()
    assert (row.state, row.last_error) == ("sent", None)


def test_a_duplicated_delivery_job_sends_once(app, mail_to):
    server = mail_to()
    row = add("invitation:1")
    db.session.commit()
    assert deliver_emails([row.id])["sent"] == 1
    assert deliver_emails([row.id]) == {"sent": 0, "retry": 0, "failed": 0, "skipped": 1}
    assert len(server.messages) == 1


def test_a_refused_recipient_fails_at_once_and_is_recorded_against_the_contact(app, mail_to):
    server = mail_to()
    server.recorder.refuse["gone@sub.test"] = "550 5.1.1 No such user here"
    company = factories.company(7)
    request = factories.outreach_request(company.vendor, recipient_email="gone@sub.test")
    row = outbox.add(email(to="gone@sub.test"), "invitation:gone", company_id=7, requests=[request])
    outbox.commit()
    assert (row.state, row.attempts, row.recipient_refused) == ("failed", 1, True)
    assert row.last_error == "the mail server refused gone@sub.test: 550 5.1.1 No such user here"
    contact = db.session.scalar(select(VendorContact).where(VendorContact.email == "gone@sub.test"))
    assert contact.vendor_id == company.vendor.id and contact.mail_refusal == row.last_error
    assert server.messages == []


def test_a_refused_recipient_in_a_batch_leaves_the_others_to_go(app, mail_to):
    server = mail_to()
    server.recorder.refuse["gone@sub.test"] = "550 5.1.1 No such user here"
    addresses = [f"sub{n}@sub.test" for n in range(5)] + ["gone@sub.test"] + [f"sub{n}@sub.test" for n in range(5, 9)]
    rows = [add(f"invitation:{n}", to=to) for n, to in enumerate(addresses)]
    outbox.commit()
    assert sorted(m["To"] for m in server.messages) == sorted(a for a in addresses if a != "gone@sub.test")
    assert [(r.to_address, r.state) for r in rows if r.state != "sent"] == [("gone@sub.test", "failed")]


def test_a_recipient_refused_for_now_amid_a_batch_waits_for_its_retry_and_then_goes_once(app, mail_to):
    server = mail_to()
    server.recorder.refuse["full@sub.test"] = "452 4.2.2 Mailbox full, try again later"
    addresses = [f"sub{n}@sub.test" for n in range(6)] + ["full@sub.test"] + [f"sub{n}@sub.test" for n in range(6, 12)]
    rows = [add(f"invitation:{n}", to=to) for n, to in enumerate(addresses)]
    outbox.commit()
    assert sorted(m["To"] for m in server.messages) == sorted(a for a in addresses if a != "full@sub.test")
    [waiting] = [r for r in rows if r.state != "sent"]
    assert (waiting.to_address, waiting.state, waiting.attempts, waiting.recipient_refused) == (
        "full@sub.test", "queued", 1, False)
    assert waiting.last_error == "the mail server refused full@sub.test: 452 4.2.2 Mailbox full, try again later"
    assert {(r.state, r.attempts) for r in rows if r is not waiting} == {("sent", 1)}
    assert sweep_outbox() == 0  # not before its backoff is over
    del server.recorder.refuse["full@sub.test"]  # the mailbox has room again
    waiting.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sweep_outbox() == 1
    assert (waiting.state, waiting.attempts, waiting.last_error) == ("sent", 2, None)
    assert sorted(m["To"] for m in server.messages) == sorted(addresses)  # each address once, the others not again


def test_a_mail_server_that_stays_down_ends_in_failed_with_the_reason(app, mail_to):
    server = mail_to()
    server.stop()
    row = add("invitation:1")
    outbox.commit()
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        assert (row.state, row.attempts) == ("queued", attempt - 1)
        assert row.next_attempt_at - utcnow() <= outbox.BACKOFF[attempt - 2]
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # the backoff is over
        db.session.commit()
        sweep_outbox()
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", outbox.MAX_ATTEMPTS, None)
    assert row.last_error.startswith(f"could not reach the mail server 127.0.0.1:{server.port}")


@pytest.mark.integration
def test_two_workers_running_the_same_batch_at_once_send_each_email_once(pg_committed, worker_env, redis_url,
                                                                        smtp_server, mail_to):
    mail_to()
    rows = [add(f"invitation:{n}", to=f"sub{n}@sub.test") for n in range(40)]
    ids = outbox.commit()
    enqueue(deliver_emails, ids, queue="emails", job_id="a-duplicate-of-the-batch")
    workers = [subprocess.Popen(worker_command(redis_url, ("emails",)), cwd=ROOT, env=worker_env(**smtp_server.env()),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [worker.wait(180) for worker in workers] == [0, 0]
    db.session.expire_all()
    assert {(r.state, r.attempts) for r in rows} == {("sent", 1)}
    assert len(smtp_server.messages) == 40 and len({m["Message-ID"] for m in smtp_server.messages}) == 40


def _kill_with_descendants(pid: int) -> None:
    """SIGKILL a process and every process it forked (RQ's work horse runs in a session of its own)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
    family, grown = {pid}, True
    while grown:
        children = {child for child, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    for member in sorted(family, reverse=True):
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _time_passes(ids: list[int]) -> None:
    """Every backoff and lease of these rows is over."""
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(SentEmail).where(SentEmail.id.in_(ids)).values(next_attempt_at=past))
    db.session.execute(update(SentEmail).where(SentEmail.id.in_(ids), SentEmail.state == "sending")
                       .values(claimed_until=past))
    db.session.commit()


@pytest.mark.integration
def test_smtp_down_then_up_delivers_everything_once(pg_committed, rq_worker, smtp_server, mail_to):
    mail_to()
    smtp_server.stop()
    rows = [add(f"invitation:{n}", to=f"sub{n}@sub.test") for n in range(12)]
    outbox.commit()
    worker = rq_worker("emails", env=smtp_server.env())
    assert worker.returncode == 0, worker.stderr[-2000:]
    db.session.expire_all()
    assert {(r.state, r.attempts) for r in rows} == {("queued", 1)}
    smtp_server.start()
    _time_passes([r.id for r in rows])
    assert sweep_outbox() == 12
    assert rq_worker("emails", env=smtp_server.env()).returncode == 0
    queue_deliveries([r.id for r in rows])  # a stray duplicate of every job changes nothing
    assert rq_worker("emails", env=smtp_server.env()).returncode == 0
    db.session.expire_all()
    assert {(r.state, r.attempts) for r in rows} == {("sent", 2)}
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(r.to_address for r in rows)
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 12


@pytest.mark.integration
def test_a_worker_killed_mid_send_is_retried_and_sends_exactly_once(pg_committed, rq_worker, worker_env, redis_url,
                                                                   smtp_server, mail_to):
    mail_to()
    smtp_server.recorder.hold = threading.Event()
    row = add("invitation:killed")
    outbox.commit()
    process = subprocess.Popen(worker_command(redis_url, ("emails",), burst=False), cwd=ROOT,
                               env=worker_env(**smtp_server.env()), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert smtp_server.recorder.holding.wait(60), "the worker never reached the SMTP conversation"
        _kill_with_descendants(process.pid)  # the worker and the work horse sending the email die mid-send
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        smtp_server.recorder.hold.set()
    db.session.expire_all()
    assert (row.state, row.attempts) == ("sending", 1)  # claimed, never confirmed
    assert sweep_outbox() == 0  # while the dead sender's lease runs, nobody else sends it
    _time_passes([row.id])
    assert sweep_outbox() == 1
    assert rq_worker("emails", env=smtp_server.env()).returncode == 0
    db.session.expire_all()
    assert (row.state, row.attempts) == ("sent", 2)
    assert [m["Subject"] for m in smtp_server.messages] == ["Your Insurance Docs are needed"]


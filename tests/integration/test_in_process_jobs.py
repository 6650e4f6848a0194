"""Embedded mode's one worker thread: jobs run off the request, once per id, retried as on RQ, joined at the end."""

from __future__ import annotations

import io
import threading

import pytest
from rq import Retry
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

import integration.reading as reading
from fixtures.certgen import generate
from integration.deferred import InProcessJobs, in_process_jobs
from integration.extensions import db
from integration.models import Certificate, Submission
from tests import factories
from tests.conftest import build_app, emptied, make_settings, signed_in

COMPANY = 62
SIX = [generate(seed, "fillable") for seed in range(10, 16)]


class Gate:
    """Holds every reading at its start until opened; remembers whether a reading got past it before."""

    def __init__(self) -> None:
        self.entered, self.opened, self.passed = threading.Event(), threading.Event(), []

    def install(self, monkeypatch) -> None:
        read_file = reading.read_file

        def held(stored):
            self.entered.set()
            self.passed.append(self.opened.wait(120))
            return read_file(stored)

        monkeypatch.setattr(reading, "read_file", held)


@pytest.fixture
def gate(monkeypatch):
    """Readings held at their start; opened at the end whatever happened, so the worker thread can be joined."""
    held = Gate()
    held.install(monkeypatch)
    yield held
    held.opened.set()


@pytest.fixture(scope="module")
def threaded_app(tmp_path_factory):
    """The demo's wiring: SQLite, jobs on the worker thread."""
    folder = tmp_path_factory.mktemp("threaded")
    return build_app(make_settings(database_url=f"sqlite:///{folder / 'gapline.db'}",
                                   storage_path=str(folder / "files")), JOBS_IN_PROCESS="thread")


@pytest.fixture
def demo(threaded_app, tmp_path):
    with emptied(threaded_app, tmp_path / "files") as application:
        world = factories.company(COMPANY)
        second = factories.vendor(COMPANY, "Second Sub")
        db.session.commit()
        yield application, world, second
        in_process_jobs(application).stop()


def upload(client, vendor_id: int, documents) -> object:
    form = MultiDict([("files", FileStorage(io.BytesIO(d.data), filename=f"coi-{i}.pdf"))
                      for i, d in enumerate(documents)])
    boundary, body = encode_multipart(form)
    return client.post(f"/procore/companies/{COMPANY}/vendors/{vendor_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def states() -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(Submission.state).order_by(Submission.id)))


def test_six_files_are_answered_while_their_reading_is_still_held(demo, gate):
    app, world, _ = demo
    client = signed_in(app, world["admin"])
    answer = upload(client, world.vendor.id, SIX)
    assert answer.status_code == 303 and gate.passed == []  # answered; no reading got past the gate
    assert gate.entered.wait(60)  # the worker thread is reading, off the request
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Received 6 files; they are being read" in page and page.count("Reading…") == 6
    status = client.get(f"/procore/companies/{COMPANY}/vendors/{world.vendor.id}/reading").get_json()
    assert status["reading"] is True and [f["state"] for f in status["files"]] == ["reading"] * 6
    gate.opened.set()
    assert in_process_jobs(app).wait_idle(120)
    status = client.get(f"/procore/companies/{COMPANY}/vendors/{world.vendor.id}/reading").get_json()
    assert status["reading"] is False and {f["state"] for f in status["files"]} <= {"read", "needs_review"}
    assert states() == ["evaluated"] or states() == ["needs_review"]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 6


def test_two_users_upload_at_once_while_a_reading_is_held_and_both_are_kept(demo, gate):
    app, world, second = demo
    first = upload(signed_in(app, world["admin"]), world.vendor.id, SIX[:2])
    assert first.status_code == 303 and gate.entered.wait(60)  # a reading is under way on the worker thread
    start, answers = threading.Barrier(2), {}

    def send(name, client, vendor_id, documents):
        start.wait(30)
        answers[name] = upload(client, vendor_id, documents).status_code

    admin, manager = signed_in(app, world["admin"]), signed_in(app, world["compliance_manager"])  # signed in here:
    users = [threading.Thread(target=send, args=("admin", admin, second.id, SIX[2:4])),  # the threads only upload
             threading.Thread(target=send, args=("manager", manager, world.vendor.id, SIX[4:]))]
    for each in users:
        each.start()
    for each in users:
        each.join(120)
    assert answers == {"admin": 303, "manager": 303} and len(states()) == 3
    assert gate.passed == []  # both answered while the first reading was still held
    gate.opened.set()
    assert in_process_jobs(app).wait_idle(180)
    assert set(states()) <= {"evaluated", "needs_review"} and len(states()) == 3


def test_a_job_id_waits_once_and_a_failed_job_is_retried_after_its_interval(threaded_app):
    now = [1000.0]
    jobs = InProcessJobs(threaded_app, inline=True, clock=lambda: now[0])
    runs: list[int] = []

    def flaky(n: int) -> None:
        runs.append(n)
        if len(runs) < 3:
            raise RuntimeError("not yet")

    assert jobs.schedule("job-1", 0, flaky, 1, retry=Retry(max=2, interval=[30, 120])) is True
    assert jobs.schedule("job-1", 0, flaky, 1) is False  # the same id waits once
    deferred = jobs._take("job-1")
    for expected_wait in (30, 120):
        jobs._run(deferred)
        assert [each.run_at for each in jobs.waiting()] == [now[0] + expected_wait]
        now[0] += expected_wait
        deferred = jobs._take("job-1")
    jobs._run(deferred)
    assert runs == [1, 1, 1] and jobs.waiting() == [] and jobs.failed == {}


def test_a_job_that_fails_past_its_retries_is_recorded(threaded_app):
    jobs = InProcessJobs(threaded_app, inline=True)

    def broken() -> None:
        raise ValueError("always")

    jobs.schedule("broken", 0, broken, retry=Retry(max=1, interval=0))
    jobs._run(jobs._take("broken"))
    jobs._run(jobs._take("broken"))
    assert jobs.waiting() == [] and jobs.failed == {"broken": "ValueError: always"}


def test_the_worker_thread_is_stopped_and_joined(threaded_app):
    jobs = InProcessJobs(threaded_app)
    ran = threading.Event()
    jobs.schedule(None, 0, ran.set)
    assert ran.wait(30) and jobs.wait_idle(30)
    thread = jobs._thread
    jobs.stop()
    assert thread is not None and not thread.is_alive()
    assert jobs.schedule(None, 0, ran.clear) is True and jobs._thread is thread  # stopped stays stopped


def test_another_thread_never_runs_in_the_tests_session(app):
    """A job thread (or a late request) that used the test's connection would write inside the test's transaction."""
    from integration.models import Installation

    factories.installation(COMPANY + 100)
    db.session.commit()  # a savepoint of the test's transaction: no other connection sees it
    seen = []

    def look() -> None:
        with app.app_context():
            seen.append(db.session.scalar(select(func.count()).select_from(Installation)))

    other = threading.Thread(target=look)
    other.start()
    other.join(30)
    assert seen == [0] and db.session.scalar(select(func.count()).select_from(Installation)) == 1

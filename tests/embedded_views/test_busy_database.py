"""The demo's SQLite under a second writer: WAL, a busy timeout, a "busy, try again" page, and an honest /healthz."""

from __future__ import annotations

import io
import sqlite3
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

import integration.reading as reading
from fixtures.certgen import generate
from integration.extensions import db
from integration.extraction.intake import IncomingFile
from integration.models import Certificate, StoredFile, Submission
from integration.submissions import receive
from tests import factories
from tests.conftest import build_app, emptied, make_settings, signed_in

COMPANY = 61
PDF = generate(2, "fillable")


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory):
    """A SQLite app whose writes wait only a fifth of a second for another writer."""
    folder = tmp_path_factory.mktemp("busy")
    return build_app(make_settings(database_url=f"sqlite:///{folder / 'gapline.db'}", sqlite_busy_seconds=0.2,
                                   storage_path=str(folder / "files")))


@pytest.fixture
def committed(busy_app, tmp_path):
    with emptied(busy_app, tmp_path / "files") as application:
        world = factories.company(COMPANY)
        db.session.commit()
        yield application, world


def database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


@contextmanager
def another_writer(app):
    """A second process's connection holding SQLite's write lock until the block ends."""
    other = sqlite3.connect(database_file(app), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def upload(client, vendor_id: int, *files: tuple[str, bytes], accept: str = "text/html"):
    form = MultiDict([("files", FileStorage(io.BytesIO(content), filename=name)) for name, content in files])
    boundary, body = encode_multipart(form)
    return client.post(f"/procore/companies/{COMPANY}/vendors/{vendor_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", headers={"Accept": accept})


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                 for model in (Submission, StoredFile, Certificate))


def test_the_demo_database_runs_in_wal_mode(committed):
    with sqlite3.connect(database_file(committed[0])) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_locked_database_answers_busy_in_words_and_writes_nothing(committed):
    app, world = committed
    client = signed_in(app, world["admin"])
    with another_writer(app):
        page = upload(client, world.vendor.id, ("coi.pdf", PDF.data))
        body = page.get_data(as_text=True)
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "Gapline is busy" in body and "Try again in a few seconds" in body
        assert "OperationalError" not in body and "locked" not in body
        script = upload(client, world.vendor.id, ("coi.pdf", PDF.data), accept="application/json")
        assert script.status_code == 503 and "Gapline is busy" in script.get_json()["error"]
        assert client.get(f"/procore/companies/{COMPANY}/vendors/{world.vendor.id}").status_code == 200  # reads go on
    assert counts() == (0, 0, 0)
    assert upload(client, world.vendor.id, ("coi.pdf", PDF.data)).status_code == 303  # free again: it works
    assert counts()[:2] == (1, 1)


def test_healthz_says_not_ok_while_another_writer_holds_the_database(committed):
    app, _ = committed
    client = app.test_client()
    with another_writer(app):
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["ok"] is False and health.get_json()["database"] == "error: OperationalError"
    again = client.get("/healthz")
    assert again.status_code == 200 and again.get_json()["database"] == "ok"


def test_healthz_touches_a_real_table(committed):
    app, _ = committed
    with sqlite3.connect(database_file(app)) as other:
        other.execute("ALTER TABLE installations RENAME TO installations_away")
    try:
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "error: OperationalError"
    finally:
        with sqlite3.connect(database_file(app)) as other:
            other.execute("ALTER TABLE installations_away RENAME TO installations")


def test_reading_holds_no_write_lock_while_it_reads_a_file(committed, monkeypatch):
    """While the reader works on its second file, another connection can write: the first file's save is committed."""
    app, world = committed
    received = receive(COMPANY, world.vendor.id, [IncomingFile("a.pdf", PDF.data),
                                                  IncomingFile("b.pdf", generate(3, "fillable").data)], "staff_upload")
    read_file, writes = reading.read_file, []

    def read_while_someone_writes(stored):
        other = sqlite3.connect(database_file(app), timeout=0.2)
        try:
            other.execute("UPDATE vendors SET trade = 'Electrical' WHERE id = ?", (world.vendor.id,))
            other.commit()
            writes.append(stored.filename)
        finally:
            other.close()
        return read_file(stored)

    monkeypatch.setattr(reading, "read_file", read_while_someone_writes)
    assert reading.read_submission(COMPANY, received.submission.id, date.today()).state in {"evaluated",
                                                                                           "needs_review"}
    assert writes == ["a.pdf", "b.pdf"] and counts() == (1, 2, 2)

"""Documents end to end on the unit tier: upload refusals store nothing, reading, serving, review corrections."""

from __future__ import annotations

import io
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from fixtures.certgen import generate
from integration.certificate import ExtractedCertificate
from integration.compliance.evaluate import evaluate
from integration.compliance.tiers import company_default
from integration.extensions import db
from integration.models import AuditEvent, Certificate, Evaluation, StoredFile, Submission
from tests import bad_files, factories
from tests.conftest import signed_in

COMPANY = 77


@pytest.fixture
def world(database) -> factories.Company:
    mine = factories.company(COMPANY, legal_name="Sub LLC")
    factories.installation(78, "Other GC")
    db.session.commit()
    return mine


@pytest.fixture
def foreign(world):
    row = factories.vendor(78, "Theirs")
    db.session.commit()
    return row


def upload(client, vendor_id: int, *files: tuple[str, bytes], company=COMPANY):
    form = MultiDict([("files", FileStorage(io.BytesIO(content), filename=name)) for name, content in files])
    # Encoded in memory: the test client would spool a large body to a temp file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(f"/procore/companies/{company}/vendors/{vendor_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored_count() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Submission)),
            db.session.scalar(select(func.count()).select_from(StoredFile)))


def storage_files(app) -> list:
    from pathlib import Path

    root = Path(app.config["GAPLINE"].storage_path)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


PDF = generate(1, "fillable")


@pytest.mark.parametrize(("files", "message"), [
    ([("a.pdf", PDF.data)] * 7, "at most 6 files"),
    ([("empty.pdf", b"")], "empty.pdf: the file is empty"),
    ([("notes.pdf", b"just some text, not a PDF")], "notes.pdf"),
    ([("ok.pdf", PDF.data), ("broken.pdf", b"%PDF-1.7\n garbage without structure")], "broken.pdf"),
    ([("locked.pdf", bad_files.encrypted_pdf())], "locked.pdf"),
    ([("long.pdf", bad_files.pdf(pages=31))], "long.pdf"),
    ([("bomb.png", bad_files.png_header_only(30_000, 30_000))], "decompression bomb"),
    ([("photo.pdf", bad_files.jpeg()), ("x.docx", b"PK\x03\x04 a word file")], "x.docx"),
])
def test_a_refused_upload_stores_nothing_and_says_why(database, world, files, message):
    client = signed_in(database, world["admin"])
    page = client.get(upload(client, world.vendor.id, *files).headers["Location"]).get_data(as_text=True)
    assert "Nothing was uploaded" in page and message in page
    assert stored_count() == (0, 0) and storage_files(database) == []


def test_an_oversized_file_is_refused_by_name(database, world, monkeypatch):
    monkeypatch.setattr("integration.extraction.intake.MAX_BYTES", 1000)
    client = signed_in(database, world["admin"])
    page = client.get(upload(client, world.vendor.id, ("big.pdf", PDF.data)).headers["Location"])
    assert "big.pdf" in page.get_data(as_text=True) and "over the limit" in page.get_data(as_text=True)
    assert stored_count() == (0, 0)


def test_viewers_cannot_upload_and_foreign_vendors_are_not_found(database, world, foreign):
    assert upload(signed_in(database, world["viewer"]), world.vendor.id, ("a.pdf", PDF.data)).status_code == 403
    admin = signed_in(database, world["admin"])
    assert upload(admin, foreign.id, ("a.pdf", PDF.data)).status_code == 404
    assert stored_count() == (0, 0)


def test_upload_reads_evaluates_and_serves_the_file_as_an_attachment(database, world):
    client = signed_in(database, world["compliance_manager"])
    assert upload(client, world.vendor.id, ("coi.pdf", PDF.data)).status_code == 303
    certificate = db.session.scalar(select(Certificate))
    assert certificate.ok and certificate.method == "acroform"
    # The true values, trusted as the reader trusted what it read (a value it recorded no confidence for is not).
    truth = ExtractedCertificate.from_dict(PDF.truth).confirmed(tuple(certificate.content.fields))
    expected = evaluate([truth], company_default(), None, date.today(), vendor="Sub LLC",
                        gc_legal_name=world.installation.company_name).status
    assert db.session.scalar(select(Evaluation.status)) == expected  # the stored path agrees with the engine
    stored = db.session.scalar(select(StoredFile))
    response = client.get(f"/procore/companies/{COMPANY}/files/{stored.id}")
    assert response.data == PDF.data
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/procore/companies/{COMPANY}/files/{stored.id}/pages/1.png").mimetype == "image/png"
    page = client.get(f"/procore/companies/{COMPANY}/vendors/{world.vendor.id}")
    assert page.status_code == 200
    body = unescape(page.get_data(as_text=True).split("<body", 1)[1])
    assert "Read from the PDF's form fields" in body and "acroform" not in body  # how it was read, in words


def test_the_same_file_twice_is_recognised_and_not_read_again(database, world):
    client = signed_in(database, world["admin"])
    upload(client, world.vendor.id, ("coi.pdf", PDF.data))
    upload(client, world.vendor.id, ("coi-again.pdf", PDF.data))
    first, second = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()
    assert second.duplicate_of_id == first.id and second.storage_key == first.storage_key
    assert len(storage_files(database)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_files_of_another_company_are_not_served(database, world):
    client = signed_in(database, world["admin"])
    upload(client, world.vendor.id, ("coi.pdf", PDF.data))
    stored = db.session.scalar(select(StoredFile))
    outsider = factories.user(78, "admin")
    db.session.commit()
    assert signed_in(database, outsider).get(f"/procore/companies/{COMPANY}/files/{stored.id}").status_code == 403
    assert signed_in(database, outsider).get(f"/procore/companies/78/files/{stored.id}").status_code == 404


def test_review_corrections_are_validated_audited_and_reevaluate(database, world):
    client = signed_in(database, world["admin"])
    upload(client, world.vendor.id, ("coi.pdf", PDF.data))
    certificate = db.session.scalar(select(Certificate))
    certificate.needs_review = True
    db.session.commit()
    assert f"/review/{certificate.id}" in client.get(f"/procore/companies/{COMPANY}/review/").get_data(as_text=True)
    bad = client.post(f"/procore/companies/{COMPANY}/review/{certificate.id}",
                      data={"policies.0.expiration_date": "next year"})
    assert "enter a date as YYYY-MM-DD" in client.get(bad.headers["Location"]).get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.needs_review is True
    versions = db.session.scalar(select(func.count()).select_from(Evaluation))
    ok = client.post(f"/procore/companies/{COMPANY}/review/{certificate.id}",
                     data={"policies.0.limits.each_occurrence": "$3,000,000"})
    assert ok.status_code == 303
    db.session.refresh(certificate)
    assert certificate.needs_review is False
    assert certificate.content.policies[0].limits["each_occurrence"] == 3_000_000
    assert certificate.extracted.policies[0].limits == PDF.truth["policies"][0]["limits"]  # as read
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reviewed"))
    assert event.after == {"policies.0.limits.each_occurrence": 3_000_000}
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) >= versions
    assert signed_in(database, world["viewer"]).get(f"/procore/companies/{COMPANY}/review/").status_code == 403


def test_a_reading_that_fails_marks_the_submission_failed_and_writes_no_certificate(database, world, monkeypatch):
    from integration.storage import StorageError

    def lost(key):
        raise StorageError(f"no document stored under {key!r}")

    client = signed_in(database, world["admin"])
    monkeypatch.setattr("integration.storage.LocalStorage.get", lambda self, key: lost(key))
    response = upload(client, world.vendor.id, ("coi.pdf", PDF.data))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Received 1 file, kept safely, but Gapline could not read it just now; it can be read again" in page
    assert "StorageError" not in page and "no document stored under" not in page  # words, not internals
    assert db.session.scalar(select(Submission.state)) == "failed"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1  # the upload itself is kept


def test_the_upload_message_counts_one_file_and_several_files_in_plain_words(database, world):
    client = signed_in(database, world["admin"])
    one = client.get(upload(client, world.vendor.id, ("coi.pdf", PDF.data)).headers["Location"]).get_data(as_text=True)
    assert "Received 1 file; it is being read" in one and "file(s)" not in one
    two = upload(client, world.vendor.id, ("a.pdf", PDF.data), ("b.pdf", PDF.data + b"\n"))
    page = client.get(two.headers["Location"]).get_data(as_text=True)
    assert "Received 2 files; they are being read" in page and "file(s)" not in page

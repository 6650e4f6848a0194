"""Intake is all or nothing: a failure while storing removes what this call wrote, and records nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fixtures.certgen import generate
from integration.extensions import db
from integration.extraction.intake import IncomingFile
from integration.models import AuditEvent, StoredFile, Submission
from integration.storage import get_storage
from integration.submissions import SubmissionRefused, receive
from tests import factories


@pytest.fixture
def vendor(app):
    factories.installation(4)
    row = factories.vendor(4)
    db.session.commit()
    return row


def counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Submission, StoredFile, AuditEvent))


def test_a_storage_failure_part_way_leaves_nothing(vendor, monkeypatch, tmp_path):
    storage = get_storage()
    real_put, calls = storage.put, []

    def flaky_put(key, data):
        calls.append(key)
        if len(calls) == 2:
            raise OSError("bucket unavailable")
        real_put(key, data)

    monkeypatch.setattr(storage, "put", flaky_put)
    files = [IncomingFile("a.pdf", generate(1, "fillable").data), IncomingFile("b.pdf", generate(2, "fillable").data)]
    with pytest.raises(OSError, match="bucket unavailable"):
        receive(4, vendor.id, files, "staff_upload")
    assert counts() == (0, 0, 0)
    assert not storage.exists(calls[0])


def test_a_foreign_vendor_or_project_is_refused_before_anything_is_read(vendor):
    with pytest.raises(SubmissionRefused, match="not one of this company's vendors"):
        receive(5, vendor.id, [IncomingFile("a.pdf", b"%PDF")], "staff_upload")
    with pytest.raises(SubmissionRefused, match="Project 999"):
        receive(4, vendor.id, [IncomingFile("a.pdf", b"%PDF")], "staff_upload", project_id=999)
    assert counts() == (0, 0, 0)


def test_an_accepted_submission_is_stored_completely(vendor):
    files = [IncomingFile(f"{n}.pdf", generate(n, "fillable").data) for n in range(3)]
    received = receive(4, vendor.id, files, "staff_upload", submitted_by="office@sub.test")
    stored = db.session.scalars(select(StoredFile).order_by(StoredFile.position)).all()
    assert [s.filename for s in stored] == ["0.pdf", "1.pdf", "2.pdf"]
    assert all(get_storage().get(s.storage_key) == f.data for s, f in zip(stored, files, strict=True))
    assert received.submission.submitted_by_email == "office@sub.test" and received.duplicates == []

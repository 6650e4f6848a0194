"""An upload read by a real RQ worker against real PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fixtures.certgen import generate
from integration.extraction.intake import IncomingFile
from integration.models import Certificate, Evaluation, Submission
from integration.submissions import receive
from sync_jobs.reading import queue_reading
from tests import factories

pytestmark = pytest.mark.integration


def test_a_fillable_certificate_is_read_and_evaluated_by_the_worker(pg_committed, rq_worker):
    db = pg_committed
    factories.installation(5)
    vendor = factories.vendor(5)
    db.session.commit()
    document = generate(3, "fillable")
    received = receive(5, vendor.id, [IncomingFile("coi.pdf", document.data)], "staff_upload")
    assert queue_reading(5, received.submission.id).ran_inline is False
    worker = rq_worker("high")
    assert worker.returncode == 0, worker.stderr[-2000:]
    db.session.expire_all()
    assert db.session.get(Submission, received.submission.id).state in {"evaluated", "needs_review"}
    certificate = db.session.scalar(select(Certificate))
    assert certificate.method == "acroform"
    assert certificate.content.to_dict()["policies"] == document.truth["policies"]
    assert db.session.scalar(select(Evaluation.vendor_id)) == vendor.id

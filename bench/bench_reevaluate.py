"""Bulk re-evaluation after a requirement change: every vendor of a company, on real PostgreSQL.

Size: BENCH_REEVAL_VENDORS (default 1000), each with one certificate and one project assignment.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "compliance" / "certificate_acme_drywall.json"


def _seed(db, count: int) -> None:
    from integration.certificate import ExtractedCertificate
    from integration.models import (
        Certificate,
        Installation,
        Project,
        ProjectAssignment,
        StoredFile,
        Submission,
        Vendor,
    )

    cert = ExtractedCertificate.from_dict(json.loads(SAMPLE.read_text()))
    db.session.add(Installation(company_id=1, company_name="Bench GC"))
    db.session.flush()
    projects = [Project(company_id=1, procore_project_id=n, name=f"Project {n}") for n in range(5)]
    vendors = [Vendor(company_id=1, procore_vendor_id=n, name=f"Sub {n}", legal_name="Acme Drywall, LLC")
               for n in range(count)]
    db.session.add_all([*projects, *vendors])
    db.session.flush()
    submissions = [Submission(company_id=1, vendor_id=v.id, channel="staff_upload") for v in vendors]
    db.session.add_all(submissions)
    db.session.flush()
    files = [StoredFile(company_id=1, submission_id=s.id, filename="coi.pdf", content_type="application/pdf",
                        size_bytes=1, sha256=f"{s.id:064d}", storage_key=f"k{s.id}") for s in submissions]
    db.session.add_all(files)
    db.session.flush()
    db.session.add_all(Certificate(company_id=1, stored_file_id=f.id, vendor_id=v.id, ok=True, needs_review=False,
                                   content=cert) for f, v in zip(files, vendors, strict=True))
    db.session.add_all(ProjectAssignment(company_id=1, project_id=projects[i % 5].id, vendor_id=v.id)
                       for i, v in enumerate(vendors))
    db.session.commit()


def reevaluate():
    """Yield one line: vendors re-evaluated (company level plus one assignment each), seconds, ms per vendor."""
    from integration.compliance.tiers import COMPANY_DEFAULT
    from integration.extensions import db
    from integration.requirement_sets import save_set
    from sync_jobs.compliance import reevaluate_company
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase

    count = int(os.environ.get("BENCH_REEVAL_VENDORS", "1000"))
    database = PostgresDatabase.create()
    try:
        app = build_app(make_settings(database_url=database.url, storage_path=tempfile.mkdtemp()))
        with app.app_context():
            _seed(db, count)
            reevaluate_company(1, "bench_first", "2026-03-01")
            changed = json.loads(json.dumps(COMPANY_DEFAULT))
            changed["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
            save_set(1, changed, None)
            db.session.commit()
            started = time.perf_counter()
            done = reevaluate_company(1, "requirements_changed", "2026-03-01")
            seconds = time.perf_counter() - started
            db.engine.dispose()
    finally:
        database.drop()
    yield {"vendors": done, "evaluations": done * 2, "seconds": round(seconds, 2),
           "per_vendor_ms": round(1000 * seconds / done, 1)}


BENCHMARKS = [("reevaluate", reevaluate)]

"""The Compliance Hub table: page 1 for a project with 5,000 assignments, on real PostgreSQL.

Size: BENCH_HUB_ASSIGNMENTS (default 5000) vendors on the project, each with one to three yearly
certificates (about two on average), beside a second project of 1,000 so the query must pick its rows.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date

RUNS = 200


def _seed(db, count: int) -> int:
    from sqlalchemy import insert

    from integration.certificate import ExtractedCertificate, Policy
    from integration.models import (
        Certificate,
        Installation,
        Project,
        ProjectAssignment,
        StoredFile,
        Submission,
        Vendor,
    )

    db.session.add(Installation(company_id=1, company_name="Bench GC"))
    db.session.flush()
    main, other = Project(company_id=1, procore_project_id=1, name="Big"), Project(company_id=1, procore_project_id=2)
    db.session.add_all([main, other])
    db.session.flush()
    total = count + 1000
    db.session.execute(insert(Vendor), [{"company_id": 1, "procore_vendor_id": n, "name": f"Sub {n:05d}"}
                                        for n in range(total)])
    vendor_ids = db.session.scalars(db.select(Vendor.id).order_by(Vendor.id)).all()
    db.session.execute(insert(ProjectAssignment), [
        {"company_id": 1, "project_id": main.id if i < count else other.id, "vendor_id": v,
         "work_starts_on": date(2024, 3, 1) if i % 4 == 0 else None} for i, v in enumerate(vendor_ids)])
    db.session.execute(insert(Submission), [{"company_id": 1, "vendor_id": v, "channel": "staff_upload"}
                                            for v in vendor_ids])
    submissions = db.session.execute(db.select(Submission.id, Submission.vendor_id)).all()
    db.session.execute(insert(StoredFile), [
        {"company_id": 1, "submission_id": s, "position": year, "filename": f"coi-{year}.pdf",
         "content_type": "application/pdf", "size_bytes": 1, "sha256": f"{s:060d}{year:04d}", "storage_key": f"k{s}"}
        for s, v in submissions for year in range(2024, 2025 + v % 3)])
    files = db.session.execute(db.select(StoredFile.id, Submission.vendor_id, StoredFile.position)
                               .join(Submission, Submission.id == StoredFile.submission_id)).all()
    certificates = []
    for file_id, vendor_id, year in files:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
        content = ExtractedCertificate(file=f"coi-{year}.pdf", needs_review=False,
                                       policies=(Policy("general_liability", effective_date=start,
                                                        expiration_date=end),))
        certificates.append({"company_id": 1, "stored_file_id": file_id, "vendor_id": vendor_id, "ok": True,
                             "needs_review": False, "data": content, "extracted_data": content,
                             "covers_from": start, "covers_to": end})
    db.session.execute(insert(Certificate.__table__), certificates)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum leaves a table at rest: statistics, visibility map
    return main.id


def hub_table():
    """Yield one line: assignments on the project, and the p50 and p95 of page 1 in milliseconds."""
    from integration.compliance_hub.table import HubFilter, table_page
    from integration.extensions import db
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase

    count = int(os.environ.get("BENCH_HUB_ASSIGNMENTS", "5000"))
    database = PostgresDatabase.create()
    try:
        app = build_app(make_settings(database_url=database.url, storage_path=tempfile.mkdtemp()))
        with app.app_context():
            project_id = _seed(db, count)
            for _ in range(10):  # warm the connection pool and the plan cache
                table_page(1, project_id, HubFilter())
            timings, rows = [], 0
            for _ in range(RUNS):
                started = time.perf_counter()
                page = table_page(1, project_id, HubFilter())
                timings.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
                rows = page.total
            db.engine.dispose()
    finally:
        database.drop()
    timings.sort()
    yield {"assignments": count, "p50_ms": round(statistics.median(timings), 1),
           "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1), "rows": rows}


BENCHMARKS = [("hub_table", hub_table)]

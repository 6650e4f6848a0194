"""Bulk re-evaluation after a requirement change: every vendor of a company, on real PostgreSQL.

Size: BENCH_REEVAL_VENDORS (default 10000), each with a certificate (a few kinds: compliant, a low limit,
no umbrella, or nothing sent) and one project assignment; the change raises a limit, so most vendors get a
new version. Wall seconds depend on what else the machine runs; CPU seconds (this process, and the database
server's backend serving it) do not, so both are printed.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "compliance" / "certificate_acme_drywall.json"


def _kinds() -> list[dict | None]:
    """The certificates vendors sent, in turn: the sample, a low GL limit, no umbrella row, nothing."""
    low, no_umbrella = json.loads(SAMPLE.read_text()), json.loads(SAMPLE.read_text())
    next(p for p in low["policies"] if p["line"] == "general_liability")["limits"]["each_occurrence"] = 500_000
    no_umbrella["policies"] = [p for p in no_umbrella["policies"] if p["line"] != "umbrella_liability"]
    no_umbrella["fields"] = {k: v for k, v in no_umbrella["fields"].items() if not k.startswith("policies.")}
    return [json.loads(SAMPLE.read_text()), low, json.loads(SAMPLE.read_text()), no_umbrella, None]


def _seed(db, count: int) -> None:
    from integration.certificate import ExtractedCertificate
    from integration.models import Certificate, Installation, Project, ProjectAssignment, StoredFile, Submission, Vendor

    kinds = [ExtractedCertificate.from_dict(kind) if kind else None for kind in _kinds()]
    db.session.add(Installation(company_id=1, company_name="Bench GC"))
    db.session.flush()
    projects = [Project(company_id=1, procore_project_id=n, name=f"Project {n}") for n in range(5)]
    vendors = [Vendor(company_id=1, procore_vendor_id=n, name=f"Sub {n}", legal_name="Acme Drywall, LLC")
               for n in range(count)]
    db.session.add_all([*projects, *vendors])
    db.session.flush()
    senders = [(v, kinds[n % len(kinds)]) for n, v in enumerate(vendors) if kinds[n % len(kinds)]]
    submissions = [Submission(company_id=1, vendor_id=v.id, channel="staff_upload") for v, _ in senders]
    db.session.add_all(submissions)
    db.session.flush()
    files = [StoredFile(company_id=1, submission_id=s.id, filename="coi.pdf", content_type="application/pdf",
                        size_bytes=1, sha256=f"{s.id:064d}", storage_key=f"k{s.id}") for s in submissions]
    db.session.add_all(files)
    db.session.flush()
    db.session.add_all(Certificate(company_id=1, stored_file_id=f.id, vendor_id=v.id, ok=True, needs_review=False,
                                   content=cert) for f, (v, cert) in zip(files, senders, strict=True))
    db.session.add_all(ProjectAssignment(company_id=1, project_id=projects[i % 5].id, vendor_id=v.id)
                       for i, v in enumerate(vendors))
    db.session.commit()


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _backend_cpu_seconds(db) -> float | None:
    """CPU seconds of the PostgreSQL backend serving this session (None when its /proc entry is not readable)."""
    pid = db.session.scalar(db.text("SELECT pg_backend_pid()"))
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reevaluate():
    """Yield one line: vendors re-evaluated (company level plus one assignment each), wall and CPU seconds."""
    from integration.compliance.tiers import COMPANY_DEFAULT
    from integration.extensions import db
    from integration.requirement_sets import save_set
    from sync_jobs.compliance import reevaluate_company
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase

    count = int(os.environ.get("BENCH_REEVAL_VENDORS", "10000"))
    database = PostgresDatabase.create()
    try:
        app = build_app(make_settings(database_url=database.url, storage_path=tempfile.mkdtemp()))
        with app.app_context():
            _seed(db, count)
            reevaluate_company(1, "first", "2026-03-01")
            changed = json.loads(json.dumps(COMPANY_DEFAULT))
            changed["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
            save_set(1, changed, None)
            db.session.commit()
            backend = _backend_cpu_seconds(db)
            started, cpu = time.perf_counter(), _cpu_seconds()
            done = reevaluate_company(1, "requirements_changed", "2026-03-01")
            seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            backend_after = _backend_cpu_seconds(db)
            db.engine.dispose()
    finally:
        database.drop()
    db_cpu = round(backend_after - backend, 2) if backend is not None and backend_after is not None else None
    yield {"vendors": done, "evaluations": done * 2, "seconds": round(seconds, 2),
           "per_vendor_ms": round(1000 * seconds / done, 2), "cpu_seconds": round(cpu, 2),
           "cpu_per_vendor_ms": round(1000 * cpu / done, 2), "db_cpu_seconds": db_cpu}


BENCHMARKS = [("reevaluate", reevaluate)]

"""The project compliance table served by gunicorn to 50 concurrent clients, beside a bare Flask endpoint.

PostgreSQL holds BENCH_TABLE_VENDORS (default 5000) vendors on one project, each with a current evaluation
(a third of them with one to five open gaps), most with a certificate of four coverage lines, and a request
for every fourth; a second project of 500 vendors is there so the queries must pick their rows. Both apps
run on the same gunicorn settings (the Procfile's: gunicorn.conf.py, sync workers, WEB_CONCURRENCY or 3); each
is loaded by BENCH_CLIENTS (default 50) clients for BENCH_SECONDS (default 10) after a warm-up, in BENCH_ROUNDS
(default 3) turns of floor then table, whose answers are added up (rps over all of them, p99 of all their
latencies). The
table page is page 1 in its default order (not compliant and expiring first), the heaviest sort; ratio is its rps
over the floor's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
TABLE_PATH = "/procore/companies/1/projects/1"
TABLE_MARK = b'<table class="dense compliance-table">'  # in every table answer (vendors/_table.html)
FLOOR_MARK = b"<p>ok</p>"
STATUSES = ("compliant", "not_compliant", "expired", "nothing_received", "under_review", "compliant")


def floor_app() -> Flask:
    """The floor: a bare Flask endpoint with a small HTML answer (``bench.bench_vendor_table:floor_app()``)."""
    app = Flask("floor")
    app.add_url_rule("/", "index", lambda: "<!doctype html><title>floor</title><p>ok</p>")
    return app


def _seed(db, count: int) -> int:
    from sqlalchemy import insert

    from integration import procore_visibility
    from integration.certificate import ExtractedCertificate, Policy
    from integration.models import (
        AppUser,
        Certificate,
        CertificatePolicy,
        CoverageGap,
        Evaluation,
        Installation,
        OutreachRequest,
        Project,
        ProjectAssignment,
        StoredFile,
        Submission,
        Vendor,
    )
    from integration.vendor_summary import rebuild

    today = date.today()
    db.session.add(Installation(company_id=1, company_name="Bench GC"))
    db.session.flush()
    admin = AppUser(company_id=1, procore_user_id=1, email="admin@bench.test", role="admin")
    main, other = Project(company_id=1, procore_project_id=1, name="Big"), Project(company_id=1, procore_project_id=2)
    db.session.add_all([admin, main, other])
    db.session.flush()
    # As a sign-in through Procore records it (integration.connections.complete_sign_in): a new session generation
    # and what Procore shows the admin, their company and both projects, read now (trusted for MAX_AGE).
    admin.session_generation += 1
    procore_visibility.record(admin, [1], [main.procore_project_id, other.procore_project_id])
    total = count + 500
    db.session.execute(insert(Vendor), [{"company_id": 1, "procore_vendor_id": n, "name": f"Sub {n:05d}",
                                         "trade": ("Electrical", "Drywall", "Roofing")[n % 3],
                                         "status": STATUSES[n % len(STATUSES)]} for n in range(total)])
    vendors = db.session.execute(db.select(Vendor.id, Vendor.status).order_by(Vendor.id)).all()
    db.session.execute(insert(ProjectAssignment), [
        {"company_id": 1, "project_id": main.id if i < count else other.id, "vendor_id": v, "status": s}
        for i, (v, s) in enumerate(vendors)])
    assignments = db.session.execute(db.select(ProjectAssignment.id, ProjectAssignment.vendor_id,
                                               ProjectAssignment.status)).all()
    evaluations = [{"company_id": 1, "vendor_id": v, "assignment_id": a, "version": 1, "is_current": True,
                    "evaluated_for": today, "status": s} for a, v, s in assignments]
    evaluations += [{"company_id": 1, "vendor_id": v, "assignment_id": None, "version": 1, "is_current": True,
                     "evaluated_for": today, "status": s} for v, s in vendors]
    db.session.execute(insert(Evaluation), evaluations)
    ids = db.session.execute(db.select(Evaluation.id, Evaluation.status)).all()
    db.session.execute(insert(CoverageGap), [
        {"company_id": 1, "evaluation_id": e, "gap_key": f"line.item{k}", "code": "limit_low", "state": "open"}
        for e, s in ids if s in ("not_compliant", "expired") for k in range(1 + e % 5)])
    db.session.execute(insert(Submission), [{"company_id": 1, "vendor_id": v, "channel": "staff_upload",
                                             "state": "evaluated"} for v, s in vendors if s != "nothing_received"])
    submissions = db.session.execute(db.select(Submission.id, Submission.vendor_id)).all()
    db.session.execute(insert(StoredFile), [
        {"company_id": 1, "submission_id": s, "position": 0, "filename": "coi.pdf", "content_type": "application/pdf",
         "size_bytes": 1, "sha256": f"{s:064d}", "storage_key": f"k{s}"} for s, _ in submissions])
    files = db.session.execute(db.select(StoredFile.id, Submission.vendor_id)
                               .join(Submission, Submission.id == StoredFile.submission_id)).all()
    content = ExtractedCertificate(file="coi.pdf", needs_review=False, policies=(Policy("general_liability"),))
    db.session.execute(insert(Certificate.__table__), [
        {"company_id": 1, "stored_file_id": f, "vendor_id": v, "ok": True, "needs_review": False, "data": content,
         "extracted_data": content} for f, v in files])
    certificates = db.session.execute(db.select(Certificate.id, Certificate.vendor_id)).all()
    lines = ("general_liability", "automobile_liability", "umbrella_liability", "workers_compensation")
    db.session.execute(insert(CertificatePolicy), [
        {"company_id": 1, "certificate_id": c, "line": line,
         "expiration_date": today + timedelta(days=(v * 7 + n) % 400 - 30)}
        for c, v in certificates for n, line in enumerate(lines)])
    db.session.execute(insert(OutreachRequest), [
        {"company_id": 1, "vendor_id": v, "project_id": main.id, "kind": "invitation",
         "recipient_email": f"s{v}@b.test", "state": ("open", "non_responsive", "closed")[v % 3],
         "sequence": "invitation" if v % 3 == 0 else None}
        for v, _ in vendors[::4]])
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    rebuild(1)  # the seed wrote around the app's write paths: its table rows are filled as the migration fills them
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE vendor_summaries")
    return admin.id


def _cookie(app, user_id: int) -> str:
    """A signed session cookie for the bench's admin, as the browser would send it."""
    from embedded_views.auth import SESSION_KEY, claim_for
    from integration.extensions import db
    from integration.models import AppUser

    with app.test_request_context():
        claim = claim_for(db.session.get(AppUser, user_id)).to_dict()
        value = app.session_interface.get_signing_serializer(app).dumps({SESSION_KEY: claim, "_permanent": True})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


def _gunicorn(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    workers = os.environ.get("WEB_CONCURRENCY", "3")
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", workers, "--timeout", "60", "--log-level", "warning",
               "--chdir", str(ROOT), target]
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)


async def _client(port: int, request: bytes, expect: bytes, until: float, latencies: list[float],
                  errors: list[str]) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            answer = await reader.read()
            writer.close()
        except OSError as exc:
            errors.append(str(exc))
            continue
        if not answer.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")) or expect not in answer:
            errors.append(answer[:60].decode(errors="replace"))
        latencies.append((time.perf_counter() - started) * 1000)


async def _load(port: int, path: str, cookie: str, expect: bytes, clients: int,
                seconds: float) -> tuple[list[float], list[str]]:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_client(port, request, expect, until, latencies, errors) for _ in range(clients)))
    return latencies, errors


class BenchFailed(RuntimeError):
    """The page did not answer as it should (not 200, or not the expected content): no figure is worth printing."""


def _cpu_seconds(master: int) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master and its workers (Linux /proc; 0 elsewhere)."""
    ticks, total = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100, 0
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class Side:
    """One server's measurements, added up over the rounds: answers, seconds, latencies and its CPU seconds."""

    def __init__(self, port: int, path: str, expect: bytes, master: int) -> None:
        self.port, self.path, self.expect, self.master = port, path, expect, master
        self.latencies: list[float] = []
        self.seconds = self.cpu = 0.0

    def warm(self, cookie: str, clients: int, seconds: float) -> None:
        asyncio.run(_load(self.port, self.path, cookie, self.expect, clients, seconds))

    def round(self, cookie: str, clients: int, seconds: float) -> None:
        """Load it for ``seconds``; BenchFailed if any answer was not a 200 holding ``expect`` (a figure of
        refusals or error pages would measure the wrong page)."""
        cpu = _cpu_seconds(self.master)
        latencies, errors = asyncio.run(_load(self.port, self.path, cookie, self.expect, clients, seconds))
        self.cpu += _cpu_seconds(self.master) - cpu
        if errors:
            raise BenchFailed(f"{len(errors)} of {len(latencies)} answers from {self.path} were not 200 with "
                              f"{self.expect!r}; first: {errors[0]!r}")
        self.latencies += latencies
        self.seconds += seconds

    def figures(self) -> tuple[float, float, float]:
        """(requests per second, p99 ms, the server's CPU ms per request) over every round. CPU per request is
        the honest figure while other work shares the machine."""
        latencies = sorted(self.latencies)
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
        return len(latencies) / self.seconds, p99, self.cpu * 1000 / max(1, len(latencies))


def _check_table(app, cookie: str, path: str, count: int) -> str:
    """One request through the app before the load: a 200 with the project's table and a full first page.

    Returns the session cookie as a browser holds it after that first page (with the CSRF token the page put in
    the session), which the clients then send, as a browser sends back what it was given.
    """
    from integration.vendor_table import PAGE_SIZE

    name, value = cookie.split("=", 1)
    with app.test_client() as client:
        client.set_cookie(name, value, domain="localhost")
        answer = client.get(path)
        kept = client.get_cookie(name, domain="localhost")
    body = answer.get_data(as_text=True)
    rows = body.count("<tr data-vendor-id=")
    if answer.status_code != 200 or TABLE_MARK.decode() not in body or rows != min(count, PAGE_SIZE) \
            or f"{count} vendors" not in body:
        raise BenchFailed(f"{path} answered {answer.status_code} with {rows} rows (want 200, the table of {count} "
                          f"vendors, {min(count, PAGE_SIZE)} rows): {body[:300]!r}")
    return f"{name}={kept.value}" if kept is not None else cookie


def _wait_for(port: int, deadline: float = 30) -> None:
    import socket

    end = time.time() + deadline
    while time.time() < end:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on {port} within {deadline} s")


def vendor_table():
    """Yield one line: vendors, clients, the table's rps and p99, the floor's rps and the ratio."""
    from integration.extensions import db
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, free_port

    count, clients = int(os.environ.get("BENCH_TABLE_VENDORS", "5000")), int(os.environ.get("BENCH_CLIENTS", "50"))
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
    database, servers = PostgresDatabase.create(), []
    try:
        settings = make_settings(database_url=database.url, storage_path=tempfile.mkdtemp(),
                                 secret_key="bench-" + "k" * 40)
        app = build_app(settings)
        with app.app_context():
            cookie = _cookie(app, _seed(db, count))
            cookie = _check_table(app, cookie, TABLE_PATH, count)
            db.engine.dispose()
        env = {"DATABASE_URL": database.url, "SECRET_KEY": settings.secret_key, "GAPLINE_ENV": "development",
               "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
               "STORAGE_PATH": settings.storage_path}
        table_port, floor_port = free_port(), free_port()
        servers = [_gunicorn("app:create_app()", table_port, env),
                   _gunicorn("bench.bench_vendor_table:floor_app()", floor_port, env)]
        _wait_for(table_port)
        _wait_for(floor_port)
        floor = Side(floor_port, "/", FLOOR_MARK, servers[1].pid)
        table = Side(table_port, TABLE_PATH, TABLE_MARK, servers[0].pid)
        for side in (floor, table):
            side.warm(cookie, clients, max(2.0, seconds / 4))
        for _ in range(rounds):  # in turn, so that a slower spell of the machine falls on both alike
            for side in (floor, table):
                side.round(cookie, clients, seconds / rounds)
        (floor_rps, floor_p99, floor_cpu), (rps, p99, cpu) = floor.figures(), table.figures()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        database.drop()
    yield {"vendors": count, "clients": clients, "rps": round(rps, 1), "p99_ms": round(p99, 1),
           "floor_rps": round(floor_rps, 1), "ratio": round(rps / floor_rps, 2) if floor_rps else 0.0,
           "floor_p99_ms": round(floor_p99, 1), "cpu_ms": round(cpu, 2), "floor_cpu_ms": round(floor_cpu, 2),
           "load": round(os.getloadavg()[0], 2)}


BENCHMARKS = [("vendor_table", vendor_table)]

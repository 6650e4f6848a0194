"""The Procore sync at scale, against the emulator over HTTP under Procore's 2026 limits: 600 calls an hour
and 25 in any 10-second spike window, both in real time (the emulator's windows are not scaled).

One run builds one world and prints three lines:
- ``sync_first_push``: a company of BENCH_SYNC_VENDORS (default 10,000) vendors with 4 coverage lines each
  connects: the directory import it queues, then the first push (both as the jobs run them).
- ``sync_noop_reconcile``: the nightly reconcile right after, with nothing changed.
- ``status_latency``: BENCH_SYNC_CHANGES (default 500) waivers spread over one minute, each timed from the
  moment it is made until the emulator's record shows it, pushed by a real RQ worker with its scheduler.

Calls, 429s and failures are counted by the emulator's own request log, not by Gapline.
Services: the PostgreSQL of TEST_DATABASE_URL and Redis db 14 of TEST_REDIS_URL's server (flushed).
"""

from __future__ import annotations

import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "compliance"
HOURLY, SPIKE, SPIKE_WINDOW = 600, 25, 10
WAIVED = "workers_compensation.el_each_accident"
LIMITS = f"{HOURLY}/h + {SPIKE}/{SPIKE_WINDOW}s, real-time windows"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


class Calls:
    """What the emulator answered since the last ``reset``: reads, writes, 429s and other failures."""

    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        """Count from here on (the emulator's reset would clear its rate windows too, so it is not used)."""
        self.start = len(self._entries())

    def since(self) -> dict[str, int]:
        """Figures of the calls since ``reset``."""
        entries = [e for e in self._entries()[self.start:] if e["path"].startswith("/rest/")]
        return {"write_calls": sum(e["method"] != "GET" for e in entries),
                "read_calls": sum(e["method"] == "GET" for e in entries),
                "http_429": sum(e["status"] == 429 for e in entries),
                "http_5xx": sum(e["status"] >= 500 for e in entries)}

    def _entries(self) -> list[dict]:
        import requests

        return requests.get(f"{self.url}/_emulator/requests", timeout=30).json()["requests"]


def _seed_certificates(db, company_id: int, vendors: list) -> None:
    """Give each vendor a read certificate whose workers comp limit is too low: a gap a person may waive."""
    from integration.certificate import ExtractedCertificate
    from integration.models import Certificate, StoredFile, Submission

    data = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    next(p for p in data["policies"] if p["line"] == "workers_compensation")["limits"]["el_each_accident"] = 500_000
    content = ExtractedCertificate.from_dict(data)
    for vendor in vendors:
        vendor.legal_name, vendor.trade_tier = "Acme Drywall, LLC", None
        submission = Submission(company_id=company_id, vendor_id=vendor.id, channel="staff_upload", state="evaluated")
        db.session.add(submission)
        db.session.flush()
        stored = StoredFile(company_id=company_id, submission_id=submission.id, filename="coi.pdf",
                            content_type="application/pdf", size_bytes=1, sha256=f"{submission.id:064d}",
                            storage_key=f"k{submission.id}")
        db.session.add(stored)
        db.session.flush()
        db.session.add(Certificate(company_id=company_id, stored_file_id=stored.id, vendor_id=vendor.id, ok=True,
                                   needs_review=False, content=content))
    db.session.commit()


def _worker(settings, emulator_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "STORAGE_PATH": settings.storage_path, "GAPLINE_ENV": "test", "PROCORE_API_BASE": emulator_url,
           "PROCORE_LOGIN_BASE": emulator_url, "PUBLIC_BASE_URL": settings.public_base_url}
    return subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url, "--worker-class",
                             "sync_jobs.worker.GaplineWorker", "--with-scheduler", "high", "default", "low"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Watcher(threading.Thread):
    """Watches the emulator's records for each waiver's reason and notes when it first shows."""

    def __init__(self, store, company_id: int) -> None:
        super().__init__(daemon=True)
        self.store, self.company_id = store, company_id
        self.waiting: dict[str, tuple[str, float]] = {}  # origin_id -> (reason, made at)
        self.latencies: list[float] = []
        self.lock, self.done = threading.Lock(), threading.Event()

    def expect(self, origin: str, reason: str, made_at: float) -> None:
        """Start timing a change."""
        with self.lock:
            self.waiting[origin] = (reason, made_at)

    def run(self) -> None:
        while not self.done.is_set():
            now = time.perf_counter()
            with self.lock:
                for origin, (reason, made_at) in list(self.waiting.items()):
                    found = self.store.insurance_by_origin.get((self.company_id, origin))
                    row = self.store.insurances.get(found) if found else None
                    if row and reason in (row.get("notes") or ""):
                        self.latencies.append(now - made_at)
                        del self.waiting[origin]
            time.sleep(0.05)

    def settle(self, seconds: float) -> int:
        """Wait until every change showed (or ``seconds`` passed); how many never showed."""
        deadline = time.monotonic() + seconds
        while self.waiting and time.monotonic() < deadline:
            time.sleep(0.2)
        self.done.set()
        return len(self.waiting)


def _first_push(db, company_id: int, calls: Calls, changes: int) -> dict:
    from integration.models import SyncRun, Vendor
    from sync_jobs.directory_import import import_directory
    from sync_jobs.push import push_company

    calls.reset()
    started = time.perf_counter()
    import_directory(company_id)
    imported = time.perf_counter()
    vendors = db.session.scalars(db.select(Vendor).where(Vendor.company_id == company_id, Vendor.active.is_(True))
                                 .order_by(Vendor.id).limit(changes)).all()
    _seed_certificates(db, company_id, vendors)  # a few documents arrived meanwhile
    pushing = time.perf_counter()
    run = db.session.get(SyncRun, push_company(company_id))
    done = time.perf_counter()
    figures = calls.since()
    return {"bench": "sync_first_push", "vendors": _active_vendors(db, company_id),
            "records": run.counts.get("pushed", 0),
            "write_calls": figures["write_calls"], "write_limit": math.ceil(run.counts.get("examined", 0) / 1000),
            "read_calls": figures["read_calls"], "http_429": figures["http_429"],
            "failed": run.counts.get("failed", 0), "run_state": run.state, "wall_s": round(done - started, 1),
            "import_s": round(imported - started, 1), "push_s": round(done - pushing, 1), "limits": LIMITS}


def _active_vendors(db, company_id: int) -> int:
    from integration.models import Vendor

    return db.session.scalar(db.select(db.func.count()).select_from(Vendor).where(
        Vendor.company_id == company_id, Vendor.active.is_(True)))


def _noop_reconcile(db, company_id: int, calls: Calls) -> dict:
    from integration.models import SyncRun
    from sync_jobs.reconcile import reconcile_company

    calls.reset()
    started = time.perf_counter()
    run = db.session.get(SyncRun, reconcile_company(company_id, date.today().isoformat()))
    wall = time.perf_counter() - started
    figures = calls.since()
    return {"bench": "sync_noop_reconcile", "vendors": _active_vendors(db, company_id),
            "records": run.counts.get("examined", 0), "procore_records": run.counts.get("procore_records", 0),
            "write_calls": figures["write_calls"], "read_calls": figures["read_calls"],
            "http_429": figures["http_429"], "failed": run.counts.get("failed", 0), "run_state": run.state,
            "wall_s": round(wall, 1), "limits": LIMITS}


def _status_latency(app, db, company_id: int, sandbox_store, calls: Calls, settings, emulator_url: str,
                    changes: int) -> dict:
    from redis import Redis

    from integration.insurance_records import origin_id
    from integration.models import Vendor
    from integration.overrides import create_override
    from tests import factories

    admin = factories.user(company_id, "admin", name="Bench Admin")
    db.session.commit()
    vendors = db.session.scalars(db.select(Vendor).where(Vendor.company_id == company_id, Vendor.active.is_(True))
                                 .order_by(Vendor.id).limit(changes)).all()
    Redis.from_url(settings.redis_url).flushdb()  # jobs the setup queued (nothing the worker should redo)
    worker = _worker(settings, emulator_url)
    watcher = Watcher(sandbox_store, company_id)
    watcher.start()
    time.sleep(3)  # the worker is up before the first change
    calls.reset()
    today, began = date.today(), time.perf_counter()
    try:
        for index, vendor in enumerate(vendors):
            time.sleep(max(0.0, began + index * 60.0 / changes - time.perf_counter()))
            reason = f"Sole proprietor, bench waiver {index}"
            made_at = time.perf_counter()
            watcher.expect(origin_id(vendor.procore_vendor_id, "workers_compensation"), reason, made_at)
            create_override(company_id, admin, vendor.id, WAIVED, "waive", reason, today,
                            expires_on=today + timedelta(days=90))
        spread = time.perf_counter() - began
        missing = watcher.settle(120)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    figures = calls.since()
    latencies = watcher.latencies
    return {"bench": "status_latency", "changes": changes, "changes_over_s": round(spread, 1),
            "p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "p95_s": round(_percentile(latencies, 0.95), 2) if latencies else None,
            "never_shown": missing, "write_calls": figures["write_calls"], "read_calls": figures["read_calls"],
            "http_429": figures["http_429"], "mode": "rq worker with scheduler on Redis",
            "debounce_s": settings.push_debounce_seconds, "min_interval_s": settings.push_min_interval_seconds,
            "limits": LIMITS}


def sync():
    """Yield the three lines: the first push, a reconcile with nothing to do, and the latency of 500 waivers."""
    from redis import Redis

    from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
    from fixtures.procore_sandbox.runtime import EXTENSION_KEY
    from fixtures.procore_sandbox.seedgen import generate_seed
    from integration.extensions import db
    from integration.models import Installation
    from integration.requirement_sets import replace_carriers, save_set
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, RedisService

    vendors = int(os.environ.get("BENCH_SYNC_VENDORS", "10000"))
    changes = min(vendors, int(os.environ.get("BENCH_SYNC_CHANGES", "500")))
    seed = generate_seed(companies=1, vendors_per_company=vendors, projects_per_company=8, seed=7)
    company_id = seed["companies"][0]["id"]
    for vendor in seed["vendors"]:
        vendor["is_active"] = True  # 10,000 vendors with 4 lines each: an inactive vendor gets no records
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per emulator call
    sandbox = create_sandbox_app({"SEED_DATA": seed, "RATE_LIMIT_HOURLY": HOURLY, "RATE_LIMIT_SPIKE": SPIKE,
                                  "RATE_LIMIT_SPIKE_WINDOW": SPIKE_WINDOW})
    url, stop = serve_in_thread(app=sandbox)
    database, redis = PostgresDatabase.create(), RedisService.obtain()
    redis_url = redis.url.rsplit("/", 1)[0] + "/14"
    Redis.from_url(redis_url).flushdb()
    settings = make_settings(database_url=database.url, redis_url=redis_url, storage_path=tempfile.mkdtemp(),
                             procore_api_base=url, procore_login_base=url, public_base_url="http://gapline.bench")
    calls = Calls(url)
    try:
        app = build_app(settings, PROCORE_CLIENT_OPTIONS={})  # the client really waits: pacing and 429s
        with app.app_context():
            db.session.add(Installation(company_id=company_id, company_name=seed["companies"][0]["name"],
                                        connection_state="connected"))
            save_set(company_id, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
            replace_carriers(company_id, (SAMPLES / "carriers.csv").read_text(), None)
            db.session.commit()
            yield _first_push(db, company_id, calls, changes)
            yield _noop_reconcile(db, company_id, calls)
            yield _status_latency(app, db, company_id, sandbox.extensions[EXTENSION_KEY].store, calls, settings,
                                  url, changes)
            db.session.remove()
            db.engine.dispose()
    finally:
        stop()
        database.drop()
        Redis.from_url(redis_url).flushdb()


BENCHMARKS = [("sync", sync)]

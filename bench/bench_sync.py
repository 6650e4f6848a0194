"""The Procore sync at scale, against the emulator over HTTP under Procore's 2026 limits: 600 calls an hour
and 25 in any 10-second spike window, both in real time (the emulator's windows are not scaled).

One run builds one world and prints three lines:
- ``sync_first_push``: a company of BENCH_SYNC_VENDORS (default 10,000) vendors with 4 coverage lines each
  connects: the directory import it queues, then the first push (both as the jobs run them).
- ``sync_noop_reconcile``: the nightly reconcile right after, with nothing changed.
- ``status_latency``: BENCH_SYNC_CHANGES (default 500) changes made within one minute by BENCH_SYNC_CLIENTS
  (default 4) client processes, as people make them through the views' code: waivers, and uploads
  (BENCH_SYNC_UPLOAD_SHARE of them, default 0.2) queued for reading. Each is timed from the moment it is made
  until the emulator's record shows it, pushed by BENCH_SYNC_WORKERS (default 2) real RQ workers with their
  scheduler, as the Procfile's ``worker`` scaled to two. ``changes_over_s`` is how long making them took.

Calls, 429s and failures are counted by the emulator's own request log, not by Gapline. ``cpu_s`` is this
process's CPU (the emulator's thread included); ``load_1m`` the machine's load when the line was printed.
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
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "compliance"
HOURLY, SPIKE, SPIKE_WINDOW = 600, 25, 10
WAIVED = "workers_compensation.el_each_accident"
LIMITS = f"{HOURLY}/h + {SPIKE}/{SPIKE_WINDOW}s, real-time windows"
PARTS = ("first_push", "noop_reconcile", "status_latency")
WINDOW_S = 60.0  # the changes are made within one minute
WATCHED_LINES = ("general_liability", "automobile_liability", "umbrella_liability", "workers_compensation")


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
    from integration.queue import QUEUES

    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "STORAGE_PATH": settings.storage_path, "GAPLINE_ENV": "test", "PROCORE_API_BASE": emulator_url,
           "PROCORE_LOGIN_BASE": emulator_url, "PUBLIC_BASE_URL": settings.public_base_url}
    return subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url, "--worker-class",
                             "sync_jobs.worker.GaplineWorker", "--with-scheduler", *QUEUES],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=_worker_log())


def _worker_log():
    """Where a worker's log goes: a new file in BENCH_SYNC_WORKER_LOGS when set, else nowhere."""
    folder = os.environ.get("BENCH_SYNC_WORKER_LOGS")
    if not folder:
        return subprocess.DEVNULL
    Path(folder).mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile("w", dir=folder, prefix="worker-", suffix=".log", delete=False)


class Watcher(threading.Thread):
    """Watches the emulator's records and notes when each change first shows there.

    A waiver shows when its reason is in the record's notes; an upload when anything Gapline writes in any of
    the vendor's records differs from what it was before the changes began (the documents being read, or what
    was read: status, notes, insurer, policy number, dates, limit; a new certificate may change any line).
    """

    def __init__(self, store, company_id: int) -> None:
        super().__init__(daemon=True)
        self.store, self.company_id = store, company_id
        # index -> (the records watched, the text awaited, or the records' digests before)
        self.expected: dict[int, tuple[tuple[str, ...], str | None, tuple[str | None, ...]]] = {}
        self.waiting: dict[int, float] = {}  # index -> made at
        self.shown: dict[int, float] = {}  # index -> latency
        self.lock, self.done = threading.Lock(), threading.Event()

    def _row(self, origin: str) -> dict | None:
        found = self.store.insurance_by_origin.get((self.company_id, origin))
        return self.store.insurances.get(found) if found else None

    def _digest(self, origin: str) -> str | None:
        """The hash of everything Gapline writes in record ``origin``, as the emulator holds it."""
        from integration.insurance_records import payload_digest, payload_from_procore

        row = self._row(origin)
        return payload_digest(payload_from_procore(row)) if row else None

    def await_text(self, index: int, origin: str, text: str) -> None:
        """Change ``index`` shows when ``text`` is in the notes of record ``origin``."""
        self.expected[index] = ((origin,), text, ())

    def await_change(self, index: int, origins: list[str]) -> None:
        """Change ``index`` shows when any of the records ``origins`` (a vendor's lines: a new certificate may
        change any of them) is no longer what it is now."""
        self.expected[index] = (tuple(origins), None, tuple(self._digest(origin) for origin in origins))

    def made(self, index: int, made_at: float) -> None:
        """Change ``index`` was made at ``made_at``: time it from there."""
        with self.lock:
            self.waiting[index] = made_at

    def latencies(self) -> list[float]:
        """Seconds from each change to the emulator showing it, for those that showed."""
        return list(self.shown.values())

    def run(self) -> None:
        while not self.done.is_set():
            now = time.perf_counter()
            with self.lock:
                for index, made_at in list(self.waiting.items()):
                    origins, text, before = self.expected[index]
                    if text:
                        row = self._row(origins[0])
                        shown = row is not None and text in (row.get("notes") or "")
                    else:
                        shown = tuple(self._digest(origin) for origin in origins) != before
                    if shown:
                        self.shown[index] = now - made_at
                        del self.waiting[index]
            time.sleep(0.05)

    def settle(self, seconds: float) -> list[int]:
        """Wait until every change showed (or ``seconds`` passed); the changes that never showed."""
        deadline = time.monotonic() + seconds
        while self.waiting and time.monotonic() < deadline:
            time.sleep(0.2)
        self.done.set()
        return sorted(self.waiting)


def _first_push(db, company_id: int, calls: Calls, changes: int) -> dict:
    from integration.models import SyncRun, Vendor
    from sync_jobs.directory_import import import_directory
    from sync_jobs.push import push_company

    calls.reset()
    started, cpu = time.perf_counter(), time.process_time()
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
            "import_s": round(imported - started, 1), "push_s": round(done - pushing, 1),
            "cpu_s": round(time.process_time() - cpu, 1), "load_1m": round(os.getloadavg()[0], 1), "limits": LIMITS}


def _active_vendors(db, company_id: int) -> int:
    from integration.models import Vendor

    return db.session.scalar(db.select(db.func.count()).select_from(Vendor).where(
        Vendor.company_id == company_id, Vendor.active.is_(True)))


def _noop_reconcile(db, company_id: int, calls: Calls) -> dict:
    from integration.models import SyncRun
    from sync_jobs.reconcile import reconcile_company

    calls.reset()
    started, cpu = time.perf_counter(), time.process_time()
    run = db.session.get(SyncRun, reconcile_company(company_id, date.today().isoformat()))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    figures = calls.since()
    return {"bench": "sync_noop_reconcile", "vendors": _active_vendors(db, company_id),
            "records": run.counts.get("examined", 0), "procore_records": run.counts.get("procore_records", 0),
            "write_calls": figures["write_calls"], "read_calls": figures["read_calls"],
            "http_429": figures["http_429"], "failed": run.counts.get("failed", 0), "run_state": run.state,
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load_1m": round(os.getloadavg()[0], 1),
            "limits": LIMITS}


def _change_plan(vendors: list, changes: int, upload_share: float) -> list[tuple[int, str, int, float]]:
    """Who changes what and when: (index, "override" or "upload", vendor id, seconds after the start).

    Uploads are spread among the overrides; the changes are spread evenly over one minute.
    """
    uploads = round(changes * upload_share)
    kinds = ["upload" if uploads and (index * uploads) // changes != ((index + 1) * uploads) // changes
             else "override" for index in range(changes)]
    return [(index, kind, vendor.id, index * WINDOW_S / changes)
            for index, (kind, vendor) in enumerate(zip(kinds, vendors, strict=False))]


def _client(app, company_id: int, admin_id: int, plan: list, documents: list, began: float, told) -> None:
    """One client process (a person at a browser, through the web process): makes its changes on schedule.

    Each change goes through the code the views call: ``create_override`` for a waiver; ``receive`` then
    ``queue_reading`` for an upload. Tells the parent when each change began and ended.
    """
    from integration.extensions import db
    from integration.extraction.intake import IncomingFile
    from integration.models import AppUser
    from integration.overrides import create_override
    from integration.submissions import receive
    from sync_jobs.reading import queue_reading

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's
        admin = db.session.get(AppUser, admin_id)
        today = date.today()
        for index, kind, vendor_id, at in plan:
            time.sleep(max(0.0, began + at - time.perf_counter()))
            made_at = time.perf_counter()
            if kind == "override":
                create_override(company_id, admin, vendor_id, WAIVED, "waive", _reason(index), today,
                                expires_on=today + timedelta(days=90))
            else:
                name, data = documents[index % len(documents)]
                received = receive(company_id, vendor_id, [IncomingFile(name, data)], "staff_upload",
                                   submitted_by=admin.email)
                queue_reading(company_id, received.submission.id)
            told.put((index, made_at, time.perf_counter()))
        db.session.remove()
    told.put(("cpu", time.process_time()))
    told.put(None)


def _wait_for_workers(redis, count: int, seconds: float = 180.0) -> None:
    """Until ``count`` workers listen and their schedulers hold every queue (a worker loads the app first)."""
    from rq import Worker

    from integration.queue import QUEUES

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        locks = [redis.exists(f"rq:scheduler-lock:{name}") for name in QUEUES]
        if len(Worker.all(connection=redis)) >= count and all(locks):
            return
        time.sleep(0.5)
    raise TimeoutError(f"{count} RQ workers with their scheduler were not up after {seconds:.0f} s")


def _push_runs(db, company_id: int, after_id: int) -> dict:
    """How many pushes ran after run ``after_id``, how long they took and what they examined."""
    from integration.models import SyncRun

    runs = db.session.scalars(db.select(SyncRun).where(SyncRun.company_id == company_id, SyncRun.kind == "push",
                                                       SyncRun.id > after_id)).all()
    took = [(run.finished_at - run.started_at).total_seconds() for run in runs if run.finished_at and run.started_at]
    return {"push_runs": len(runs), "push_run_max_s": round(max(took), 1) if took else None,
            "push_examined": sum(run.counts.get("examined", 0) for run in runs)}


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its waited-for children (an RQ worker's work horses), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _unshown(db, company_id: int, watcher: Watcher, plan: list, missing: list[int], base_url: str) -> dict:
    """Why the changes that never showed did not: still marked for a push, or Gapline's own record of the
    line does not show the change either (nothing for Procore to show), or Gapline has it and Procore does not."""
    from integration.insurance_standing import load_standings
    from integration.models import PendingPush, Submission

    vendor_ids = sorted({plan[index][2] for index in missing})
    if not vendor_ids:
        return {"never_shown_marked": 0, "never_shown_not_in_gapline": 0, "never_shown_upload_states": {}}
    marked = set(db.session.scalars(db.select(PendingPush.vendor_id).where(PendingPush.company_id == company_id,
                                                                          PendingPush.vendor_id.in_(vendor_ids))))
    records = {record.origin_id: record for standing in load_standings(company_id, vendor_ids, base_url=base_url,
                                                                       today=date.today())
               for record in standing.records()}
    not_in_gapline = 0
    for index in missing:
        origin, text, before = watcher.expected[index]
        record = records.get(origin)
        shows = record is not None and ((text in record.notes) if text else record.digest() != before)
        not_in_gapline += not shows
    uploads = [plan[index][2] for index in missing if plan[index][1] == "upload"]
    states = Counter(db.session.scalars(db.select(Submission.state).where(
        Submission.company_id == company_id, Submission.vendor_id.in_(uploads), Submission.channel == "staff_upload",
        Submission.submitted_by_email.is_not(None)))) if uploads else Counter()
    db.session.remove()
    return {"never_shown_marked": sum(plan[index][2] in marked for index in missing),
            "never_shown_not_in_gapline": not_in_gapline, "never_shown_upload_states": dict(states)}


def _reason(index: int) -> str:
    return f"Sole proprietor, bench waiver {index}"


def _status_latency(app, db, company_id: int, sandbox_store, calls: Calls, settings, emulator_url: str,
                    changes: int) -> dict:
    import multiprocessing

    from redis import Redis

    from fixtures.certgen import generate
    from integration.insurance_records import origin_id
    from integration.models import SyncRun, Vendor
    from tests import factories

    clients = int(os.environ.get("BENCH_SYNC_CLIENTS", "4"))
    workers = int(os.environ.get("BENCH_SYNC_WORKERS", "2"))
    upload_share = float(os.environ.get("BENCH_SYNC_UPLOAD_SHARE", "0.2"))
    admin = factories.user(company_id, "admin", name="Bench Admin")
    db.session.commit()
    admin_id = admin.id
    vendors = db.session.scalars(db.select(Vendor).where(Vendor.company_id == company_id, Vendor.active.is_(True))
                                 .order_by(Vendor.id).limit(changes)).all()
    procore_ids = {vendor.id: vendor.procore_vendor_id for vendor in vendors}
    plan = _change_plan(vendors, changes, upload_share)
    documents = [(doc.filename, doc.data) for doc in (generate(seed, "fillable") for seed in range(8))]
    watcher = Watcher(sandbox_store, company_id)
    for index, kind, vendor_id, _ in plan:
        if kind == "override":
            watcher.await_text(index, origin_id(procore_ids[vendor_id], "workers_compensation"), _reason(index))
        else:
            watcher.await_change(index, [origin_id(procore_ids[vendor_id], line) for line in WATCHED_LINES])
    db.session.remove()
    Redis.from_url(settings.redis_url).flushdb()  # jobs the setup queued (nothing the worker should redo)
    after_id = db.session.scalar(db.select(db.func.max(SyncRun.id))) or 0
    db.session.remove()
    context = multiprocessing.get_context("fork")  # each client starts from this process's warm app
    told = context.Queue()
    durations, clients_cpu, running, processes = [], 0.0, [], []
    try:
        running += [_worker(settings, emulator_url) for _ in range(workers)]
        _wait_for_workers(Redis.from_url(settings.redis_url), workers)
        watcher.start()
        calls.reset()
        began = time.perf_counter() + 1.0
        processes += [context.Process(target=_client, args=(app, company_id, admin_id, plan[number::clients],
                                                            documents, began, told), daemon=True)
                      for number in range(clients)]
        for process in processes:
            process.start()
        finished = 0
        while finished < clients:
            message = told.get(timeout=600)
            if message is None:
                finished += 1
                continue
            if message[0] == "cpu":
                clients_cpu += message[1]
                continue
            index, made_at, done_at = message
            watcher.made(index, made_at)
            durations.append((index, made_at, done_at))
        spread = max(done for _, _, done in durations) - began
        missing = watcher.settle(120)
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        workers_cpu = sum(_cpu_seconds(worker.pid) for worker in running)
        for worker in running:
            worker.terminate()
        for worker in running:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    figures = calls.since()
    latencies = watcher.latencies()
    took = [done - made for _, made, done in durations]
    pushes = _push_runs(db, company_id, after_id)
    unshown = _unshown(db, company_id, watcher, plan, missing, settings.public_base_url)
    kinds = {index: kind for index, kind, _, _ in plan}
    by_kind = {kind: [done - made for index, made, done in durations if kinds[index] == kind]
               for kind in ("override", "upload")}
    return {"bench": "status_latency", "changes": len(durations),
            "overrides": sum(kind == "override" for _, kind, _, _ in plan),
            "uploads": sum(kind == "upload" for _, kind, _, _ in plan),
            "changes_over_s": round(spread, 1), "clients": clients, "workers": workers,
            "change_p50_s": round(statistics.median(took), 3) if took else None,
            "change_p95_s": round(_percentile(took, 0.95), 3) if took else None,
            **{f"{kind}_p50_s": round(statistics.median(values), 3) if values else None
               for kind, values in by_kind.items()},
            "p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "p95_s": round(_percentile(latencies, 0.95), 2) if latencies else None,
            "never_shown": len(missing), "never_shown_uploads": sum(plan[index][1] == "upload" for index in missing),
            **unshown,
            "write_calls": figures["write_calls"], "read_calls": figures["read_calls"],
            "http_429": figures["http_429"], **pushes, "clients_cpu_s": round(clients_cpu, 1),
            "workers_cpu_s": round(workers_cpu, 1), "load_1m": round(os.getloadavg()[0], 1),
            "mode": "rq workers with scheduler on Redis",
            "debounce_s": settings.push_debounce_seconds, "min_interval_s": settings.push_min_interval_seconds,
            "limits": LIMITS}


@contextmanager
def world(vendors: int):
    """The emulator seeded with one company of ``vendors`` active vendors, the Gapline app connected to it.

    Yields ``(app, db, company_id, sandbox store, calls, settings, emulator url)`` inside an app context.
    """
    from redis import Redis

    from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
    from fixtures.procore_sandbox.runtime import EXTENSION_KEY
    from fixtures.procore_sandbox.seedgen import generate_seed
    from integration.extensions import db
    from integration.models import Installation
    from integration.requirement_sets import replace_carriers, save_set
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, RedisService

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
    try:
        app = build_app(settings, PROCORE_CLIENT_OPTIONS={})  # the client really waits: pacing and 429s
        with app.app_context():
            db.session.add(Installation(company_id=company_id, company_name=seed["companies"][0]["name"],
                                        connection_state="connected"))
            save_set(company_id, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
            replace_carriers(company_id, (SAMPLES / "carriers.csv").read_text(), None)
            db.session.commit()
            yield app, db, company_id, sandbox.extensions[EXTENSION_KEY].store, Calls(url), settings, url
            db.session.remove()
            db.engine.dispose()
    finally:
        stop()
        database.drop()
        Redis.from_url(redis_url).flushdb()


def sync():
    """Yield the three lines: the first push, a reconcile with nothing to do, and the latency of 500 changes.

    BENCH_SYNC_PARTS (default "first_push,noop_reconcile,status_latency") leaves parts out while iterating;
    the first push always runs, since the others start from it.
    """
    vendors = int(os.environ.get("BENCH_SYNC_VENDORS", "10000"))
    changes = min(vendors, int(os.environ.get("BENCH_SYNC_CHANGES", "500")))
    parts = set(os.environ.get("BENCH_SYNC_PARTS", ",".join(PARTS)).split(","))
    with world(vendors) as (app, db, company_id, store, calls, settings, url):
        yield _first_push(db, company_id, calls, changes)
        if "noop_reconcile" in parts:
            yield _noop_reconcile(db, company_id, calls)
        if "status_latency" in parts:
            yield _status_latency(app, db, company_id, store, calls, settings, url, changes)


BENCHMARKS = [("sync", sync)]

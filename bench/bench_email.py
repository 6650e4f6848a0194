"""Email throughput: outbox rows written in one transaction, delivered by 2 real RQ worker processes to a real
SMTP server (aiosmtpd), on real PostgreSQL and Redis.

Timed from the first ``outbox.add`` until the SMTP server has accepted every message and every row is
``sent``. The run also checks the exactly-once promise: each idempotency key reached the server once.
Beside the rate it reports CPU milliseconds per email over the timed span: the two workers (with any
process they fork), this process (the writer and the SMTP server) and PostgreSQL's backends for the
bench's database, so a change can be judged on a loaded machine where wall time is not.
Count: BENCH_EMAILS (default 2000). Services: TEST_DATABASE_URL / TEST_REDIS_URL as in tests.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU of a process from /proc (with its reaped children's when ``children``); 0 once gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields[11:15]]  # utime, stime, cutime, cstime
    return sum(ticks if children else ticks[:2]) / TICK


class PostgresCpu:
    """CPU of the PostgreSQL backends serving one database, sampled as they come and go."""

    def __init__(self, db, name: str) -> None:
        self.db, self.name = db, name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self) -> None:
        from sqlalchemy import text

        pids = self.db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                       {"name": self.name}).all()
        for pid in pids:
            seconds = _cpu_seconds(pid, children=False)
            self.first.setdefault(pid, seconds)
            self.last[pid] = max(seconds, self.last.get(pid, 0.0))

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _start_workers(settings, smtp) -> list[subprocess.Popen]:
    """The workers, started and warm (each has built the app) before the clock starts."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "STORAGE_PATH": settings.storage_path, "GAPLINE_ENV": "test", **smtp.env()}
    command = [sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url,
               "--worker-class", "sync_jobs.worker.GaplineWorker", "emails"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(WORKERS)]


def _wait_until_listening(redis_url: str, count: int, timeout: float = 120.0) -> None:
    from redis import Redis
    from rq import Worker

    connection, deadline = Redis.from_url(redis_url), time.monotonic() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} workers registered after {timeout}s")
        time.sleep(0.05)


def _write(count: int) -> None:
    """The outbox rows, as a cadence run writes them: one transaction, then handed to the ``emails`` queue."""
    from integration import outbox

    for n in range(count):
        email = outbox.Email("reminder", f"sub{n}@bench.test", f"Reminder: Your Insurance Docs are needed ({n})",
                             f"Plain words for {n}.\n", f"<p>Plain words for {n}.</p>",
                             {"List-Unsubscribe": f"<https://gapline.test/unsubscribe/{n}>"})
        outbox.add(email, f"bench:{n}", company_id=None)
    outbox.commit()


def _wait_for_delivery(db, smtp, count: int, postgres: PostgresCpu, timeout: float = 600.0) -> None:
    """Until the server holds every message and every row says ``sent`` (looking at the database only then)."""
    from sqlalchemy import func, select

    from integration.models import SentEmail

    deadline = next_sample = time.monotonic()
    deadline += timeout
    while smtp.recorder.count() < count or db.session.scalar(
            select(func.count(SentEmail.id)).where(SentEmail.state != "sent")):
        if time.monotonic() >= next_sample:  # backends of forked job processes end with them: look often
            postgres.sample()
            next_sample = time.monotonic() + 0.2
        db.session.rollback()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{smtp.recorder.count()} of {count} emails delivered after {timeout}s")
        time.sleep(0.02)
    postgres.sample()
    db.session.rollback()


def _check_once(smtp, count: int) -> None:
    """Every email reached the server exactly once (Message-ID is derived from the idempotency key)."""
    ids = Counter(message["Message-ID"] for message in smtp.messages)
    if len(ids) != count or max(ids.values()) != 1:
        raise AssertionError(f"{len(smtp.messages)} messages for {count} emails, {len(ids)} distinct")


def email_throughput():
    """Yield one line: emails delivered per second through the outbox, RQ and SMTP."""
    from redis import Redis

    from integration.extensions import db
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, RedisService
    from tests.smtp_server import SmtpServer

    count = int(os.environ.get("BENCH_EMAILS", "2000"))
    database, redis, smtp = PostgresDatabase.create(), RedisService.obtain(), SmtpServer().start()
    redis_url = redis.url.rsplit("/", 1)[0] + "/12"  # its own Redis db, flushed before and after
    Redis.from_url(redis_url).flushdb()
    settings = make_settings(database_url=database.url, redis_url=redis_url, storage_path=tempfile.mkdtemp(),
                             mail_server=smtp.host, mail_port=smtp.port)
    app = build_app(settings)
    workers = _start_workers(settings, smtp)
    try:
        _wait_until_listening(redis_url, WORKERS)
        with app.app_context():
            postgres = PostgresCpu(db, database.name)
            postgres.sample()
            workers_before = sum(_cpu_seconds(worker.pid) for worker in workers)
            own_before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            _write(count)
            _wait_for_delivery(db, smtp, count, postgres)
            elapsed = time.perf_counter() - started
            own_after = resource.getrusage(resource.RUSAGE_SELF)
            workers_cpu = sum(_cpu_seconds(worker.pid) for worker in workers) - workers_before
            db.engine.dispose()
        own_cpu = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
        _check_once(smtp, count)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        smtp.stop()
        Redis.from_url(redis_url).flushdb()
        database.drop()
        redis.stop()
    per_email = 1000 / count
    yield {"workers": WORKERS, "emails": count, "emails_per_s": round(count / elapsed, 1),
           "worker_cpu_ms_per_email": round(workers_cpu * per_email, 2),
           "bench_process_cpu_ms_per_email": round(own_cpu * per_email, 2),
           "postgres_cpu_ms_per_email": round(postgres.seconds() * per_email, 2),
           "load_1min": round(os.getloadavg()[0], 2)}


BENCHMARKS = [("email_throughput", email_throughput)]
